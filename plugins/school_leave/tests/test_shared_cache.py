"""Pages kept across requests (core/cache.py) show every change on the very next request.

The dashboard's widgets, the menu with its badges and the user's context are cached across
requests and invalidated by generation keys bumped when a change commits. Each test first
proves the cache serves the page (the second request runs fewer statements), then makes a
change (a new leave, an approval, a role, a plugin disabled) and asks again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
from danwei_school_leave.testing import at, monday

from core.api import assign_role, db
from core.testing import queries_of

DAY = monday()


def waiting(client) -> tuple[int, int]:
    """The "leave to sign" number of the dashboard and the statements the request ran."""
    response = client.get("/")
    assert response.status_code == 200
    found = re.search(r'data-testid="leave-waiting">(\d+)<', response.text)
    return int(found.group(1)), queries_of(response)


def inbox_badge(client) -> int:
    found = re.search(r'data-testid="badge-inbox.index">(\d+)<', client.get("/").text)
    return int(found.group(1)) if found else 0


def proves_cached(client, path="/") -> None:
    first = queries_of(client.get(path))
    assert queries_of(client.get(path)) < first or first == 0


@pytest.mark.danwei_config(SERVER_TIMING=True)
def test_a_new_leave_and_its_approval_show_on_the_next_dashboard(school):
    monitor = school.client("monitor")  # who signs first
    count, cold = waiting(monitor)
    again, warm = waiting(monitor)
    assert (again, warm < cold) == (count, True), "the second dashboard is not cached"
    badge = inbox_badge(monitor)

    leave = school.file(start=at(DAY, 8), end=at(DAY, 9, 40))  # over HTTP, as the student
    assert school.waiting_for(leave) == {"monitor"}
    assert waiting(monitor)[0] == count + 1
    assert inbox_badge(monitor) == badge + 1

    school.sign("monitor", leave)  # the workflow panel's form, over HTTP
    assert waiting(monitor)[0] == count
    assert inbox_badge(monitor) == badge


@pytest.mark.danwei_config(SERVER_TIMING=True)
def test_a_role_given_or_taken_shows_in_the_next_menu(school):
    student = school.client("student")
    proves_cached(student)
    assert 'href="/school_leave/gate"' not in student.get("/").text

    given = assign_role(school["student"], "school_leave.gate_guard", school.units["s"])
    db.session.commit()
    assert 'href="/school_leave/gate"' in student.get("/").text

    db.session.delete(given)
    db.session.commit()
    assert 'href="/school_leave/gate"' not in student.get("/").text


@pytest.mark.danwei_config(SERVER_TIMING=True)
def test_disabling_and_enabling_the_plugin_shows_in_the_next_page(school, enable_plugin):
    student = school.client("student")
    proves_cached(student)
    assert 'href="/school_leave/mine"' in student.get("/").text

    enable_plugin("school_leave", school.units["a"], False)
    page = student.get("/").text
    assert 'href="/school_leave/mine"' not in page
    assert 'data-testid="leave-waiting"' not in page

    enable_plugin("school_leave", school.units["a"], True)
    assert 'href="/school_leave/mine"' in student.get("/").text


#: Redis for the test across processes; the keys of this run have a prefix of their own.
REDIS = os.environ.get("DANWEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PREFIX = f"danwei-test-{uuid.uuid4().hex}:"


def redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis here: the test says so and is skipped
        return False
    return True


#: Run in another process: a role given or taken, committed through the ORM.
OTHER_PROCESS = """
import json, sys
from core import create_app, roles
from core.extensions import db
from core.models import RoleAssignment, Unit, User
config = json.loads(sys.argv[1])
app = create_app(config)
with app.app_context():
    user = db.session.get(User, config["user_id"])
    if config["give"]:
        roles.assign(user, "school_leave.gate_guard", db.session.get(Unit, config["unit_id"]))
    else:
        for assignment in db.session.query(RoleAssignment).filter_by(user_id=user.id).all():
            if assignment.role.name == "school_leave.gate_guard":
                roles.revoke(assignment)
    db.session.commit()
    db.session.remove()
    db.engine.dispose()
"""


@pytest.fixture
def clean_redis():
    if not redis_up():
        pytest.skip(f"no Redis at {REDIS} (DANWEI_TEST_REDIS_URL)")
    yield
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(match=PREFIX + "*"):
        client.delete(key)


@pytest.mark.danwei_config(SERVER_TIMING=True, CACHE_BACKEND="redis", CACHE_REDIS_URL=REDIS,
                           CACHE_KEY_PREFIX=PREFIX)
def test_a_change_made_in_another_process_shows_in_the_next_page(clean_redis, school,
                                                                  tmp_path):
    """Two processes share the Redis cache: a role given in one shows in the other's pages."""
    app = school.app
    student = school.client("student")
    proves_cached(student)
    assert 'href="/school_leave/gate"' not in student.get("/").text
    config = {**{k: v for k, v in app.config.items() if k in (
        "DATABASE_URL", "SECRET_KEY", "TESTING", "UPLOAD_DIR", "CACHE_BACKEND",
        "CACHE_REDIS_URL", "CACHE_KEY_PREFIX", "RUN_JOBS_IN_PROCESS", "TASKS_BACKEND",
        "RUN_TASKS_IN_PROCESS", "RATELIMIT_ENABLED")},
        "user_id": school["student"].id, "unit_id": school.units["s"].id}
    for give, shown in ((True, True), (False, False)):
        subprocess.run([sys.executable, "-c", OTHER_PROCESS,
                        json.dumps({**config, "give": give})], check=True,
                       cwd=str(tmp_path), env=os.environ.copy(), timeout=120)
        assert ('href="/school_leave/gate"' in student.get("/").text) is shown
