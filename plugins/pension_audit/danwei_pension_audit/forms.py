"""The plugin's forms; labels are lazily translated in the plugin's domain."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.api import AttachmentField, DateField

from .i18n import lazy_gettext as _l
from .models import RESULTS


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


RESULT_LABELS = {"compliant": _l("Compliant"), "not_compliant": _l("Not compliant"),
                 "na": _l("Not applicable")}


class EngagementForm(FlaskForm):
    unit = SelectField(_l("Audited unit"), coerce=int, validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    period_start = DateField(_l("Period from"), validators=[DataRequired()])
    period_end = DateField(_l("Period to"), validators=[DataRequired()])
    preparer = SelectField(_l("Preparer (编制人)"), coerce=int, validators=[InputRequired()])
    verifier = SelectField(_l("Verifier (复核人)"), coerce=int, validators=[InputRequired()])
    team = SelectMultipleField(_l("Team"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Create the audit"))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.period_end.data < self.period_start.data:
            self.period_end.errors.append(_l("The period ends before it starts."))
            return False
        if self.preparer.data == self.verifier.data:
            self.verifier.errors.append(_l("The verifier must be someone other than the "
                                           "preparer."))
            return False
        return True


class AnswerForm(FlaskForm):
    result = RadioField(_l("Result"), choices=choices((r, RESULT_LABELS[r]) for r in RESULTS),
                        validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save the answer"))


class EvidenceForm(FlaskForm):
    made_on = DateField(_l("Date of the document"), validators=[DataRequired()])
    description = StringField(_l("What it shows"), validators=[DataRequired(), Length(max=500)])
    file = AttachmentField(_l("File"), kind="pension_audit.evidence", required=True)
    add = SubmitField(_l("Add the evidence"))


class UploadForm(FlaskForm):
    kind = SelectField(_l("Data"), validators=[InputRequired()])
    source = StringField(_l("Source (whose export: the fund's system, the county bank...)"),
                         validators=[DataRequired(), Length(max=100)])
    file = FileField(_l("CSV or XLSX file"))
    submit = SubmitField(_l("Upload"))


class CheckForm(FlaskForm):
    run = SubmitField(_l("Run the checks"))


class AssignForm(FlaskForm):
    responsible = SelectField(_l("Responsible person"), coerce=int,
                              validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Length(max=500)])
    assign = SubmitField(_l("Assign"))


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=5000)])
    made_on = DateField(_l("Date of the document"), validators=[Optional()])
    file = AttachmentField(_l("Evidence"), kind="pension_audit.evidence")
    reply = SubmitField(_l("Send the reply"))


class DecideForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=choices(
        (("accept", _l("Accept")), ("return", _l("Return for more work")))),
        validators=[InputRequired()])
    text = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    decide = SubmitField(_l("Decide"))


class GroupForm(FlaskForm):
    title = StringField(_l("Root cause, in a few words"),
                        validators=[DataRequired(), Length(max=200)])
    root_cause = TextAreaField(_l("Explanation"), validators=[Length(max=5000)])
    group = SubmitField(_l("Group the findings shown"))


class SampleForm(FlaskForm):
    item = SelectField(_l("Item"), coerce=int, validators=[InputRequired()])
    population = SelectField(_l("Sample from"), choices=choices((
        ("members", _l("Members")), ("contributions", _l("Contributions booked")),
        ("payments", _l("Pension payments")), ("receipts", _l("Bank receipts")))),
        validators=[InputRequired()])
    size = IntegerField(_l("Size"), validators=[InputRequired(), NumberRange(1, 1000)])
    seed = IntegerField(_l("Seed (empty: a new one)"),
                        validators=[Optional(), NumberRange(0, 2**31 - 1)])
    draw = SubmitField(_l("Draw the sample"))


class WorksheetForm(FlaskForm):
    result = RadioField(_l("Result"), choices=choices(
        (("compliant", _l("Compliant")), ("not_compliant", _l("Not compliant")))),
        validators=[InputRequired()])
    notes = TextAreaField(_l("What was checked"), validators=[Length(max=5000)])
    save = SubmitField(_l("Save"))
