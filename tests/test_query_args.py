"""Numbers from the URL: junk, negative or too large ids and pages are ignored or a 404, never a 500.

A number beyond the database's INTEGER columns fails in the database (SQLite: "Python int too
large to convert to SQLite INTEGER"; PostgreSQL: "integer out of range"), so views read ids and
pages with ``core.api.arg_int`` and ``<int:...>`` in a route stops at ``MAX_ID``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from core.access import is_static_endpoint
from core.api import MAX_ID, arg_int, arg_ints

DEMO_PASSWORD = "danwei2026"
HUGE = "99999999999999999999"

#: What people and robots put where a number belongs.
JUNK = (HUGE, str(MAX_ID + 1), str(MAX_ID), "-" + HUGE, "-1", "0", "", " ", "abc", "1.5", "1e3",
        "9" * 5000)

#: Lists and pages that read a number from the query string, by the demo account that sees them.
QUERIES = {
    "admin": [
        ("/admin/users", ("unit", "page")),
        ("/admin/users/new", ("unit",)),
        ("/admin/units/new", ("parent",)),
        ("/admin/assignments", ("unit",)),
        ("/admin/settings", ("unit",)),
        ("/admin/settings/core", ("unit",)),
        ("/admin/audit", ("page",)),
        ("/notifications/", ("page",)),
        ("/notifications/deliveries", ("page",)),
        ("/inbox/", ("page",)),
        ("/inbox/submitted", ("page",)),
        ("/calendar/", ("year",)),
    ],
    "sl_affairs": [
        ("/school_leave/", ("unit", "page")),
        ("/school_leave/students", ("unit", "page")),
        ("/school_leave/settings", ("unit",)),
        ("/school_leave/to-sign", ("unit", "page")),
        ("/reports/school_leave.by_unit", ("unit",)),
    ],
    "sl_teacher": [
        ("/school_leave/log", ("unit",)),
        ("/school_leave/calls/new", ("student",)),
    ],
    "pr_eng": [
        ("/property_reports/specs", ("unit", "page")),
        ("/property_reports/specs/new", ("source",)),
        ("/property_reports/summaries", ("unit", "page")),
        ("/property_reports/summaries/new", ("unit",)),
        ("/property_reports/plans", ("unit", "page")),
        ("/property_reports/plans/new", ("unit",)),
    ],
    "pr_boss": [
        ("/property_reports/evaluation", ("months",)),
        ("/reports/property_reports.company_monthly", ("unit",)),
    ],
}


@pytest.fixture
def demo(app, db):
    from core.demo import load_demo

    load_demo()


def client_for(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"demo account {username} cannot log in"
    return client


def test_arg_int_keeps_only_numbers_in_range(app):
    with app.test_request_context("/?page=3&unit=" + HUGE + "&neg=-4&word=x&ids=2&ids=x&ids=2"
                                  "&ids=" + HUGE + "&ids=1&max=" + str(MAX_ID)):
        assert arg_int("page", 1) == 3
        assert arg_int("unit") is None
        assert arg_int("unit", 7) == 7
        assert arg_int("neg", 1) == 1
        assert arg_int("neg", low=-10) == -4
        assert arg_int("word", 0) == 0
        assert arg_int("missing") is None
        assert arg_int("page", 1, high=2) == 1
        assert arg_int("max") == MAX_ID
        assert arg_ints("ids") == [1, 2]
        assert arg_int("page", args={"page": "5"}) == 5


@pytest.mark.parametrize("username", sorted(QUERIES))
def test_junk_numbers_in_the_query_string_never_fail(app, db, demo, username):
    client = client_for(app, username)
    for url, names in QUERIES[username]:
        assert client.get(url).status_code in (200, 302), f"{username} cannot see {url}"
        for name in names:
            for value in JUNK:
                response = client.get(url, query_string={name: value})
                db.session.rollback()
                assert response.status_code in (200, 302, 404), \
                    f"{username} GET {url}?{name}={value[:30]} → {response.status_code}"


def test_huge_ids_in_the_path_are_not_found(app, db, demo):
    client = client_for(app, "admin")
    tried = 0
    for rule in app.url_map.iter_rules():
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not ints or is_static_endpoint(rule.endpoint):
            continue
        values = {n: "x" for n in rule.arguments}
        for method in sorted(rule.methods & {"GET", "POST"}):
            for number in (HUGE, str(MAX_ID + 1), str(MAX_ID)):
                url = app.url_map.bind("localhost").build(
                    rule.endpoint, {**values, **dict.fromkeys(ints, number)}, method=method)
                response = client.open(url, method=method)
                db.session.rollback()
                assert response.status_code == 404, f"{method} {url} → {response.status_code}"
                tried += 1
    assert tried > 100
    assert client.get("/school_leave/leave/" + HUGE).status_code == 404


def test_the_largest_id_reaches_the_database(db):
    """``MAX_ID`` is the largest value an id column holds on both databases."""
    found = db.session.execute(text("SELECT id FROM units WHERE id = :id"), {"id": MAX_ID}).all()
    assert found == []
