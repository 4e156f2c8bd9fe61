"""The plugin compares workflow states and actions with core's enums, never with strings, so a
misspelt state fails here rather than silently never matching in production."""

import danwei_school_leave

from core.api import check_workflow_literals


def test_workflow_states_and_actions_are_enum_members():
    findings = check_workflow_literals(danwei_school_leave)
    assert findings == [], "\n".join(map(str, findings))
