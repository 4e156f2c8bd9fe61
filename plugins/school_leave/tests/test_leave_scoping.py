"""A class teacher of another class can neither see nor sign (lists and direct URLs)."""

from danwei_school_leave.testing import at, monday

DAY = monday()


def test_another_class_teacher_can_neither_see_nor_approve(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40), reason="Dentist appointment")
    school.sign("monitor", leave)
    assert school.waiting_for(leave) == {"teacher"}
    own, other = school.client("teacher"), school.client("teacher_b")

    # Lists: the leave shows for the class teacher of class 1 only.
    assert "Dentist appointment" not in own.get("/school_leave/").text  # reason not listed
    assert f'data-leave="{leave.id}"' in own.get("/school_leave/").text
    assert f'data-leave="{leave.id}"' in own.get("/school_leave/to-sign").text
    for url in ("/school_leave/", "/school_leave/to-sign", "/school_leave/students",
                "/inbox/"):
        response = other.get(url)
        assert response.status_code == 200, url
        assert f'data-leave="{leave.id}"' not in response.text, url
        assert "Dentist appointment" not in response.text, url
    assert "No leave matches these filters." in other.get("/school_leave/").text

    # Direct URLs: as if the leave did not exist.
    for url in (f"/school_leave/leave/{leave.id}", f"/school_leave/leave/{leave.id}/slip",
                f"/school_leave/leave/{leave.id}/extend", f"/workflow/{leave.workflow_id}",
                f"/school_leave/students/{school['student'].id}",
                f"/school_leave/log?unit={school.units['a'].id}",
                f"/school_leave/reconcile?unit={school.units['a'].id}"):
        assert other.get(url).status_code == 404, url

    # Signing: refused, and nothing changes.
    response = school.decide("teacher_b", leave)
    assert response.status_code == 404
    assert school.waiting_for(leave) == {"teacher"}
    assert school.leave(leave.id).status == "pending"
    assert other.post(f"/school_leave/leave/{leave.id}/return").status_code == 404


def test_the_grade_office_sees_the_grade_and_a_student_only_their_own(school):
    mine = school.file(start=at(DAY, 8), end=at(DAY, 8, 45))
    theirs = school.file("student_b", start=at(DAY, 8), end=at(DAY, 8, 45))
    grade = school.client("grade").get("/school_leave/").text
    assert f'data-leave="{mine.id}"' in grade and f'data-leave="{theirs.id}"' in grade
    student = school.client("student")
    assert f'data-leave="{mine.id}"' in student.get("/school_leave/mine").text
    assert f'data-leave="{theirs.id}"' not in student.get("/school_leave/mine").text
    assert student.get(f"/school_leave/leave/{theirs.id}").status_code == 404
    assert student.get("/school_leave/").status_code == 404  # no "view" permission
    assert school.client("student2").get(f"/school_leave/leave/{mine.id}").status_code == 404


def test_lists_are_filtered_and_paginated(school):
    from core.api import db, set_setting

    set_setting("core", "page_size", 5)
    db.session.commit()
    for day in range(7):
        school.file(start=at(DAY, 8, plus_days=day), end=at(DAY, 8, 45, plus_days=day),
                    leave_type="sick" if day % 2 else "personal")
    teacher = school.client("teacher")
    first = teacher.get("/school_leave/").text
    assert first.count("data-leave=") == 5 and "Page 1 of 2" in first
    assert teacher.get("/school_leave/?page=2").text.count("data-leave=") == 2
    assert teacher.get("/school_leave/?type=sick").text.count("data-leave=") == 3
    assert teacher.get(f"/school_leave/?from={DAY.isoformat()}&until={DAY.isoformat()}"
                       ).text.count("data-leave=") == 1
    assert teacher.get("/school_leave/?q=Student2").text.count("data-leave=") == 0
    assert teacher.get("/school_leave/?status=approved").text.count("data-leave=") == 0


def test_a_doctors_note_is_seen_by_the_class_only(school):
    import io
    import re

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(png, "PNG")
    response = school.client("student").post("/school_leave/apply", data={
        "leave_type": "sick", "start": f"{DAY.isoformat()}T08:00",
        "end": f"{DAY.isoformat()}T08:45", "reason": "Flu",
        "notes": [(io.BytesIO(png.getvalue()), "note.png")], "submit": "x",
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    page = school.client("teacher").get(response.headers["Location"]).text
    link = re.search(r'href="(/attachments/\d+/note.png)"', page).group(1)
    for who, status in (("teacher", 200), ("student", 200), ("teacher_b", 404)):
        with school.client(who).get(link) as response:  # closes the file it streams
            assert response.status_code == status, who
    # A file that is not an image or a PDF is refused with the reason, nothing is filed.
    refused = school.client("student").post("/school_leave/apply", data={
        "leave_type": "sick", "start": f"{DAY.isoformat()}T10:00",
        "end": f"{DAY.isoformat()}T10:45", "reason": "Flu",
        "notes": [(io.BytesIO(b"MZ\x90\x00 not a picture"), "note.png")], "submit": "x",
    }, content_type="multipart/form-data")
    assert refused.status_code == 200 and "invalid-feedback" in refused.text
