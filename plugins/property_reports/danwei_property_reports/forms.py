"""The plugin's forms. Labels are translatable; the plan item form asks for every field of
line 59, the summary form is put together per department from :mod:`.catalogue`."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
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

from core.api import DateField, MonthField

from . import metrics
from .catalogue import Department
from .i18n import lazy_gettext as _l
from .models import CADENCES, DONE, NOT_DONE, OUTCOMES, PARTLY, SPEC_TRIGGERS

CADENCE_LABELS = dict(zip(CADENCES, (_l("Daily"), _l("Weekly"), _l("Monthly"), _l("Yearly")),
                          strict=True))
OUTCOME_LABELS = dict(zip(OUTCOMES, (_l("Done"), _l("Partly done"), _l("Not done")),
                          strict=True))
TRIGGER_LABELS = dict(zip(SPEC_TRIGGERS, (
    _l("New work that needs a specification"),
    _l("The work standard changed"),
    _l("A non-conformity traced back to an unclear specification"),
    _l("Other"),
), strict=True))



def choices(pairs) -> list[SelectChoice]:
    """``SelectChoice`` objects from ``(value, label)`` pairs (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


_CODE = Regexp(r"^[A-Za-z0-9_\-]+$", message=_l("Use letters, digits, - and _ only."))


class UnitForm(FlaskForm):
    """A department of the company, or a team inside a department."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64), _CODE],
                       description=_l("Unique across the intranet, e.g. acme-eng."))
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    parent = SelectField(_l("Inside"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Add"))


class SpecForm(FlaskForm):
    """A new work specification (工作规范, line 198): delivery spec and inspection spec."""

    unit = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), _CODE])
    title = StringField(_l("Work item"), validators=[DataRequired(), Length(max=200)])
    work_standard = TextAreaField(_l("Work standard"), validators=[DataRequired()],
                                  description=_l("The specification is written from the work "
                                                 "standard (line 200)."))
    delivery = TextAreaField(_l("Service delivery specification"), validators=[DataRequired()],
                             description=_l("The steps of the work and the quality each step "
                                            "must reach."), render_kw={"rows": 6})
    inspection = TextAreaField(_l("Service inspection specification"),
                               validators=[DataRequired()],
                               description=_l("How the work is checked."), render_kw={"rows": 4})
    trigger = SelectField(_l("Why"), choices=choices(TRIGGER_LABELS.items()),
                          validators=[DataRequired()])
    reason = TextAreaField(_l("Background"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Save"))


class SpecRevisionForm(FlaskForm):
    """A new revision of a specification; the earlier ones are kept."""

    work_standard = TextAreaField(_l("Work standard"), validators=[DataRequired()])
    delivery = TextAreaField(_l("Service delivery specification"), validators=[DataRequired()],
                             render_kw={"rows": 6})
    inspection = TextAreaField(_l("Service inspection specification"),
                               validators=[DataRequired()], render_kw={"rows": 4})
    trigger = SelectField(_l("Why"), choices=choices(TRIGGER_LABELS.items()),
                          validators=[DataRequired()])
    reason = TextAreaField(_l("What changed and why"), validators=[DataRequired(),
                                                                   Length(max=4000)])
    submit = SubmitField(_l("Save revision"))


class RoutineItemForm(FlaskForm):
    """A line of the 《日、周、月、年例行工作》."""

    cadence = SelectField(_l("Cadence"), choices=choices(CADENCE_LABELS.items()),
                          validators=[DataRequired()])
    content = TextAreaField(_l("Work content"), validators=[DataRequired(), Length(max=2000)],
                            render_kw={"rows": 2})
    standard = TextAreaField(_l("Work standard"), validators=[Length(max=2000)],
                             render_kw={"rows": 2})
    responsible = StringField(_l("Responsible"), validators=[Length(max=200)])
    spec = SelectField(_l("Work specification"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class CatalogueSubmitForm(FlaskForm):
    """Send a catalogue version to the company for approval and filing."""

    effective_from = DateField(_l("In force from"), validators=[InputRequired()])
    change_note = TextAreaField(_l("What changed and why"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Submit for approval"))


#: Months from 2000 to 2100: beyond them a date typed wrong, not a plan.
SANE_MONTHS = {"first": date(2000, 1, 1), "last": date(2100, 12, 31),
               "message": _l("Choose a month between 2000 and 2100.")}


class NewPlanForm(FlaskForm):
    """Start the plan of a department or team for a month."""

    unit = SelectField(_l("Department or team"), coerce=int, validators=[InputRequired()])
    month = MonthField(_l("Month planned"), validators=[InputRequired()], **SANE_MONTHS)
    submit = SubmitField(_l("Start the plan"))
    #: One click: the month before's items come in, to be adjusted (issue 18 §11).
    copy_last = SubmitField(_l("Start from last month's plan"))


class PlanHeaderForm(FlaskForm):
    """The execution period of a plan (计划执行时间, line 69)."""

    starts_on = DateField(_l("Execution starts"), validators=[InputRequired()])
    ends_on = DateField(_l("Execution ends"), validators=[InputRequired()])
    submit = SubmitField(_l("Save"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The plan cannot end before it starts."))


class PlanItemForm(FlaskForm):
    """One piece of non-routine work, with everything line 59 asks a plan to state."""

    content = TextAreaField(_l("Work content"), validators=[DataRequired(), Length(max=2000)],
                            render_kw={"rows": 2})
    standard = TextAreaField(_l("Work standard"), validators=[DataRequired(), Length(max=2000)],
                             render_kw={"rows": 2})
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    schedule = StringField(_l("Schedule"), validators=[DataRequired(), Length(max=200)],
                           description=_l("When the work is done, e.g. 11-03 to 11-10."))
    people = StringField(_l("People"), validators=[DataRequired(), Length(max=200)])
    staff = StringField(_l("Resources: staff"), validators=[Length(max=200)])
    machines = StringField(_l("Resources: machines"), validators=[Length(max=200)])
    materials = StringField(_l("Resources: materials"), validators=[Length(max=200)])
    spec = SelectField(_l("Work specification"), coerce=int, validators=[Optional()],
                       description=_l("Cite one from the library when it applies (line 65)."))
    spec_note = TextAreaField(_l("Specification, when none of the library applies"),
                              validators=[Length(max=2000)], render_kw={"rows": 2})
    records = TextAreaField(_l("Record requirements"), validators=[DataRequired(),
                                                                    Length(max=2000)],
                            render_kw={"rows": 2})
    inspection_method = TextAreaField(_l("Inspection method"),
                                      validators=[DataRequired(), Length(max=2000)],
                                      render_kw={"rows": 2})
    inspector = StringField(_l("Inspector"), validators=[DataRequired(), Length(max=100)])
    inputs = TextAreaField(_l("Hand-offs: inputs from other departments"),
                           validators=[Length(max=2000)], render_kw={"rows": 2})
    outputs = TextAreaField(_l("Hand-offs: outputs to other departments"),
                            validators=[Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Save"))

    def validate_spec_note(self, field):
        if not self.spec.data and not (field.data or "").strip():
            raise ValidationError(_l("Cite a specification from the library or describe the one "
                                     "used: every planned work needs one (line 61)."))


class SubmitPlanForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the approver"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Submit for approval"))


class ReviseForm(FlaskForm):
    """Propose a revision of an approved plan (line 79)."""

    reason = TextAreaField(_l("Why the plan must change"), validators=[DataRequired(),
                                                                      Length(max=4000)],
                           description=_l("The approver reads this as the background of the "
                                          "revision."))
    submit = SubmitField(_l("Start a revision"))


class NewSummaryForm(FlaskForm):
    unit = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    month = MonthField(_l("Month summarised"), validators=[InputRequired()], **SANE_MONTHS)
    submit = SubmitField(_l("Start the summary"))


class ReopenSummaryForm(FlaskForm):
    """The author found a mistake after handing the summary in."""

    reason = StringField(_l("What needs correcting"),
                         validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Take back to correct"))


class SummaryBaseForm(FlaskForm):
    """The fixed part of a summary; :func:`summary_form` adds the checklist and the metrics."""

    routine_work = TextAreaField(_l("Routine work this month"), validators=[Length(max=8000)],
                                 description=_l("How the routine work of the catalogue went."),
                                 render_kw={"rows": 3})
    duties = TextAreaField(_l("Duties"), validators=[Length(max=8000)],
                           description=_l("How the department's duties were fulfilled."),
                           render_kw={"rows": 3})
    #: Said when a returned summary is handed in again: what was corrected.
    note = StringField(_l("What was corrected"), validators=[Length(max=500)],
                       description=_l("Only when handing in again after a correction."))
    save = SubmitField(_l("Save draft"))
    hand_in = SubmitField(_l("Submit the summary"))

    strict = False
    department: Department | None = None
    checklist: tuple = ()

    def checklist_fields(self):
        for item in self.checklist:
            yield (item, self[f"o_{item.id}"], self[f"e_{item.id}"], self[f"u_{item.id}"])

    def metric_field(self, key):
        return self[metrics.PREFIX + key]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.strict:
            for field in (self.routine_work, self.duties):
                if not (field.data or "").strip():
                    field.errors.append(str(_l("Required before the summary is submitted.")))
                    ok = False
        for _item, outcome, explanation, _unclear in self.checklist_fields():
            if self.strict and not outcome.data:
                outcome.errors.append(str(_l("Say whether this work was done.")))
                ok = False
            if outcome.data in (PARTLY, NOT_DONE) and not (explanation.data or "").strip():
                explanation.errors.append(str(_l("Explain why it was not fully done.")))
                ok = False
        if self.department is not None:
            ok = metrics.cross_check(self, self.department) and ok
        return ok


def summary_form(department: Department, checklist, strict: bool, **kwargs) -> SummaryBaseForm:
    """The summary form of *department*: its checklist lines and its required metrics."""

    class SummaryForm(SummaryBaseForm):
        pass

    SummaryForm.strict = strict
    SummaryForm.department = department
    SummaryForm.checklist = tuple(checklist)
    for item in checklist:
        setattr(SummaryForm, f"o_{item.id}", RadioField(
            _l("Outcome"),
            choices=choices((o, OUTCOME_LABELS[o]) for o in (DONE, PARTLY, NOT_DONE)),
            validators=[Optional()]))
        setattr(SummaryForm, f"e_{item.id}", TextAreaField(
            _l("Explanation"), validators=[Length(max=4000)], render_kw={"rows": 2}))
        setattr(SummaryForm, f"u_{item.id}", BooleanField(
            _l("The shortfall traces back to an unclear specification")))
    metrics.add_fields(SummaryForm, department, strict)
    return SummaryForm(**kwargs)
