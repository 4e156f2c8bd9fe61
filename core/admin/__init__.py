"""Administration: users, the unit tree, role assignments, plugins, settings, the audit log.

Each page is scoped: a unit administrator manages only the subtrees of the units where they
hold the page's permission (filtered in SQL, see :mod:`core.admin.scope`); a superuser
manages everything. One module per page family:

- :mod:`~core.admin.overview` — counts, links and plugin errors (``admin.index``)
- :mod:`~core.admin.users` — people: list, create, edit, deactivate, reset password
- :mod:`~core.admin.imports` — bulk import of people from CSV or XLSX (read by
  :mod:`~core.admin.spreadsheet`)
- :mod:`~core.admin.units` — the unit tree
- :mod:`~core.admin.roles` — who holds which role where, and what each role allows
- :mod:`~core.admin.plugins` — installed plugins, per-unit enablement, purge
- :mod:`~core.admin.settings` — declared settings, globally and per unit
- :mod:`~core.admin.audit` — the audit log and its CSV export (``admin.audit``)
"""

from flask import Blueprint, request

from ..i18n import lazy_gettext as _l
from .scope import held_permissions, is_superuser

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: The navigation shared by every admin page: (tab, endpoint, label, permission). A view
#: belongs to the tab its endpoint starts with (``admin.users_edit`` → ``users``).
TABS = (
    ("index", "admin.index", _l("Overview"), None),
    ("users", "admin.users_list", _l("Users"), "core.manage_users"),
    ("import", "admin.import_users", _l("Import"), "core.manage_users"),
    ("units", "admin.units_tree", _l("Units"), "core.manage_units"),
    ("assignments", "admin.assignments", _l("Role assignments"), "core.assign_roles"),
    ("roles", "admin.roles_list", _l("Roles"), "core.assign_roles"),
    ("plugins", "admin.plugins_list", _l("Plugins"), "core.manage_plugins"),
    ("settings", "admin.settings_index", _l("Settings"), "core.manage_settings"),
    ("audit", "admin.audit", _l("Audit log"), "core.view_audit"),
)


@bp.context_processor
def _navigation() -> dict:
    held = held_permissions()
    current = (request.endpoint or "").removeprefix("admin.").split("_")[0]
    tabs = [
        {"endpoint": endpoint, "label": label, "active": tab == current}
        for tab, endpoint, label, permission in TABS
        if is_superuser() or (held and (permission is None or permission in held))
    ]
    return {"admin_tabs": tabs}


from . import audit, imports, overview, plugins, roles, settings, units, users  # noqa: E402,F401
