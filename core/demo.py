"""Demo data: ``danwei demo`` asks every installed plugin (core first) to add its own."""

from __future__ import annotations

from sqlalchemy import select

from . import roles, units, users
from .declarations import DemoAccount
from .extensions import db
from .models import PluginState, Unit, User
from .plugins import plugin_host
from .plugins.enablement import set_plugin_state

#: Every demo account shares this password; the README says so.
DEMO_PASSWORD = "danwei2026"


class Demo:
    """Idempotent helpers for ``demo_data`` hooks: running ``danwei demo`` twice adds nothing."""

    password = DEMO_PASSWORD

    def unit(self, code: str, name: str, kind: str = "unit", parent: Unit | None = None) -> Unit:
        found = units.by_code(code)
        return found or units.create_unit(code, name, kind, parent)

    def user(self, username: str, name: str, unit: Unit | None = None,
             roles_in: tuple[tuple[str, Unit], ...] = (), **fields) -> User:
        user = users.find_by_username(username)
        if user is None:
            user = users.create_user(username, name, self.password, unit, **fields)
        for role, where in roles_in:
            roles.assign(user, role, where)
        return user

    def enable(self, plugin: str, unit: Unit) -> None:
        exists = db.session.scalar(
            select(PluginState).where(PluginState.plugin == plugin, PluginState.unit_id == unit.id)
        )
        if exists is None:
            set_plugin_state(plugin, unit, True)


def load_demo() -> list[tuple[str, DemoAccount]]:
    """Run every ``demo_data`` hook, each in its own transaction, and list the accounts."""
    host = plugin_host()
    roles.sync_declared_roles(host)
    db.session.commit()
    accounts = []
    for name in ["core", *host.loaded]:
        results = host.call("demo_data", only={name}, demo=Demo())
        if host.errors_of(name) and not results:
            db.session.rollback()
            continue
        db.session.commit()
        accounts.extend((name, account) for _, items in results for account in items)
    return accounts
