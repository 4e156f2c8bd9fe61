"""Benchmark data of the party_building plugin (shared interface: ``generate(app, rng, small)``).

A party committee under the root unit with 200 branches (2 when small), one group each, 5,000
members (50 when small) with a year of pay and dues, a year of meetings per branch with some
missing, and development files at every stage. Rows are bulk inserted; the accounts that load
the pages are made through core. Pages: a branch's dashboard and its development pipeline.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from core.api import Demo, Unit, assign_role, create_unit, create_user, db, local_today

PASSWORD = "danwei2026"
BRANCHES, MEMBERS = 200, 5_000
KINDS_MONTHLY = ("committee", "group", "party_day")
KINDS_QUARTERLY = ("member_meeting", "lecture")
#: (step, days before today) of a file at each stage; dated lawfully.
FILES = (
    (("applied", 10),),
    (("applied", 60), ("talked", 40)),
    (("applied", 300), ("talked", 280), ("activist", 250), ("review", 70)),
    (("applied", 600), ("talked", 580), ("activist", 560), ("review", 380), ("review", 200),
     ("target", 150), ("political_review", 100), ("training", 60), ("notice", 3)),
    (("applied", 700), ("talked", 690), ("activist", 650), ("review", 470), ("review", 290),
     ("target", 250), ("political_review", 200), ("training", 150), ("notice", 120),
     ("admitted", 40)),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力林波宁浩宇"


def _months_back(today, n):
    first = today.replace(day=1)
    months = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months


def generate(app, rng: random.Random, small: bool) -> dict:
    from danwei_party_building.models import (PartyAbsence, PartyDevFile, PartyDevStep,
                                              PartyMeeting, PartyMember, PartyPayChange,
                                              PartyPayment)

    branches_n = 2 if small else BRANCHES
    members_n = MEMBERS // 100 if small else MEMBERS
    today = local_today()
    root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    committee = create_unit("bench-party", "基准党委", "party_committee", root)
    branches = [create_unit(f"bench-party-b{i}", f"第{i}党支部", "party_branch", committee)
                for i in range(1, branches_n + 1)]
    for branch in branches:
        create_unit(f"{branch.code}-g1", f"{branch.name}第一党小组", "party_group", branch)
    Demo().enable("party_building", committee)
    first = branches[0]
    accounts = {"secretary": ("bench_pb_secretary", "支部书记", first),
                "organisation": ("bench_pb_organisation", "组织委员", first),
                "committee": ("bench_pb_committee", "党委书记", committee)}
    roles = {"secretary": "party_building.secretary",
             "organisation": "party_building.organisation_member",
             "committee": "party_building.secretary"}
    for key, (username, name, unit) in accounts.items():
        user = create_user(username, name, PASSWORD, unit)
        assign_role(user, roles[key], unit)
    db.session.flush()

    months = _months_back(today, 12)
    member_rows = []
    per_branch = members_n // branches_n
    for b_index, branch in enumerate(branches):
        for i in range(per_branch):
            joined = today - timedelta(days=rng.randint(400, 12_000))
            member_rows.append(dict(
                unit_id=branch.id, user_id=None,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                status="full", joined_on=joined, converted_on=joined + timedelta(days=365),
                political_birthday=joined, work_unit=branch.name, retired=i % 9 == 8,
                hardship=False, contact_person="", left_on=None, created_at=app_now()))
    db.session.execute(insert(PartyMember), member_rows)
    members = db.session.execute(select(PartyMember.id, PartyMember.unit_id).where(
        PartyMember.unit_id.in_([b.id for b in branches]))).all()
    pay_rows, payment_rows = [], []
    for n, (member_id, unit_id) in enumerate(members):
        pay_rows.append(dict(unit_id=unit_id, member_id=member_id, from_month=months[-1],
                             category="employed", pay=3000 + (n * 613) % 9000, fixed=None))
        unpaid = 4 if n % 40 == 3 else 7 if n % 40 == 7 else 0
        for month in months[unpaid:]:
            payment_rows.append(dict(unit_id=unit_id, member_id=member_id, month=month,
                                     amount=30, paid_on=month + timedelta(days=9),
                                     recorded_by=None))
    db.session.execute(insert(PartyPayChange), pay_rows)
    for i in range(0, len(payment_rows), 10_000):
        db.session.execute(insert(PartyPayment), payment_rows[i:i + 10_000])

    meeting_rows = []
    for branch in branches:
        skip = rng.randrange(12)
        for back, month in enumerate(months):
            kinds = [k for k in KINDS_MONTHLY if back != skip or k == "group"]
            if month.month in (3, 6, 9, 12):
                kinds += list(KINDS_QUARTERLY)
            for k, kind in enumerate(kinds):
                meeting_rows.append(dict(
                    unit_id=branch.id, kind=kind, held_on=month + timedelta(days=4 + k * 3),
                    place="党员活动室", chair="书记", recorder="组织委员", agenda="学习文件",
                    resolutions="", expected=per_branch, present=per_branch - 1,
                    created_at=app_now()))
    for i in range(0, len(meeting_rows), 10_000):
        db.session.execute(insert(PartyMeeting), meeting_rows[i:i + 10_000])
    absent = {}
    for member_id, unit_id in members:
        absent.setdefault(unit_id, member_id)
    meetings = db.session.execute(select(PartyMeeting.id, PartyMeeting.unit_id).where(
        PartyMeeting.unit_id.in_([b.id for b in branches]))).all()
    absence_rows = [dict(unit_id=u, meeting_id=m, member_id=absent[u], reason="出差")
                    for m, u in meetings if u in absent]
    for i in range(0, len(absence_rows), 10_000):
        db.session.execute(insert(PartyAbsence), absence_rows[i:i + 10_000])

    file_rows = []
    for branch in branches:
        for stage_steps in FILES:
            stage = next(s for s, _d in reversed(stage_steps)
                         if s not in ("review", "political_review", "training"))
            file_rows.append(dict(unit_id=branch.id, name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                                  stage=stage, contact_person="书记", member_id=None,
                                  created_at=app_now()))
    db.session.execute(insert(PartyDevFile), file_rows)
    files = db.session.execute(select(PartyDevFile.id, PartyDevFile.unit_id).where(
        PartyDevFile.unit_id.in_([b.id for b in branches])).order_by(PartyDevFile.id)).all()
    step_rows = []
    for n, (file_id, unit_id) in enumerate(files):
        for step, days in FILES[n % len(FILES)]:
            step_rows.append(dict(
                unit_id=unit_id, file_id=file_id, step=step, on=today - timedelta(days=days),
                hours=24 if step == "training" else 0,
                entitled=per_branch if step == "admitted" else 0,
                present=per_branch - 1 if step == "admitted" else 0,
                in_favour=per_branch - 2 if step == "admitted" else 0, months=0, note="",
                recorded_by=None, recorded_at=app_now()))
    db.session.execute(insert(PartyDevStep), step_rows)
    db.session.commit()
    path = f"/party_building/branch/{first.id}"
    return {
        "counts": {"party branches": len(branches), "party members": len(members),
                   "dues payments": len(payment_rows), "party meetings": len(meeting_rows),
                   "development files": len(files), "development steps": len(step_rows)},
        "pages": [
            {"name": "party: branch dashboard", "user": "bench_pb_secretary", "path": path},
            {"name": "party: development pipeline", "user": "bench_pb_organisation",
             "path": f"{path}/development"},
            {"name": "party: branches list", "user": "bench_pb_committee",
             "path": "/party_building/"},
        ],
    }


def app_now():
    from core.api import utcnow

    return utcnow()
