"""Purging a school's leave: exported first, then gone, and nothing left pointing at it.

The plugin only declares its tables (``register_unit_data``); core removes the requests, their
notifications and attachments, and blanks the audit summaries about the purged leave.
"""

import io
import json
import re
from functools import partial
from pathlib import Path

import pytest
from danwei_school_leave.models import Leave
from danwei_school_leave.testing import make_school, monday
from PIL import Image
from sqlalchemy import column, or_, select, table

from core.api import Attachment, AuditEvent, WorkflowInstance
from core.testing import TEST_PASSWORD

DAY = monday()
#: Core's notifications table, as far as this test reads it.
NOTIFICATIONS = table("notifications", column("id"), column("user_id"), column("link"),
                      column("subject"), column("body"))


def file_with_note(school, reason):
    """A sick leave with a doctor's note, filed by the school's student; still waiting."""
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(png, "PNG")
    response = school.client("student").post("/school_leave/apply", data={
        "leave_type": "sick", "start": f"{DAY.isoformat()}T08:00",
        "end": f"{DAY.isoformat()}T08:45", "reason": reason,
        "notes": [(io.BytesIO(png.getvalue()), "note.png")], "submit": "x",
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    return school.leave(int(re.search(r"/leave/(\d+)", response.headers["Location"])[1]))


@pytest.fixture
def two_schools(app, db, school, create_unit, create_user, enable_plugin):
    other = make_school(app, db, create_unit, create_user, partial(enable_plugin, "school_leave"),
                        TEST_PASSWORD, prefix="ot")
    return school, other


def about(db, leave_id):
    """What points at *leave*: its requests, attachments, notifications and audit events."""
    requests = db.session.scalars(select(WorkflowInstance).where(
        WorkflowInstance.subject_type == "Leave",
        WorkflowInstance.subject_id == str(leave_id))).all()
    attachments = db.session.scalars(select(Attachment).where(
        Attachment.subject_type == "Leave", Attachment.subject_id == str(leave_id))).all()
    links = {f"/school_leave/leave/{leave_id}", *(f"/workflow/{r.id}" for r in requests)}
    subjects = [("Leave", [leave_id]), ("WorkflowInstance", [r.id for r in requests]),
                ("Attachment", [a.id for a in attachments])]
    return {
        "requests": requests,
        "attachments": attachments,
        "notifications": db.session.execute(
            select(NOTIFICATIONS).where(NOTIFICATIONS.c.link.in_(links))).all(),
        "events": db.session.scalars(select(AuditEvent).where(or_(*(
            (AuditEvent.subject_type == kind) & AuditEvent.subject_id.in_([str(i) for i in ids])
            for kind, ids in subjects)))).all(),
    }


@pytest.mark.parametrize("via", ["admin page", "command line"])
def test_purging_a_school_leaves_nothing_pointing_at_its_leave(app, db, two_schools, cli,
                                                              create_user, login, client,
                                                              tmp_path, via):
    school, other = two_schools
    leave = file_with_note(school, "Fever since last night")
    kept = file_with_note(other, "Dentist")
    before = about(db, leave.id)
    title = before["requests"][0].title
    assert school["student"].name in title
    assert before["attachments"] and before["notifications"] and before["events"]
    files = [Path(app.config["UPLOAD_DIR"]) / a.stored_name[:2] / a.stored_name
             for a in before["attachments"]]
    assert all(f.exists() for f in files)
    leave_id, request_id = leave.id, before["requests"][0].id

    code = school.units["s"].code
    if via == "admin page":
        login(create_user("root", is_superuser=True))
        done = client.post(f"/admin/plugins/school_leave/units/{school.units['s'].id}/purge",
                           data={"confirm": code}, follow_redirects=True)
        assert "deleted" in done.text
        [export] = (Path(app.instance_path) / "exports").glob(f"school_leave-{code}-*.json")
    else:
        result = cli("plugins", "purge", "school_leave", "--unit", code, "--to", tmp_path,
                     "--yes")
        assert result.exit_code == 0, result.output
        [export] = tmp_path.glob(f"school_leave-{code}-*.json")
    db.session.expire_all()

    # The export holds the rows, and what pointed at them as it was.
    exported = json.loads(export.read_text(encoding="utf-8"))
    assert [r["reason"] for r in exported["school_leave_leaves"]] == ["Fever since last night"]
    assert [r["title"] for r in exported["workflow_instances"]] == [title]
    assert exported["workflow_steps"] and exported["workflow_actions"]
    assert [r["filename"] for r in exported["attachments"]] == ["note.png"]
    assert {r["link"] for r in exported["notifications"]} <= {
        f"/school_leave/leave/{leave_id}", f"/workflow/{request_id}"}
    assert len(exported["notifications"]) == len(before["notifications"])
    assert len(exported["audit_events"]) == len(before["events"])
    assert (export.parent / f"{export.stem}-attachments" / files[0].name).exists()

    # Nothing left shows the leave or points at it.
    assert db.session.get(Leave, leave_id) is None
    gone = about(db, leave_id)
    assert gone["requests"] == [] and gone["attachments"] == []
    gone["events"] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.id.in_([e.id for e in before["events"]]))).all()
    assert gone["notifications"] == []
    assert not any(f.exists() for f in files)
    assert db.session.get(WorkflowInstance, request_id) is None
    for event in gone["events"]:  # who did what and when stays; what it was about does not
        assert event.summary.startswith("(purged with the school_leave data of")
        assert event.data == {}
    assert len(gone["events"]) == len(before["events"])
    people = [u.id for u in school.people.values()]
    for note in db.session.execute(
            select(NOTIFICATIONS).where(NOTIFICATIONS.c.user_id.in_(people))):
        assert title not in note.subject and title not in note.body
    monitor = school.client("monitor")
    assert title not in monitor.get("/inbox/").text
    assert title not in monitor.get("/notifications/").text

    # The other school keeps everything.
    still = about(db, kept.id)
    assert db.session.get(Leave, kept.id) is not None
    assert still["requests"] and still["attachments"] and still["notifications"]
    assert other.client("monitor").get(f"/school_leave/leave/{kept.id}").status_code == 200
    purged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "core.plugin_purged"))
    assert purged.data["requests"] == 1 and purged.data["attachments"] == 1
