"""Student leave (学生请假): the leave regulation of 篇一 on Danwei's core.

The chain table and the refusals live in :mod:`.rules`; the school's numbers and timetable in
:mod:`.school`; this module declares what the plugin brings (permissions, roles, settings,
menus) and wires it into core through hooks. The views are in :mod:`.views`.
"""

from core.api import MenuItem, Permission, RoleSpec, hookimpl

from .i18n import lazy_gettext as _l

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.1,<2"
#: What people read for the plugin (inbox filter, admin plugins page).
DANWEI_LABEL = _l("Student leave")
#: For each tuple of integer URL arguments of the plugin's routes: SQL selecting those ids for
#: objects of the units ``:units`` (core's authorization matrix and junk tests, ``PluginGates``).
DANWEI_URL_ARGS = {
    ("leave_id",): "SELECT id FROM school_leave_leaves WHERE unit_id IN :units",
    ("entry_id",): "SELECT id FROM school_leave_log_entries WHERE unit_id IN :units",
    ("student_id",): "SELECT student_id FROM school_leave_contacts WHERE unit_id IN :units",
    ("student_id", "contact_id"): "SELECT student_id, id FROM school_leave_contacts "
                                  "WHERE unit_id IN :units",
    ("article_id",): "SELECT id FROM school_leave_handbook_articles WHERE unit_id IN :units",
}

PLUGIN = "school_leave"

#: Every permission the plugin checks, with who holds it by default (see ``register_roles``).
PERMISSIONS = {
    "school_leave.apply": _l("Apply for leave for oneself"),
    "school_leave.apply_for_others": _l("File leave for a classmate (special cases, with a "
                                        "reason)"),
    "school_leave.file_for_student": _l("File leave for a student of the class (boarders "
                                        "without a phone), recorded as filed by the teacher"),
    "school_leave.emergency": _l("File an emergency leave past the advance-notice rules, with "
                                 "a reason (audited, shown on the slip and in the reports)"),
    "school_leave.view": _l("See the leave of the unit, the students' parents, calls with them "
                            "and their leave history"),
    "school_leave.view_class": _l("See the students of the class and who is on leave today"),
    "school_leave.approve": _l("Sign leave slips"),
    "school_leave.record_call": _l("Record phone calls with parents"),
    "school_leave.manage_contacts": _l("Keep the parents' contact details"),
    "school_leave.file_extension": _l("File an extension after the parent explained"),
    "school_leave.keep_log": _l("Keep the daily class log"),
    "school_leave.reconcile": _l("Reconcile the week's slips with the log"),
    "school_leave.sign_reconciliation": _l("Sign off the weekly reconciliation"),
    "school_leave.verify_slip": _l("Check slips at the gate"),
    "school_leave.record_return": _l("Record a student's return"),
    "school_leave.manage_timetable": _l("Edit the timetable and leave rules"),
    "school_leave.report": _l("Read leave reports"),
    "school_leave.manage_handbook": _l("Keep the articles of the student handbook"),
    "school_leave.discipline": _l("Record discipline decisions under the student handbook"),
}

#: The staff who sign the chain table: they see the unit's leave, parents and history.
_SIGNER = ("school_leave.view", "school_leave.view_class", "school_leave.approve")
#: Class cadres are classmates: they sign what the engine asks them and see who is on leave
#: today, never the parents' numbers, the calls or the leave history of the others.
_CADRE = ("school_leave.view_class", "school_leave.approve")

ROLES = (
    # (name, label, permissions, description)
    ("student", _l("Student"), ("school_leave.apply",),
     _l("Held in the student's class.")),
    ("monitor", _l("Class monitor"),
     (*_CADRE, "school_leave.apply", "school_leave.apply_for_others",
      "school_leave.file_extension", "school_leave.keep_log", "school_leave.reconcile"),
     _l("Signs short leave, files extensions, reconciles the slips every Friday.")),
    ("pe_member", _l("PE committee member"), (*_CADRE, "school_leave.apply"),
     _l("Co-signs morning-exercise leave.")),
    ("dorm_head", _l("Dorm head"), (*_CADRE, "school_leave.apply"),
     _l("Co-signs morning-exercise leave.")),
    ("duty_cadre", _l("Duty cadre"), ("school_leave.view_class", "school_leave.apply",
                                       "school_leave.keep_log"),
     _l("Keeps the daily class log.")),
    ("class_teacher", _l("Class teacher"),
     (*_SIGNER, "school_leave.record_call", "school_leave.manage_contacts",
      "school_leave.keep_log", "school_leave.reconcile", "school_leave.sign_reconciliation",
      "school_leave.record_return", "school_leave.report", "school_leave.file_for_student"),
     _l("Phones the parents, signs, reads the log, signs off the reconciliation; may file "
        "leave for a student.")),
    ("grade_office", _l("Grade office"), (*_SIGNER, "school_leave.report"),
     _l("Held in a grade.")),
    ("student_affairs", _l("Student affairs office"),
     (*_SIGNER, "school_leave.report", "school_leave.manage_contacts",
      "school_leave.manage_timetable", "school_leave.emergency", "school_leave.manage_handbook",
      "school_leave.discipline"),
     _l("Held in the school; may file an emergency leave past the advance-notice rules.")),
    ("academic_affairs", _l("Academic affairs office"),
     (*_SIGNER, "school_leave.report", "school_leave.manage_timetable"),
     _l("Signs exam-period leave; keeps the timetable and the exam periods.")),
    ("vice_principal", _l("Vice principal in charge"), (*_SIGNER, "school_leave.report"),
     _l("Signs exam-period leave.")),
    ("principal", _l("Principal"), (*_SIGNER, "school_leave.report"),
     _l("Signs leave of more than two days.")),
    ("gate_guard", _l("Gate guard"), ("school_leave.verify_slip", "school_leave.record_return"),
     _l("Checks slips against the server; records exits and returns.")),
)


@hookimpl
def register_permissions():
    return [Permission(name, label) for name, label in PERMISSIONS.items()]


@hookimpl
def register_roles():
    return [RoleSpec(f"{PLUGIN}.{name}", label, perms, description)
            for name, label, perms, description in ROLES]


@hookimpl
def register_settings():
    from .school import settings

    return settings()


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def menu_items():
    return [
        MenuItem(_l("My leave"), "school_leave.mine", "school_leave.apply", icon="calendar-x",
                 order=100),
        MenuItem(_l("Leave"), "school_leave.index", "school_leave.view", icon="list-check",
                 order=101),
        MenuItem(_l("Class log"), "school_leave.log_day", "school_leave.keep_log",
                 icon="journal", order=102),
        MenuItem(_l("Gate"), "school_leave.gate", "school_leave.verify_slip", icon="qr-code",
                 order=103),
        MenuItem(_l("Discipline"), "school_leave.discipline", "school_leave.view",
                 icon="clipboard-x", order=104),
        MenuItem(_l("Timetable"), "school_leave.settings", "school_leave.manage_timetable",
                 icon="clock", order=105),
    ]


@hookimpl
def dashboard_widgets():
    from .reports import widgets

    return widgets()


@hookimpl
def register_workflows():
    from .approval import definition

    return [definition()]


@hookimpl
def on_workflow_event(event):
    from .approval import on_event

    on_event(event)


@hookimpl
def register_jobs():
    from core.api import Job, every

    from .leaves import mark_overdue

    # Line 21: leave not back by its end is overdue, and truancy without an extension.
    return [Job("school_leave.overdue", lambda scheduled_for: mark_overdue(scheduled_for),
                every(15),
                description=_l("Mark leave not returned by its end as overdue or truancy, "
                               "and tell the class teacher."))]


@hookimpl
def register_attachment_kinds():
    from core.api import AttachmentKind

    from .people import may_see_note

    # A doctor's note or any paper backing the leave: seen by whoever may see the leave.
    return [AttachmentKind("school_leave.note", _l("Doctor's note or other document"),
                           types=("image", "pdf"), max_size=10 * 1024 * 1024,
                           can_view=may_see_note)]


@hookimpl
def register_reports():
    from .reports import reports

    return reports()


@hookimpl
def register_report_sections():
    from .reports import sections

    return sections()


@hookimpl
def demo_data(demo):
    from .demo import load

    return load(demo)


@hookimpl
def register_unit_data():
    from .data import unit_data

    return unit_data()
