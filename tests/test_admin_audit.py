"""The audit log viewer: scope, filters, order, pagination and the CSV export."""

import csv
import io
import threading
from datetime import datetime
from types import SimpleNamespace

import pytest

from core.models import AuditEvent


@pytest.fixture
def world(app, db, create_unit, create_user):
    a = create_unit("sa", "School A", "school")
    a1 = create_unit("sa-c1", "A Class 1", "class", a)
    b = create_unit("sb", "School B", "school")
    teacher = create_user("teacher", unit=a1)
    db.session.query(AuditEvent).delete()  # factories audit too; start from a clean log
    db.session.commit()

    def event(action, unit=None, summary="", at=None, actor=None):
        db.session.add(AuditEvent(action=action, plugin=action.split(".")[0], unit=unit,
                                  summary=summary, actor=actor, at=at or datetime(2020, 3, 1)))

    event("core.user_created", a, "created pupil zhang", datetime(2020, 3, 1, 2), teacher)
    event("core.role_assigned", a1, "li ← teacher", datetime(2020, 3, 5, 2), teacher)
    event("school_leave.approve", a1, "=HYPERLINK(\"x\") leave of wang", datetime(2020, 3, 9, 2))
    event("core.user_created", b, "created pupil in B", datetime(2020, 3, 2, 2))
    event("core.login", None, "teacher logged in", datetime(2020, 3, 3, 2), teacher)
    db.session.commit()
    return SimpleNamespace(a=a, a1=a1, b=b)


def summaries(response):
    table = response.text.split('data-testid="audit-events"')[1].split("</tbody>")[0]
    return [cell.split("</div>")[0] for cell in table.split('<div class="audit-summary">')[1:]]


def test_scoped_newest_first(client, world, login_as):
    login_as("core.auditor", world.a, username="aud")
    found = summaries(client.get("/admin/audit"))
    # login_as audits the auditor's role assignment in school A: it comes first (newest).
    assert found[1:] == ['=HYPERLINK(&#34;x&#34;) leave of wang', "li ← teacher",
                         "created pupil zhang"]
    assert "created pupil in B" not in found and "teacher logged in" not in found


def test_superuser_also_sees_events_without_unit(client, world, create_user, login):
    create_user("root", is_superuser=True)
    login("root")
    found = summaries(client.get("/admin/audit"))
    assert "teacher logged in" in found and "created pupil in B" in found


@pytest.mark.parametrize("query, expected", [
    ("action=core.user", ["created pupil zhang"]),
    ("plugin=school_leave", ['=HYPERLINK(&#34;x&#34;) leave of wang']),
    ("actor=TEACHER", ["li ← teacher", "created pupil zhang"]),
    ("unit=sa-c1", ['=HYPERLINK(&#34;x&#34;) leave of wang', "li ← teacher"]),
    ("unit=sb", []),
    ("start=2020-03-05&end=2020-03-05", ["li ← teacher"]),
    ("q=PUPIL", ["created pupil zhang"]),
])
def test_filters(client, world, login_as, query, expected):
    login_as("core.auditor", world.a, username="aud")
    response = client.get(f"/admin/audit?{query}")
    if expected:
        assert summaries(response) == expected
    else:
        assert 'data-testid="empty"' in response.text


def test_dates_are_local_days(client, world, login_as, db):
    # 2020-03-09 23:30 in Shanghai is 15:30 UTC; 2020-03-10 00:30 is 16:30 UTC on the 9th.
    db.session.add(AuditEvent(action="core.x", plugin="core", unit=world.a, summary="late",
                              at=datetime(2020, 3, 9, 15, 30)))
    db.session.add(AuditEvent(action="core.x", plugin="core", unit=world.a, summary="next day",
                              at=datetime(2020, 3, 9, 16, 30)))
    db.session.commit()
    login_as("core.auditor", world.a, username="aud")
    found = summaries(client.get("/admin/audit?action=core.x&start=2020-03-09&end=2020-03-09"))
    assert found == ["late"]


def test_pagination(client, world, login_as, db):
    for i in range(30):
        db.session.add(AuditEvent(action="core.bulk", plugin="core", unit=world.a,
                                  summary=f"bulk {i:02d}", at=datetime(2020, 4, 1, 0, i)))
    db.session.commit()
    login_as("core.auditor", world.a, username="aud")
    first = client.get("/admin/audit?action=core.bulk")
    assert summaries(first)[0] == "bulk 29" and len(summaries(first)) == 25
    assert "Page 1 of 2" in first.text
    assert summaries(client.get("/admin/audit?action=core.bulk&page=2"))[-1] == "bulk 00"


def test_csv_export_of_the_filtered_rows(client, world, login_as):
    login_as("core.auditor", world.a, username="aud")
    page = client.get("/admin/audit?unit=sa-c1").text
    assert "/admin/audit.csv?unit=sa-c1" in page
    response = client.get("/admin/audit.csv?unit=sa-c1")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["summary"] for r in rows] == ["'=HYPERLINK(\"x\") leave of wang", "li ← teacher"]
    assert rows[1]["actor"] == "teacher" and rows[1]["unit"] == "sa-c1"
    assert rows[1]["time"] == "2020-03-05 10:00:00"  # shown in Asia/Shanghai
    b_only = client.get("/admin/audit.csv?unit=sb").get_data(as_text=True)
    assert "created pupil in B" not in b_only


def test_people_without_view_audit_are_refused(client, world, login_as):
    login_as(None, world.a1)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def outside_app_context(call):
    """Run *call* in a thread of its own, as a server would: the request's application context
    (and its database session) ends when the view returns, before the body is streamed. The
    test's own application context would otherwise keep the session alive throughout."""
    out = []
    worker = threading.Thread(target=lambda: out.append(call()))
    worker.start()
    worker.join()
    assert out, "the request failed (see the thread's exception above)"
    return out[0]


def test_csv_export_streams_every_row_to_the_end(client, world, login_as, db):
    """More rows than one fetch batch: the stream must outlive the request's commit and reach
    the last (oldest) row, on both databases (it used to stop with DetachedInstanceError)."""
    login_as("core.auditor", world.a, username="aud")
    for i in range(1234):
        db.session.add(AuditEvent(action="core.test", plugin="core", unit=world.a1,
                                  summary=f"row {i}", at=datetime(2021, 1, 1, 0, 0, i % 60)))
    db.session.add(AuditEvent(action="core.test", plugin="core", unit=world.a1,
                              summary="the very last", at=datetime(2019, 1, 1)))
    db.session.commit()
    body = outside_app_context(lambda: client.get("/admin/audit.csv?unit=sa").get_data(True))
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert sum(r["summary"].startswith("row ") for r in rows) == 1234
    assert rows[-1]["summary"] == "the very last"


def test_csv_export_neutralises_every_formula_start(client, world, login_as, db):
    """The audit CSV and the reports share one rule: tab and carriage return count too."""
    login_as("core.auditor", world.a, username="aud")
    for text in ("\t=1+1", "\r=1+1", "+1", "@SUM(A1)"):
        db.session.add(AuditEvent(action="core.test", plugin="core", unit=world.a1,
                                  summary=text, at=datetime(2022, 1, 1)))
    db.session.commit()
    body = client.get("/admin/audit.csv?action=core.test").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"), newline="")))
    assert sorted(r["summary"] for r in rows) == sorted(
        ["'\t=1+1", "'\r=1+1", "'+1", "'@SUM(A1)"])
