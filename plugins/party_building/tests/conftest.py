"""Fixtures of the party-building tests: a committee with two branches, and its people."""

from __future__ import annotations

import pytest

PLUGIN = "party_building"


@pytest.fixture
def org(unit_tree, enable_plugin):
    """committee → branch b1 (group g1), branch b2."""
    group = unit_tree("pc/b1/g1", kinds=("party_committee", "party_branch", "party_group"))
    b2 = unit_tree("pc/b2", kinds=("party_committee", "party_branch"))
    branch, committee = group.parent, group.parent.parent
    enable_plugin(PLUGIN, committee)
    return {"committee": committee, "branch": branch, "group": group, "b2": b2}


@pytest.fixture
def person(create_user, as_user):
    """``person(role, unit)`` → a test client logged in as a new holder of *role* in *unit*."""

    def make(role, unit, **fields):
        user = create_user(unit=unit, roles=((f"{PLUGIN}.{role}", unit),), **fields)
        return as_user(user)

    return make
