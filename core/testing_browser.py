"""The real-browser test kit: the intranet served on 127.0.0.1, driven by Debian's Chromium.

Part of core's pytest plugin (``core.testing`` loads it), so these fixtures are available to the
tests of core and of every plugin, installed from a checkout or from PyPI, without a
``conftest.py``. Playwright is imported only when a test asks for a browser: the rest of the
plugin works where Playwright is not installed.

Browser tests are marked ``@pytest.mark.browser`` (``-m browser`` selects them, ``-m "not
browser"`` leaves them out); a test using one of these fixtures gets the mark even if its module
forgets it. The fixtures:

``live_server``
    The ``app`` fixture's application served by werkzeug on 127.0.0.1 and a free port, in a
    thread. Same database and plugins as ``app``, so ``create_unit``, ``create_user`` and
    ``db`` work as in any test; data must be committed before the browser asks for it. CSRF
    protection is on, as in production. ``live_server.url`` is the base URL and
    ``live_server.url_for(endpoint, **values)`` an absolute URL.
``browser`` (session)
    Chromium started once, through Playwright's sync API, from ``/usr/bin/chromium``
    (``make browser-deps`` installs it; Playwright never downloads a browser here). Without it
    the test is skipped, or fails when the ``CI`` environment variable is set.
``page``, ``phone``
    A fresh browser context (own cookies) and page whose base URL is the live server, so
    ``page.goto("/login")`` works: a 1280×800 desktop, or a 390×844 touch phone. Both speak
    English first (``Accept-Language: en-US``) and live in Asia/Shanghai. When the test fails,
    a screenshot and the page's HTML are saved under ``test-artifacts/`` of the rootdir.
``console_errors``
    Everything the test's pages logged as a console error (CSP violations, failed loads,
    uncaught exceptions), as ``"<url>: <text>"``. Assert it is empty after each page you
    visit; whatever is left at the end of the test fails it, so a test that provokes an error
    on purpose clears the list after checking it.
``log_in``
    ``log_in(page, user, password=TEST_PASSWORD)`` logs in through the real form.
``new_page``
    ``new_page()`` (or ``new_page(phone=True)``) opens one more page with its own cookies, for
    a second person acting in the same test; closed at the end of the test.
``accessibility``
    What the automatic accessibility check saw (:mod:`core.testing_a11y`): every HTML page the
    live server sends to ``page``, ``phone`` or ``new_page()`` is checked by axe-core, for WCAG
    2.1 A and AA, when it has loaded. ``accessibility.violations`` must be empty when the test
    ends (the failure lists each rule, element and help); ``accessibility.checked`` lists the
    URLs checked. A page changed by the test after loading (a menu opened, a form's errors) is
    checked with ``assert_accessible(page)``, imported from this module.

Use Playwright's ``expect(...)`` assertions (they wait, up to ``TIMEOUT``) after a click that
loads a page, rather than reading the page at once.

To serve a throwaway plugin, override ``app`` in the test module, as ``make_plugin`` must run
before the application is built::

    @pytest.fixture
    def app(make_plugin, make_app):
        make_plugin("wf_demo1", SOURCE)
        application = make_app()
        with application.app_context():
            yield application
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, url_for
from werkzeug.serving import make_server

from . import testing_a11y
from .testing import TEST_PASSWORD
from .testing_a11y import assert_accessible as assert_accessible  # part of the kit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: Milliseconds Playwright waits for an element or a navigation before failing.
TIMEOUT = 10_000

#: Test reports by phase ("setup", "call", "teardown"), kept for the fixtures' teardown.
REPORTS = pytest.StashKey[dict]()
#: Pages checked for accessibility in the session, and the violations found, for the summary.
CHECKED = pytest.StashKey[list]()


def pytest_configure(config):
    # Also here, not only in the project's pyproject.toml: a plugin's own test run, with
    # --strict-markers, must know the mark.
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by mark
def pytest_collection_modifyitems(items):
    """A test using the browser (directly or through ``page``, ``phone``...) is a browser test."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def _failed(item) -> bool:
    reports = item.stash.get(REPORTS, {})
    return any(r.failed for r in reports.values())


# -- the server ---------------------------------------------------------------------------------


@dataclass
class LiveServer:
    #: The application being served (the ``app`` fixture's).
    app: Flask
    #: ``http://127.0.0.1:<port>``, without a trailing slash.
    url: str

    def url_for(self, endpoint: str, **values) -> str:
        with self.app.test_request_context():
            return self.url + url_for(endpoint, **values)


class _InFlight:
    """WSGI middleware counting requests being served, so teardown can wait for them.

    Otherwise a request still running after the test (the browser may have fired it just
    before closing) would hold database locks while the next test empties the tables.
    """

    def __init__(self, app):
        self.app = app
        self.active = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.active += 1
        try:
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self.changed:
                self.active -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.active == 0, timeout=timeout)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The ``app`` fixture's application, served over HTTP in a background thread."""
    app.config["WTF_CSRF_ENABLED"] = True  # a real browser posts real forms, tokens included
    tracker = _InFlight(app)
    server = make_server("127.0.0.1", 0, tracker, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert tracker.wait_idle(timeout=10), "the live server is still serving a request"


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Chromium, started once for the session."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing: run `make browser-deps`")
    try:  # imported here, so that core's pytest plugin loads where Playwright is not installed
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright is missing: pip install 'danwei[test]'")
    expect.set_options(timeout=TIMEOUT)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def _unavailable(message: str):
    """Skip the test for want of a browser tool, or fail it in CI (``CI`` is set)."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def accessibility(request) -> Iterator[testing_a11y.Watch]:
    """What axe-core found on the test's pages; no violation may be left when the test ends."""
    try:
        testing_a11y.axe_source()
    except FileNotFoundError as exc:
        _unavailable(str(exc))
    seen = testing_a11y.Watch()
    yield seen
    request.config.stash.setdefault(CHECKED, []).append(seen)
    if _failed(request.node):
        return  # the test's own failure says enough
    if seen.errors:
        pytest.fail(f"axe-core could not check a page: {seen.errors}", pytrace=False)
    if seen.violations:
        pytest.fail(testing_a11y.describe(seen.violations), pytrace=False)


def pytest_terminal_summary(terminalreporter, config):
    watches = config.stash.get(CHECKED, [])
    if watches:
        pages = sum(len(w.checked) for w in watches)
        found = sum(len(v.nodes) for w in watches for v in w.violations)
        left = sum(w.unchecked for w in watches)
        terminalreporter.write_line(
            f"accessibility (axe-core, WCAG 2.1 A/AA): {pages} pages checked, "
            f"{found} elements in violation, {left} left before they loaded")


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    """The console errors of the test's pages; must be empty when the test ends."""
    errors: list[str] = []
    yield errors
    assert errors == [], "the browser reported errors (see above)"


def _open_page(browser, live_server, console_errors, accessibility, request, name, **options):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai", **options
    )
    context.set_default_timeout(TIMEOUT)
    testing_a11y.watch(context, live_server.url, accessibility)
    page = context.new_page()

    def on_console(message):
        if message.type == "error":
            source = message.location.get("url") if message.location else ""
            where = f" ({source})" if source and source != page.url else ""
            console_errors.append(f"{page.url}: {message.text}{where}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"{page.url}: uncaught {error}"))
    try:
        yield page
    finally:
        if _failed(request.node):
            _save_artifacts(page, request, name)
        context.close()


def _save_artifacts(page, request, name: str) -> None:
    folder = Path(request.config.rootpath) / "test-artifacts"
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid).strip("_") + f"-{name}"
    try:
        page.screenshot(path=str(folder / f"{stem}.png"), full_page=True)
        (folder / f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - a closed page must not hide the real failure
        (folder / f"{stem}.txt").write_text(f"no screenshot: {exc}\n", encoding="utf-8")


#: Browser context options of a desktop and of a phone.
DESKTOP_OPTIONS = {"viewport": DESKTOP}
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True,
                 "device_scale_factor": 2}


@pytest.fixture
def page(browser, live_server, console_errors, accessibility, request):
    """A desktop browser page on the live server."""
    yield from _open_page(browser, live_server, console_errors, accessibility, request, "page",
                          **DESKTOP_OPTIONS)


@pytest.fixture
def phone(browser, live_server, console_errors, accessibility, request):
    """A phone-sized touch browser page on the live server."""
    yield from _open_page(browser, live_server, console_errors, accessibility, request, "phone",
                          **PHONE_OPTIONS)


@pytest.fixture
def new_page(browser, live_server, console_errors, accessibility, request):
    """``new_page(phone=False)``: one more page, with its own cookies, for a second person."""
    opened = []

    def open_page(phone: bool = False):
        pages = _open_page(browser, live_server, console_errors, accessibility, request,
                           f"new_page{len(opened) + 1}",
                           **(PHONE_OPTIONS if phone else DESKTOP_OPTIONS))
        opened.append(pages)
        return next(pages)

    yield open_page
    for pages in reversed(opened):
        next(pages, None)  # closes the page's context (and saves artifacts if the test failed)


@pytest.fixture
def log_in():
    """``log_in(page, user, password=TEST_PASSWORD)``: log in through the form, in any language."""

    def do(page, user, password: str = TEST_PASSWORD) -> None:
        page.goto("/login")
        page.locator("main input[name=username]").fill(getattr(user, "username", user))
        page.locator("main input[name=password]").fill(password)
        page.locator("main form [type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return do
