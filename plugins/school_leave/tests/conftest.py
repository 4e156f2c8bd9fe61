"""The school of the leave tests (see :mod:`danwei_school_leave.testing` for the helpers)."""

import pytest
from danwei_school_leave.testing import make_school

from core import units
from core.testing import TEST_PASSWORD


def enable(unit):
    units.set_plugin_state("school_leave", unit, True)


@pytest.fixture
def school(app, db, create_unit, create_user):
    return make_school(app, db, create_unit, create_user, enable, TEST_PASSWORD)
