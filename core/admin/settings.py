"""Settings: one page per plugin (core included), generated from its declared
:class:`~core.declarations.SettingSpec` list.

Global values are a superuser's; per-unit values need ``core.manage_settings`` in the unit.
Each setting shows its effective value and where it comes from, and is saved or reset to the
inherited value on its own, so that saving one never pins the others.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import settings as store
from ..access import enabled_plugins, permission_required
from ..args import arg_int
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..plugins import CORE, plugin_host
from . import bp
from .forms import SettingForm
from .scope import is_superuser, unit_choices, unit_or_404, units_in_scope

PERMISSION = "core.manage_settings"


def _specs(plugin: str) -> list:
    host = plugin_host()
    if plugin != CORE and plugin not in host.loaded:
        abort(404)
    specs = host.settings.get(plugin, [])
    if not specs:
        abort(404)
    return specs


def _plugins_with_settings() -> list[str]:
    host = plugin_host()
    return [p for p in [CORE, *host.loaded] if host.settings.get(p)]


@bp.route("/settings")
@permission_required(PERMISSION)
def settings_index():
    """The plugins that declare settings."""
    # Only the unit is carried over: other query keys (plugin, _external…) are url_for's own.
    unit = arg_int("unit")
    return redirect(url_for("admin.settings_page", plugin=CORE, **({"unit": unit} if unit else {})))


def _level():
    """The unit whose values the page edits, or None for the global values."""
    unit_id = arg_int("unit", 0)
    if unit_id:
        return unit_or_404(unit_id, PERMISSION)
    if is_superuser():
        return None
    first = db.session.scalars(units_in_scope(PERMISSION).limit(1)).first()
    if first is None:
        abort(404)
    return first


def _rows(plugin: str, specs: list, unit, errors: dict, typed: dict) -> list[dict]:
    rows = []
    for spec in specs:
        if unit is not None and spec.scope == "global":
            editable = False
        else:
            editable = unit is not None or is_superuser()
        value, origin = store.value_origin(plugin, spec.key, unit)
        if spec.secret:  # a secret is never sent back to the browser, not even to its owner
            value = "********" if value else ""
        stored_here = store.stored_value(plugin, spec.key, unit) is not None
        rows.append({
            "spec": spec,
            "value": value,
            "origin": origin,
            "here": stored_here,
            "editable": editable,
            "error": errors.get(spec.key),
            "typed": "" if spec.secret else typed.get(spec.key, _as_text(spec, value)),
        })
    return rows


def _as_text(spec, value) -> str:
    if spec.type == "bool":
        return "1" if value else "0"
    return "" if value is None else str(value)


def _page(plugin: str, unit, errors: dict | None = None, typed: dict | None = None,
          status: int = 200):
    specs = _specs(plugin)
    enabled = plugin == CORE or unit is None or plugin in enabled_plugins(unit)
    return render_template(
        "admin/settings.html",
        plugin=plugin,
        plugins=_plugins_with_settings(),
        unit=unit,
        enabled=enabled,
        rows=_rows(plugin, specs, unit, errors or {}, typed or {}),
        units=unit_choices(PERMISSION),
        form=SettingForm(formdata=None),
    ), status


@bp.route("/settings/<plugin>")
@permission_required(PERMISSION)
def settings_page(plugin: str):
    """A plugin's settings, globally or for one unit."""
    return _page(plugin, _level())


@bp.route("/settings/<plugin>/<key>", methods=["POST"])
@permission_required(PERMISSION)
def settings_save(plugin: str, key: str):
    """Save one setting at one level, or forget it there so that it is inherited again."""
    spec = next((s for s in _specs(plugin) if s.key == key), None)
    if spec is None:
        abort(404)
    unit_id = arg_int("unit", 0, args=request.form)
    if not unit_id and not is_superuser():
        abort(403)
    unit = unit_or_404(unit_id, PERMISSION) if unit_id else None
    if unit is not None and spec.scope == "global":
        abort(400)
    form = SettingForm()
    if not form.validate_on_submit():  # only the CSRF token can fail here
        abort(400)
    where = unit.name if unit is not None else _l("all units")
    if request.form.get("action") == "reset":
        store.clear_setting(plugin, key, unit)
        db.session.commit()
        flash(_l("%(setting)s for %(where)s now uses the inherited value.",
                 setting=spec.label, where=where), "success")
    else:
        try:
            value = store.parse_value(spec, form.value.data or "")
        except ValueError as exc:
            return _page(plugin, unit, errors={key: str(exc.args[0])},
                         typed={key: form.value.data or ""}, status=422)
        store.set_setting(plugin, key, value, unit)
        db.session.commit()
        flash(_l("%(setting)s saved for %(where)s.", setting=spec.label, where=where),
              "success")
    return redirect(url_for("admin.settings_page", plugin=plugin,
                            unit=unit.id if unit is not None else None) + f"#setting-{key}")
