"""Junk in, no crash out: generated garbage posted to every form and to every page's query.

Routes come from ``app.url_map`` (core and every installed plugin). Logged in as a superuser and
as plain role holders of the demo, every POST route receives unicode, huge strings, odd
numbers, malformed dates, empty values, repeated and unknown fields; every GET route receives
the same, in URL-sized values, as query parameters: the names its view reads and the names read
anywhere in the code. No answer may be a 500 or take seconds; a form sent back to the user must
say what is wrong; a rejected submission writes nothing at all, and a GET nothing either.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict

import pytest
from flask import has_request_context, request
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from core import ROOT
from core.access import is_static_endpoint

DEMO_PASSWORD = "danwei2026"

#: The world is built once per test and shared by all examples on purpose: junk that is
#: rejected must leave it untouched, which is what the tests check.
JUNK_SETTINGS = settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # one example walks every route: no shrinking
    database=None,
    # The same examples on every run, so CI is reproducible; change the examples by changing
    # the strategies, and raise max_examples when hunting (it found the reconcile issue in the
    # closing note of 2026-11-23).
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Routes whose side effect is the session itself, not data.
SKIPPED = {"auth.logout", "auth.login", "auth.set_language", "home.switch_unit"}
#: The only GETs that write: exporting the audit log is itself recorded in the audit log.
AUDITED_GETS = {"admin.audit_export"}

#: A realistic id for each of core's integer URL arguments (one query per argument set; last
#: row wins). Plugins declare theirs (``DANWEI_URL_ARGS``); a fixture adds them.
IDS = {
    ("unit_id",): "SELECT id FROM units WHERE code = 'demo-g1-c1'",
    ("user_id",): "SELECT id FROM users WHERE username = 'sl_student4'",
    ("assignment_id",): "SELECT id FROM role_assignments",
    ("role_id",): "SELECT id FROM roles",
    ("holiday_id",): "SELECT id FROM holidays",
    ("instance_id",): "SELECT id FROM workflow_instances WHERE state = 'pending'",
    ("attachment_id",): "SELECT id FROM attachments",
    ("note_id",): "SELECT id FROM notifications",
    ("delivery_id",): "SELECT id FROM notification_deliveries",
    ("run_id",): "SELECT id FROM task_runs",
}
TEXT_ARGS = {"name": "school_leave", "plugin": "school_leave", "key": "x", "fmt": "csv",
             "code": "en", "filename": "x", "event": "exit", "token": "x" * 20,
             "report_id": None}  # the first report declared, filled in by World

#: Query parameters lists commonly read, tried on every list besides the ones its page shows.
QUERY_NAMES = ("page", "per_page", "q", "unit", "unit_id", "status", "state", "kind", "from",
               "to", "start", "end", "date", "day", "month", "period", "year", "sort", "user",
               "student", "plugin", "action", "cadence", "department", "report")

ODD = st.sampled_from([
    "", " ", "0", "-1", "-0", "1e309", "NaN", "inf", "2**64", "99999999999999999999999",
    "2026-02-30", "2026-13-01", "0000-00-00", "31/12/2026", "2026-01-01T25:61", "9999-99-99",
    "2026-W60", "null", "None", "true", "[]", "{}", "<script>alert(1)</script>",
    "' OR 1=1 --", "%s%s%n", "../../etc/passwd", "\u202e\u200b", "😀" * 10, "１２３",
])
JUNK = st.one_of(
    ODD,
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.integers(min_value=1000, max_value=200_000).map(lambda n: "字" * n),
    st.dates().map(str),
)
VALUE = st.one_of(JUNK, st.lists(JUNK, min_size=2, max_size=3))
#: Query strings stay short: servers refuse a longer request line (gunicorn: 4 kB, nginx: 8 kB),
#: and a test sending the megabytes a form may receive spends its time encoding URLs.
QUERY_JUNK = st.one_of(
    ODD,
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    st.integers(min_value=100, max_value=300).map(lambda n: "字" * n),
    st.dates().map(str),
)
QUERY_VALUE = st.one_of(QUERY_JUNK, st.lists(QUERY_JUNK, min_size=2, max_size=3))
#: How the code reads a parameter: ``request.args.get("unit")``, ``args["type"]``,
#: ``arg_int("page", 1)``, ``request.values.getlist("ids")``.
READ = re.compile(r'(?:args|values|form)(?:\.get|\.getlist)?[(\[]\s*"(\w+)"|arg_ints?\(\s*"(\w+)"')
#: A GET that takes longer than this is a page a user can make hang a worker.
SLOW_SECONDS = 10
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
ERROR = re.compile(r"invalid-feedback|alert-danger|alert-warning|text-danger|data-testid=\"error-page\"")


def count_rows(db) -> dict[str, int]:
    existing = set(inspect(db.engine).get_table_names())
    tables = [t.name for t in db.metadata.sorted_tables if t.name in existing]
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    return dict(zip(tables, db.session.execute(text(sql)).one(), strict=True))


class World:
    def __init__(self, app, db):
        from core.demo import load_demo
        from core.reports import registry

        self.app, self.db = app, db
        load_demo()
        self.text_args = {**TEXT_ARGS, "report_id": sorted(registry.reports())[0]}

    def url(self, rule, method: str) -> str | None:
        names = tuple(n for n, c in rule._converters.items() if isinstance(c, IntegerConverter))
        values = {n: self.text_args[n] for n in rule.arguments if n not in names}
        if names:
            own = PLUGIN_IDS.get(rule.endpoint.split(".")[0], {})
            rows = self.db.session.execute(text(own.get(names) or IDS[names])).all()
            if not rows:
                return None  # the demo has no such object (no attachment, no delivery)
            values.update(zip(names, rows[-1], strict=True))
        return self.app.url_map.bind("localhost").build(rule.endpoint, values, method=method)

    def client_for(self, username: str):
        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"demo account {username} cannot log in"
        return client


#: Each plugin's own declarations, by plugin name (two plugins may both name an ``item_id``).
PLUGIN_IDS: dict[str, dict[tuple[str, ...], str]] = {}
ANY_UNIT = "(SELECT id FROM units)"


@pytest.fixture(autouse=True)
def declared_by_plugins(request, monkeypatch):
    """Ids for the URL arguments plugins declare (``DANWEI_URL_ARGS``, objects of any unit),
    so that a new plugin needs no edit here."""
    if "app" not in request.fixturenames:
        return
    from core.testing_kit import url_args, url_args_of

    app = request.getfixturevalue("app")
    for key, sql in url_args(app).items():
        if key not in IDS:
            monkeypatch.setitem(IDS, key, sql.replace(":units", ANY_UNIT))
    for plugin in app.extensions["danwei"].loaded:
        monkeypatch.setitem(PLUGIN_IDS, plugin, {
            key: sql.replace(":units", ANY_UNIT) for key, sql in url_args_of(app, plugin).items()})


@pytest.fixture
def world(app, db):
    return World(app, db)


def rules_with(app, method: str, scoped: bool | None = None):
    found = []
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or is_static_endpoint(rule.endpoint):
            continue
        if rule.endpoint in SKIPPED or rule.endpoint == "reports.chartjs":
            continue
        has_ids = any(isinstance(c, IntegerConverter) for c in rule._converters.values())
        if scoped is None or has_ids == scoped:
            found.append(rule)
    return found


def fields_of(client, url: str) -> list[str]:
    """The names of the inputs the GET page of *url* offers (none if it has no GET page)."""
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    return sorted(set(FIELD.findall(response.get_data(as_text=True))) - {"csrf_token"})


def take_flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [category for category, _ in session.pop("_flashes", [])]


def forms(draw, names, junk=JUNK, value=VALUE):
    data = {name: draw(value) for name in names if draw(st.booleans())}
    data.update(draw(st.dictionaries(st.text(min_size=1, max_size=12), junk, max_size=3)))
    return data


@st.composite
def query_strings(draw, names: list[str]) -> dict:
    return forms(draw, names, QUERY_JUNK, QUERY_VALUE)


def test_every_integer_argument_has_an_id(app):
    """A route with a new kind of id fails here until ``IDS`` knows where to find one."""
    unknown = {
        tuple(n for n, c in rule._converters.items() if isinstance(c, IntegerConverter))
        for rule in app.url_map.iter_rules()
    } - set(IDS) - {()}
    text_args = {n for rule in app.url_map.iter_rules() if not is_static_endpoint(rule.endpoint)
                 for n, c in rule._converters.items() if not isinstance(c, IntegerConverter)}
    assert not unknown, f"add these URL arguments to IDS in tests/test_bad_input.py: {unknown}"
    assert text_args <= set(TEXT_ARGS), f"unknown text arguments: {text_args - set(TEXT_ARGS)}"


@pytest.mark.parametrize("username", ["admin", "sl_teacher", "pr_eng"])
def test_junk_posted_to_every_form(app, db, world, username):
    client = world.client_for(username)
    targets = []
    for rule in rules_with(app, "POST"):
        url = world.url(rule, "POST")
        if url is not None:
            get_url = url if "GET" in rule.methods else None
            targets.append((url, fields_of(client, get_url) if get_url else []))
    assert len(targets) > 40

    @JUNK_SETTINGS
    @given(data=st.data())
    def post_junk(data):
        for url, names in targets:
            payload = forms(data.draw, names)
            before = count_rows(db)
            response = client.post(url, data=payload)
            flashed = take_flashes(client)
            db.session.rollback()  # see what the request committed, not a stale snapshot
            where = f"{username} POST {url} {sorted(payload)}"
            assert response.status_code != 500, f"{where} → 500"
            refused = {"danger", "warning", "error"} & set(flashed) and "success" not in flashed
            accepted = response.status_code in (302, 303) and not refused
            # A 200 without any submit button pressed is the page shown again, not a verdict.
            pressed = any(name.endswith("submit") for name in payload)
            verdict = response.status_code in (400, 422) or (
                response.status_code == 200 and pressed)
            if verdict and response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                assert ERROR.search(body) or flashed, f"{where} re-rendered without an error"
            if not accepted:
                assert count_rows(db) == before, f"{where} rejected, yet wrote rows"

    post_junk()
    assert client.get("/").status_code == 200, "the junk logged the user out"



class RecordingArgs(ImmutableMultiDict):
    """Query parameters that note, per endpoint, every name the view asks for."""

    #: endpoint → the names its view read; filled by the requests of one test.
    read: dict[str, set[str]] = defaultdict(set)

    def _note(self, key) -> None:
        if has_request_context() and request.endpoint and isinstance(key, str):
            self.read[request.endpoint].add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)


def names_in_source() -> set[str]:
    """Every parameter name the code of core and of the plugins reads somewhere."""
    found = set()
    for folder in (ROOT / "core", ROOT / "plugins"):
        for path in folder.rglob("*.py"):
            if "tests" not in path.parts:
                found.update(n for pair in READ.findall(path.read_text()) for n in pair if n)
    return found


@pytest.fixture
def recorded(app):
    """The names each view read from the query string, as they are read."""
    RecordingArgs.read = defaultdict(set)
    app.request_class = type("RecordingRequest", (app.request_class,),
                             {"parameter_storage_class": RecordingArgs})
    return RecordingArgs.read


@pytest.mark.parametrize("username", ["admin", "sl_teacher", "pr_eng"])
def test_junk_in_every_query_string(app, db, world, recorded, username):
    client = world.client_for(username)
    targets = []
    for rule in rules_with(app, "GET"):
        url = world.url(rule, "GET")
        if url is not None:
            # A first look records the names the view reads (a form reads a non-empty query).
            client.get(url, query_string={"_": "1"})
            targets.append((url, rule.endpoint))
    assert len(targets) > 60
    names = sorted(names_in_source().union(QUERY_NAMES, *recorded.values()))

    # One query string per example, sent to every page. Drawing one per page exceeds the data
    # hypothesis allows one example: it then drops the example and starts the walk again, many
    # times, which with the megabyte values of forms looked like a hang.
    @settings(JUNK_SETTINGS, max_examples=5)
    @example(query=dict.fromkeys(names, "99999999999999999999"))  # beyond any id
    @example(query=dict.fromkeys(names, "0001-01-01"))  # the first and the last day of datetime
    @example(query=dict.fromkeys(names, "9999-12-31"))
    @given(query=query_strings(names))
    def get_junk(query):
        for url, endpoint in targets:
            before = count_rows(db)
            started = time.monotonic()
            response = client.get(url, query_string=query)
            for _ in response.iter_encoded():  # a streamed export runs while it is read
                if time.monotonic() - started > SLOW_SECONDS:
                    break
            response.close()
            took = time.monotonic() - started
            db.session.rollback()
            where = f"{username} GET {url} {sorted(query)}"
            assert response.status_code != 500, f"{where} → 500"
            assert took < SLOW_SECONDS, f"{where} took {took:.0f} s"
            after = count_rows(db)
            if endpoint in AUDITED_GETS:
                before.pop("audit_events"), after.pop("audit_events")
            assert after == before, f"{where} changed the number of rows"

    get_junk()
    assert client.get("/").status_code == 200, "the junk logged the user out"


def test_a_line_of_tabs_in_a_breakdown_does_not_hang_a_worker(app):
    """The parser of ``category: value`` lines once backtracked for minutes on such a line."""
    from danwei_property_reports.metrics import parse_breakdown

    with app.test_request_context():
        started = time.monotonic()
        lines, problems = parse_breakdown("维修" + "\t" * 1500 + "x\n保洁\t3", "count")
        took = time.monotonic() - started
    assert took < 1, f"took {took:.1f} s"
    assert lines == [("保洁", 3)] and len(problems) == 1


#: ``<input type=…>`` of the date fields, and the calendar's ends in each one's format.
DATE_INPUT = re.compile(r'<input\b[^>]*\btype="(date|datetime-local|month)"[^>]*>')
EDGES = {"date": ("0001-01-01", "9999-12-31"),
         "datetime-local": ("0001-01-01T00:00", "9999-12-31T23:59"),
         "month": ("0001-01", "9999-12")}


@pytest.mark.parametrize("username", ["admin", "sl_teacher", "sl_student4", "pr_eng"])
def test_the_first_and_the_last_year_in_every_date_field(app, db, world, username):
    """Year 1 and year 9999 in every date input of every form: a field error, never a 500
    (they overflow when a wall-clock time becomes UTC) and nothing written."""
    client = world.client_for(username)
    tried = 0
    for rule in rules_with(app, "POST"):
        url = world.url(rule, "POST")
        if url is None or "GET" not in rule.methods:
            continue
        page = client.get(url)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        body = page.get_data(as_text=True)
        dates = {}
        for tag in DATE_INPUT.finditer(body):
            name = re.search(r'\bname="([^"]+)"', tag.group(0))
            if name:
                dates[name.group(1)] = tag.group(1)
        if not dates:
            continue
        others = {name: "1" for name in FIELD.findall(body) if name not in dates}
        submit = [n for n in others if n.endswith("submit")]
        for edge in (0, 1):
            payload = {**others, **{n: EDGES[kind][edge] for n, kind in dates.items()}}
            payload.update(dict.fromkeys(submit[:1], "x"))
            before = count_rows(db)
            response = client.post(url, data=payload)
            take_flashes(client)
            db.session.rollback()
            assert response.status_code != 500, f"{username} POST {url} {payload} → 500"
            assert count_rows(db) == before, f"{username} POST {url} {payload} wrote rows"
            tried += 1
    assert tried >= 2, "no form with a date field was tried"


def test_every_date_field_comes_from_core_forms():
    """WTForms' own date fields accept year 1 and 9999; only :mod:`core.forms` may use them."""
    unbounded = re.compile(r"\b(DateField|DateTimeField|DateTimeLocalField|MonthField)\b")
    imports = re.compile(r"from wtforms(?:\.fields)?(?:\.\w+)? import \(?([^)]*?)(?:\)|$)",
                         re.MULTILINE | re.DOTALL)
    offenders = []
    for folder in (ROOT / "core", ROOT / "plugins"):
        for path in folder.rglob("*.py"):
            if path == ROOT / "core" / "forms.py" or ".venv" in path.parts:
                continue
            text_ = path.read_text()
            for names in imports.findall(text_):
                if unbounded.search(names):
                    offenders.append(str(path.relative_to(ROOT)))
            if re.search(r"\bwtforms\.(fields\.)?(DateField|DateTimeField|DateTimeLocalField|"
                         r"MonthField)\b", text_):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"import date fields from core.api instead: {sorted(set(offenders))}"
