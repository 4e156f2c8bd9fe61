"""The enabled-units filter is worked out from the enable/disable records already loaded (an
array of ids, or no filter at all when a plugin is enabled everywhere) and gives the same
answer as the nearest-record rule evaluated in SQL over the records."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.models import Unit
from core.plugins import enablement

PLUGIN = "school_leave"


def ids(query) -> set[int]:
    return set(db.session.scalars(query))


def by_rule() -> set[int]:
    return {u.id for u in db.session.scalars(select(Unit)) if enablement.is_enabled(PLUGIN, u)}


def test_the_list_matches_the_rule_and_the_sql(app, unit_tree, enable_plugin):
    a = unit_tree("county/s1/g1/a")
    b = unit_tree("county/s1/g1/b")
    s2 = unit_tree("county/s2")
    unit_tree("county/s2/g1/c")
    county = a.parent.parent.parent
    assert enablement.enabled_unit_list(PLUGIN) == []
    assert ids(enablement.enabled_unit_ids(PLUGIN)) == set()

    enable_plugin(PLUGIN, a.parent.parent)  # school 1
    enable_plugin(PLUGIN, b, False)  # but not class b
    enable_plugin(PLUGIN, s2, False)
    for case in range(2):
        listed = set(enablement.enabled_unit_list(PLUGIN))
        assert listed == by_rule() == ids(enablement.enabled_unit_ids_subquery(PLUGIN))
        assert ids(enablement.enabled_unit_ids(PLUGIN)) == listed
        assert a.id in listed and b.id not in listed and s2.id not in listed
        assert (county.id in listed) is bool(case)
        enable_plugin(PLUGIN, county)  # now the county too, school 2 and class b still off


def test_enabled_everywhere_needs_no_filter(app, unit_tree, enable_plugin):
    leaf = unit_tree("top/s1/g1/a")
    top = leaf.parent.parent.parent
    enable_plugin(PLUGIN, top)
    assert enablement.enabled_unit_list(PLUGIN) is None
    assert str(enablement.enabled_units_clause(Unit.id, PLUGIN)) == "true"
    assert ids(enablement.enabled_unit_ids(PLUGIN)) == ids(select(Unit.id))

    enable_plugin(PLUGIN, leaf, False)  # one class off: a list again, without it
    listed = enablement.enabled_unit_list(PLUGIN)
    assert listed is not None and leaf.id not in listed and top.id in listed
