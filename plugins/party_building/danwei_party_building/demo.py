"""Demo data: a party committee with three branches and their groups; 22 members in the first
branch (as in 篇七) with one development target this year; development files at every stage;
a year of meetings with some missing; dues with arrears; a plan, pledges and pairings.

Dates are relative to today so the dashboard always has something to say. Written through
the models directly (the rules are proven by the tests; here the dates are chosen lawful)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.api import DemoAccount, db, local_today

from . import rules
from .models import (EMPLOYED, FULL, PROBATIONARY, RETIRED, PartyAbsence, PartyDevFile,
                     PartyDevStep, PartyIntegrityEntry, PartyMeeting, PartyMember,
                     PartyPairing, PartyPayChange, PartyPayment, PartyPlanItem, PartyPledge,
                     PartyRegistration, PartyVisit)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def names(n, offset=0):
    return [SURNAMES[(i + offset) % len(SURNAMES)] + GIVEN[(i * 7 + offset) % len(GIVEN)]
            for i in range(n)]


def load(demo):
    root = demo.unit("demo", "演示单位", "organisation")
    committee = demo.unit("demo-party", "演示单位党委", "party_committee", root)
    branches = [demo.unit("demo-party-b1", "机关第一党支部", "party_branch", committee),
                demo.unit("demo-party-b2", "机关第二党支部", "party_branch", committee),
                demo.unit("demo-party-b3", "离退休党支部", "party_branch", committee)]
    for i, branch in enumerate(branches, start=1):
        demo.unit(f"demo-party-b{i}-g1", f"{branch.name}第一党小组", "party_group", branch)
    demo.unit("demo-party-b1-g2", "机关第一党支部第二党小组", "party_group", branches[0])
    demo.enable("party_building", committee)
    first = branches[0]
    people = {
        "pb_secretary": ("支部书记王伟", (("party_building.secretary", first),)),
        "pb_discipline": ("纪检委员李芳", (("party_building.discipline_member", first),)),
        "pb_organisation": ("组织委员张娜", (("party_building.organisation_member", first),)),
        "pb_treasurer": ("党费收缴员刘敏", (("party_building.treasurer", first),)),
        "pb_committee": ("党委书记陈静", (("party_building.secretary", committee),)),
        "pb_member": ("党员杨丽", (("party_building.member", first),)),
    }
    for username, (name, roles) in people.items():
        demo.user(username, name, first if username != "pb_committee" else committee,
                  roles_in=roles)
    today = local_today()
    if not db.session.scalar(select(PartyMember.id).where(PartyMember.unit_id == first.id)):
        _members(first, 21, today, arrears=True)  # and 孙杰, probationary: 22 (篇七)
        _members(branches[1], 9, today, offset=5)
        _members(branches[2], 6, today, offset=11, retired=True)
        _meetings(first, today, skip_months=(2, 5))
        _meetings(branches[1], today, skip_months=(1,))
        _files(first, today)
        _plan(first, today)
    labels = {
        "pb_secretary": "Branch secretary / 支部书记",
        "pb_discipline": "Discipline member / 纪检委员",
        "pb_organisation": "Organisation member / 组织委员",
        "pb_treasurer": "Dues treasurer / 党费收缴员",
        "pb_committee": "Committee secretary / 党委书记",
        "pb_member": "Party member / 党员",
    }
    return [DemoAccount(u, demo.password, label,
                        committee.name if u == "pb_committee" else first.name)
            for u, label in labels.items()]


def _members(branch, n, today, offset=0, arrears=False, retired=False):
    start = rules.add_months(today.replace(day=1), -12)
    last_complete = rules.add_months(today.replace(day=1), -1)
    for i, name in enumerate(names(n, offset)):
        joined = date(1990 + (i * 3) % 30, 1 + i % 12, 1 + i % 27)
        member = PartyMember(unit_id=branch.id, name=name, status=FULL, joined_on=joined,
                             converted_on=rules.add_months(joined, 12), political_birthday=joined,
                             work_unit=branch.name, retired=retired or i % 9 == 8,
                             hardship=i == 5, contact_person="")
        db.session.add(member)
        db.session.flush()
        pay = Decimal(2800 + (i * 613) % 9000)
        category = RETIRED if member.retired else EMPLOYED
        db.session.add(PartyPayChange(unit_id=branch.id, member_id=member.id, from_month=start,
                                      category=category, pay=pay))
        unpaid = (4 if i == 3 else 7 if i == 7 else 0) if arrears else 0
        due = rules.monthly_dues(branch, category, pay, member.hardship)
        for month in rules.months_between(start, last_complete)[:-unpaid or None]:
            db.session.add(PartyPayment(unit_id=branch.id, member_id=member.id, month=month,
                                        amount=due, paid_on=month + timedelta(days=9)))
        if i < 3 and arrears:
            db.session.add(PartyPairing(unit_id=branch.id, member_id=member.id,
                                        household=f"困难户{name[0]}大爷家",
                                        started_on=start))
            db.session.add(PartyRegistration(unit_id=branch.id, member_id=member.id,
                                             community="屯里社区", registered_on=start))
        if i < 2 and arrears:
            db.session.add(PartyIntegrityEntry(unit_id=branch.id, member_id=member.id,
                                               kind="self_check", on=start + timedelta(days=20),
                                               content="廉政风险点自查：岗位风险两处，已制定防控措施。"))
    db.session.flush()


def _meetings(branch, today, skip_months=()):
    """Twelve months back: monthly committee, group and party day, quarterly member meeting
    and lecture, one organisational life meeting; the months in *skip_months* (back from
    this one) have no committee meeting or party day."""
    people = db.session.scalars(select(PartyMember).where(PartyMember.unit_id == branch.id)).all()
    for back in range(1, 13):
        month = rules.add_months(today.replace(day=1), -back)
        kinds = ["group"] + ([] if back in skip_months else ["committee", "party_day"])
        if month.month in (3, 6, 9, 12):
            kinds += ["member_meeting", "lecture"]
        if back == 6:
            kinds.append("org_life")
        for k, kind in enumerate(kinds):
            held = month + timedelta(days=5 + k * 3)
            meeting = PartyMeeting(unit_id=branch.id, kind=kind, held_on=held, place="党员活动室",
                                   chair="王伟", recorder="张娜", agenda="学习文件；讨论工作。",
                                   resolutions="按计划推进。", expected=len(people),
                                   present=len(people) - 1)
            db.session.add(meeting)
            db.session.flush()
            if people:
                db.session.add(PartyAbsence(unit_id=branch.id, meeting_id=meeting.id,
                                            member_id=people[(back + k) % len(people)].id,
                                            reason="出差"))


def _file(branch, name, steps, **extra):
    file = PartyDevFile(unit_id=branch.id, name=name, stage=rules.APPLIED, **extra)
    db.session.add(file)
    db.session.flush()
    for step, on, fields in steps:
        db.session.add(PartyDevStep(unit_id=branch.id, file_id=file.id, step=step, on=on,
                                    **fields))
        if step not in rules.REPEATED:
            file.stage = step
    return file


def _files(branch, today):
    """One file at each stage, dated lawfully back from today."""
    d = lambda days: today - timedelta(days=days)  # noqa: E731
    vote = {"entitled": 22, "present": 20, "in_favour": 19}
    _file(branch, "赵磊", [(rules.APPLIED, d(10), {})])
    _file(branch, "吴洋", [(rules.APPLIED, d(60), {}), (rules.TALKED, d(40), {})])
    _file(branch, "周勇", [(rules.APPLIED, d(300), {}), (rules.TALKED, d(280), {}),
                         (rules.ACTIVIST, d(250), {}), (rules.REVIEW, d(70), {})],
          contact_person="王伟")
    _file(branch, "徐艳", [(rules.APPLIED, d(600), {}), (rules.TALKED, d(580), {}),
                         (rules.ACTIVIST, d(560), {}), (rules.REVIEW, d(380), {}),
                         (rules.REVIEW, d(200), {}), (rules.TARGET, d(150), {}),
                         (rules.POLITICAL_REVIEW, d(100), {}),
                         (rules.TRAINING, d(60), {"hours": 24}), (rules.NOTICE, d(3), {})],
          contact_person="张娜")
    admitted = _file(branch, "孙杰", [
        (rules.APPLIED, d(900), {}), (rules.TALKED, d(880), {}), (rules.ACTIVIST, d(860), {}),
        (rules.REVIEW, d(680), {}), (rules.REVIEW, d(500), {}), (rules.TARGET, d(450), {}),
        (rules.POLITICAL_REVIEW, d(420), {}), (rules.TRAINING, d(400), {"hours": 24}),
        (rules.NOTICE, d(380), {}), (rules.ADMITTED, d(240), vote),
        (rules.APPROVED, d(200), {})], contact_person="王伟")
    member = PartyMember(unit_id=branch.id, name="孙杰", status=PROBATIONARY,
                         joined_on=d(240), political_birthday=d(240), contact_person="王伟")
    db.session.add(member)
    db.session.flush()
    admitted.member_id = member.id
    _file(branch, "马娟", [(rules.APPLIED, d(700), {}), (rules.TALKED, d(690), {}),
                         (rules.ACTIVIST, d(650), {}), (rules.REVIEW, d(470), {}),
                         (rules.REVIEW, d(290), {}), (rules.TARGET, d(250), {}),
                         (rules.POLITICAL_REVIEW, d(200), {}),
                         (rules.TRAINING, d(150), {"hours": 24}), (rules.NOTICE, d(120), {}),
                         (rules.ADMITTED, d(40), vote)], contact_person="张娜")


def _plan(branch, today):
    year = today.year
    items = [
        ("party", "培养入党积极分子，每个支部至少2名", "组织委员", date(year, 6, 30), 50),
        ("party", "完成全年党员发展计划", "组织委员", date(year, 12, 31), 0),
        ("party", "“七一”大型主题活动", "支部书记", date(year, 7, 1), 100),
        ("party", "开展“党员先锋岗”活动", "支部书记", date(year, 9, 30), 60),
        ("publicity", "统一标语、标牌、宣传栏样式", "宣传委员", date(year, 5, 31), 100),
        ("mass", "“三八”妇女节文体活动", "妇委会", date(year, 3, 8), 100),
        ("mass", "“五四”青年节活动", "团支部", date(year, 5, 4), 100),
        ("mass", "“十一”国庆文体活动", "工会", date(year, 10, 1), 30),
    ]
    for part, title, owner, due, progress in items:
        db.session.add(PartyPlanItem(unit_id=branch.id, year=year, part=part, title=title,
                                     owner=owner, due_on=due, progress=progress))
    quarter = (today.month - 1) // 3 + 1
    for q in range(1, quarter + 1):
        start = date(year, 3 * q - 2, 1)
        reviewed = q < quarter
        db.session.add(PartyPledge(
            unit_id=branch.id, quarter=f"{year}-Q{q}", pledge="按时召开三会一课，完成结对帮扶走访。",
            published_on=start + timedelta(days=5), review="已兑现。" if reviewed else "",
            reviewed_on=start + timedelta(days=80) if reviewed else None,
            review_published_on=start + timedelta(days=85) if reviewed else None))
    for pairing in db.session.scalars(select(PartyPairing).where(
            PartyPairing.unit_id == branch.id)):
        db.session.add(PartyVisit(unit_id=branch.id, pairing_id=pairing.id,
                                  on=today - timedelta(days=30), note="送去慰问品，了解生活困难。"))
