"""Benchmark data: a county of schools with five years of leave, and a property company.

    .venv/bin/python bench/generate.py --database-url URL [--small]
        [--schools 20 --classes 60 --students 50 --leaves 500000 --leave-years 5
         --property-years 3]

The schema comes from the real migrations (core's and every installed plugin's), into an
EMPTY database. Units, people, roles and parents' contacts are bulk inserted. Leave is made by
*template cloning*: one class files a small set of leaves through the plugin's own functions
(``leaves.file`` and the workflow engine, exactly as ``danwei demo`` does), one per kind of
history (chain row × final state); their rows — the leave, its parent calls and the engine's
instance, steps, assignments and actions — are then copied into every class with the ids,
people, units and times remapped. The copies are therefore exactly what the engine would have
written, so the inbox, the timelines and approving a copied pending leave all work.

The property company gets its monthly plans (submitted and approved through the real engine)
and summaries through the plugin's own code, as its demo does, for ``--property-years``.

A manifest (JSON, same keys at every scale) names the accounts, units and records the load
driver uses. ``verify`` then drives the real app through a test client.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time as clock
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from core.localtime import local_date, local_today, to_local  # noqa: E402
from core.models import utcnow  # noqa: E402

PASSWORD = "danwei2026"  # core.demo.DEMO_PASSWORD
PRESETS = {
    # Five school years of history: about 100,000 leave requests a year in the county.
    "full": dict(schools=20, classes=60, students=50, leaves=500_000, leave_years=5,
                 property_years=3),
    "small": dict(schools=2, classes=6, students=25, leaves=1_000, leave_years=1,
                  property_years=1),
}
GRADES = ("高一", "高二", "高三")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力林波宁浩宇轩然泽睿欣怡梓涵子墨思雨佳琪俊豪博文嘉懿"
#: Class cadres: student number → role (the others are plain students).
#: Kinds of leave filed in the template class (``make_templates``), each for its own student.
TEMPLATE_KINDS = 21
CADRES = {1: "monitor", 2: "pe_member", 3: "dorm_head", 4: "duty_cadre"}
#: School staff: key → (role, title)
SCHOOL_STAFF = {
    "principal": ("principal", "校长"), "vice": ("vice_principal", "副校长"),
    "affairs": ("student_affairs", "学工处"), "academic": ("academic_affairs", "教务处"),
    "guard": ("gate_guard", "门卫"),
}
#: Tables the leave clones are written to, parents first.
LEAVE_TABLES = ("school_leave_leaves", "workflow_instances", "workflow_steps",
                "workflow_assignments", "workflow_actions", "workflow_ccs",
                "school_leave_parent_calls")
#: Columns of the leave holding times of the leave itself (shifted with it), not of filing.
LEAVE_TIMES = ("start_at", "end_at", "exited_at", "returned_at", "overdue_at")


def log(message: str, started: float | None = None) -> None:
    stamp = f"[{clock.monotonic() - started:7.1f}s] " if started is not None else ""
    print(f"{stamp}{message}", flush=True)


def make_app(database_url: str):
    from core import create_app

    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench",
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                       "RUN_JOBS_IN_PROCESS": False})


@contextmanager
def closing(app):
    """The app's context; its connections are closed on the way out (tests drop the database)."""
    from core.extensions import db

    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


# -- bulk writing ----------------------------------------------------------------------------------


class Sink:
    """Buffered inserts: ``COPY`` on PostgreSQL, executemany elsewhere."""

    def __init__(self, connection, tables: dict[str, sa.Table], order: tuple[str, ...],
                 limit: int = 20_000):
        self.connection, self.tables, self.order, self.limit = connection, tables, order, limit
        self.postgres = connection.dialect.name == "postgresql"
        self.rows: dict[str, list[dict]] = {name: [] for name in order}
        self.counts: dict[str, int] = dict.fromkeys(order, 0)

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)
        if len(self.rows[table]) >= self.limit:
            self.flush()

    def flush(self) -> None:
        for name in self.order:
            rows = self.rows[name]
            if not rows:
                continue
            table = self.tables[name]
            if self.postgres:
                columns = [c.name for c in table.columns]
                raw = self.connection.connection.driver_connection
                with raw.cursor() as cursor:
                    with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row([row.get(c) for c in columns])
            else:
                self.connection.execute(table.insert(), rows)
            self.counts[name] += len(rows)
            rows.clear()


def next_ids(connection, tables) -> dict[str, int]:
    return {name: (connection.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1
            for name, t in tables.items()}


def reset_sequences(connection, names) -> None:
    if connection.dialect.name != "postgresql":
        return
    for name in names:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"coalesce((SELECT max(id) FROM {name}), 1))")


# -- the county: units, people, roles, contacts ---------------------------------------------------


def build_county(sizes: dict, rng: random.Random, password_hash: str, started: float) -> dict:
    """Units by the ORM (1,300 of them), people, roles and contacts by bulk insert."""
    from danwei_school_leave.models import Contact

    from core import units
    from core.extensions import db
    from core.models import Role, RoleAssignment, User
    from core.settings import set_setting

    county = units.create_unit("b-county", "城关县教育局", "organisation")
    schools, classes = [], []
    for si in range(1, sizes["schools"] + 1):
        school = units.create_unit(f"b-s{si:02d}", f"城关县第{si}中学", "school", county,
                                   sort_order=si)
        grades = [units.create_unit(f"b-s{si:02d}-g{g + 1}", f"{GRADES[g]}年级", "grade",
                                    school, sort_order=g) for g in range(3)]
        numbers = [0, 0, 0]
        school_classes = []
        for ci in range(sizes["classes"]):
            g = ci * 3 // sizes["classes"]
            numbers[g] += 1
            unit = units.create_unit(f"b-s{si:02d}-g{g + 1}-c{numbers[g]:02d}",
                                     f"{GRADES[g]}（{numbers[g]}）班", "class", grades[g],
                                     sort_order=numbers[g])
            ctx = {"unit": unit.id, "grade": grades[g].id, "school": school.id,
                   "code": unit.code, "prefix": f"b_s{si:02d}_g{g + 1}_c{numbers[g]:02d}",
                   "grade_prefix": f"b_s{si:02d}_g{g + 1}", "school_prefix": f"b_s{si:02d}"}
            school_classes.append(ctx)
        schools.append({"unit": school.id, "prefix": f"b_s{si:02d}",
                        "grades": [(gr.id, f"b_s{si:02d}_g{g + 1}") for g, gr in
                                   enumerate(grades)]})
        classes.extend(school_classes)
    db.session.flush()
    log(f"units: {1 + len(schools) * 4 + len(classes)}", started)

    role_id = {r.name: r.id for r in db.session.scalars(sa.select(Role))}
    now = utcnow().replace(microsecond=0)
    people: list[dict] = []  # users to insert
    grants: list[tuple[str, str, int]] = []  # (username, role, unit id)

    def person(username, name, unit_id, *held):
        people.append(dict(username=username, name=name, password_hash=password_hash,
                           unit_id=unit_id, active=True, is_superuser=False,
                           must_change_password=False, failed_logins=0, created_at=now))
        grants.extend((username, f"school_leave.{role}", where) for role, where in held)

    person("b_county_admin", "县教育局" + person_name(rng), county.id, ("principal", county.id))
    for s in schools:
        for key, (role, title) in SCHOOL_STAFF.items():
            person(f"{s['prefix']}_{key}", f"{person_name(rng)}（{title}）", s["unit"],
                   (role, s["unit"]))
        for gid, prefix in s["grades"]:
            person(f"{prefix}_office", f"{person_name(rng)}（年级）", gid, ("grade_office", gid))
    for c in classes:
        person(f"{c['prefix']}_teacher", f"{person_name(rng)}（班主任）", c["unit"],
               ("class_teacher", c["unit"]))
        for n in range(1, sizes["students"] + 1):
            held = [("student", c["unit"])]
            if n in CADRES:
                held.append((CADRES[n], c["unit"]))
            person(f"{c['prefix']}_st{n:02d}", person_name(rng), c["unit"], *held)
    table = User.__table__
    for i in range(0, len(people), 10_000):
        db.session.execute(table.insert(), people[i:i + 10_000])
    ids = dict(db.session.execute(sa.select(User.username, User.id)
                                  .where(User.username.like("b\\_%", escape="\\"))).all())
    log(f"users: {len(people)}", started)
    rows = [dict(user_id=ids[u], role_id=role_id[r], unit_id=where, created_at=now)
            for u, r, where in grants]
    for i in range(0, len(rows), 10_000):
        db.session.execute(RoleAssignment.__table__.insert(), rows[i:i + 10_000])
    log(f"role assignments: {len(rows)}", started)

    names = {p["username"]: p["name"] for p in people}
    contacts = []
    for c in classes:
        c["teacher"] = ids[f"{c['prefix']}_teacher"]
        c["grade_office"] = ids[f"{c['grade_prefix']}_office"]
        for key in SCHOOL_STAFF:
            c[key] = ids[f"{c['school_prefix']}_{key}"]
        for n, cadre in CADRES.items():
            c[cadre] = ids.get(f"{c['prefix']}_st{n:02d}")
        c["students"] = [ids[f"{c['prefix']}_st{n:02d}"]
                         for n in range(len(CADRES) + 1, sizes["students"] + 1)]
        c["phone"], c["contact"], c["name"] = {}, {}, {}
        for n in range(1, sizes["students"] + 1):
            username = f"{c['prefix']}_st{n:02d}"
            sid = ids[username]
            name = names[username]
            relation, who = rng.choice((("母亲", "妈妈"), ("父亲", "爸爸")))
            phone = f"139{sid:08d}"
            c["phone"][sid], c["contact"][sid], c["name"][sid] = (
                phone, f"{relation} {name}{who}", name)
            contacts.append(dict(student_id=sid, unit_id=c["unit"], name=f"{name}{who}",
                                 relation=relation, phone=phone, created_at=now))
    for i in range(0, len(contacts), 10_000):
        db.session.execute(Contact.__table__.insert(), contacts[i:i + 10_000])
    log(f"contacts: {len(contacts)}", started)

    units.set_plugin_state("school_leave", county, True)
    # Template leaves go back a few weeks; the parent's advance call must still count.
    set_setting("school_leave", "parent_call_valid_days", 60, county)
    db.session.commit()
    return {"county": county.id, "schools": schools, "classes": classes, "ids": ids}


# -- template leaves, through the plugin's own functions --------------------------------------------


def make_templates(template: dict, started: float) -> list[dict]:
    """Leave of every kind in the template class; returns ``[{kind, ids, pending}]``."""
    from danwei_school_leave import approval, leaves, rules
    from danwei_school_leave.demo import _at
    from danwei_school_leave.models import INCOMING, ParentCall

    from core.extensions import db
    from core.models import Unit, User
    from core.settings import set_setting
    from core.workflow import actions, queries

    def user(uid):
        return db.session.get(User, uid)

    unit = db.session.get(Unit, template["unit"])
    student = user(template["students"][0])
    monitor, teacher, guard = user(template["monitor"]), user(template["teacher"]), \
        user(template["guard"])
    # An exam window on the exam template's day (a school day two weeks back).
    exam_day = to_local(_at(-10, 8)).date()
    set_setting("school_leave", "exam_windows", f"{exam_day},{exam_day}",
                db.session.get(Unit, template["school"]))
    db.session.flush()

    def call(start):
        db.session.add(ParentCall(student_id=student.id, unit_id=unit.id, direction=INCOMING,
                                  called_at=min(start - timedelta(hours=14),
                                                utcnow() - timedelta(minutes=5)),
                                  phone=template["phone"][student.id], answered_by="家长",
                                  note="家长来电，说明需要接孩子回家",
                                  recorded_by_id=teacher.id))
        db.session.flush()

    def file(start, end, leave_type=rules.PERSONAL, leaving=False, reason="家中有事",
             applicant=None, proxy_reason="", extends=None):
        if leaving and extends is None:
            call(start)
        return leaves.file(applicant=applicant or student, student=student, unit=unit,
                           leave_type=leave_type, start=start, end=end, reason=reason,
                           leaving_campus=leaving, proxy_reason=proxy_reason, extends=extends)

    def sign(leave, steps=None):
        instance = approval.instance_of(leave)
        done = 0
        while instance.state == "pending" and (steps is None or done < steps):
            step = instance.open_step
            for assignment in list(queries.pending_assignments(step)):
                if instance.state != "pending" or instance.open_step is not step:
                    break
                if any(a.slot == assignment.slot and a.state == "approved"
                       for a in step.assignments):
                    continue
                form = None
                if step.key == "class_teacher" and leave.parent_call_required:
                    called = to_local(leave.start_at - timedelta(hours=14))
                    form = [{"name": "called_at", "label": "called_at",
                             "value": f"{called:%Y-%m-%d %H:%M}"},
                            {"name": "phone", "label": "phone",
                             "value": template["phone"][student.id]},
                            {"name": "answered_by", "label": "answered_by",
                             "value": template["contact"][student.id]},
                            {"name": "note", "label": "note", "value": "家长同意"}]
                actions.approve(instance, assignment.user, "同意", form)
            done += 1
        return leave

    made: list[dict] = []

    # Each kind is filed for the next student of the template class: one student's leaves
    # may not overlap (a rule the school enforces), and the kinds share days.
    students = iter(template["students"])

    def kind(name, weight, pending=False):
        def wrap(build):
            nonlocal student
            student = user(next(students))
            result = build()
            result = result if isinstance(result, list) else [result]
            db.session.flush()
            made.append({"kind": name, "weight": weight, "pending": pending,
                         "student": student.id, "ids": [leave.id for leave in result]})
            return build
        return wrap

    # Past leave, in final states (the truancy one first: mark_overdue looks at everything).
    @kind("truancy", 0.002)
    def _():
        leave = sign(file(_at(-3, 8), _at(-3, 17, 40), leaving=True, reason="回家取东西"))
        leaves.record_exit(leave, guard, leave.start_at)
        leaves.mark_overdue(now=leave.end_at + timedelta(hours=1))
        return leave

    @kind("late_return", 0.006)
    def _():
        leave = sign(file(_at(-4, 8), _at(-4, 17, 40), leaving=True, reason="办身份证"))
        leaves.record_exit(leave, guard, leave.start_at)
        leaves.mark_overdue(now=leave.end_at + timedelta(hours=1))
        leaves.record_return(leave, guard, leave.end_at + timedelta(hours=3))
        return leave

    @kind("monitor_ok", 0.33)
    def _():
        return sign(file(_at(-1, 8), _at(-1, 9, 40), rules.SICK, reason="头疼，去医务室"))

    @kind("monitor_proxy_ok", 0.02)
    def _():
        return sign(file(_at(-1, 14), _at(-1, 14, 45), rules.SICK, reason="发烧",
                         applicant=monitor, proxy_reason="学生发烧在宿舍休息，由班长代为请假"))

    @kind("class_teacher_campus_ok", 0.14)
    def _():
        return sign(file(_at(-2, 8), _at(-2, 11, 40), reason="在宿舍休息"))

    @kind("class_teacher_out_back", 0.17)
    def _():
        leave = sign(file(_at(-2, 8), _at(-2, 17, 40), leaving=True, reason="看牙医"))
        leaves.record_exit(leave, guard, leave.start_at + timedelta(minutes=5))
        leaves.record_return(leave, guard, leave.end_at - timedelta(hours=1))
        return leave

    @kind("grade_out_back", 0.05)
    def _():
        leave = sign(file(_at(-4, 7, 30), _at(-3, 12), leaving=True, reason="回家看病"))
        leaves.record_exit(leave, guard, leave.start_at + timedelta(minutes=10))
        leaves.record_return(leave, guard, leave.end_at - timedelta(hours=2))
        return leave

    @kind("principal_out_back", 0.03)
    def _():
        leave = sign(file(_at(-8, 7, 30), _at(-5, 18), leaving=True, reason="外地参加亲戚婚礼"))
        leaves.record_exit(leave, guard, leave.start_at + timedelta(minutes=10))
        leaves.record_return(leave, guard, leave.end_at - timedelta(hours=3))
        return leave

    @kind("morning_exercise_ok", 0.06)
    def _():
        return sign(file(_at(-1, 6, 30), _at(-1, 7), rules.MORNING_EXERCISE, reason="脚踝扭伤"))

    @kind("exam_ok", 0.02)
    def _():
        return sign(file(_at(-10, 8), _at(-10, 9, 40), rules.SICK, reason="考试期间胃疼"))

    @kind("extension_ok", 0.006)
    def _():
        root = sign(file(_at(-6, 8), _at(-6, 17, 40), leaving=True, reason="家中有事"))
        leaves.record_exit(root, guard, root.start_at)
        ext = file(root.end_at, _at(-5, 17, 40), reason="家长来电：车坏了", applicant=monitor,
                   proxy_reason="家长说明后由班长续假", extends=root)
        ext.created_at = root.end_at - timedelta(hours=2)
        sign(ext)
        leaves.record_return(root, guard, ext.end_at - timedelta(hours=1))
        return [root, ext]

    @kind("monitor_rejected", 0.03)
    def _():
        leave = file(_at(-3, 8), _at(-3, 9, 40), reason="想休息")
        actions.reject(approval.instance_of(leave), monitor, "理由不充分")
        return leave

    @kind("class_teacher_rejected", 0.012)
    def _():
        leave = sign(file(_at(-3, 14), _at(-3, 17, 40), reason="想回宿舍"), steps=1)
        actions.reject(approval.instance_of(leave), teacher, "下午有测验，不批准")
        return leave

    @kind("withdrawn", 0.03)
    def _():
        leave = file(_at(-2, 8), _at(-2, 8, 45), reason="不用了")
        actions.withdraw(approval.instance_of(leave), student, "不需要了")
        return leave

    @kind("returned", 0.01)
    def _():
        leave = sign(file(_at(-2, 14), _at(-2, 17, 40), reason="事假"), steps=1)
        actions.send_back(approval.instance_of(leave), teacher, "请写明具体事由")
        return leave

    # Waiting: recent or coming leave, at every step.
    @kind("wait_monitor", 3, pending=True)
    def _():
        return file(_at(1, 8), _at(1, 9, 40), rules.SICK, reason="头疼，去医务室")

    @kind("wait_class_teacher", 3, pending=True)
    def _():
        return sign(file(_at(1, 8), _at(1, 11, 40), reason="半天事假"), steps=1)

    @kind("wait_grade_office", 1.5, pending=True)
    def _():
        return sign(file(_at(2, 7, 30), _at(3, 12), leaving=True, reason="回家看病"), steps=2)

    @kind("wait_student_affairs", 1, pending=True)
    def _():
        return sign(file(_at(2, 7, 30), _at(3, 12), leaving=True, reason="回家复查"), steps=3)

    @kind("wait_principal", 1, pending=True)
    def _():
        return sign(file(_at(3, 7, 30), _at(6, 18), leaving=True, reason="外地参加婚礼"),
                    steps=4)

    @kind("wait_morning_joint", 1, pending=True)
    def _():
        leave = file(_at(2, 6, 30), _at(2, 7), rules.MORNING_EXERCISE, reason="感冒")
        actions.approve(approval.instance_of(leave), monitor, "同意")
        return leave

    db.session.commit()
    log(f"template leaves: {sum(len(t['ids']) for t in made)} in {len(made)} kinds", started)
    return made


def load_templates(connection, tables, made: list[dict]) -> list[dict]:
    """The rows of each template group, as dicts."""
    t = tables

    def rows(table, column, values):
        if not values:
            return []
        return [dict(r._mapping) for r in connection.execute(
            sa.select(table).where(column.in_(values)).order_by(table.c.id))]

    for group in made:
        group["leaves"] = rows(t["school_leave_leaves"], t["school_leave_leaves"].c.id,
                               group["ids"])
        wids = [leave["workflow_id"] for leave in group["leaves"]]
        group["school_leave_parent_calls"] = rows(
            t["school_leave_parent_calls"], t["school_leave_parent_calls"].c.leave_id,
            group["ids"])
        group["workflow_instances"] = rows(t["workflow_instances"],
                                           t["workflow_instances"].c.id, wids)
        for name in ("workflow_steps", "workflow_assignments", "workflow_actions",
                     "workflow_ccs"):
            group[name] = rows(t[name], t[name].c.instance_id, wids)
    return made


# -- cloning -----------------------------------------------------------------------------------------


def school_weeks(today: date, weeks: int = 104) -> list[int]:
    """How many weeks back a copy may be moved: the school weeks among the last *weeks*."""
    found = []
    for k in range(1, weeks + 1):
        day = today - timedelta(weeks=k)
        summer = (day.month == 7 and day.day > 12) or day.month == 8
        winter = (day.month == 1 and day.day > 22) or (day.month == 2 and day.day < 18)
        if not (summer or winter):
            found.append(k)
    return found


class Cloner:
    """Copies template groups into classes, remapping ids, people, units and times."""

    def __init__(self, sink: Sink, ids: dict[str, int], template: dict, rng: random.Random):
        self.sink, self.ids, self.rng = sink, ids, rng
        self.template = template
        #: Template user id → the key of the person who holds that chair in a class.
        self.roles = {template["teacher"]: "teacher", template["grade_office"]: "grade_office"}
        for key in SCHOOL_STAFF:
            self.roles[template[key]] = key
        for cadre in CADRES.values():
            self.roles[template[cadre]] = cadre
        self.template_student = template["students"][0]
        self.leaves = 0

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def clone(self, group: dict, target: dict, student: int, leave_shift: timedelta,
              filed: datetime) -> list[int]:
        tpl = self.template
        original = group.get("student", self.template_student)  # whose leave the group is
        users = {uid: target[key] for uid, key in self.roles.items()}
        users[original] = student
        replace = ((tpl["phone"][original], target["phone"][student]),
                   (tpl["contact"][original], target["contact"][student]))
        name = target["name"][student]
        leave_map, instance_map, step_map, shift_of = {}, {}, {}, {}
        for leave in group["leaves"]:
            leave_map[leave["id"]] = self._id("school_leave_leaves")
            instance_map[leave["workflow_id"]] = self._id("workflow_instances")
        instances = {i["id"]: i for i in group["workflow_instances"]}
        new_ids = []
        for leave in group["leaves"]:
            row = dict(leave)
            row["id"] = leave_map[leave["id"]]
            new_ids.append(row["id"])
            row["unit_id"], row["student_id"] = target["unit"], student
            row["applicant_id"] = users.get(leave["applicant_id"], leave["applicant_id"])
            if leave["extends_id"] is not None:
                row["extends_id"] = leave_map[leave["extends_id"]]
                row["created_at"] = leave["created_at"] + leave_shift
            else:
                row["created_at"] = filed
            for column in LEAVE_TIMES:
                if row[column] is not None:
                    row[column] = row[column] + leave_shift
            instance = instances[leave["workflow_id"]]
            shift = row["created_at"] - instance["created_at"]
            shift_of[instance["id"]] = shift
            if row["decided_at"] is not None:
                row["decided_at"] = row["decided_at"] + shift
            for column in ("exit_recorded_by_id", "return_recorded_by_id"):
                if row[column] is not None:
                    row[column] = users.get(row[column], row[column])
            row["workflow_id"] = instance_map[leave["workflow_id"]]
            self.sink.add("school_leave_leaves", row)
            self.leaves += 1
            start, end = row["start_at"] + timedelta(hours=8), row["end_at"] + timedelta(hours=8)
            new = _shifted(instance, shift)
            new["id"], new["subject_id"] = row["workflow_id"], str(row["id"])
            new["title"] = f"{name} · {start:%m-%d %H:%M}–{end:%m-%d %H:%M}"
            new["applicant_id"] = users.get(instance["applicant_id"], instance["applicant_id"])
            new["unit_id"] = target["unit"]
            self.sink.add("workflow_instances", new)
        for step in group["workflow_steps"]:
            new = _shifted(step, shift_of[step["instance_id"]])
            new["id"] = step_map[step["id"]] = self._id("workflow_steps")
            new["instance_id"] = instance_map[step["instance_id"]]
            self.sink.add("workflow_steps", new)
        for name_ in ("workflow_assignments", "workflow_actions", "workflow_ccs"):
            for row in group[name_]:
                new = _shifted(row, shift_of[row["instance_id"]])
                new["id"] = self._id(name_)
                new["instance_id"] = instance_map[row["instance_id"]]
                if "step_id" in row and row["step_id"] is not None:
                    new["step_id"] = step_map[row["step_id"]]
                for column in ("user_id", "actor_id", "added_by_id"):
                    if row.get(column) is not None:
                        new[column] = users.get(row[column], row[column])
                if name_ == "workflow_actions" and row["data_json"] != "{}":
                    text = row["data_json"]
                    if "called_at" in text:
                        called = json.loads(text)
                        for item in called.get("form") or ():
                            if isinstance(item, dict) and item.get("name") == "called_at":
                                item["value"] = _shift_wall(item["value"], leave_shift)
                        text = json.dumps(called, ensure_ascii=False)
                    for old, value in replace:
                        text = text.replace(json.dumps(old, ensure_ascii=False)[1:-1],
                                            json.dumps(value, ensure_ascii=False)[1:-1])
                    new["data_json"] = text
                self.sink.add(name_, new)
        for call in group["school_leave_parent_calls"]:
            new = dict(call)
            new["id"] = self._id("school_leave_parent_calls")
            new["leave_id"] = leave_map[call["leave_id"]]
            new["student_id"], new["unit_id"] = student, target["unit"]
            new["recorded_by_id"] = users.get(call["recorded_by_id"], call["recorded_by_id"])
            new["called_at"] = call["called_at"] + leave_shift
            leave = next(x for x in group["leaves"] if x["id"] == call["leave_id"])
            new["recorded_at"] = call["recorded_at"] + shift_of[leave["workflow_id"]]
            for old, value in replace:
                new["phone"] = new["phone"].replace(old, value)
                new["answered_by"] = new["answered_by"].replace(old, value)
            self.sink.add("school_leave_parent_calls", new)
        return new_ids


def _shifted(row: dict, shift: timedelta) -> dict:
    return {k: (v + shift if isinstance(v, datetime) else v) for k, v in row.items()}


def _shift_wall(value: str, shift: timedelta) -> str:
    try:
        return f"{datetime.fromisoformat(value) + shift:%Y-%m-%d %H:%M}"
    except (TypeError, ValueError):
        return value


def clone_leaves(county: dict, made: list[dict], total: int, years: int, rng: random.Random,
                 started: float) -> dict[str, int]:
    from core.extensions import db

    classes = county["classes"]
    template = classes[0]
    metadata = sa.MetaData()
    with db.engine.connect() as connection:
        tables = {name: sa.Table(name, metadata, autoload_with=connection)
                  for name in LEAVE_TABLES}
        load_templates(connection, tables, made)
        ids = next_ids(connection, tables)
        sink = Sink(connection, tables, LEAVE_TABLES)
        cloner = Cloner(sink, ids, template, rng)
        now = utcnow().replace(microsecond=0)
        existing = sum(len(g["ids"]) for g in made)
        pending = [g for g in made if g["pending"]]
        past = [g for g in made if not g["pending"]]
        # A few waiting leaves in every class (the template class has its own already).
        pending_weights = [g["weight"] for g in pending]
        for target in classes[1:]:
            for _ in range(rng.randint(0, 5)):
                if cloner.leaves + existing >= total:
                    break
                group = rng.choices(pending, pending_weights)[0]
                shift = timedelta(weeks=rng.choice((0, 0, 1)))
                filed = now - timedelta(minutes=rng.randint(5, 36 * 60))
                cloner.clone(group, target, rng.choice(target["students"]), shift, filed)
        # The load driver approves as the template class's teacher: give them a few more.
        waiting = next(g for g in pending if g["kind"] == "wait_class_teacher")
        for _ in range(3):
            filed = now - timedelta(minutes=rng.randint(5, 36 * 60))
            cloner.clone(waiting, template, rng.choice(template["students"]), timedelta(), filed)
        log(f"pending leaves cloned: {cloner.leaves}", started)
        weeks = school_weeks(now.date(), 52 * years)
        weights = [g["weight"] for g in past]
        report = max(total // 10, 1)
        next_report = report
        while cloner.leaves + existing < total:
            group = rng.choices(past, weights)[0]
            if len(group["ids"]) > total - existing - cloner.leaves:
                continue
            target = rng.choice(classes)
            shift = -timedelta(weeks=rng.choice(weeks))
            start = group["leaves"][0]["start_at"] + shift
            filed = start - timedelta(minutes=rng.randint(30, 20 * 60))
            cloner.clone(group, target, rng.choice(target["students"]), shift, filed)
            if cloner.leaves >= next_report:
                sink.flush()
                connection.commit()
                log(f"leaves cloned: {cloner.leaves + existing}/{total}", started)
                next_report += report
        sink.flush()
        reset_sequences(connection, LEAVE_TABLES)
        connection.commit()
        counts = dict(sink.counts)
    log("cloned rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()), started)
    return counts


# -- the property company ---------------------------------------------------------------------------


def build_property(years: int, rng: random.Random, password_hash: str, started: float) -> dict:
    """A company with its departments and teams, and *years* of monthly plans and summaries.

    Plans go through the real engine (submitted by the department manager, approved by the
    project manager), with the records' times moved back to when it happened; summaries are
    written as the plugin's demo writes them.
    """
    from danwei_property_reports import deadlines as dl
    from danwei_property_reports import demo as pd
    from danwei_property_reports import tracking
    from danwei_property_reports.approvals import submit_plan
    from danwei_property_reports.catalogue import COMPANY_KIND, DEPARTMENTS, TEAM_KIND
    from danwei_property_reports.models import (
        Catalogue,
        RoutineItem,
        Spec,
        SpecRevision,
    )
    from danwei_property_reports.versions import new_key

    from core import roles, units
    from core.extensions import db
    from core.models import User
    from core.workflow import actions, queries
    from core.workflow.models import WorkflowAction, WorkflowAssignment, WorkflowStep

    plugin = pd.PLUGIN
    company = units.create_unit("b-pr-company", "城关物业服务有限公司", COMPANY_KIND)
    departments = {}
    for key, code, name, _, _ in pd.UNITS:
        dept = next(d for d in DEPARTMENTS if d.key == key)
        departments[key] = units.create_unit(f"b-{code}", name, dept.kind, company)
    teams = {code: units.create_unit(f"b-{code}", name, TEAM_KIND,
                                     departments["engineering"]) for code, name, _ in pd.TEAMS}
    units.set_plugin_state(plugin, company, True)

    def user(username, name, unit, role):
        person = User(username=username, name=name, password_hash=password_hash, unit=unit)
        db.session.add(person)
        db.session.flush()
        roles.assign(person, f"{plugin}.{role}", unit)
        return person

    boss = user("b_pr_boss", "李总", company, "leadership")
    pm = user("b_pr_pm", "张项目经理", company, "project_manager")
    managers = {key: user(f"b_pr_{key}", person, departments[key], "department_manager")
                for key, _, _, _, person in pd.UNITS}
    team = teams["pr-eng-we"]
    user("b_pr_team", "孙班长", team, "team_leader")
    user("b_pr_staff", "钱师傅", team, "staff")
    db.session.flush()

    today = local_today()
    specs = {}
    for key, entries in pd.SPECS.items():
        for code, title in entries:
            spec = Spec(unit=departments[key], code=code, title=title)
            spec.revisions.append(SpecRevision(
                number=1, work_standard=f"{title}:符合公司服务标准。",
                delivery=f"1. 准备工具和材料。\n2. 按流程实施{title}。\n3. 清理现场并记录。",
                inspection="主管每周抽查,记录检查结果,不合格项限期整改。",
                trigger="new_work", reason="", author_id=managers[key].id))
            db.session.add(spec)
            specs.setdefault(key, []).append(spec)
    for key, unit in departments.items():
        catalogue = Catalogue(unit=unit, number=1, status="approved",
                              author_id=managers[key].id,
                              effective_from=today - timedelta(days=365 * years + 20),
                              decided_by_id=boss.id,
                              decided_at=utcnow() - timedelta(days=365 * years + 25),
                              submitted_at=utcnow() - timedelta(days=365 * years + 30))
        for position, (cadence, content) in enumerate((
                ("daily", f"{unit.name}日常巡查"), ("weekly", "部门例会"),
                ("monthly", "月度工作总结与计划"), ("yearly", "年度考评")), start=1):
            catalogue.items.append(RoutineItem(
                item_key=new_key(), cadence=cadence,
                cadence_order=("daily", "weekly", "monthly", "yearly").index(cadence),
                position=position, content=content, standard="按公司制度执行",
                responsible=managers[key].name,
                spec_id=specs[key][0].id if key in specs and cadence == "daily" else None))
        db.session.add(catalogue)
    db.session.flush()

    def backdate(version, at: datetime, decided: datetime):
        instance = queries.workflow_for(version, "property_reports.plan")
        instance.created_at = at
        instance.updated_at = instance.finished_at = decided
        for step in db.session.scalars(sa.select(WorkflowStep).where(
                WorkflowStep.instance_id == instance.id)):
            step.opened_at = at
            step.closed_at = decided if step.closed_at else None
            step.due_at = step.due_at and at + timedelta(days=2)
            step.remind_at = step.remind_at and at + timedelta(days=1)
        for a in db.session.scalars(sa.select(WorkflowAssignment).where(
                WorkflowAssignment.instance_id == instance.id)):
            a.created_at = at
            a.acted_at = decided if a.acted_at else None
        for a in db.session.scalars(sa.select(WorkflowAction).where(
                WorkflowAction.instance_id == instance.id)):
            a.at = at if a.action == "submit" else decided

    months = tracking.months_back(today.year, today.month, 12 * years + 1)[:-1]
    previous: dict[str, dict] = {}
    plan_ids, summary_ids = [], []
    for index, (year, month) in enumerate(months):
        for key, unit in departments.items():
            version = pd._plan(unit, year, month, key, managers[key], pm, specs, rng,
                               approve=False)
            db.session.flush()
            submit_plan(version, managers[key])
            actions.approve(queries.workflow_for(version, "property_reports.plan"), pm, "同意")
            deadline = tracking.deadline_for(unit, dl.PLAN, year, month)
            handed = deadline.due - timedelta(days=rng.randint(0, 3))
            if rng.random() < 0.1:
                handed = deadline.due + timedelta(days=rng.randint(1, 3))
            handed = min(handed, today)
            at = pd._utc(handed)
            decided = at + timedelta(hours=rng.randint(2, 30))
            version.plan.first_submitted_at = version.submitted_at = at
            version.approved_on = local_date(decided)
            version.review_record = (f"{handed} {managers[key].name}: 提交\n"
                                     f"{version.approved_on} {pm.name}: 同意")
            backdate(version, at, decided)
            plan_ids.append(version.plan.id)
            deadline = tracking.deadline_for(unit, dl.SUMMARY, year, month)
            if index == len(months) - 1 and key in ("admin", "security") \
                    and today <= deadline.due + timedelta(days=3):
                continue  # last month's summary not handed in yet
            summary = pd.summary_of(version, key, managers[key], deadline,
                                    rng.random() < 0.12, today, rng, previous)
            summary_ids.append(summary.id)
        db.session.commit()
    # This month's plans: submitted, waiting for the project manager (the inbox has them).
    for key, unit in departments.items():
        version = pd._plan(unit, today.year, today.month, key, managers[key], pm, specs, rng,
                           approve=False)
        db.session.flush()
        submit_plan(version, managers[key])
        plan_ids.append(version.plan.id)
    db.session.commit()
    log(f"property: {len(plan_ids)} plans, {len(summary_ids)} summaries", started)
    return {"company": company.id, "plan_ids": plan_ids, "summary_ids": summary_ids}


# -- the whole thing -----------------------------------------------------------------------------


def generate(database_url: str, schools: int = 20, classes: int = 60, students: int = 50,
             leaves: int = 500_000, leave_years: int = 5, property_years: int = 3,
             manifest: str | Path | None = None,
             seed: int = 2026) -> dict:
    """Fill the EMPTY database at *database_url*; returns (and writes) the manifest."""
    started = clock.monotonic()
    if students < len(CADRES) + TEMPLATE_KINDS:
        raise ValueError(f"a class needs at least {len(CADRES) + TEMPLATE_KINDS} students: "
                         "the cadres, and one student for each kind of template leave")
    app = make_app(database_url)
    rng = random.Random(seed)
    sizes = dict(schools=schools, classes=classes, students=students)
    with closing(app):
        from core import roles, schema, users
        from core.extensions import db

        existing = sa.inspect(db.engine).get_table_names()
        if existing:
            raise SystemExit(f"The database is not empty ({len(existing)} tables, e.g. "
                             f"{sorted(existing)[0]}): give an empty one.")
        schema.upgrade()
        roles.sync_declared_roles(app.extensions["danwei"])
        db.session.commit()
        log("schema migrated", started)
        password_hash = users.hash_password(PASSWORD)
        county = build_county(sizes, rng, password_hash, started)
        made = make_templates(county["classes"][0], started)
        clone_leaves(county, made, leaves, leave_years, rng, started)
        prop = build_property(property_years, rng, password_hash, started)
        result = _manifest(county, prop)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT") \
                    .exec_driver_sql("ANALYZE")
        log("counts: " + ", ".join(f"{k} {v}" for k, v in result["counts"].items()), started)
    result["seconds"] = round(clock.monotonic() - started, 1)
    if manifest is not None:
        Path(manifest).parent.mkdir(parents=True, exist_ok=True)
        Path(manifest).write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                  encoding="utf-8")
    log(f"generated in {result['seconds']} s", started)
    return result


def _manifest(county: dict, prop: dict) -> dict:
    from danwei_school_leave.models import Leave

    from core.extensions import db
    from core.workflow.models import WorkflowAssignment

    c = county["classes"][0]
    counts = {}
    for name in sorted(sa.inspect(db.engine).get_table_names()):
        if not name.startswith("alembic"):
            counts[name] = db.session.scalar(sa.text(f"SELECT count(*) FROM {name}"))
    leave_ids = []
    for status in ("approved", "pending", "rejected", "withdrawn", "returned"):
        leave_ids += list(db.session.scalars(sa.select(Leave.id).where(
            Leave.unit_id == c["unit"], Leave.status == status).order_by(Leave.id.desc())
            .limit(3)))
    waiting = list(db.session.scalars(
        sa.select(Leave.id).join(WorkflowAssignment,
                                 WorkflowAssignment.instance_id == Leave.workflow_id)
        .where(WorkflowAssignment.user_id == c["teacher"],
               WorkflowAssignment.state == "pending").order_by(Leave.id)))
    return {
        "password": PASSWORD,
        "counts": counts,
        "accounts": {
            "principal": f"{c['school_prefix']}_principal",
            "class_teacher": f"{c['prefix']}_teacher",
            "grade_office": f"{c['grade_prefix']}_office",
            "monitor": f"{c['prefix']}_st01",
            "student": f"{c['prefix']}_st{len(CADRES) + 1:02d}",
            "gate_guard": f"{c['school_prefix']}_guard",
            "county_admin": "b_county_admin",
            "property_manager": "b_pr_pm",
            "property_dept_manager": "b_pr_engineering",
            "property_leadership": "b_pr_boss",
        },
        "units": {"county": county["county"], "school": c["school"], "grade": c["grade"],
                  "class": c["unit"], "company": prop["company"]},
        "leave_ids": leave_ids,
        "pending_for_class_teacher": waiting,
        "property": {"plan_ids": prop["plan_ids"], "summary_ids": prop["summary_ids"]},
    }


# -- checking it through the real app -----------------------------------------------------------


def verify(database_url: str, manifest: dict) -> float:
    """Log in as the manifest's people and use the pages on the generated data.

    Approves the last of ``pending_for_class_teacher`` through the inbox's action and takes
    it off that list (the caller rewrites the manifest). Returns the seconds it took.
    """
    started = clock.monotonic()
    app = make_app(database_url)
    app.config["DEFAULT_LOCALE"] = "en"
    accounts, password = manifest["accounts"], manifest["password"]

    def client_for(username):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, (username, response.status_code)
        return client

    def ok(client, url, *needles):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (url, response.status_code)
        text = response.get_data(as_text=True)
        for needle in needles:
            assert needle in text, (url, needle)
        return text

    from danwei_school_leave.models import Leave

    from core.extensions import db
    from core.models import User
    from core.workflow.models import WorkflowInstance

    assert manifest["pending_for_class_teacher"], "nothing waits for the class teacher"
    with closing(app):
        leave = db.session.get(Leave, manifest["pending_for_class_teacher"][-1])
        instance = db.session.get(WorkflowInstance, leave.workflow_id)
        leave_id, instance_id, step_id = leave.id, instance.id, instance.open_step.id
        name, title = db.session.get(User, leave.student_id).name, instance.title
        phone = f"139{leave.student_id:08d}"
    teacher = client_for(accounts["class_teacher"])
    ok(teacher, "/")
    ok(teacher, "/inbox/", title.split(" · ")[0])
    ok(teacher, "/school_leave/")
    for other in manifest["leave_ids"]:
        ok(teacher, f"/school_leave/leave/{other}")
    ok(teacher, f"/school_leave/leave/{leave_id}", name)
    response = teacher.post(f"/workflow/{instance_id}/decide", data={
        "decide-comment": "同意", "decide-step_id": str(step_id), "decide-approve": "1",
        "step-called_at": f"{datetime.now():%Y-%m-%dT%H:%M}", "step-phone": phone,
        "step-answered_by": "母亲", "step-note": "家长同意",
    })
    assert response.status_code == 302, response.status_code
    with closing(app):
        step = db.session.get(WorkflowInstance, instance_id).open_step
        assert step is None or step.id != step_id, "the approval did not move the leave on"
    manifest["pending_for_class_teacher"].remove(leave_id)
    ok(client_for(accounts["county_admin"]), "/school_leave/")
    ok(client_for(accounts["student"]), "/")
    manager = client_for(accounts["property_manager"])
    ok(manager, "/property_reports/plans")
    ok(manager, "/inbox/")
    ok(manager, f"/property_reports/plans/{manifest['property']['plan_ids'][0]}")
    with closing(app):
        pass  # closes the pool the requests used
    seconds = round(clock.monotonic() - started, 1)
    log(f"verified in {seconds} s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--small", action="store_true", help="about 1,000 leaves")
    for key, value in PRESETS["full"].items():
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=None,
                            help=f"default {value} (small: {PRESETS['small'][key]})")
    parser.add_argument("--manifest", default=None)
    parser.add_argument("--no-verify", action="store_true")
    args = parser.parse_args(argv)
    scale = "small" if args.small else "full"
    sizes = {key: getattr(args, key) if getattr(args, key) is not None else value
             for key, value in PRESETS[scale].items()}
    target = args.manifest or str(ROOT / "bench" / "out" / f"manifest-{scale}.json")
    result = generate(args.database_url, manifest=target, **sizes)
    print(f"manifest: {target}")
    if not args.no_verify:
        result["verify_seconds"] = verify(args.database_url, result)
        Path(target).write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
