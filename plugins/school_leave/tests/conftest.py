"""The school of the leave tests (see :mod:`danwei_school_leave.testing` for the helpers)."""

from functools import partial

import pytest
from danwei_school_leave.testing import make_school

from core.testing import TEST_PASSWORD


@pytest.fixture
def school(app, db, create_unit, create_user, enable_plugin):
    return make_school(app, db, create_unit, create_user, partial(enable_plugin, "school_leave"),
                       TEST_PASSWORD)
