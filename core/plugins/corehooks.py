"""Core's own declarations, made through the same hooks as any plugin's."""

from ..declarations import DemoAccount, MenuItem, Permission, RoleSpec, SettingSpec
from ..hookspecs import hookimpl
from ..i18n import lazy_gettext as _l
from ..jobs import Job, daily, every, prune_runs
from ..notifications import SETTINGS as NOTIFICATION_SETTINGS
from ..notifications import deliver_pending, unread_count
from ..tasks import prune_results as prune_task_results
from ..tasks.builtin import SETTINGS as TASK_SETTINGS

ADMIN_PERMISSIONS = (
    "core.manage_users",
    "core.manage_units",
    "core.assign_roles",
    "core.manage_plugins",
    "core.manage_settings",
    "core.view_audit",
    "core.manage_workflows",
)


@hookimpl
def register_permissions():
    return [
        Permission("core.manage_users", _l("Manage users in the unit")),
        Permission("core.manage_units", _l("Manage the unit tree")),
        Permission("core.assign_roles", _l("Assign roles in the unit")),
        Permission("core.manage_plugins", _l("Enable and disable plugins for the unit")),
        Permission("core.manage_settings", _l("Change settings of the unit")),
        Permission("core.view_audit", _l("Read the audit log of the unit")),
        # -- notifications, calendar (core services): no role grants these; superusers have them
        Permission("core.manage_calendar", _l("Edit the working-day calendar (every unit)")),
        Permission("core.manage_notifications",
                   _l("See and retry e-mail and webhook deliveries (every unit)")),
        # -- workflow engine (core/workflow) --
        Permission("core.manage_workflows",
                   _l("See requests that went to a fallback or are overdue, and reassign them")),
    ]


@hookimpl
def register_roles():
    return [
        RoleSpec("core.unit_admin", _l("Unit administrator"), ADMIN_PERMISSIONS),
        RoleSpec("core.auditor", _l("Auditor"), ("core.view_audit",)),
    ]


@hookimpl
def register_settings():
    return [
        SettingSpec("site_name", _l("Intranet name"), default="单位内网", scope="global",
                    help=_l("Shown in the title bar of every page.")),
        SettingSpec("page_size", _l("Rows per page"), type="int", default=25, min=5, max=200,
                    scope="global"),
        # -- notifications, deadlines (core services) --
        *NOTIFICATION_SETTINGS,
        SettingSpec("deadline_shift", _l("Move deadlines off holidays"), type="bool",
                    default=True, scope="global",
                    help=_l("A deadline that falls on a weekend or holiday moves to the next "
                            "working day.")),
        # -- background tasks (core/tasks) --
        *TASK_SETTINGS,
    ]


@hookimpl
def menu_items(user, unit):
    from ..reports import registry as reports

    items = [
        MenuItem(_l("Administration"), "admin.index", ADMIN_PERMISSIONS, icon="gear", order=90),
        MenuItem(_l("Audit log"), "admin.audit", "core.view_audit", icon="journal-text",
                 order=91),
    ]
    # -- notifications, calendar (core services) --
    items += [
        MenuItem(_l("Notifications"), "notifications.index", icon="bell", order=5,
                 badge=unread_count(user)),
        MenuItem(_l("Calendar"), "calendar.index", "core.manage_calendar", icon="calendar3",
                 order=92),
        MenuItem(_l("Deliveries"), "notifications.deliveries", "core.manage_notifications",
                 icon="send", order=93),
    ]
    if reports.offered(unit):
        items.append(MenuItem(_l("Reports"), "reports.index", icon="bar-chart", order=50))
    # -- workflow engine and inbox (core/workflow) --
    from ..workflow.queries import waiting_count

    items.append(MenuItem(_l("Inbox"), "inbox.index", icon="inbox", order=4,
                          badge=waiting_count(user)))
    return items


# -- jobs (core services) ---------------------------------------------------------------------


@hookimpl
def register_jobs():
    return [
        Job("core.deliver_notifications", deliver_pending, every(1),
            _l("Send queued e-mails and webhook messages")),
        Job("core.prune_job_runs", prune_runs, daily("03:30"),
            _l("Forget successful job runs older than 100 days")),
        # -- workflow engine (core/workflow) --
        Job("core.workflow_due", _workflow_due, every(5),
            _l("Replace deactivated approvers, remind before due times, escalate overdue steps")),
        # -- background tasks (core/tasks) --
        Job("core.prune_task_results", prune_task_results, every(60),
            _l("Remove task results past their keeping time")),
    ]


@hookimpl
def register_tasks():
    from ..tasks.builtin import TASKS

    return TASKS


def _workflow_due(scheduled_for):
    from ..workflow.due import check_due

    check_due(scheduled_for)


@hookimpl
def demo_data(demo):
    root = demo.unit("demo", "演示单位", "organisation")
    demo.user("admin", "系统管理员", root, is_superuser=True)
    demo.user("unitadmin", "单位管理员", root, roles_in=(("core.unit_admin", root),))
    return [
        DemoAccount("admin", demo.password, "System administrator / 系统管理员", root.name),
        DemoAccount("unitadmin", demo.password, "Unit administrator / 单位管理员", root.name),
    ]
