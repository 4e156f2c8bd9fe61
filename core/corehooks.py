"""Core's own declarations, made through the same hooks as any plugin's."""

from .declarations import DemoAccount, MenuItem, Permission, RoleSpec, SettingSpec
from .hookspecs import hookimpl
from .i18n import lazy_gettext as _l

ADMIN_PERMISSIONS = (
    "core.manage_users",
    "core.manage_units",
    "core.assign_roles",
    "core.manage_plugins",
    "core.manage_settings",
    "core.view_audit",
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
    ]


@hookimpl
def menu_items():
    return [
        MenuItem(_l("Administration"), "admin.index", "core.manage_users", icon="gear", order=90),
        MenuItem(_l("Audit log"), "admin.audit", "core.view_audit", icon="journal-text",
                 order=91),
    ]


@hookimpl
def demo_data(demo):
    root = demo.unit("demo", "演示单位", "organisation")
    demo.user("admin", "系统管理员", root, is_superuser=True)
    demo.user("unitadmin", "单位管理员", root, roles_in=(("core.unit_admin", root),))
    return [
        DemoAccount("admin", demo.password, "System administrator / 系统管理员", root.name),
        DemoAccount("unitadmin", demo.password, "Unit administrator / 单位管理员", root.name),
    ]
