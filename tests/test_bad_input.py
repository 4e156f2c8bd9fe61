"""Junk in, no crash out: generated garbage posted to every form and to every list's query.

Routes come from ``app.url_map`` (core and every installed plugin). Logged in as a superuser and
as a plain role holder of the demo, every POST route receives unicode, huge strings, odd
numbers, malformed dates, empty values, repeated and unknown fields; every GET page without an
object id receives the same as query parameters. No answer may be a 500; a form sent back to
the user must say what is wrong; a rejected submission writes nothing at all.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text
from werkzeug.routing import IntegerConverter

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

#: A realistic id for each integer URL argument (one query per argument set; last row wins).
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
    ("leave_id",): "SELECT id FROM school_leave_leaves",
    ("entry_id",): "SELECT id FROM school_leave_log_entries",
    ("student_id",): "SELECT student_id FROM school_leave_contacts",
    ("student_id", "contact_id"): "SELECT student_id, id FROM school_leave_contacts",
    ("spec_id",): "SELECT id FROM property_reports_specs",
    ("catalogue_id",): "SELECT id FROM property_reports_catalogues",
    ("catalogue_id", "item_id"): "SELECT catalogue_id, id FROM property_reports_routine_items",
    ("plan_id",): "SELECT id FROM property_reports_plans",
    ("version_id",): "SELECT id FROM property_reports_plan_versions",
    ("version_id", "item_id"): "SELECT version_id, id FROM property_reports_plan_items",
    ("summary_id",): "SELECT id FROM property_reports_summaries",
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
            rows = self.db.session.execute(text(IDS[names])).all()
            if not rows:
                return None  # the demo has no such object (no attachment, no delivery)
            values.update(zip(names, rows[-1], strict=True))
        return self.app.url_map.bind("localhost").build(rule.endpoint, values, method=method)

    def client_for(self, username: str):
        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"demo account {username} cannot log in"
        return client


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

