"""The plugin's forms; labels are lazily translated in the plugin's domain."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DecimalField, FloatField, IntegerField, SelectField,
                     StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.api import DateField, MultipleAttachmentField

from .i18n import lazy_gettext as _l
from .models import CATEGORIES, IN, MEMBER_STATUSES, NAME_LENGTH, OUT, TEXT_LENGTH
from .rules import CATEGORY_LABELS, STEP_LABELS
from .settings import MEETING_KINDS

LONG_TEXT = 20_000
STATUS_LABELS = dict(zip(MEMBER_STATUSES, (_l("Full member"), _l("Probationary member")),
                         strict=True))
PARTS = (("party", _l("Party building")), ("publicity", _l("Publicity")),
         ("mass", _l("Mass organisations")))
INTEGRITY_KINDS = (("file", _l("Integrity file entry")), ("self_check", _l("Risk self-check")),
                   ("talk", _l("Integrity talk")))


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def name_field(label, required=True):
    return StringField(label, validators=[DataRequired() if required else Optional(),
                                          Length(max=NAME_LENGTH)])


class MemberForm(FlaskForm):
    name = name_field(_l("Name"))
    status = SelectField(_l("Membership"), choices=choices(STATUS_LABELS.items()))
    joined_on = DateField(_l("Joined the party on"), validators=[Optional()])
    converted_on = DateField(_l("Full member since"), validators=[Optional()])
    political_birthday = DateField(_l("Political birthday"), validators=[Optional()])
    work_unit = StringField(_l("Work unit"), validators=[Length(max=TEXT_LENGTH)])
    contact_person = name_field(_l("Contact person"), required=False)
    retired = BooleanField(_l("Retired"))
    hardship = BooleanField(_l("In hardship"))
    submit = SubmitField(_l("Save"))


class TransferForm(FlaskForm):
    direction = SelectField(_l("Direction"), choices=choices(
        ((IN, _l("Arrives (transfer in)")), (OUT, _l("Leaves (transfer out)")))))
    on = DateField(_l("Date"), validators=[InputRequired()])
    other_party = StringField(_l("From or to which organisation"),
                              validators=[DataRequired(), Length(max=TEXT_LENGTH)])
    submit = SubmitField(_l("Record the transfer"))


class PayForm(FlaskForm):
    from_month = DateField(_l("From the month of"), validators=[InputRequired()])
    category = SelectField(_l("Dues category"), choices=choices(
        (c, CATEGORY_LABELS[c]) for c in CATEGORIES))
    pay = DecimalField(_l("Monthly pay after tax (yuan)"), places=2,
                       validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    fixed = DecimalField(_l("Farmer's monthly amount (yuan)"), places=2,
                         validators=[Optional(), NumberRange(min=0, max=100)])
    submit = SubmitField(_l("Save the pay"))


class NewFileForm(FlaskForm):
    name = name_field(_l("Applicant's name"))
    applied_on = DateField(_l("Application dated"), validators=[InputRequired()])
    submit = SubmitField(_l("Open the file"))


class StepForm(FlaskForm):
    step = SelectField(_l("Step"), choices=choices(STEP_LABELS.items()))
    on = DateField(_l("Date"), validators=[InputRequired()])
    contact_person = name_field(_l("Contact person (培养联系人)"), required=False)
    hours = FloatField(_l("Class hours"), validators=[Optional(), NumberRange(min=0, max=500)])
    entitled = IntegerField(_l("Full members entitled to vote"),
                            validators=[Optional(), NumberRange(min=0, max=100_000)])
    present = IntegerField(_l("Of them present"),
                           validators=[Optional(), NumberRange(min=0, max=100_000)])
    in_favour = IntegerField(_l("In favour"),
                             validators=[Optional(), NumberRange(min=0, max=100_000)])
    months = IntegerField(_l("Extension in months"),
                          validators=[Optional(), NumberRange(min=0, max=120)])
    note = TextAreaField(_l("Note"), validators=[Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Record the step"))


class MeetingForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices((k, label) for k, label, _f in MEETING_KINDS))
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Length(max=TEXT_LENGTH)])
    chair = name_field(_l("Chair"), required=False)
    recorder = name_field(_l("Recorder"), required=False)
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=LONG_TEXT)])
    resolutions = TextAreaField(_l("Resolutions"), validators=[Length(max=LONG_TEXT)])
    files = MultipleAttachmentField(_l("Minutes and photos"), kind="party_building.minutes")
    submit = SubmitField(_l("Save the record"))


class VoteForm(FlaskForm):
    subject = StringField(_l("What was voted on"),
                          validators=[DataRequired(), Length(max=TEXT_LENGTH)])
    entitled = IntegerField(_l("Full members entitled to vote"),
                            validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    present = IntegerField(_l("Of them present"),
                           validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    in_favour = IntegerField(_l("In favour"),
                             validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    against = IntegerField(_l("Against"), default=0,
                           validators=[Optional(), NumberRange(min=0, max=100_000)])
    abstaining = IntegerField(_l("Abstaining"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=100_000)])
    submit = SubmitField(_l("Record the vote"))


class IntegrityForm(FlaskForm):
    member = SelectField(_l("Cadre"), coerce=int, validate_choice=True)
    kind = SelectField(_l("Kind"), choices=choices(INTEGRITY_KINDS))
    on = DateField(_l("Date"), validators=[InputRequired()])
    content = TextAreaField(_l("Content"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Add to the file"))


class PlanItemForm(FlaskForm):
    part = SelectField(_l("Part of the plan"), choices=choices(PARTS))
    title = StringField(_l("Item"), validators=[DataRequired(), Length(max=TEXT_LENGTH)])
    owner = name_field(_l("Owner"), required=False)
    due_on = DateField(_l("Due"), validators=[Optional()])
    progress = IntegerField(_l("Progress (%)"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=100)])
    evidence = TextAreaField(_l("Evidence"), validators=[Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Save the item"))


class PledgeForm(FlaskForm):
    quarter = StringField(_l("Quarter (e.g. 2026-Q1)"),
                          validators=[DataRequired(), Length(max=7)])
    member = SelectField(_l("Whose pledge"), coerce=int, validate_choice=True)
    pledge = TextAreaField(_l("Pledge"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    published_on = DateField(_l("Published on"), validators=[Optional()])
    submit = SubmitField(_l("Save the pledge"))


class ReviewForm(FlaskForm):
    review = TextAreaField(_l("Review"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    reviewed_on = DateField(_l("Reviewed on"), validators=[InputRequired()])
    review_published_on = DateField(_l("Review published on"), validators=[Optional()])
    submit = SubmitField(_l("Save the review"))


class PairingForm(FlaskForm):
    member = SelectField(_l("Member"), coerce=int, validate_choice=True)
    household = StringField(_l("Household in need"),
                            validators=[DataRequired(), Length(max=TEXT_LENGTH)])
    started_on = DateField(_l("Since"), validators=[InputRequired()])
    submit = SubmitField(_l("Pair them"))


class VisitForm(FlaskForm):
    on = DateField(_l("Visited on"), validators=[InputRequired()])
    note = TextAreaField(_l("What was done"), validators=[Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Record the visit"))


class RegistrationForm(FlaskForm):
    member = SelectField(_l("Member"), coerce=int, validate_choice=True)
    community = StringField(_l("Community"), validators=[DataRequired(), Length(max=TEXT_LENGTH)])
    registered_on = DateField(_l("Registered on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the registration"))


class AnnualReportForm(FlaskForm):
    body = TextAreaField(_l("Report"), validators=[DataRequired(), Length(max=100_000)])
    submit = SubmitField(_l("Save the report"))
