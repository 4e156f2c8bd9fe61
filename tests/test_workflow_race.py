"""Two approvers press "Approve" on the same step at the same moment: exactly one decision is
recorded and the other approver is told. Real threads, real HTTP requests, real PostgreSQL."""

from __future__ import annotations

import os
import re
import threading

import pytest
from sqlalchemy import event, func, select

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("DANWEI_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="SQLite serialises every writer with one database lock, so two approvers can "
               "never hold the same version at once; the race needs PostgreSQL's row locks",
    ),
]

SOURCE = '''
from core.api import Permission, RoleSpec, Step, WorkflowDefinition, hookimpl


@hookimpl
def register_roles():
    return [RoleSpec("wf_race.monitor", "Monitor")]


@hookimpl
def register_workflows():
    return [WorkflowDefinition("wf_race.leave", "Leave", steps=(
        Step("monitor", "Class monitor", role="wf_race.monitor", at="class"),
    ))]
'''


def test_two_approvers_at_the_same_moment_make_one_decision(make_plugin, make_app):
    make_plugin("wf_race", SOURCE)
    app = make_app()
    with app.app_context():
        from core import roles, units, users
        from core.api import start_workflow
        from core.extensions import db
        from core.workflow.models import WorkflowAction, WorkflowAssignment, WorkflowInstance

        school = units.create_unit("rs", "School", "school")
        klass = units.create_unit("ra", "Class A", "class", school)
        units.set_plugin_state("wf_race", school, True)
        student = users.create_user("r_stu", "Student", "secret123", klass)
        for name in ("r_m1", "r_m2"):
            roles.assign(users.create_user(name, name, "secret123", klass), "wf_race.monitor",
                         klass)
        instance = start_workflow("wf_race.leave", ("leave", "1"), student, fields={})
        db.session.commit()
        iid = instance.id

        clients = {}
        for name in ("r_m1", "r_m2"):
            clients[name] = app.test_client()
            clients[name].post("/login", data={"username": name, "password": "secret123"})
        step_ids = {name: re.search(r'name="decide-step_id" type="hidden" value="(\d+)"',
                                    c.get(f"/workflow/{iid}").text).group(1)
                    for name, c in clients.items()}

        # Both requests have read the request and checked their turn before either writes:
        # each waits at the barrier just before its version-bumping UPDATE.
        barrier = threading.Barrier(2, timeout=20)
        waited: set[str] = set()

        def hold(mapper, connection, target):
            name = threading.current_thread().name
            if name.startswith("racer") and name not in waited:  # the claim, not later updates
                waited.add(name)
                barrier.wait()

        event.listen(WorkflowInstance, "before_update", hold)
        pages: dict[str, str] = {}
        errors: list[BaseException] = []

        def race(name):
            try:
                response = clients[name].post(
                    f"/workflow/{iid}/decide",
                    data={"decide-approve": "1", "decide-step_id": step_ids[name],
                          "decide-comment": f"ok from {name}"},
                    follow_redirects=True,
                )
                pages[name] = response.text
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=race, args=(n,), name=f"racer-{n}") for n in clients]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        finally:
            event.remove(WorkflowInstance, "before_update", hold)
        assert not errors, errors
        assert not barrier.broken

        winners = [n for n, page in pages.items() if "Approved." in page]
        losers = [n for n, page in pages.items()
                  if "Someone else acted on this request at the same moment" in page]
        assert len(winners) == 1 and len(losers) == 1, pages
        db.session.expire_all()
        approvals = db.session.scalars(select(WorkflowAction).where(
            WorkflowAction.instance_id == iid, WorkflowAction.action == "approve")).all()
        assert [a.comment for a in approvals] == [f"ok from {winners[0]}"]
        assert db.session.get(WorkflowInstance, iid).state == "approved"
        assert db.session.scalar(select(func.count()).where(
            WorkflowAssignment.instance_id == iid, WorkflowAssignment.state == "approved")) == 1
        # The loser's page now shows the decision that was made.
        assert 'data-testid="workflow-state">Approved' in pages[losers[0]]
