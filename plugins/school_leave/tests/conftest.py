"""The school of the leave tests (see :mod:`danwei_school_leave.testing` for the helpers)."""

import pytest
from danwei_school_leave.testing import ALSO_STUDENT, PEOPLE, School

from core.testing import TEST_PASSWORD


@pytest.fixture
def school(app, db, create_unit, create_user):
    from core import units

    s = create_unit("sl-s", "No. 1 Middle School", "school")
    g = create_unit("sl-g1", "Grade 1", "grade", s)
    a = create_unit("sl-a", "Class 1", "class", g)
    b = create_unit("sl-b", "Class 2", "class", g)
    units.set_plugin_state("school_leave", s, True)
    db.session.commit()
    where = {"s": s, "g": g, "a": a, "b": b}
    people = {}
    for key, role, at_unit in PEOPLE:
        roles = [(f"school_leave.{role}", where[at_unit])]
        if key in ALSO_STUDENT:
            roles.append(("school_leave.student", where[at_unit]))
        people[key] = create_user(f"sl_{key}", name=key.replace("_", " ").title(),
                                  unit=where[at_unit], roles=tuple(roles))
    return School(app, where, people, TEST_PASSWORD)
