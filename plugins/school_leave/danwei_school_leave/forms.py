"""The plugin's forms. Labels are translatable; times are the school's wall-clock time."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from core.api import (
    DateField,
    DateTimeLocalField,
    MultipleAttachmentField,
    RequestState,
    local_now,
    to_local,
)

from . import rules, school
from .i18n import lazy_gettext as _l
from .models import LOG_KINDS

LEAVE_TYPE_LABELS = {
    rules.PERSONAL: _l("Personal"),
    rules.SICK: _l("Sick"),
    rules.MORNING_EXERCISE: _l("Morning exercise"),
    rules.OTHER: _l("Other"),
}
#: A leave's approval state as the lists and the register show it.
STATUS_LABELS = {
    RequestState.PENDING: _l("Waiting for signatures"),
    RequestState.APPROVED: _l("Approved"),
    RequestState.REJECTED: _l("Refused"),
    RequestState.WITHDRAWN: _l("Withdrawn"),
    RequestState.RETURNED: _l("Returned for revision"),
}
LOG_KIND_LABELS = dict(zip(LOG_KINDS, (_l("Late"), _l("Left early"), _l("Absent")), strict=True))

DATETIME = "%Y-%m-%dT%H:%M"


def choices(pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class ApplyForm(FlaskForm):
    """A leave application. The monitor may file it for a classmate, with a reason."""

    student = SelectField(_l("Student"), coerce=int, validators=[Optional()])
    proxy_reason = TextAreaField(
        _l("Why the student cannot apply in person"), validators=[Length(max=1000)],
        description=_l("Students apply in person; a classmate may file only in special cases "
                       "(line 27), and the reason is kept on the slip."))
    leave_type = SelectField(_l("Type"), choices=choices(LEAVE_TYPE_LABELS.items()),
                             validators=[DataRequired()])
    start = DateTimeLocalField(_l("From"), format=DATETIME, validators=[InputRequired()])
    end = DateTimeLocalField(_l("Until"), format=DATETIME, validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    leaving_campus = BooleanField(_l("Leaving campus"))
    notes = MultipleAttachmentField(_l("Doctor's note or other document"),
                                    kind="school_leave.note")
    check = SubmitField(_l("Check the approval chain"))
    submit = SubmitField(_l("Submit"))

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The leave must end after it starts."))

    def validate_reason(self, field):
        # Checking the chain needs only the times; submitting needs the reason too.
        if self.submit.data and not (field.data or "").strip():
            raise ValidationError(_l("Say why you ask for leave."))


class FileForStudentForm(ApplyForm):
    """The class teacher files for a student of the class; the student-affairs office may
    also override the advance-notice rules in an emergency, with a reason."""

    proxy_reason = TextAreaField(
        _l("Note"), validators=[Length(max=1000)],
        description=_l("Optional: e.g. a boarder without a phone asked in person. The slip "
                       "says who filed it."))
    emergency_reason = TextAreaField(
        _l("Emergency: why the rules on asking in advance cannot be followed"),
        validators=[Length(max=1000)],
        description=_l("Only the student-affairs office. Required for an emergency; kept on "
                       "the slip, in the reports and in the audit log."))
    emergency = BooleanField(_l("Emergency override"))

    def validate_emergency_reason(self, field):
        if self.emergency.data and not (field.data or "").strip():
            raise ValidationError(_l("Say why this is an emergency: the override is refused "
                                     "without a reason."))


class ExtensionForm(FlaskForm):
    """The monitor files an extension after the parent explained (line 21)."""

    end = DateTimeLocalField(_l("New end"), format=DATETIME, validators=[InputRequired()])
    explanation = TextAreaField(_l("What the parent explained"),
                                validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("File the extension"))


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    relation = StringField(_l("Relation"), validators=[DataRequired(), Length(max=50)],
                           description=_l("Mother, father, grandmother, guardian..."))
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=32)])
    submit = SubmitField(_l("Add contact"))


class ParentCallForm(FlaskForm):
    """A phone call with a parent, as the class teacher notes it."""

    student = SelectField(_l("Student"), coerce=int, validators=[Optional()])
    called_at = DateTimeLocalField(_l("Time of the call"), format=DATETIME,
                                   validators=[InputRequired()])
    phone = StringField(_l("Number"), validators=[DataRequired(), Length(max=32)])
    answered_by = StringField(_l("Who was on the phone"),
                              validators=[DataRequired(), Length(max=100)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record the call"))


class StepCallForm(FlaskForm):
    """The class teacher's step: the call to the parent, noted on the slip (line 13).

    The engine shows and validates it before the approval is recorded; the time is checked
    against the leave the request is about (:func:`rules.call_time_refusal`), so what reaches
    :func:`approval.on_event` always makes a call record.
    """

    called_at = DateTimeLocalField(_l("Parent phoned at"), format=DATETIME,
                                   validators=[InputRequired()])
    phone = StringField(_l("Number called"), validators=[
        DataRequired(), Length(max=32),
        Regexp(r"^[0-9+\-() ]{3,32}$", message=_l("Enter a telephone number."))])
    answered_by = StringField(_l("Who answered"), validators=[DataRequired(), Length(max=100)])
    note = TextAreaField(_l("What was said"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("formdata") is None and not self.phone.data:
            self.prefill()

    def prefill(self) -> None:
        """Start from what is known (issue 18, point 5): the parent's advance call this leave
        relied on, else the student's first parent's number, and now."""
        from .approval import leave_of_request
        from .people import advance_call_of, contacts_of

        leave = leave_of_request()
        if leave is None:
            return
        self.called_at.data = local_now().replace(second=0, microsecond=0)
        call = advance_call_of(leave)
        if call is not None:
            self.called_at.data = to_local(call.called_at)
            self.phone.data, self.answered_by.data = call.phone, call.answered_by
            self.note.data = call.note
            return
        contacts = contacts_of(leave.student)
        if contacts:
            self.phone.data = contacts[0].phone
            self.answered_by.data = f"{contacts[0].relation} {contacts[0].name}"

    def validate_called_at(self, field):
        from .approval import leave_of_request

        leave = leave_of_request()
        if leave is None or field.data is None:
            return
        why = rules.call_time_refusal(
            field.data, now=local_now(),
            filed=to_local(leave.created_at).replace(second=0, microsecond=0),
            end=to_local(leave.end_at),
            valid_days=int(school.setting("parent_call_valid_days", leave.unit)))
        if why is not None:
            raise ValidationError(why)


class LogEntryForm(FlaskForm):
    student = SelectField(_l("Student"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("What"), choices=choices(LOG_KIND_LABELS.items()),
                       validators=[DataRequired()])
    period = StringField(_l("Period"), validators=[Length(max=50)])
    note = StringField(_l("Note"), validators=[Length(max=500)])
    submit = SubmitField(_l("Add to the log"))


class ReconcileForm(FlaskForm):
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Sign off the week"))


class SettingsForm(FlaskForm):
    """A school's timetable and the numbers of the regulation."""

    monitor_max_periods = StringField(_l("Periods the monitor may approve alone"),
                                      validators=[DataRequired()])
    class_teacher_max_days = StringField(_l("Days up to which the class teacher signs last"),
                                         validators=[DataRequired()])
    grade_max_days = StringField(_l("Days beyond which the principal signs too"),
                                 validators=[DataRequired()])
    parent_call_advance_hours = StringField(_l("Hours of advance notice for leaving campus"),
                                            validators=[DataRequired()])
    timetable = TextAreaField(_l("Timetable"), validators=[DataRequired()],
                              description=_l("One slot per line: kind,start,end,name. Kinds: "
                                             "class, morning_exercise, morning_reading, "
                                             "evening_study."))
    exam_windows = TextAreaField(_l("Exam periods"),
                                 description=_l("One per line: first day,last day "
                                                "(YYYY-MM-DD)."))
    parent_message_exit = TextAreaField(_l("Message to the parents: out through the gate"),
                                        validators=[Length(max=500)])
    parent_message_return = TextAreaField(_l("Message to the parents: back at school"),
                                          validators=[Length(max=500)])
    parent_message_overdue = TextAreaField(
        _l("Message to the parents: not back by the end of the leave"),
        validators=[Length(max=500)])
    parent_message_truancy = TextAreaField(_l("Message to the parents: counted as truancy"),
                                           validators=[Length(max=500)])
    submit = SubmitField(_l("Save"))

    NUMBERS = {"monitor_max_periods": int, "class_teacher_max_days": float,
               "grade_max_days": float, "parent_call_advance_hours": float}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name, kind in self.NUMBERS.items():
            field = getattr(self, name)
            try:
                value = kind(field.data)
                if value < 0:
                    raise ValueError
            except (TypeError, ValueError):
                field.errors.append(_l("Enter a number of 0 or more."))
                ok = False
        _, problems = school.parse_timetable(self.timetable.data or "")
        self.timetable.errors.extend(problems)
        _, exam_problems = school.parse_exam_windows(self.exam_windows.data or "")
        self.exam_windows.errors.extend(exam_problems)
        return ok and not problems and not exam_problems


class PeriodForm(FlaskForm):
    """A period for reports and lists: from, until."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])


#: The sanctions of a school's discipline, mildest first (中小学、中职学生处分的常见等级).
DECISION_LABELS = {
    "warning": _l("Warning"),
    "serious_warning": _l("Serious warning"),
    "demerit": _l("Demerit"),
    "probation": _l("Probation"),
    "expulsion": _l("Expulsion"),
}


class ArticleForm(FlaskForm):
    """An article of the student handbook; saving an existing number replaces its text."""

    number = StringField(_l("Article"), validators=[DataRequired(), Length(max=32)],
                         description=_l("As the handbook numbers it, e.g. 第二十一条."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save the article"))


class DisciplineForm(FlaskForm):
    """A discipline decision under an article of the handbook (line 27)."""

    article = SelectField(_l("Article of the handbook"), coerce=int,
                          validators=[InputRequired()])
    offence = TextAreaField(_l("Offence"), validators=[DataRequired(), Length(max=2000)])
    decision = SelectField(_l("Decision"), choices=choices(DECISION_LABELS.items()),
                           validators=[DataRequired()])
    decided_on = DateField(_l("Date of the decision"), validators=[InputRequired()])
    decided_by = StringField(_l("Decided by"), validators=[DataRequired(), Length(max=100)],
                             description=_l("A person or a body, e.g. 学工处, 校长办公会."))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))
