"""The hook contract between Danwei's core and its plugins.

Every hook is called with keyword arguments; an implementation takes only the arguments it
uses. ``register_*`` hooks are called once at start-up; ``*_items`` and ``*_widgets`` hooks on
each request, only for plugins enabled in the current unit; ``on_*`` hooks when something
happens. Each is documented, with an example, in ``docs/plugins.md``.

A plugin declares the contract versions it supports in ``DANWEI_CONTRACT``
(e.g. ``">=1.0,<2"``) and is refused outside that range.
"""

import pluggy

#: The version of this contract. Minor versions add hooks; major versions change them.
CONTRACT_VERSION = "1.0"

hookspec = pluggy.HookspecMarker("danwei")
hookimpl = pluggy.HookimplMarker("danwei")


@hookspec
def register_blueprints():
    """Return the plugin's Flask blueprints.

    The blueprint must be named after the plugin; it is mounted at ``/<plugin>`` unless it sets
    its own ``url_prefix``. Every view must declare its access with
    :func:`core.api.permission_required` (or ``login_required_only``); a blueprint with an
    undeclared view is refused at registration.

    :return: a list of :class:`flask.Blueprint`
    """


@hookspec
def register_permissions():
    """Declare the permissions the plugin checks, named ``<plugin>.<action>``.

    :return: a list of :class:`core.api.Permission`
    """


@hookspec
def register_roles():
    """Declare the plugin's roles and the permissions each grants by default.

    Roles are held in a unit and apply to its subtree. Administrators may edit them later.

    :return: a list of :class:`core.api.RoleSpec`
    """


@hookspec
def register_settings():
    """Declare the plugin's settings with their defaults.

    Values are edited on the admin settings page, globally or per unit, and read with
    :func:`core.api.get_setting`.

    :return: a list of :class:`core.api.SettingSpec`
    """


@hookspec
def register_commands():
    """Return click commands; they appear as ``danwei <plugin> <command>``.

    :return: a list of :class:`click.Command`
    """


@hookspec
def menu_items(user, unit):
    """Return navigation entries for *user* working in *unit*.

    Called only when the plugin is enabled for *unit*. Items whose ``permission`` the user does
    not hold in *unit* are dropped by core, so a plugin need not check.

    :param user: the logged-in :class:`core.api.User`
    :param unit: the :class:`core.api.Unit` the user is working in
    :return: a list of :class:`core.api.MenuItem`
    """


@hookspec
def dashboard_widgets(user, unit):
    """Return cards for the home page of *user* working in *unit*.

    Called only when the plugin is enabled for *unit*. Each widget renders on its own, so one
    that fails shows an error card and the rest of the page stays.

    :param user: the logged-in :class:`core.api.User`
    :param unit: the :class:`core.api.Unit` the user is working in
    :return: a list of :class:`core.api.Widget`
    """


@hookspec
def on_unit_enable(unit):
    """React to the plugin being enabled for *unit* (and its subtree).

    Called only on the plugin concerned, inside the transaction that enables it.

    :param unit: the :class:`core.api.Unit`
    """


@hookspec
def on_unit_disable(unit):
    """React to the plugin being disabled for *unit*. Data must be kept.

    Called only on the plugin concerned, inside the transaction that disables it.

    :param unit: the :class:`core.api.Unit`
    """


@hookspec
def unit_data_export(unit):
    """Return the plugin's data for *unit*'s subtree, before a purge.

    Core writes the result as JSON under ``instance/exports`` before calling
    :func:`on_unit_purge`.

    :param unit: the :class:`core.api.Unit`
    :return: a dict of ``{table_name: [row dicts]}`` (JSON-serialisable values)
    """


@hookspec
def on_unit_purge(unit):
    """Delete the plugin's data for *unit*'s subtree, after it was exported and confirmed.

    :param unit: the :class:`core.api.Unit`
    """


@hookspec
def on_domain_event(event):
    """React to a business state change after it was written to the audit log.

    Use it for integrations (webhooks, statistics); it must not fail the change itself.

    :param event: a :class:`core.api.DomainEvent`
    """


@hookspec
def demo_data(demo):
    """Create realistic demo data for the plugin; called by ``danwei demo``.

    :param demo: a :class:`core.api.Demo` with helpers to create units, users and roles
    :return: a list of :class:`core.api.DemoAccount` to print and document
    """
