"""The registration form; labels are lazily translated in the plugin's domain."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from core.api import DateTimeLocalField

from .i18n import lazy_gettext as _l
from .models import NAME_LENGTH

PURPOSES = {
    "meeting": _l("Meeting"),
    "delivery": _l("Delivery"),
    "parent": _l("Parent visit"),
    "other": _l("Other"),
}


def without_nul(text):
    """PostgreSQL refuses NUL characters in text (a 500); nobody types them."""
    return text.replace("\x00", "") if isinstance(text, str) else text


class VisitForm(FlaskForm):
    name = StringField(_l("Visitor"), filters=[without_nul],
                       validators=[DataRequired(), Length(max=NAME_LENGTH)])
    company = StringField(_l("Company or school"), filters=[without_nul],
                          validators=[Length(max=NAME_LENGTH)])
    purpose = SelectField(_l("Purpose"), choices=[SelectChoice(value, label)
                                                  for value, label in PURPOSES.items()])
    host = StringField(_l("Visiting"), filters=[without_nul],
                       validators=[DataRequired(), Length(max=NAME_LENGTH)])
    #: The wall-clock time typed in the browser; the view stores it as UTC (``to_utc``).
    expected_at = DateTimeLocalField(_l("Expected at"), validators=[DataRequired()])
    #: core's ``form()`` macro draws the buttons from the form's SubmitFields.
    submit = SubmitField(_l("Register"))
