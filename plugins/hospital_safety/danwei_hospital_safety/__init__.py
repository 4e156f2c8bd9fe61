"""Township hospital safety (卫生院安全): hazards that cannot be forgotten, the infectious-disease
report clock, the controlled-drug ledger, QR patrol points and the safety dashboard.

Rules: ``shared/spec/domain.md`` section 5 (篇八 of the seed). Where today's national rule is
stricter than the seed, the rule is the default and the seed's figure is shown as superseded
(``rules.SUPERSEDED``).
"""

from flask import render_template

from core.api import (
    AttachmentKind,
    Job,
    MenuItem,
    Permission,
    ReportSection,
    RoleSpec,
    SettingSpec,
    UnitData,
    Widget,
    db,
    every,
    hookimpl,
    unit_ids_where,
)

from . import cases as cases_module
from . import demo as demo_module
from . import hazards as hazards_module
from . import inspections, reports, stats
from .i18n import lazy_gettext as _l
from .models import (
    Certificate,
    ChecklistTemplate,
    DiseaseCase,
    Drug,
    DrugCount,
    DrugEntry,
    DrugLot,
    Hazard,
    Inspection,
    InspectionResult,
    LogEntry,
    PatrolPoint,
    PatrolScan,
    Penalty,
)
from .views import bp

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.1,<2"
#: What people read for the plugin (admin plugins page, ``danwei plugins list``).
DANWEI_LABEL = _l("Hospital safety")
#: For each tuple of integer URL arguments: SQL selecting those ids for objects of :units.
DANWEI_URL_ARGS = {
    ("hazard_id",): "SELECT id FROM hospital_safety_hazards WHERE unit_id IN :units",
    ("case_id",): "SELECT id FROM hospital_safety_cases WHERE unit_id IN :units",
    ("count_id",): "SELECT id FROM hospital_safety_drug_counts WHERE unit_id IN :units",
    ("point_id",): "SELECT id FROM hospital_safety_points WHERE unit_id IN :units",
    ("inspection_id",): "SELECT id FROM hospital_safety_inspections WHERE unit_id IN :units",
    ("checklist_id",): "SELECT id FROM hospital_safety_checklists WHERE unit_id IN :units",
    ("penalty_id",): "SELECT id FROM hospital_safety_penalties WHERE unit_id IN :units",
    ("result_id",): "SELECT r.id FROM hospital_safety_results r JOIN hospital_safety_inspections i"
                    " ON i.id = r.inspection_id WHERE i.unit_id IN :units",
}
DANWEI_REQUIRES = {}

P = "hospital_safety"


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [
        Permission(f"{P}.view", _l("See the hazards and the safety dashboard")),
        Permission(f"{P}.report", _l("Report a hazard")),
        Permission(f"{P}.grade", _l("Grade hazards and issue rectification notices")),
        Permission(f"{P}.rectify", _l("Record safeguards and fixes of the department")),
        Permission(f"{P}.recheck", _l("Re-check and close rectified hazards")),
        Permission(f"{P}.view_cases", _l("See infectious-disease reports")),
        Permission(f"{P}.report_cases", _l("Record infectious-disease cases and reports")),
        Permission(f"{P}.view_drugs", _l("See the controlled-drug ledger")),
        Permission(f"{P}.keep_drugs", _l("Keep the controlled-drug ledger")),
        Permission(f"{P}.patrol", _l("Check patrol points")),
        Permission(f"{P}.view_reports", _l("See the safety reports")),
        Permission(f"{P}.inspect", _l("Do safety inspections")),
        Permission(f"{P}.manage_checklists", _l("Edit the inspection checklists")),
        Permission(f"{P}.manage_certificates", _l("Register special-operation certificates")),
        Permission(f"{P}.propose_penalties", _l("Propose penalties from the register")),
        Permission(f"{P}.decide_penalties", _l("Decide penalties (safety committee)")),
        Permission(f"{P}.manage_duty", _l("Keep the duty roster")),
        Permission(f"{P}.boiler_log", _l("Keep the boiler-room log")),
    ]


@hookimpl
def register_roles():
    view = (f"{P}.view", f"{P}.report", f"{P}.patrol")
    return [
        RoleSpec(f"{P}.director", _l("Director (safety committee head)"),
                 (*view, f"{P}.recheck", f"{P}.view_cases", f"{P}.view_drugs",
                  f"{P}.view_reports", f"{P}.inspect", f"{P}.decide_penalties",
                  f"{P}.manage_duty")),
        RoleSpec(f"{P}.committee_member", _l("Safety committee member"),
                 (*view, f"{P}.recheck", f"{P}.view_reports", f"{P}.inspect",
                  f"{P}.decide_penalties")),
        RoleSpec(f"{P}.safety_officer", _l("Safety officer"),
                 (*view, f"{P}.grade", f"{P}.recheck", f"{P}.view_reports", f"{P}.inspect",
                  f"{P}.manage_checklists", f"{P}.manage_certificates",
                  f"{P}.propose_penalties", f"{P}.manage_duty", f"{P}.boiler_log")),
        RoleSpec(f"{P}.department_head", _l("Department head"),
                 (*view, f"{P}.rectify", f"{P}.inspect", f"{P}.boiler_log")),
        RoleSpec(f"{P}.drug_keeper", _l("Pharmacist in charge of controlled drugs"),
                 (f"{P}.report", f"{P}.view_drugs", f"{P}.keep_drugs")),
        RoleSpec(f"{P}.public_health", _l("Public-health officer"),
                 (f"{P}.report", f"{P}.view_cases", f"{P}.report_cases")),
        RoleSpec(f"{P}.staff", _l("Staff"), (f"{P}.report", f"{P}.patrol")),
    ]


@hookimpl
def register_settings():
    def hours(key, label, default, help=""):
        return SettingSpec(key, label, type="float", default=default, min=0.5, max=72, help=help)

    def days(key, label, default):
        return SettingSpec(key, label, type="float", default=default, min=0.5, max=60)

    return [
        # Rural (township) centre: the seed's longer class-B target applies.
        SettingSpec("rural", _l("Rural area"), type="bool", default=True),
        # Class A and managed as class A: 2 h everywhere (2015 rules; the seed's 6 h rural
        # is superseded).
        hours("class_a_hours", _l("Class A report limit (hours)"), 2),
        # Other class B: the seed's 6 h / 12 h as the unit's target, 24 h the legal limit.
        hours("class_b_town_hours", _l("Class B target in towns (hours)"), 6),
        hours("class_b_rural_hours", _l("Class B target in rural areas (hours)"), 12),
        hours("class_b_legal_hours", _l("Class B legal limit (hours)"), 24),
        hours("class_c_hours", _l("Class C report limit (hours)"), 24),
        # Warn at half and at four fifths of the limit.
        SettingSpec("warn_first", _l("First warning (share of the limit)"), type="float",
                    default=0.5, min=0.1, max=0.95),
        SettingSpec("warn_second", _l("Second warning (share of the limit)"), type="float",
                    default=0.8, min=0.1, max=0.99),
        SettingSpec("timely_target", _l("Timely report rate target (%)"), type="int",
                    default=95, min=50, max=100),
        # Prescription caps (处方管理办法 articles 23, 24, 27).
        SettingSpec("cap_injection_doses", _l("Narcotic / class-1 injection cap (doses)"),
                    type="int", default=1, min=1, max=10),
        days("cap_controlled_days", _l("Controlled-release cap (days)"), 7),
        days("cap_other_days", _l("Other forms cap (days)"), 3),
        days("cap_psych2_days", _l("Class-2 psychotropic cap (days)"), 7),
        days("cap_pain_injection_days", _l("Pain patients: injection cap (days)"), 3),
        days("cap_pain_controlled_days", _l("Pain patients: controlled-release cap (days)"), 15),
        days("cap_pain_other_days", _l("Pain patients: other forms cap (days)"), 7),
        days("cap_inpatient_days", _l("In-patients: cap per prescription (days)"), 1),
        SettingSpec("keep_years_narcotic", _l("Keep narcotic and class-1 prescriptions (years)"),
                    type="int", default=3, min=1, max=30),
        SettingSpec("keep_years_other", _l("Keep class-2 and toxic prescriptions (years)"),
                    type="int", default=2, min=1, max=30),
        # Overdue hazards: the committee at the deadline, the director this many working
        # days later.
        SettingSpec("escalate_director_days", _l("Working days before the director is told"),
                    type="int", default=5, min=0, max=60),
        # Inspections (seed lines 483, 517, 627).
        SettingSpec("committee_per_year", _l("Committee inspections a year"), type="int",
                    default=6, min=1, max=52),
        SettingSpec("committee_leaders_per_year",
                    _l("Committee inspections led by the main leaders a year"), type="int",
                    default=2, min=0, max=52),
        SettingSpec("hospital_per_month", _l("Hospital-wide inspections a month"), type="int",
                    default=1, min=0, max=31),
        SettingSpec("fire_per_month", _l("Fire inspections a month"), type="int", default=1,
                    min=0, max=31),
        # Fines (seed lines 539–543): a notified hazard 20–50 yuan, an accident 200–500 yuan,
        # each time.
        SettingSpec("fine_hazard_min", _l("Fine for a notified hazard, from (yuan)"),
                    type="int", default=20, min=0, max=100000),
        SettingSpec("fine_hazard_max", _l("Fine for a notified hazard, up to (yuan)"),
                    type="int", default=50, min=0, max=100000),
        SettingSpec("fine_accident_min", _l("Fine for an accident, from (yuan)"), type="int",
                    default=200, min=0, max=100000),
        SettingSpec("fine_accident_max", _l("Fine for an accident, up to (yuan)"), type="int",
                    default=500, min=0, max=100000),
        SettingSpec("certificate_warn_days", _l("Warn before a certificate expires (days)"),
                    type="int", default=60, min=1, max=365),
        # Extinguisher life (powder): pressure test at 5 years then every 2, scrapped at 10.
        SettingSpec("pressure_test_first_years", _l("First pressure test (years)"), type="int",
                    default=5, min=1, max=20),
        SettingSpec("pressure_test_every_years", _l("Pressure test interval (years)"),
                    type="int", default=2, min=1, max=10),
        SettingSpec("scrap_years", _l("Scrap extinguishers after (years)"), type="int",
                    default=10, min=1, max=30),
    ]


@hookimpl
def register_attachment_kinds():
    return [AttachmentKind(f"{P}.photo", _l("Safety photo"), types=("image",),
                           max_size=10 * 1024 * 1024, permission=f"{P}.view")]


@hookimpl
def register_jobs():
    return [
        Job(f"{P}.escalate", hazards_module.escalate, every(15),
            _l("Escalate overdue hazards to the committee, then the director")),
        Job(f"{P}.case_clock", cases_module.warn, every(5),
            _l("Warn on infectious-disease report clocks")),
    ]


@hookimpl
def menu_items():
    return [
        MenuItem(_l("Safety"), f"{P}.index", f"{P}.view", icon="shield-check", order=160),
        MenuItem(_l("Report a hazard"), f"{P}.report_hazard", f"{P}.report",
                 icon="exclamation-triangle", order=161),
        MenuItem(_l("Disease reports"), f"{P}.cases", f"{P}.view_cases", icon="clock",
                 order=162),
        MenuItem(_l("Controlled drugs"), f"{P}.ledger", f"{P}.view_drugs", icon="capsule",
                 order=163),
        MenuItem(_l("Inspections"), f"{P}.inspections", f"{P}.view", icon="clipboard-check",
                 order=162),
        MenuItem(_l("Patrol points"), f"{P}.points", f"{P}.patrol", icon="qr-code", order=164),
    ]


@hookimpl
def dashboard_widgets():
    def overview():
        figures = stats.dashboard(unit_ids_where(f"{P}.view"))
        return render_template("hospital_safety/_widget.html", **figures)

    return [Widget("overview", _l("Safety"), overview, permission=f"{P}.view")]


@hookimpl
def register_reports():
    return reports.register_reports()


@hookimpl
def register_report_sections():
    return [ReportSection(f"{P}.period", _l("Hospital safety"), f"{P}.view_reports",
                          reports.period_section, order=50)]


@hookimpl
def register_unit_data():
    def lots(units):
        return db.select(DrugLot.id).join(Drug).where(Drug.unit_id.in_(units))

    return [
        UnitData(Hazard, url=lambda i: f"/hospital_safety/hazards/{i}"),
        UnitData(DiseaseCase),
        UnitData(Drug),
        UnitData(DrugLot, lambda units: DrugLot.id.in_(lots(units))),
        UnitData(DrugEntry, lambda units: DrugEntry.lot_id.in_(lots(units))),
        UnitData(DrugCount),
        UnitData(PatrolPoint),
        UnitData(PatrolScan, lambda units: PatrolScan.point_id.in_(
            db.select(PatrolPoint.id).where(PatrolPoint.unit_id.in_(units)))),
        UnitData(Certificate),
        UnitData(Penalty),
        UnitData(LogEntry),
        UnitData(ChecklistTemplate),
        UnitData(Inspection),
        UnitData(InspectionResult, lambda units: InspectionResult.inspection_id.in_(
            db.select(Inspection.id).where(Inspection.unit_id.in_(units)))),
    ]


@hookimpl
def on_unit_enable(unit):
    if unit.kind == "health_centre":
        inspections.default_checklists(unit)


@hookimpl
def demo_data(demo):
    return demo_module.load(demo)
