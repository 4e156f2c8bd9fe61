"""Purging a plugin's data for a unit: export first, then delete, audited.

The administrator confirmed (typed the unit code, or ``danwei plugins purge --yes``). The
export is written before anything is deleted, and the deletion runs in the caller's
transaction with the audit record, so a failure deletes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .. import audit
from ..models import Unit
from .host import plugin_host


def purge_plugin_data(plugin: str, unit: Unit, export_dir: Path) -> Path:
    """Export then delete *plugin*'s data for *unit*'s subtree; returns the export file.

    The caller has asked for confirmation. The export is written before anything is deleted.
    """
    host = plugin_host()
    exported = dict(host.call("unit_data_export", only={plugin}, propagate=True, unit=unit))
    export_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = export_dir / f"{plugin}-{unit.code}-{stamp}.json"
    target.write_text(
        json.dumps(exported.get(plugin, {}), ensure_ascii=False, default=str, indent=1),
        encoding="utf-8",
    )
    host.call("on_unit_purge", only={plugin}, propagate=True, unit=unit)
    audit.record(
        "core.plugin_purged",
        subject=("plugin", plugin),
        unit=unit,
        summary=f"{plugin} data purged for {unit.code}",
        data={"export": target.name},
    )
    return target
