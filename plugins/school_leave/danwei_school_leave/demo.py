"""Demo data (``danwei demo``): a school with every role filled and leave in every state.

Everything is made through the same functions as the pages use — filing runs the rules and
starts the engine, signing goes through the engine — so the demo shows the real flow.
Running it twice adds nothing: the school's code is the marker.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from core.api import (
    AssignmentState,
    DemoAccount,
    RequestState,
    Unit,
    User,
    approve_workflow,
    db,
    is_working_day,
    local_now,
    pending_workflow_assignments,
    reject_workflow,
    send_back_workflow,
    to_local,
    to_utc,
    utcnow,
    withdraw_workflow,
)

from . import approval, leaves, rules
from .models import (
    ABSENT,
    INCOMING,
    LATE,
    Contact,
    Leave,
    LogEntry,
    ParentCall,
)

SCHOOL = "demo-school"

#: (username, name, role, where) — where is "school", "grade" or "class".
STAFF = (
    ("sl_principal", "周校长", "principal", "school"),
    ("sl_vice", "吴副校长", "vice_principal", "school"),
    ("sl_affairs", "郑老师（学工处）", "student_affairs", "school"),
    ("sl_academic", "冯老师（教务处）", "academic_affairs", "school"),
    ("sl_guard", "陈师傅（门卫）", "gate_guard", "school"),
    ("sl_grade", "褚老师（高一年级）", "grade_office", "grade"),
    ("sl_teacher", "卫老师（班主任）", "class_teacher", "class"),
)
#: (username, name, class roles besides ``student``)
STUDENTS = (
    ("sl_monitor", "蒋班长", ("monitor",)),
    ("sl_pe", "沈体委", ("pe_member",)),
    ("sl_dorm", "韩舍长", ("dorm_head",)),
    ("sl_duty", "杨值日", ("duty_cadre",)),
    ("sl_student", "朱小明", ()),
    ("sl_student2", "秦小红", ()),
    ("sl_student3", "尤小刚", ()),
    ("sl_student4", "许小丽", ()),
)
LABELS = {
    "principal": "Principal / 校长", "vice_principal": "Vice principal / 分管校长",
    "student_affairs": "Student affairs / 学工处", "academic_affairs": "Academic affairs / 教务处",
    "gate_guard": "Gate guard / 门卫", "grade_office": "Grade office / 年级",
    "class_teacher": "Class teacher / 班主任", "monitor": "Class monitor / 班长",
    "pe_member": "PE member / 体委", "dorm_head": "Dorm head / 舍长",
    "duty_cadre": "Duty cadre / 值日干部", "student": "Student / 学生",
}


def load(demo) -> list[DemoAccount]:
    existing = db.session.scalar(select(Unit).where(Unit.code == SCHOOL))
    root = demo.unit("demo", "演示单位", "organisation")
    s = demo.unit(SCHOOL, "演示中学", "school", root)
    g1 = demo.unit("demo-g1", "高一年级", "grade", s)
    g2 = demo.unit("demo-g2", "高二年级", "grade", s)
    c1 = demo.unit("demo-g1-c1", "高一（1）班", "class", g1)
    demo.unit("demo-g1-c2", "高一（2）班", "class", g1)
    demo.unit("demo-g2-c1", "高二（1）班", "class", g2)
    demo.enable("school_leave", s)
    where = {"school": s, "grade": g1, "class": c1}
    accounts = []
    people: dict[str, User] = {}
    for username, name, role, at in STAFF:
        people[username] = demo.user(username, name, where[at],
                                     roles_in=((f"school_leave.{role}", where[at]),))
        accounts.append(DemoAccount(username, demo.password, LABELS[role], where[at].name))
    for username, name, extra in STUDENTS:
        roles_in = tuple((f"school_leave.{r}", c1) for r in ("student", *extra))
        people[username] = demo.user(username, name, c1, roles_in=roles_in)
        accounts.append(DemoAccount(username, demo.password,
                                    LABELS[extra[0] if extra else "student"], c1.name))
    if existing is None:
        db.session.flush()
        _leave_in_every_state(c1, people)
    return accounts


def _school_day(n: int):
    """The *n*-th school day from today (0: today, or the next school day; -1: the last one)."""
    day = local_now().date()
    step = 1 if n >= 0 else -1
    while not is_working_day(day):
        day += timedelta(days=step)
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return day


def _at(days: int, hh: int, mm: int = 0) -> datetime:
    """A stored (UTC) time on the *days*-th school day from today, at hh:mm school time."""
    return to_utc(datetime.combine(_school_day(days), time(hh, mm)))


def _file(unit, student, start, end, leave_type=rules.PERSONAL, leaving=False,
          reason="家中有事", applicant=None, proxy_reason="", extends=None) -> Leave:
    return leaves.file(applicant=applicant or student, student=student, unit=unit,
                       leave_type=leave_type, start=start, end=end, reason=reason,
                       leaving_campus=leaving, proxy_reason=proxy_reason, extends=extends)


def _sign(leave: Leave, steps: int | None = None) -> None:
    """Sign *steps* steps of the leave (all of them by default), as the engine asks."""
    instance = approval.instance_of(leave)
    done = 0
    while instance.state == RequestState.PENDING and (steps is None or done < steps):
        step = instance.open_step
        for assignment in list(pending_workflow_assignments(step)):
            if instance.state != RequestState.PENDING or instance.open_step is not step:
                break
            if any(a.slot == assignment.slot and a.state == AssignmentState.APPROVED for a in step.assignments):
                continue
            form = None
            if step.key == "class_teacher" and leave.parent_call_required:
                contact = db.session.scalar(select(Contact).where(
                    Contact.student_id == leave.student_id))
                form = [{"name": "called_at", "label": "called_at",
                         "value": f"{to_local(leave.created_at):%Y-%m-%d %H:%M}"},
                        {"name": "phone", "label": "phone", "value": contact.phone},
                        {"name": "answered_by", "label": "answered_by",
                         "value": f"{contact.relation} {contact.name}"},
                        {"name": "note", "label": "note", "value": "家长同意"}]
            approve_workflow(instance, assignment.user, "同意", form)
        done += 1


def _leave_in_every_state(c1: Unit, p: dict[str, User]) -> None:
    teacher = p["sl_teacher"]
    for username in ("sl_student", "sl_student2", "sl_student3", "sl_student4", "sl_monitor"):
        student = p[username]
        db.session.add(Contact(student_id=student.id, unit_id=c1.id, name=f"{student.name}妈妈",
                               relation="母亲", phone=f"1390000{student.id:04d}"))
    db.session.flush()

    def advance_call(student, start):
        """The parent phoned the class teacher half a day (and more) before *start*."""
        called_at = min(start - timedelta(hours=13), utcnow() - timedelta(minutes=5))
        db.session.add(ParentCall(student_id=student.id, unit_id=c1.id, direction=INCOMING,
                                  called_at=called_at,
                                  phone=f"1390000{student.id:04d}", answered_by="母亲",
                                  note="家长来电，说明需要接孩子回家", recorded_by_id=teacher.id))
        db.session.flush()

    # Waiting for the monitor: two periods, on campus (after the leave home below: one
    # student never holds two leaves at once).
    _file(c1, p["sl_student"], _at(2, 8), _at(2, 9, 40), rules.SICK, reason="头疼，去医务室")
    # Waiting for the class teacher (monitor signed): half a day.
    _sign(_file(c1, p["sl_student2"], _at(1, 8), _at(1, 11, 40)), steps=1)
    # Waiting for the grade office: a day and a half, going home (the parent phoned).
    advance_call(p["sl_student3"], _at(2, 7, 30))
    _sign(_file(c1, p["sl_student3"], _at(2, 7, 30), _at(3, 12), leaving=True,
                reason="回家看病"), steps=2)
    # Waiting for the principal: three days.
    advance_call(p["sl_student4"], _at(3, 7, 30))
    _sign(_file(c1, p["sl_student4"], _at(3, 7, 30), _at(6, 18), leaving=True,
                reason="外地参加亲戚婚礼"), steps=4)
    # Morning exercise: the joint signature, half done.
    _sign(_file(c1, p["sl_student"], _at(2, 6, 30), _at(2, 7), rules.MORNING_EXERCISE,
                reason="脚踝扭伤"), steps=0)
    me = _file(c1, p["sl_student2"], _at(2, 6, 30), _at(2, 7), rules.MORNING_EXERCISE,
               reason="感冒")
    instance = approval.instance_of(me)
    approve_workflow(instance, p["sl_monitor"], "同意")
    # Filed by the monitor for a student (special case, reason kept).
    _file(c1, p["sl_student3"], _at(1, 14), _at(1, 14, 45), rules.SICK, reason="发烧",
          applicant=p["sl_monitor"], proxy_reason="学生发烧在宿舍休息，由班长代为请假")
    # Approved and taken: short leave today, back.
    done = _file(c1, p["sl_student2"], _at(-1, 10), _at(-1, 10, 45), rules.SICK,
                 reason="医务室")
    _sign(done)
    # Approved, out of school now (the guard let the student out).
    advance_call(p["sl_student"], _at(-1, 7, 30))
    out = _file(c1, p["sl_student"], _at(-1, 7, 30), _at(1, 18), leaving=True, reason="回家")
    _sign(out)
    leaves.record_exit(out, p["sl_guard"], out.start_at + timedelta(minutes=5))
    # Approved, back in time.
    advance_call(p["sl_student2"], _at(-2, 8))
    back = _file(c1, p["sl_student2"], _at(-2, 8), _at(-2, 17, 40), leaving=True,
                 reason="看牙医")
    _sign(back)
    leaves.record_exit(back, p["sl_guard"], back.start_at)
    leaves.record_return(back, p["sl_guard"], back.end_at - timedelta(hours=1))
    # Overdue and truancy: went home, not back, no extension.
    advance_call(p["sl_student3"], _at(-2, 8))
    late = _file(c1, p["sl_student3"], _at(-2, 8), _at(-2, 11, 40), leaving=True,
                 reason="办身份证")
    _sign(late)
    leaves.record_exit(late, p["sl_guard"], late.start_at)
    # Overdue, extension filed in time and waiting.
    advance_call(p["sl_student4"], _at(-3, 8))
    waiting = _file(c1, p["sl_student4"], _at(-3, 8), _at(-3, 17, 40), leaving=True,
                    reason="家中有事")
    _sign(waiting)
    leaves.record_exit(waiting, p["sl_guard"], waiting.start_at)
    ext = _file(c1, p["sl_student4"], waiting.end_at, _at(1, 17, 40), reason="家长来电：车坏了",
                applicant=p["sl_monitor"], proxy_reason="家长说明后由班长续假", extends=waiting)
    ext.created_at = waiting.end_at - timedelta(hours=2)
    leaves.mark_overdue()
    # Refused, returned for revision, withdrawn.
    refused = _file(c1, p["sl_student"], _at(4, 8), _at(4, 9, 40), reason="想休息")
    reject_workflow(approval.instance_of(refused), p["sl_monitor"], "理由不充分")
    revise = _file(c1, p["sl_student2"], _at(5, 8), _at(5, 11, 40), reason="事假")
    _sign(revise, steps=1)
    send_back_workflow(approval.instance_of(revise), teacher, "请写明具体事由")
    withdrawn = _file(c1, p["sl_student3"], _at(6, 8), _at(6, 8, 45), reason="不用了")
    withdraw_workflow(approval.instance_of(withdrawn), p["sl_student3"], "不需要了")
    # The class log of the last days, one absence without a slip.
    for days, student, kind in ((-1, "sl_student2", LATE), (-2, "sl_student", ABSENT),
                                (-3, "sl_student3", ABSENT)):
        db.session.add(LogEntry(unit_id=c1.id, day=to_local(_at(days, 8)).date(),
                                student_id=p[student].id, kind=kind, period="1",
                                recorded_by_id=p["sl_duty"].id))
    db.session.flush()
