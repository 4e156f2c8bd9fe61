"""Party building (党建): organisation, meetings, member development, dues, integrity files,
the annual plan and the secretary's annual report (spec section 3, seeds 篇四 and 篇七).

The organisation is core's unit tree: a committee (``party_committee``) above branches
(``party_branch``) above groups (``party_group``); roles are held in those units. The rules
live in :mod:`.rules`, their numbers in :mod:`.settings`; the pages in :mod:`.views`.
"""

from core.api import MenuItem, Permission, RoleSpec, hookimpl

from .i18n import lazy_gettext as _l

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.1,<2"
#: What people read for the plugin (admin plugins page, ``danwei plugins list``).
DANWEI_LABEL = _l("Party building")
#: How core's authorization matrix and junk tests find, for the integer URL arguments of the
#: routes, the objects of a set of units (``:units``).
DANWEI_URL_ARGS = {
    ("unit_id",): "SELECT id FROM units WHERE id IN :units AND kind = 'party_branch'",
    ("unit_id", "year"): "SELECT id, 2026 FROM units WHERE id IN :units "
                         "AND kind = 'party_branch'",
    ("member_id",): "SELECT id FROM party_building_members WHERE unit_id IN :units",
    ("file_id",): "SELECT id FROM party_building_dev_files WHERE unit_id IN :units",
    ("meeting_id",): "SELECT id FROM party_building_meetings WHERE unit_id IN :units",
    ("pairing_id",): "SELECT id FROM party_building_pairings WHERE unit_id IN :units",
    ("pledge_id",): "SELECT id FROM party_building_pledges WHERE unit_id IN :units",
    ("item_id",): "SELECT id FROM party_building_plan_items WHERE unit_id IN :units",
}

PLUGIN = "party_building"
COMMITTEE, BRANCH, GROUP = "party_committee", "party_branch", "party_group"

PERMISSIONS = {
    "party_building.view": _l("See the branch: members, meetings, development, dues, plan"),
    "party_building.view_plan": _l("See the annual plan and the published pledges"),
    "party_building.manage_members": _l("Keep the member records and transfers"),
    "party_building.develop": _l("Record the steps of member development files"),
    "party_building.record_meetings": _l("Record meetings, attendance and votes"),
    "party_building.collect_dues": _l("Record party dues"),
    "party_building.view_integrity": _l("See and keep the integrity files (confidential)"),
    "party_building.manage_plan": _l("Keep the plan, pledges, pairings and registrations"),
    "party_building.write_report": _l("Write the secretary's annual report"),
    "party_building.view_reports": _l("Read the year-end statistics"),
}

_CADRE = ("party_building.view", "party_building.view_plan")
ROLES = (
    ("secretary", _l("Branch secretary"),
     (*_CADRE, "party_building.manage_members", "party_building.develop",
      "party_building.record_meetings", "party_building.collect_dues",
      "party_building.view_integrity", "party_building.manage_plan",
      "party_building.write_report", "party_building.view_reports"),
     _l("Held in the branch (or in the committee, for the committee's secretary).")),
    ("committee_member", _l("Committee member"),
     (*_CADRE, "party_building.record_meetings", "party_building.manage_plan",
      "party_building.view_reports"), _l("A member of the branch committee (支委).")),
    ("organisation_member", _l("Organisation committee member"),
     (*_CADRE, "party_building.manage_members", "party_building.develop",
      "party_building.view_reports"), _l("Keeps the members and the development files.")),
    ("discipline_member", _l("Discipline committee member"),
     (*_CADRE, "party_building.view_integrity"),
     _l("Keeps the integrity files with the secretary.")),
    ("treasurer", _l("Dues treasurer"), (*_CADRE, "party_building.collect_dues"),
     _l("Records the members' monthly dues.")),
    ("member", _l("Party member"), ("party_building.view_plan",),
     _l("Reads the plan and the published pledges.")),
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
    from .settings import settings

    return settings()


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def menu_items():
    return [
        MenuItem(_l("Party building"), "party_building.index", "party_building.view",
                 icon="flag", order=140),
        MenuItem(_l("Work plan"), "party_building.my_plan", "party_building.view_plan",
                 icon="list-task", order=141),
    ]


@hookimpl
def dashboard_widgets(unit):
    from .reports import widgets

    return widgets(unit)


@hookimpl
def register_jobs():
    from core.api import Job, daily

    from .jobs import remind_clocks, remind_meetings

    return [
        Job("party_building.meetings", remind_meetings, daily("08:00"),
            _l("Remind secretaries of meetings the period still lacks")),
        Job("party_building.clocks", remind_clocks, daily("08:05"),
            _l("Warn of development clocks about to lapse and of dues arrears")),
    ]


@hookimpl
def register_attachment_kinds():
    from core.api import AttachmentKind

    # Minutes and photos of a meeting: seen by whoever may see the branch's meetings.
    return [AttachmentKind("party_building.minutes", _l("Minutes or photo of a meeting"),
                           types=("image", "pdf", "office"), max_size=20 * 1024 * 1024,
                           permission="party_building.view")]


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
