"""The hook contract between Danwei's core and its plugins.

Every hook is called with keyword arguments; an implementation takes only the arguments it
uses. ``register_*`` hooks are called once at start-up; ``*_items`` and ``*_widgets`` hooks on
each request, only for plugins enabled in the current unit; ``on_*`` hooks when something
happens. Each is documented, with an example, in ``docs/hooks.md``.

A plugin declares the contract versions it supports in ``DANWEI_CONTRACT``
(e.g. ``">=1.0,<2"``) and is refused outside that range.
"""

import pluggy

#: The version of this contract. Minor versions add hooks; major versions change them.
CONTRACT_VERSION = "1.1"

hookspec = pluggy.HookspecMarker("danwei")
hookimpl = pluggy.HookimplMarker("danwei")


@hookspec
def register_blueprints():
    """Return the plugin's Flask blueprints.

    Called once at start-up. The blueprint must be named after the plugin and keeps its
    templates under ``templates/<plugin>/``; it is mounted at ``/<plugin>`` unless it sets its
    own ``url_prefix``. Every view must declare its access with
    :func:`core.api.permission_required` (a permission of the plugin or of core),
    ``login_required_only`` or ``public``; a plugin with an undeclared view is refused.

    :return: a list of :class:`flask.Blueprint`
    """


@hookspec
def register_permissions():
    """Declare the permissions the plugin checks, named ``<plugin>.<action>``.

    Called once at start-up. A permission named outside the plugin's namespace refuses the
    plugin. Permissions of a plugin are granted only in units where it is enabled.

    :return: a list of :class:`core.api.Permission`
    """


@hookspec
def register_roles():
    """Declare the plugin's roles and the permissions each grants by default.

    Called once at start-up; roles are stored by ``danwei db upgrade``. Roles are named
    ``<plugin>.<role>``, are held in a unit and apply to its subtree. Administrators may edit
    a role's permissions later; their change is then kept.

    :return: a list of :class:`core.api.RoleSpec`
    """


@hookspec
def register_settings():
    """Declare the plugin's settings with their defaults.

    Called once at start-up. Values are edited on the admin settings page, globally or per
    unit, and read with :func:`core.api.get_setting`: the unit's value, else the nearest
    ancestor's, else the global value, else the declared default.

    :return: a list of :class:`core.api.SettingSpec`
    """


@hookspec
def register_commands():
    """Return click commands; they appear as ``danwei <plugin> <command>``.

    Called once at start-up. Commands run inside an application context.

    :return: a list of :class:`click.Command`
    """


@hookspec
def menu_items(user, unit):
    """Return navigation entries for *user* working in *unit*.

    Called on every page, only when the plugin is enabled for *unit*. Items whose
    ``permission`` the user does not hold in *unit* are dropped by core, so a plugin need not
    check. An item whose endpoint does not exist is dropped and reported.

    :param user: the logged-in :class:`core.api.User`
    :param unit: the :class:`core.api.Unit` the user is working in
    :return: a list of :class:`core.api.MenuItem`
    """


@hookspec
def dashboard_widgets(user, unit):
    """Return cards for the home page of *user* working in *unit*.

    Called on the home page, only when the plugin is enabled for *unit*. Widgets whose
    ``permission`` the user does not hold in *unit* are left out. Each widget renders on its
    own, so one that fails shows an error card and the rest of the page stays.

    :param user: the logged-in :class:`core.api.User`
    :param unit: the :class:`core.api.Unit` the user is working in
    :return: a list of :class:`core.api.Widget`
    """


@hookspec
def on_unit_enable(unit):
    """React to the plugin being enabled for *unit* (and its subtree).

    Called only on the plugin concerned, inside the transaction that enables it: raising
    refuses the enablement, and nothing of it is kept.

    :param unit: the :class:`core.api.Unit`
    """


@hookspec
def on_unit_disable(unit):
    """React to the plugin being disabled for *unit*. Data must be kept.

    Called only on the plugin concerned, inside the transaction that disables it: raising
    refuses the change.

    :param unit: the :class:`core.api.Unit`
    """


@hookspec
def register_unit_data():
    """Declare which rows of the plugin's tables belong to a unit, for export and purge.

    Called by ``danwei plugins purge`` (and the admin page) on the plugin concerned. Core
    exports the declared rows of the unit's subtree to JSON, then deletes them (children
    first), and removes what points at them: their workflow requests with the requests'
    notifications, their attachments, and the summaries of the audit events about them.
    Replaces :func:`unit_data_export` and :func:`on_unit_purge`, which are still called.

    :return: a list of :class:`core.api.UnitData`, parents before children
    """


@hookspec
def unit_data_export(unit):
    """Return the plugin's data for *unit*'s subtree, before a purge (contract 1.0).

    Prefer :func:`register_unit_data`, with which core also removes what points at the rows.

    Called by ``danwei plugins purge`` (and the admin page) on the plugin concerned. Core
    writes the result as JSON under ``instance/exports`` before calling :func:`on_unit_purge`;
    raising stops the purge before anything is deleted.

    :param unit: the :class:`core.api.Unit`
    :return: a dict of ``{table_name: [row dicts]}`` (JSON-serialisable values)
    """


@hookspec
def on_unit_purge(unit):
    """Delete the plugin's data for *unit*'s subtree, after it was exported and confirmed.

    Contract 1.0; prefer :func:`register_unit_data`.

    Called on the plugin concerned, inside the transaction that records the purge in the
    audit log; raising rolls the whole purge back.

    :param unit: the :class:`core.api.Unit`
    """


@hookspec
def on_domain_event(event):
    """React to a business state change as it is written to the audit log.

    Called on every loaded plugin (whatever units it is enabled for), inside the transaction
    of the change, for every :func:`core.api.audit` record. Use it for integrations
    (statistics, queueing a webhook); an exception is reported and never fails the change.

    :param event: a :class:`core.api.DomainEvent`
    """


@hookspec
def demo_data(demo):
    """Create realistic demo data for the plugin; called by ``danwei demo``.

    Called core first, then each plugin by name, each in its own transaction. Running it twice
    must add nothing: use the *demo* helpers, which find before they create.

    :param demo: a :class:`core.api.Demo` with helpers to create units, users and roles
    :return: a list of :class:`core.api.DemoAccount` to print and document
    """


# -- jobs, deadlines, attachments (core services) ---------------------------------------------


@hookspec
def register_jobs():
    """Declare the plugin's periodic jobs.

    ``danwei jobs run`` (from cron), ``danwei jobs worker`` or the web process's job thread
    runs each job once per slot of its schedule, however many runners start at once.

    :return: a list of :class:`core.api.Job`, each named ``<plugin>.<name>``
    """


@hookspec
def register_tasks():
    """Declare the plugin's background tasks (long exports, imports, checks over many rows).

    A view starts one with :func:`core.api.start_task` and sends the user to its progress
    page (:func:`core.api.progress_url`); a worker runs it, retried once if the worker dies.

    :return: a list of :class:`core.api.Task`, each named ``<plugin>.<name>``
    """


@hookspec
def register_deadlines():
    """Declare the plugin's recurring deadlines ("plans are due on the 15th").

    Core computes each period's due moment (moved to the next working day when the deadline
    shifts), runs ``on_remind`` before it and ``on_due`` once it has passed.

    :return: a list of :class:`core.api.Deadline`, each named ``<plugin>.<name>``
    """


@hookspec
def register_attachment_kinds():
    """Declare the kinds of file the plugin accepts, with their limits and who may see them.

    :return: a list of :class:`core.api.AttachmentKind`, each named ``<plugin>.<name>``
    """


# -- reports and dashboards (core/reports) --------------------------------------------------------


@hookspec
def register_reports():
    """Declare the reports the plugin offers on the Reports page.

    Each report's ``build(ctx)`` aggregates in SQL over ``ctx.unit_ids`` (the units of the
    chosen subtree where the user holds the report's permission) and ``ctx.period``, and returns
    tables, charts and notes. Core renders the page, the print view and the XLSX/CSV exports.

    :return: a list of :class:`core.api.Report`, each named ``<plugin>.<name>``
    """


@hookspec
def register_report_sections():
    """Declare the plugin's sections of the unit period report (the monthly, quarterly or
    annual summary to the leadership).

    Core composes the sections of every plugin enabled in the chosen unit, each built on its
    own with the same :class:`core.api.ReportContext` as a report: one that fails is shown as an
    error and the rest of the report stays.

    :return: a list of :class:`core.api.ReportSection`, each named ``<plugin>.<name>``
    """


# -- workflow engine and inbox (core/workflow) ------------------------------------------------


@hookspec
def register_workflows():
    """Declare the plugin's approval workflows: who signs, in which order, under which
    conditions, with which forms and due times.

    Start a request with :func:`core.api.start_workflow`; core resolves the approvers, shows the
    request in their inboxes and records every decision.

    :return: a list of :class:`core.api.WorkflowDefinition`, each named ``<plugin>.<name>``
    """


@hookspec
def on_workflow_event(event):
    """React to something that happened to one of the plugin's requests.

    Called only on the plugin that owns the workflow, inside the transaction of the action:
    update the subject here (mark the leave approved when ``event.action == "approved"``).
    Raising refuses the action: nothing of it is kept and the user is told.

    :param event: a :class:`core.api.WorkflowEvent`; ``event.final`` is true once the request
        is approved, rejected or withdrawn
    """
