"""Settings declared by core and plugins, stored globally or per unit.

A value is looked up on the unit, then up its ancestors, then globally, then the declared
default: a county can set a rule once and a school can still override it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from . import audit, secretbox
from .cache import forget, remember, request_cache
from .declarations import SettingSpec
from .extensions import db
from .i18n import lazy_gettext as _l
from .models import SettingValue, Unit
from .plugins import plugin_host


def spec_of(plugin: str, key: str) -> SettingSpec:
    for spec in plugin_host().settings.get(plugin, ()):
        if spec.key == key:
            return spec
    raise KeyError(f"{plugin}.{key} is not a declared setting")


def get_setting(plugin: str, key: str, unit: Unit | None = None) -> Any:
    """The effective value of ``plugin.key`` for *unit* (or globally when *unit* is None)."""
    return _effective(plugin, key, unit)[0]


def _effective(plugin: str, key: str, unit: Unit | None) -> tuple[Any, int | str]:
    """``(value, origin)``: origin is the id of the unit holding it, ``"global"`` or
    ``"default"``."""
    spec = spec_of(plugin, key)
    ids = list(reversed(unit.ancestor_ids)) if unit is not None else []
    found = _stored(plugin, tuple(ids))
    for unit_id in ids:
        if (key, unit_id) in found:
            return _load(spec, found[key, unit_id]), unit_id
    if (key, None) in found:
        return _load(spec, found[key, None]), "global"
    return spec.default, "default"


def _load(spec: SettingSpec, value_json: str) -> Any:
    if spec.secret:
        return secretbox.unseal(value_json, spec.default)
    return json.loads(value_json)


def _stored(plugin: str, ids: tuple[int, ...]) -> dict[tuple[str, int | None], str]:
    """Every stored value of *plugin* on the units *ids* and globally, by ``(key, unit id)``:
    one query per plugin and unit for the whole request, however many settings a page reads
    (applying for leave reads a dozen of the school's rules)."""
    cache = request_cache("settings")
    if (plugin, ids) not in cache:  # and across requests, until a setting changes

        def stored() -> dict[tuple[str, int | None], str]:
            rows = db.session.execute(
                select(SettingValue.key, SettingValue.unit_id, SettingValue.value_json).where(
                    SettingValue.plugin == plugin,
                    SettingValue.unit_id.in_(ids) | SettingValue.unit_id.is_(None),
                )
            )
            return {(key, unit_id): value for key, unit_id, value in rows}

        cache[plugin, ids] = remember(("settings", plugin, ids), ("settings",), stored)
    return cache[plugin, ids]


def stored_value(plugin: str, key: str, unit: Unit | None) -> SettingValue | None:
    return db.session.scalar(
        select(SettingValue).where(
            SettingValue.plugin == plugin,
            SettingValue.key == key,
            SettingValue.unit_id == unit.id if unit is not None else SettingValue.unit_id.is_(None),
        )
    )


def set_setting(plugin: str, key: str, value: Any, unit: Unit | None = None) -> None:
    """Store *value* for ``plugin.key`` on *unit* (or globally) and audit the change."""
    spec = spec_of(plugin, key)
    row = stored_value(plugin, key, unit)
    if row is None:
        row = SettingValue(plugin=plugin, key=key, unit_id=unit.id if unit else None)
        db.session.add(row)
    old = row.value_json
    forget("settings")
    if spec.secret:
        if old is not None and _load(spec, old) == value:
            return
        row.value_json = secretbox.seal(value)
        audit.record(  # that it changed, never what to
            "core.setting_changed", subject=("setting", f"{plugin}.{key}"), unit=unit,
            summary=f"{plugin}.{key} = ********",
        )
        return
    row.value_json = json.dumps(value, ensure_ascii=False, default=str)
    if old != row.value_json:
        audit.record(
            "core.setting_changed",
            subject=("setting", f"{plugin}.{key}"),
            unit=unit,
            summary=f"{plugin}.{key} = {row.value_json[:200]}",
            data={"old": old, "new": row.value_json},
        )


def clear_setting(plugin: str, key: str, unit: Unit | None = None) -> None:
    """Forget the stored value so the unit inherits again."""
    row = stored_value(plugin, key, unit)
    if row is not None:
        db.session.delete(row)
        forget("settings")
        audit.record(
            "core.setting_cleared", subject=("setting", f"{plugin}.{key}"), unit=unit,
            summary=f"{plugin}.{key} reset",
        )


# -- administration -----------------------------------------------------------------------------


def value_origin(plugin: str, key: str, unit: Unit | None = None) -> tuple[Any, Unit | str]:
    """``(effective value, where it comes from)``: a :class:`Unit`, ``"global"`` or ``"default"``.

    Same lookup as :func:`get_setting`, for the settings page to say why a value applies.
    """
    value, origin = _effective(plugin, key, unit)
    return value, db.session.get(Unit, origin) if isinstance(origin, int) else origin


def parse_value(spec: SettingSpec, raw: str) -> Any:
    """Turn what an administrator typed into a value of *spec*'s type.

    :raises ValueError: with a message for the administrator when *raw* does not fit.
    """
    raw = (raw or "").strip() if spec.type != "text" else (raw or "")
    if spec.type == "bool":
        if raw.lower() in {"1", "true", "yes", "on", "y"}:
            return True
        if raw.lower() in {"0", "false", "no", "off", "n", ""}:
            return False
        raise ValueError(_l("Choose yes or no."))
    if spec.type in {"int", "float"}:
        try:
            value = int(raw) if spec.type == "int" else float(raw)
        except ValueError:
            raise ValueError(
                _l("Enter a whole number.") if spec.type == "int" else _l("Enter a number.")
            ) from None
        if spec.min is not None and value < spec.min:
            raise ValueError(_l("Enter %(min)s or more.", min=_number(spec.min)))
        if spec.max is not None and value > spec.max:
            raise ValueError(_l("Enter %(max)s or less.", max=_number(spec.max)))
        return value
    if spec.type == "choice":
        allowed = [str(value) for value, _ in spec.choices]
        if raw not in allowed:
            raise ValueError(_l("Choose one of the listed values."))
        return raw
    if spec.type == "time":
        try:
            return datetime.strptime(raw, "%H:%M").strftime("%H:%M")
        except ValueError:
            raise ValueError(_l("Enter a time as HH:MM, e.g. 07:30.")) from None
    if spec.type == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None
    if spec.type == "str" and len(raw) > 500:
        raise ValueError(_l("Use at most 500 characters."))
    return raw


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
