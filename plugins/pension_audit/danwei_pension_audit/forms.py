"""The plugin's form; labels are lazily translated in the plugin's domain."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from .i18n import lazy_gettext as _l
from .models import TITLE_LENGTH


def without_nul(text):
    """PostgreSQL refuses NUL characters in text (a 500); nobody types them."""
    return text.replace("\x00", "") if isinstance(text, str) else text


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), filters=[without_nul],
                        validators=[DataRequired(), Length(max=TITLE_LENGTH)])
    body = TextAreaField(_l("Text"), filters=[without_nul], validators=[Length(max=10_000)])
    #: core's ``form()`` macro draws the buttons from the form's SubmitFields.
    submit = SubmitField(_l("Save"))
