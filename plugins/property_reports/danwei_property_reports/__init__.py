"""Property-management monthly plans and summaries (物业月度计划与总结): 篇二 on Danwei's core.

A property company's departments (administration office, HR, engineering, security,
cleaning, property services, finance — and any the company adds) keep a catalogue of routine
work, a library of work specifications, a plan of non-routine work for every month, approved
on core's workflow engine, and a summary of every month with the required metrics of their
department. Deadlines (the 15th and the 25th) follow the working-day calendar; the company's
monthly report is composed from the summaries.

This module declares what the plugin brings and wires it into core through hooks. The rules
live in :mod:`.catalogue` (the metrics), :mod:`.deadlines` (due days), :mod:`.planning` and
:mod:`.approvals` (plans and their chains); the pages in :mod:`.views`.
"""

from core.api import Job, MenuItem, Permission, RoleSpec, SettingSpec, Widget, daily, hookimpl

from .i18n import lazy_gettext as _l

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.1,<2"
#: What people read for the plugin (inbox filter, admin plugins page).
DANWEI_LABEL = _l("Property monthly plans")
#: For each tuple of integer URL arguments of the plugin's routes: SQL selecting those ids for
#: objects of the units ``:units`` (core's authorization matrix and junk tests, ``PluginGates``).
DANWEI_URL_ARGS = {
    ("spec_id",): "SELECT id FROM property_reports_specs WHERE unit_id IN :units",
    ("catalogue_id",): "SELECT id FROM property_reports_catalogues WHERE unit_id IN :units",
    ("catalogue_id", "item_id"): "SELECT c.id, i.id FROM property_reports_routine_items i "
                                 "JOIN property_reports_catalogues c ON c.id = i.catalogue_id "
                                 "WHERE c.unit_id IN :units",
    ("plan_id",): "SELECT id FROM property_reports_plans WHERE unit_id IN :units",
    ("version_id",): "SELECT v.id FROM property_reports_plan_versions v "
                     "JOIN property_reports_plans p ON p.id = v.plan_id WHERE p.unit_id IN :units",
    ("version_id", "item_id"): "SELECT v.id, i.id FROM property_reports_plan_items i "
                               "JOIN property_reports_plan_versions v ON v.id = i.version_id "
                               "JOIN property_reports_plans p ON p.id = v.plan_id "
                               "WHERE p.unit_id IN :units",
    ("summary_id",): "SELECT id FROM property_reports_summaries WHERE unit_id IN :units",
}

PLUGIN = "property_reports"

#: Every permission the plugin checks, with who holds it by default (see ``ROLES``).
PERMISSIONS = {
    f"{PLUGIN}.view": _l("See the unit's plans, summaries, routine work and specifications"),
    f"{PLUGIN}.prepare": _l("Write the unit's plans, summaries, routine work and "
                            "specifications"),
    f"{PLUGIN}.approve_team_plans": _l("Approve the plans of teams inside the department"),
    f"{PLUGIN}.approve_department_plans": _l("Approve the plans of departments"),
    f"{PLUGIN}.approve_catalogues": _l("Approve and file routine-work catalogues"),
    f"{PLUGIN}.view_reports": _l("See the company's monthly report and on-time rates"),
    f"{PLUGIN}.manage_departments": _l("Add departments and teams to the company"),
}

ROLES = (
    # (name, label, permissions, description)
    ("department_manager", _l("Department manager"),
     ("view", "prepare", "approve_team_plans", "view_reports"),
     _l("Held in a department: writes its plan and summary, approves its teams' plans.")),
    ("team_leader", _l("Team leader"), ("view", "prepare"),
     _l("Held in a team: writes the team's plan.")),
    ("project_manager", _l("Project manager"),
     ("view", "approve_department_plans", "view_reports"),
     _l("Held in the company: approves the departments' plans.")),
    ("staff", _l("Staff"), ("view",), _l("Held in a department or team: reads its plans.")),
    ("leadership", _l("Company leadership"),
     ("view", "approve_catalogues", "view_reports", "manage_departments"),
     _l("Held in the company: files the routine-work catalogues, reads every report.")),
)


@hookimpl
def register_permissions():
    return [Permission(name, label) for name, label in PERMISSIONS.items()]


@hookimpl
def register_roles():
    return [RoleSpec(f"{PLUGIN}.{name}", label, tuple(f"{PLUGIN}.{p}" for p in perms),
                     description)
            for name, label, perms, description in ROLES]


@hookimpl
def register_settings():
    return [
        SettingSpec("plan_due_day", _l("Plans are due on this day of the month before"),
                    type="int", default=15, min=1, max=28,
                    help=_l("篇二 line 41: the plan for next month is due on the 15th.")),
        SettingSpec("summary_due_day", _l("Summaries are due on this day of the month after"),
                    type="int", default=25, min=1, max=28,
                    help=_l("篇二 line 41: the summary of last month is due on the 25th.")),
        SettingSpec("deadline_shift", _l("When a due day is not a working day"), type="choice",
                    default="next",
                    choices=(("next", _l("Move it to the next working day")),
                             ("previous", _l("Move it to the working day before")),
                             ("none", _l("Keep it"))),
                    help=_l("Working days follow the intranet's calendar of holidays.")),
        SettingSpec("reminder_days", _l("Remind this many working days before a due day"),
                    type="int", default=2, min=0, max=10),
    ]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def register_workflows():
    from .approvals import definitions

    return definitions()


@hookimpl
def on_workflow_event(event):
    from .approvals import on_event

    on_event(event)


@hookimpl
def register_jobs():
    from .tracking import send_notices

    return [Job(f"{PLUGIN}.deadline_notices", send_notices, daily("08:00"),
                _l("Remind departments of plans and summaries due, report the overdue ones"))]


@hookimpl
def register_attachment_kinds():
    from .views.records import kinds

    return kinds()


@hookimpl
def register_reports():
    from .reports import reports

    return reports()


@hookimpl
def register_report_sections():
    from .reports import sections

    return sections()


@hookimpl
def menu_items():
    return [
        MenuItem(_l("Plans & summaries"), f"{PLUGIN}.board", f"{PLUGIN}.view",
                 icon="clipboard-check", order=110),
    ]


@hookimpl
def dashboard_widgets(user, unit):
    from .views.board import widget

    return [Widget(f"{PLUGIN}.deadlines", _l("Plans and summaries due"),
                   lambda: widget(user, unit), permission=f"{PLUGIN}.view", order=110,
                   invalidated_by=(PLUGIN, "workflow"))]


@hookimpl
def register_unit_data():
    from .data import unit_data

    return unit_data()


@hookimpl
def demo_data(demo):
    from .demo import load

    return load(demo)
