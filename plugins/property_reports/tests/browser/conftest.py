"""Core's real-browser test kit (``tests/browser/conftest.py``), lent to this plugin's tests.

The kit lives in the repository's ``tests/browser`` folder; its fixtures (``live_server``,
``browser``, ``page``, ``phone``, ``console_errors``, ``log_in``) are re-exported here so that
the browser tests of the plugin use exactly the same server and Chromium. Without the kit (the
plugin installed on its own) the browser tests are skipped.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[4] / "tests" / "browser" / "conftest.py"

if KIT.is_file():
    _spec = importlib.util.spec_from_file_location("danwei_browser_kit_property_reports", KIT)
    _kit = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _kit  # dataclasses look their module up there
    _spec.loader.exec_module(_kit)
    live_server = _kit.live_server
    browser = _kit.browser
    page = _kit.page
    phone = _kit.phone
    console_errors = _kit.console_errors
    log_in = _kit.log_in
    pytest_runtest_makereport = _kit.pytest_runtest_makereport
else:  # pragma: no cover - only outside the repository

    @pytest.fixture
    def page():
        pytest.skip("core's browser test kit (tests/browser/conftest.py) is not available")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
