"""Helpers for the school-leave tests: a school's people, and the pages driven as people do.

The ``school`` fixture (in the tests' ``conftest.py``) builds one grade with two classes and
every role filled; :class:`School` then files leave through the plugin's form and signs it
through core's workflow panel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from core.api import db, pending_workflow_assignments, workflow_for

#: (key, role, where) — where is the key of a unit in the school.
PEOPLE = (
    ("student", "student", "a"),
    ("student2", "student", "a"),
    ("monitor", "monitor", "a"),
    ("pe", "pe_member", "a"),
    ("dorm", "dorm_head", "a"),
    ("duty", "duty_cadre", "a"),
    ("teacher", "class_teacher", "a"),
    ("teacher_b", "class_teacher", "b"),
    ("monitor_b", "monitor", "b"),
    ("student_b", "student", "b"),
    ("grade", "grade_office", "g"),
    ("affairs", "student_affairs", "s"),
    ("academic", "academic_affairs", "s"),
    ("vice", "vice_principal", "s"),
    ("principal", "principal", "s"),
    ("guard", "gate_guard", "s"),
)
#: Class cadres are students too.
ALSO_STUDENT = {"monitor", "pe", "dorm", "duty", "monitor_b"}


def local_now() -> datetime:
    """The school's wall-clock time now, to the minute."""
    from core.api import local_now as now

    return now().replace(second=0, microsecond=0)


def monday(weeks_ahead: int = 2) -> date:
    """A Monday some weeks from now (no public holidays in the test database)."""
    today = date.today()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: date, hh: int, mm: int = 0, plus_days: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=plus_days), time(hh, mm))


def form_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def make_school(app, db, create_unit, create_user, enable, password: str,
                prefix: str = "sl") -> School:
    """One school, one grade, two classes, every role of :data:`PEOPLE` filled and the plugin
    enabled by ``enable(unit)``; units are coded ``<prefix>-s``, ``<prefix>-g1``… and users
    ``<prefix>_<key>``, all with *password*."""
    s = create_unit(f"{prefix}-s", "No. 1 Middle School", "school")
    g = create_unit(f"{prefix}-g1", "Grade 1", "grade", s)
    a = create_unit(f"{prefix}-a", "Class 1", "class", g)
    b = create_unit(f"{prefix}-b", "Class 2", "class", g)
    enable(s)
    db.session.commit()
    where = {"s": s, "g": g, "a": a, "b": b}
    people = {}
    for key, role, at_unit in PEOPLE:
        roles = [(f"school_leave.{role}", where[at_unit])]
        if key in ALSO_STUDENT:
            roles.append(("school_leave.student", where[at_unit]))
        people[key] = create_user(f"{prefix}_{key}", name=key.replace("_", " ").title(),
                                  unit=where[at_unit], roles=tuple(roles), password=password)
    return School(app, where, people, password)


@dataclass
class School:
    app: object
    units: dict
    people: dict
    password: str
    clients: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.people[key]

    def client(self, key):
        """A test client logged in as *key* (one per person, kept)."""
        if key not in self.clients:
            client = self.app.test_client()
            response = client.post("/login", data={"username": self.people[key].username,
                                                   "password": self.password})
            assert response.status_code == 302, f"login of {key} failed"
            self.clients[key] = client
        return self.clients[key]

    # -- the plugin's pages -------------------------------------------------------------------

    def apply(self, who="student", *, start, end, leave_type="personal", leaving=False,
              reason="Family matters", student=None, proxy_reason="", check=False):
        data = {"leave_type": leave_type, "start": form_time(start), "end": form_time(end),
                "reason": reason}
        if leaving:
            data["leaving_campus"] = "y"
        if student is not None:
            data["student"] = str(self.people[student].id)
            data["proxy_reason"] = proxy_reason
        data["check" if check else "submit"] = "x"
        return self.client(who).post("/school_leave/apply", data=data)

    def file(self, who="student", **kw):
        """Apply and return the new leave (fails the test when it was not filed)."""
        response = self.apply(who, **kw)
        assert response.status_code == 302, response.text
        leave_id = int(re.search(r"/leave/(\d+)", response.headers["Location"]).group(1))
        return self.leave(leave_id)

    def leave(self, leave_id):
        from .models import Leave

        db.session.expire_all()
        return db.session.get(Leave, leave_id)

    def record_call(self, student="student", called_at=None, who="teacher"):
        called_at = called_at or local_now()
        return self.client(who).post("/school_leave/calls/new", data={
            "student": str(self.people[student].id), "called_at": form_time(called_at),
            "phone": "13900001111", "answered_by": "Mother", "note": "Asked in advance",
        })

    def earlier_call(self, student="student", hours=13, who="teacher"):
        """A parent's call that the class teacher recorded *hours* ago (at the time): the form
        refuses a back-dated call, and the suite cannot move the clock, so it is written as
        the form wrote it back then."""
        from core.api import to_utc

        from .models import INCOMING, ParentCall

        moment = to_utc(local_now() - timedelta(hours=hours))
        call = ParentCall(student_id=self.people[student].id,
                          unit_id=self.people[student].unit_id, direction=INCOMING,
                          called_at=moment, recorded_at=moment, phone="13900001111",
                          answered_by="Mother", note="Asked in advance",
                          recorded_by_id=self.people[who].id)
        db.session.add(call)
        db.session.commit()
        return call

    def out_now(self, student="student", hours=3):
        """An approved leave off campus of *student*, from ten minutes ago, made through the
        plugin's functions and core's engine rather than HTTP (the browser tests' server
        checks CSRF tokens, which the test client does not have)."""
        from core.api import approve_workflow, to_utc

        from . import leaves

        self.earlier_call(student, hours=13)
        start = local_now() - timedelta(minutes=10)
        person = self.people[student]
        leave = leaves.file(applicant=person, student=person, unit=person.unit,
                            leave_type="personal", start=to_utc(start),
                            end=to_utc(start + timedelta(hours=hours)), reason="Family matters",
                            leaving_campus=True)
        db.session.commit()
        while waiting := sorted(self.waiting_for(leave)):
            call = {"called_at": form_time(local_now()), "phone": "13900001111",
                    "answered_by": "Mother", "note": "Agreed"} if waiting[0] == "teacher" else None
            approve_workflow(workflow_for(leave), self.people[waiting[0]], form_data=call)
            db.session.commit()
        return self.leave(leave.id)

    # -- core's workflow panel ------------------------------------------------------------------

    def decide(self, who, leave, action="approve", comment="", call=True):
        """Post the decision form of the core workflow panel, as *who*."""
        data = {f"decide-{action}": "x", "decide-comment": comment}
        if call:
            data.update({"step-called_at": form_time(local_now()),
                         "step-phone": "13900001111", "step-answered_by": "Mother",
                         "step-note": "Agreed"})
        return self.client(who).post(f"/workflow/{leave.workflow_id}/decide", data=data)

    def sign(self, who, leave):
        response = self.decide(who, leave)
        assert response.status_code == 302, response.text
        flashes = self.client(who).get(f"/school_leave/leave/{leave.id}").text
        return flashes

    def sign_all(self, leave):
        """Sign every step, as whoever the engine asks, until the leave is decided."""
        while waiting := sorted(self.waiting_for(leave)):
            self.sign(waiting[0], leave)
        return self.leave(leave.id)

    def slip_token(self, leave, who="student") -> str:
        page = self.client(who).get(f"/school_leave/leave/{leave.id}/slip").text
        return re.search(r"/school_leave/check/([^\s<\"]+)", page).group(1)

    def waiting_for(self, leave) -> set[str]:
        """Keys of the people the leave is waiting for now."""
        db.session.expire_all()
        instance = workflow_for(leave)
        ids = {a.user_id for a in pending_workflow_assignments(instance.open_step)}
        return {k for k, u in self.people.items() if u.id in ids}

    def steps(self, leave) -> list[str]:
        db.session.expire_all()
        return [s.key for s in workflow_for(leave).current_steps]
