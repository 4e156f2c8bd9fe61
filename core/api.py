"""The public API of Danwei's core: everything a plugin may import.

Plugins import from here and from :mod:`core.hookspecs` only; an import-linter contract in the
test suite enforces it. Names here are stable within a major contract version.
"""

from flask import g

from .access import (
    can,
    can_anywhere,
    enabled_unit_ids,
    is_enabled,
    login_required_only,
    permission_required,
    public,
    require,
    unit_ids_where,
)
from .audit import record as audit
from .declarations import (
    DemoAccount,
    DomainEvent,
    MenuItem,
    Permission,
    RoleSpec,
    SettingSpec,
    Widget,
)
from .demo import Demo
from .extensions import db
from .hookspecs import CONTRACT_VERSION, hookimpl
from .i18n import gettext, lazy_gettext, ngettext
from .schema import run_env as run_migrations
from .models import AuditEvent, Unit, User, utcnow
from .roles import assign as assign_role
from .settings import get_setting, set_setting
from .units import create_unit, subtree
from .users import create_user

__all__ = [
    "CONTRACT_VERSION",
    "AuditEvent",
    "Demo",
    "DemoAccount",
    "DomainEvent",
    "MenuItem",
    "Permission",
    "RoleSpec",
    "SettingSpec",
    "Unit",
    "User",
    "Widget",
    "assign_role",
    "audit",
    "can",
    "can_anywhere",
    "create_unit",
    "create_user",
    "current_unit",
    "db",
    "enabled_unit_ids",
    "get_setting",
    "gettext",
    "hookimpl",
    "is_enabled",
    "lazy_gettext",
    "login_required_only",
    "ngettext",
    "permission_required",
    "public",
    "require",
    "run_migrations",
    "set_setting",
    "subtree",
    "unit_ids_where",
    "utcnow",
]


def current_unit() -> Unit | None:
    """The unit the logged-in user is working in (chosen in the navigation bar)."""
    return g.get("unit")
