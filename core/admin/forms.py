"""The forms of the administration pages. Choices that depend on the administrator's scope
(units, roles) are filled in by the views."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput

from .. import users
from ..i18n import lazy_gettext as _l
from ..units import by_code

#: An initial password is shown again when the form comes back with an error: the
#: administrator hands it over anyway, and the user must change it at first login.
VisiblePassword = PasswordInput(hide_value=False)


def _check(problem: str | None) -> None:
    if problem:
        raise ValidationError(problem)


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "off"})
    name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)])
    unit = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))

    #: The user being edited, so that keeping one's own user name is not a clash.
    editing = None

    def validate_username(self, field):
        field.data = field.data.strip()
        _check(users.username_problem(field.data))
        found = users.find_by_username(field.data)
        if found is not None and found is not self.editing:
            raise ValidationError(_l("This user name is taken."))

    def validate_phone(self, field):
        field.data = (field.data or "").strip()
        _check(users.phone_problem(field.data))

    def validate_email(self, field):
        field.data = (field.data or "").strip()
        _check(users.email_problem(field.data))


class UserCreateForm(UserForm):
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired()], widget=VisiblePassword,
        description=_l("The user must choose a new password at first login."),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create user"))

    def validate_password(self, field):
        _check(users.password_problem(field.data or "", self.username.data))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired()], widget=VisiblePassword,
        description=_l("The user must choose a new password at next login."),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Reset password"))

    #: The person whose password is reset (set by the view).
    user = None

    def validate_password(self, field):
        _check(users.password_problem(field.data or "", getattr(self.user, "username", None),
                                      getattr(self.user, "password_hash", None)))


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV or Excel file"),
        validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Choose a .csv or .xlsx file."))],
        render_kw={"accept": ".csv,.xlsx", "data-row-count": "import-rows"},
    )
    submit = SubmitField(_l("Check and import"))


UNIT_KINDS = ("organisation", "school", "grade", "class", "company", "department",
              "hospital", "branch", "group", "unit")


class UnitForm(FlaskForm):
    parent = SelectField(_l("Parent unit"), coerce=int)
    code = StringField(
        _l("Code"), validators=[DataRequired(), Length(max=64)],
        description=_l("Unique, short and stable: used in imports and URLs, e.g. sch1-g7-c2."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = StringField(_l("Kind"), validators=[DataRequired(), Length(max=32)],
                       default="unit", render_kw={"list": "unit-kinds"})
    submit = SubmitField(_l("Create unit"))

    def validate_code(self, field):
        field.data = field.data.strip()
        if not users.USERNAME_RE.match(field.data):
            raise ValidationError(_l("Use letters, digits and . _ - @ only."))
        if by_code(field.data) is not None:
            raise ValidationError(_l("Another unit has this code."))


class UnitEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = StringField(_l("Kind"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"list": "unit-kinds"})
    submit = SubmitField(_l("Save"))


class UnitMoveForm(FlaskForm):
    parent = SelectField(_l("New parent unit"), coerce=int)
    submit = SubmitField(_l("Move"))


class AssignRoleForm(FlaskForm):
    username = StringField(
        _l("User name"), validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "off", "list": "user-matches", "data-user-search": ""},
        description=_l("Type a few letters of the user name or the name to search."),
    )
    role = SelectField(_l("Role"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RolePermissionsForm(FlaskForm):
    permissions = MultiCheckboxField(_l("Permissions"), validate_choice=False)
    submit = SubmitField(_l("Save permissions"))


class PurgeForm(FlaskForm):
    confirm = StringField(_l("Type the unit code to confirm"),
                          validators=[DataRequired()], render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Export, then delete the data"))


class SettingForm(FlaskForm):
    """One setting's value, as typed; :func:`core.settings.parse_value` checks it."""

    value = StringField(_l("Value"))
    submit = SubmitField(_l("Save"))
