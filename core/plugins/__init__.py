"""The plugin lifecycle, in one place.

- :mod:`~core.plugins.host` — discovery, the contract check, and calling hooks with fault
  isolation (:class:`PluginHost`, reached through :func:`plugin_host`)
- :mod:`~core.plugins.install` — installing each loaded plugin into the app, all or nothing
- :mod:`~core.plugins.corehooks` — core's own declarations, made through the same hooks
- :mod:`~core.plugins.enablement` — which plugins are enabled in which units
- :mod:`~core.plugins.purge` — exporting, then deleting, a plugin's data for a unit

Only the host is imported here: services everywhere need :func:`plugin_host`, while installing
and core's declarations sit above the views and are imported by :func:`core.create_app` alone.
"""

from .host import (
    CORE,
    ENTRY_POINT_GROUP,
    PluginError,
    PluginFailure,
    PluginHost,
    PluginInfo,
    contract_problem,
    plugin_host,
    unknown_hooks,
)

__all__ = [
    "CORE",
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginFailure",
    "PluginHost",
    "PluginInfo",
    "contract_problem",
    "plugin_host",
    "unknown_hooks",
]
