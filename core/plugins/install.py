"""Installing loaded plugins into an application: declarations, then blueprints.

Each plugin is installed all-or-nothing: if any of its declarations is invalid, or a hook
raises, the plugin is reported and unloaded, and the others go on.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.cli import AppGroup

from ..access import LOGIN, PUBLIC, declared_access, is_static_endpoint, plugin_of
from ..declarations import Permission, RoleSpec, SettingSpec
from . import corehooks
from .host import CORE, PluginFailure, PluginHost


class _Refused(Exception):
    """The plugin was reported already; skip it."""


def install_plugins(app: Flask, host: PluginHost) -> None:
    host.register_core(corehooks)
    app.extensions["danwei"] = host
    for name in [CORE, *host.loaded]:
        recorded = len(host.errors)
        try:
            permissions, roles, settings, blueprints = _declarations(host, name)
        except PluginFailure:
            raise  # strict mode: the failure was recorded, and must stop the start-up
        except _Refused:
            host.unload(name)
            continue
        except Exception as exc:  # noqa: BLE001 - any failure unloads the plugin, reported
            if len(host.errors) == recorded:  # not raised by a hook, so not yet reported
                host.fail(name, "install", exc)
            host.unload(name)
            continue
        for bp in blueprints:
            app.register_blueprint(bp, url_prefix=bp.url_prefix or f"/{name}")
        if name != CORE:
            _add_commands(app, host, name)
        host.permissions.update({p.name: (name, p) for p in permissions})
        host.role_specs.extend((name, r) for r in roles)
        host.settings[name] = settings


def _add_commands(app: Flask, host: PluginHost, plugin: str) -> None:
    """Mount the plugin's click commands as ``danwei <plugin> <command>``."""
    commands = [c for _, items in host.call("register_commands", only={plugin}) for c in items]
    if commands:
        group = AppGroup(plugin, help=f"Commands of the {plugin} plugin.")
        for command in commands:
            group.add_command(command)
        app.cli.add_command(group)


def _one(host: PluginHost, plugin: str, hook: str) -> list:
    return [item for _, items in host.call(hook, only={plugin}, propagate=True) for item in items]


def _declarations(host: PluginHost, plugin: str):
    permissions = _one(host, plugin, "register_permissions")
    roles = _one(host, plugin, "register_roles")
    settings = _one(host, plugin, "register_settings")
    blueprints = [] if plugin == CORE else _one(host, plugin, "register_blueprints")

    def refuse(message: str):
        host.fail(plugin, "install", message)
        raise _Refused(message)

    def owned(name) -> bool:
        return isinstance(name, str) and name.startswith(f"{plugin}.") and name != f"{plugin}."

    names = {p.name for p in permissions if isinstance(p, Permission)}
    known = names | set(host.permissions)  # this plugin's, and those installed before (core)
    for p in permissions:
        if not isinstance(p, Permission) or not owned(p.name):
            refuse(f"permission {getattr(p, 'name', p)!r} must be a Permission named {plugin}.*")
    for r in roles:
        if not isinstance(r, RoleSpec) or not owned(r.name):
            refuse(f"role {getattr(r, 'name', r)!r} must be a RoleSpec named {plugin}.*")
        for perm in r.permissions:
            if plugin_of(perm) == plugin and perm not in names:
                refuse(f"role {r.name} grants undeclared permission {perm}")
    for s in settings:
        if not isinstance(s, SettingSpec):
            refuse(f"setting {s!r} must be a SettingSpec")
    for bp in blueprints:
        if not isinstance(bp, Blueprint) or bp.name != plugin:
            refuse(f"blueprint {getattr(bp, 'name', bp)!r} must be a Blueprint named {plugin!r}")
        for endpoint, rule in _view_access(bp).items():
            if rule is None:
                refuse(f"view {endpoint} declares no permission (use permission_required)")
            if rule not in (LOGIN, PUBLIC) and plugin_of(rule) not in (plugin, CORE):
                refuse(f"view {endpoint} needs {rule}, which belongs to another plugin")
            if rule not in (LOGIN, PUBLIC) and rule not in known:
                refuse(f"view {endpoint} needs {rule}, which is not a declared permission")
    return permissions, roles, settings, blueprints


def _view_access(bp: Blueprint) -> dict[str, str | None]:
    """The declared access of every view of *bp*, found by mounting it on a scratch app."""
    probe = Flask("danwei_probe")
    probe.register_blueprint(bp)
    return {
        endpoint: declared_access(view)
        for endpoint, view in probe.view_functions.items()
        if not is_static_endpoint(endpoint)
    }
