"""An agency with two township stations, auditors and station staff, and an engagement."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from danwei_pension_audit.testing import make_engagement

PLUGIN = "pension_audit"


@pytest.fixture
def county(app, db, unit_tree, create_user, enable_plugin):
    agency = unit_tree("cty", kinds=("agency",))
    town1 = unit_tree("cty/t1", kinds=("agency", "station"))
    town2 = unit_tree("cty/t2", kinds=("agency", "station"))
    enable_plugin(PLUGIN, agency)
    world = SimpleNamespace(
        agency=agency, town1=town1, town2=town2,
        auditor=create_user("aud", unit=agency, roles=(("pension_audit.auditor", agency),)),
        verifier=create_user("ver", unit=agency, roles=(("pension_audit.auditor", agency),)),
        station=create_user("st1", unit=town1, roles=(("pension_audit.station", town1),)),
        station2=create_user("st2", unit=town2, roles=(("pension_audit.station", town2),)),
    )
    world.engagement = make_engagement(db, town1, world.auditor, world.verifier)
    return world
