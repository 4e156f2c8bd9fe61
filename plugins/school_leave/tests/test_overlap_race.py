"""A double click: two identical applications at the same moment file one leave, not two.
Real threads, real HTTP requests, real PostgreSQL."""

from __future__ import annotations

import os
import threading

import pytest
from danwei_school_leave import leaves
from danwei_school_leave.models import Leave
from danwei_school_leave.testing import at, form_time, monday

from core.api import db

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("DANWEI_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="SQLite serialises every writer with one database lock; the race needs "
               "PostgreSQL, where two transactions really run at once",
    ),
]

DAY = monday()


def test_two_identical_applications_at_once_file_one_leave(school, monkeypatch):
    # Two sessions of the same student (two tabs, or a double click that the browser sent).
    clients = [school.app.test_client() for _ in range(2)]
    for client in clients:
        client.post("/login", data={"username": school["student"].username,
                                    "password": school.password})
    data = {"leave_type": "personal", "reason": "Family matters", "submit": "x",
            "start": form_time(at(DAY, 8)), "end": form_time(at(DAY, 9, 40))}

    # Both requests have checked the rules (no overlap yet) before either files: each waits
    # here, just before taking the student's lock.
    barrier = threading.Barrier(2, timeout=20)
    real_lock = leaves.lock_student

    def hold(student):
        if threading.current_thread().name.startswith("racer"):
            barrier.wait()
        real_lock(student)

    monkeypatch.setattr(leaves, "lock_student", hold)
    answers: dict[int, int] = {}
    pages: dict[int, str] = {}
    errors: list[BaseException] = []

    def race(n):
        try:
            response = clients[n].post("/school_leave/apply", data=data)
            answers[n], pages[n] = response.status_code, response.text
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(n,), name=f"racer-{n}") for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert not barrier.broken
    assert sorted(answers.values()) == [200, 302], answers
    refused = next(n for n, code in answers.items() if code == 200)
    assert 'data-code="overlap"' in pages[refused]
    db.session.expire_all()
    assert db.session.query(Leave).filter_by(student_id=school["student"].id).count() == 1
