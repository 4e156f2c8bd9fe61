"""Plugins: what is installed and whether it works; where each one is enabled; purging a
plugin's data for a unit (a separate, confirmed action that exports first)."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..access import permission_required
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import PluginState, Unit
from ..pagination import paginate
from ..plugins import CORE, plugin_host
from ..plugins.enablement import set_plugin_state
from ..plugins.purge import purge_plugin_data
from . import bp
from .forms import PurgeForm
from .scope import is_superuser, unit_or_404, units_in_scope

PERMISSION = "core.manage_plugins"


def _host():
    return plugin_host()


def _loaded_or_404(name: str):
    info = _host().plugins.get(name)
    if info is None or not info.loaded:
        abort(404)
    return info


@bp.route("/plugins")
@permission_required(PERMISSION)
def plugins_list():
    """Installed plugins: version, contract range, loaded or failed, and their errors."""
    host = _host()
    counts = dict(db.session.execute(
        select(PluginState.plugin, func.count()).where(PluginState.enabled.is_(True))
        .group_by(PluginState.plugin)
    ).all())
    return render_template(
        "admin/plugins.html", plugins=list(host.plugins.values()), host=host, counts=counts,
        core_errors=host.errors_of(CORE), show_detail=is_superuser(),
    )


def states_of(plugin: str, units: list[Unit]) -> dict[int, dict]:
    """For each unit: the state recorded on it, or the one it inherits and from where."""
    recorded = dict(db.session.execute(
        select(PluginState.unit_id, PluginState.enabled).where(PluginState.plugin == plugin)
    ).all())
    names = dict(db.session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(list(recorded)))
    ).all()) if recorded else {}
    states = {}
    for unit in units:
        state = {"kind": "off", "enabled": False, "source": None}
        for ancestor in reversed(unit.ancestor_ids):
            if ancestor in recorded:
                state = {
                    "kind": "here" if ancestor == unit.id else "inherited",
                    "enabled": recorded[ancestor],
                    "source": names.get(ancestor),
                }
                break
        states[unit.id] = state
    return states


@bp.route("/plugins/<name>")
@permission_required(PERMISSION)
def plugins_units(name: str):
    """Where a plugin is enabled, among the units in scope; enable or disable it there."""
    info = _loaded_or_404(name)
    page = paginate(units_in_scope(PERMISSION))
    units = list(page.items)
    top = min((u.depth for u in units), default=0)
    return render_template(
        "admin/plugin_units.html", info=info, page=page, units=units, top=top,
        states=states_of(name, units), errors=_host().errors_of(name),
    )


@bp.route("/plugins/<name>/units/<int:unit_id>", methods=["POST"])
@permission_required(PERMISSION)
def plugins_set_state(name: str, unit_id: int):
    """Enable or disable a plugin for a unit and its subtree (data is kept)."""
    _loaded_or_404(name)
    unit = unit_or_404(unit_id, PERMISSION)
    enabled = request.form.get("enabled") == "1"
    try:
        set_plugin_state(name, unit, enabled)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the plugin's hook failed; it is recorded in host.errors
        db.session.rollback()
        flash(_l("The plugin %(plugin)s failed while being switched; nothing changed. "
                 "See the plugin's errors.", plugin=name), "danger")
    else:
        if enabled:
            flash(_l("%(plugin)s enabled for %(unit)s and its sub-units.", plugin=name,
                     unit=unit.name), "success")
        else:
            flash(_l("%(plugin)s disabled for %(unit)s and its sub-units; its data is kept.",
                     plugin=name, unit=unit.name), "success")
    return redirect(url_for("admin.plugins_units", name=name, page=request.args.get("page")))


def export_dir() -> Path:
    return Path(current_app.instance_path) / "exports"


@bp.route("/plugins/<name>/units/<int:unit_id>/purge", methods=["GET", "POST"])
@permission_required(PERMISSION)
def plugins_purge(name: str, unit_id: int):
    """Delete a plugin's data for a unit's subtree, after typing the unit code; exports first."""
    info = _loaded_or_404(name)
    unit = unit_or_404(unit_id, PERMISSION)
    form = PurgeForm()
    if form.validate_on_submit():
        if form.confirm.data.strip() != unit.code:
            form.confirm.errors.append(
                _l("This is not the unit code. Type %(code)s to confirm.", code=unit.code))
        else:
            try:
                target = purge_plugin_data(name, unit, export_dir())
                db.session.commit()
            except Exception:  # noqa: BLE001 - the plugin's hook failed; it is recorded
                db.session.rollback()
                flash(_l("The plugin %(plugin)s failed during the purge; nothing was deleted. "
                         "See the plugin's errors.", plugin=name), "danger")
            else:
                flash(_l("Data of %(plugin)s for %(unit)s deleted. The export was saved as "
                         "%(file)s in the instance exports folder.", plugin=name,
                         unit=unit.name, file=target.name), "success")
                return redirect(url_for("admin.plugins_units", name=name))
    return render_template("admin/purge.html", info=info, unit=unit, form=form), (
        422 if form.is_submitted() else 200)
