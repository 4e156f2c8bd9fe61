"""Core's quality gates over this plugin: migrations, models, translations, URL arguments, the
authorization matrix (the demo twice) and junk posted to every form."""

import danwei_party_building

from core.api import check_workflow_literals
from core.testing_kit import PluginGates


class TestGates(PluginGates):
    plugin = "party_building"


def test_workflow_states_and_actions_are_enum_members():
    assert check_workflow_literals(danwei_party_building) == []
