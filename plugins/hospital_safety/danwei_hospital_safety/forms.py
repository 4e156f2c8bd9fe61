"""The plugin's forms; every label through the plugin's own catalogue."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.api import AttachmentField, DateTimeLocalField

from .i18n import lazy_gettext as _l

GRADES = {"general": _l("General (一般)"), "major": _l("Major (重大)")}
COLOURS = {"red": _l("Red"), "orange": _l("Orange"), "yellow": _l("Yellow"), "blue": _l("Blue")}
DISEASE_CLASSES = {"A": _l("Class A"), "A_managed": _l("Class B managed as class A"),
                   "B": _l("Other class B"), "C": _l("Class C")}
CATEGORIES = {"narcotic": _l("Narcotic"), "psych1": _l("Class-1 psychotropic"),
              "psych2": _l("Class-2 psychotropic"), "toxic": _l("Toxic")}
FORMS = {"injection": _l("Injection"), "controlled": _l("Controlled-release"),
         "other": _l("Other form")}


def choices(mapping) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class HazardForm(FlaskForm):
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("What is wrong"),
                                validators=[DataRequired(), Length(max=2000)])
    photo = AttachmentField(_l("Photo"), kind="hospital_safety.photo")
    anonymous = BooleanField(_l("Report anonymously"))
    submit = SubmitField(_l("Report the hazard"))


class IssueForm(FlaskForm):
    department = SelectField(_l("Responsible department"), coerce=int,
                             validators=[InputRequired()])
    grade = SelectField(_l("Grade"), choices=choices(GRADES))
    colour = SelectField(_l("Risk colour"), choices=choices(COLOURS))
    requirement = TextAreaField(_l("What must be done"),
                                validators=[DataRequired(), Length(max=2000)])
    days = IntegerField(_l("Deadline in working days"),
                        validators=[InputRequired(), NumberRange(min=1, max=250)])
    submit = SubmitField(_l("Issue the rectification notice"))


class NoteForm(FlaskForm):
    """One text, for safeguards, the fix and the re-check."""

    text = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=2000)])
    evidence = AttachmentField(_l("Photo"), kind="hospital_safety.photo")
    submit = SubmitField(_l("Save"))


class CaseForm(FlaskForm):
    patient = StringField(_l("Patient"), validators=[DataRequired(), Length(max=64)])
    disease = StringField(_l("Disease"), validators=[DataRequired(), Length(max=200)])
    disease_class = SelectField(_l("Class"), choices=choices(DISEASE_CLASSES))
    diagnosed_at = DateTimeLocalField(_l("Diagnosed at"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the case"))


class CaseReportForm(FlaskForm):
    reported_at = DateTimeLocalField(_l("Reported at"), validators=[InputRequired()])
    report_no = StringField(_l("Network report number"),
                            validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Record the report"))


class ReceiptForm(FlaskForm):
    drug = SelectField(_l("Drug"), coerce=int, validators=[InputRequired()])
    lot = StringField(_l("Lot"), validators=[DataRequired(), Length(max=64)])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(),
                                                        NumberRange(min=1, max=100000)])
    submit = SubmitField(_l("Record the receipt"))


class DispenseForm(FlaskForm):
    lot = SelectField(_l("Lot"), coerce=int, validators=[InputRequired()])
    prescription_no = StringField(_l("Prescription number"),
                                  validators=[DataRequired(), Length(max=64)])
    patient = StringField(_l("Patient"), validators=[DataRequired(), Length(max=64)])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(),
                                                        NumberRange(min=1, max=1000)])
    days = DecimalField(_l("Days of usual dose"), places=2,
                        validators=[Optional(), NumberRange(min=0, max=365)])
    doses = IntegerField(_l("Usual doses"), validators=[Optional(), NumberRange(min=0, max=1000)])
    inpatient = BooleanField(_l("In-patient"))
    cancer_pain = BooleanField(_l("Cancer or chronic severe pain"))
    submit = SubmitField(_l("Dispense"))


class EntryForm(FlaskForm):
    """Empties returned or stock destroyed (with two witnesses)."""

    lot = SelectField(_l("Lot"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("What"), choices=choices({"return": _l("Empties returned"),
                                                    "destroy": _l("Destroyed")}))
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(),
                                                        NumberRange(min=1, max=100000)])
    witnesses = StringField(_l("Witnesses (for a destruction, two names)"),
                            validators=[Optional(), Length(max=200)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record"))


class ExplainForm(FlaskForm):
    explanation = TextAreaField(_l("Explanation of the difference"),
                                validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Sign the explanation"))


class ScanForm(FlaskForm):
    ok = SelectField(_l("Result"), choices=choices({"1": _l("Pass"), "0": _l("Fail")}))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    photo = AttachmentField(_l("Photo"), kind="hospital_safety.photo")
    submit = SubmitField(_l("Record the check"))
