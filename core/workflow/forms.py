"""The forms of the workflow panel and of the inbox, and the step forms plugins declare.

A step's form is either the plugin's own WTForms class or a tuple of
:class:`~.definitions.FormField` declared as data; :func:`step_form_class` makes both into a
form, and :func:`form_items` turns what was filled in into what the timeline keeps.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..forms import DateField, DateTimeLocalField
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from .definitions import FormField, Step


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)],
                            description=_l("Required when you reject or return the request."))
    step_id = HiddenField()
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Return for revision"))
    reject = SubmitField(_l("Reject"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if (self.reject.data or self.send_back.data) and not (self.comment.data or "").strip():
            self.comment.errors.append(
                _l("Give a reason: the applicant sees it.") if self.reject.data else
                _l("Say what should be revised: the applicant sees it."))
            return False
        return True


class TransferForm(FlaskForm):
    target = SelectField(_l("Transfer to"), coerce=int, validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    step_id = HiddenField()
    submit = SubmitField(_l("Transfer"))


class ReassignForm(FlaskForm):
    username = StringField(_l("User name of the new approver"),
                           validators=[DataRequired(), Length(max=64)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Reassign the step"))


class CCForm(FlaskForm):
    usernames = StringField(_l("User names"), validators=[DataRequired(), Length(max=500)],
                            description=_l("Separate several names with commas or spaces."))
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Copy in"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class BulkApproveForm(FlaskForm):
    comment = TextAreaField(_l("Comment for all selected requests"),
                            validators=[Length(max=2000)])
    submit = SubmitField(_l("Approve selected"))


def _wtf_field(spec: FormField):
    required = [DataRequired()] if spec.required else [Optional()]
    kw = {"description": spec.help or ""}
    if spec.type == "text":
        return TextAreaField(spec.label, validators=[*required, Length(max=2000)], **kw)
    if spec.type == "int":
        return IntegerField(spec.label, validators=required, **kw)
    if spec.type == "float":
        return FloatField(spec.label, validators=required, **kw)
    if spec.type == "date":
        return DateField(spec.label, validators=required, **kw)
    if spec.type == "time":
        return TimeField(spec.label, validators=required, **kw)
    if spec.type == "datetime":
        return DateTimeLocalField(spec.label, validators=required, format="%Y-%m-%dT%H:%M", **kw)
    if spec.type == "phone":
        return StringField(spec.label, validators=[
            *required, Regexp(r"^[0-9+\-() ]{3,32}$", message=_l("Enter a telephone number."))
        ], **kw)
    if spec.type == "choice":
        return SelectField(spec.label, choices=[(v, label) for v, label in spec.choices],
                           validators=required, **kw)
    if spec.type == "bool":
        return BooleanField(spec.label, **kw)
    return StringField(spec.label, validators=[*required, Length(max=200)], **kw)


def step_form_class(dstep: Step | None):
    """The form to fill in before approving *dstep*: the plugin's class, or one built from its
    :class:`FormField` tuple; None when the step has no form."""
    if dstep is None or dstep.form is None:
        return None
    if isinstance(dstep.form, type):
        return dstep.form
    return type("StepForm", (FlaskForm,), {f.name: _wtf_field(f) for f in dstep.form})


def form_items(form) -> list[dict]:
    """What was filled in, as ``[{name, label, value}]`` to keep on the timeline."""
    items = []
    for f in form:
        if f.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
            continue
        value = f.data
        if f.type == "BooleanField":
            value = _("Yes") if value else _("No")
        elif f.type == "SelectField":
            value = dict((str(k), str(v)) for k, v, *_rest in f.iter_choices()).get(
                str(value), value)
        elif hasattr(value, "strftime"):
            value = value.strftime("%Y-%m-%d %H:%M" if f.type == "DateTimeLocalField" else
                                   "%H:%M" if f.type == "TimeField" else "%Y-%m-%d")
        items.append({"name": f.short_name, "label": str(f.label.text),
                      "value": "" if value is None else str(value)})
    return items
