"""Members and transfers, meetings (quorum and majority, overdue periods with their rule, the
reminder), dues (tiers at their boundaries, the treasurer's month, arrears), all over HTTP."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from core.api import db, local_today

import danwei_party_building.views as views_module
from danwei_party_building import rules
from danwei_party_building.models import PartyMember, PartyPayChange, PartyPayment


def add_member(client, branch, name="李明", **fields):
    data = {"name": name, "status": "full", "joined_on": "2010-07-01", **fields}
    response = client.post(f"/party_building/branch/{branch.id}/members/new", data=data)
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


# -- organisation and members -----------------------------------------------------------------
def test_member_record_and_dated_transfer_out(org, person):
    client = person("organisation_member", org["branch"])
    member_id = add_member(client, org["branch"], work_unit="办公室", retired="y")
    page = client.get(f"/party_building/branch/{org['branch'].id}/members").text
    assert "李明" in page
    response = client.post(f"/party_building/member/{member_id}/transfer",
                           data={"t-direction": "out", "t-on": "2026-03-01",
                                 "t-other_party": "市教育局机关党委"})
    assert response.status_code == 302
    member = db.session.get(PartyMember, member_id)
    assert member.left_on == date(2026, 3, 1) and member.retired
    assert "李明" not in client.get(f"/party_building/branch/{org['branch'].id}/members").text
    left = client.get(f"/party_building/branch/{org['branch'].id}/members?left=1").text
    assert "李明" in left


def test_a_rejected_member_form_keeps_what_was_typed(org, person):
    client = person("secretary", org["branch"])
    response = client.post(f"/party_building/branch/{org['branch'].id}/members/new",
                           data={"name": "", "work_unit": "财务科", "status": "full"})
    assert response.status_code == 200 and 'value="财务科"' in response.text
    assert db.session.scalar(select(db.func.count(PartyMember.id))) == 0


def test_roles_are_scoped_to_their_branch(org, person):
    other = person("secretary", org["b2"])
    client = person("organisation_member", org["branch"])
    member_id = add_member(client, org["branch"])
    assert other.get(f"/party_building/member/{member_id}").status_code == 404
    assert other.get(f"/party_building/branch/{org['branch'].id}").status_code == 404
    assert other.get("/party_building/").status_code == 200
    assert org["branch"].name not in other.get("/party_building/").text.split("<main")[1]
    committee = person("secretary", org["committee"])
    assert committee.get(f"/party_building/member/{member_id}").status_code == 200
    treasurer = person("treasurer", org["branch"])
    assert treasurer.post(f"/party_building/branch/{org['branch'].id}/members/new",
                          data={"name": "x", "status": "full"}).status_code in (403, 404)
    member = person("member", org["branch"])
    assert member.get(f"/party_building/branch/{org['branch'].id}").status_code in (403, 404)
    assert member.get("/party_building/plan").status_code == 200


# -- meetings --------------------------------------------------------------------------------
def record_meeting(client, branch, kind, held_on, **fields):
    response = client.post(f"/party_building/branch/{branch.id}/meetings/new",
                           data={"kind": kind, "held_on": held_on, "chair": "王伟", **fields})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def test_meeting_records_attendance_with_reasons(org, person):
    keeper = person("secretary", org["branch"])
    ids = [add_member(keeper, org["branch"], name=n) for n in ("甲", "乙", "丙")]
    url = record_meeting(keeper, org["branch"], "member_meeting", "2026-03-10",
                         **{f"absent_{ids[1]}": "1", f"reason_{ids[1]}": "出差"})
    page = keeper.get(url).text
    assert "2 / 3" in page and "乙: 出差" in page


@pytest.mark.parametrize("entitled,present,favour,ok", [
    (10, 5, 5, False),   # exactly half present: no quorum
    (10, 6, 5, False),   # exactly half of all entitled in favour: not passed
    (10, 6, 6, True),
    (9, 5, 5, True),
])
def test_vote_quorum_and_majority(org, person, entitled, present, favour, ok):
    keeper = person("secretary", org["branch"])
    url = record_meeting(keeper, org["branch"], "member_meeting", "2026-03-10")
    response = keeper.post(url, data={"subject": "接收预备党员", "entitled": entitled,
                                      "present": present, "in_favour": favour})
    assert (response.status_code == 302) is ok
    if not ok:
        assert "发展党员工作细则" in response.text and 'data-testid="refusal"' in response.text
        assert 'value="接收预备党员"' in response.text


def test_overdue_meetings_on_the_dashboard_with_the_rule(org, person, monkeypatch):
    monkeypatch.setattr(views_module, "local_today", lambda: date(2026, 5, 20))
    keeper = person("secretary", org["branch"])
    for month in (1, 2, 4):  # March is missing
        record_meeting(keeper, org["branch"], "committee", f"2026-{month:02d}-10")
    page = keeper.get(f"/party_building/branch/{org['branch'].id}").text
    overdue = page.split('data-testid="overdue-meetings"')[1].split("</ul>")[0]
    assert 'data-kind="committee" data-start="2026-03-01"' in overdue
    assert 'data-kind="committee" data-start="2026-02-01"' not in overdue
    assert "Branch committee meeting: at least once a month" in overdue
    assert "中国共产党支部工作条例" in overdue
    # Quarterly member meeting: Q1 ended without one.
    assert 'data-kind="member_meeting" data-start="2026-01-01"' in overdue
    # The current month of committee meetings is due, not overdue.
    assert 'data-kind="committee" data-start="2026-05-01"' not in overdue


def test_frequency_is_a_setting(org, person, monkeypatch):
    from core.api import set_setting

    monkeypatch.setattr(views_module, "local_today", lambda: date(2026, 5, 20))
    set_setting("party_building", "freq_committee", "quarter", org["branch"])
    db.session.commit()
    keeper = person("secretary", org["branch"])
    record_meeting(keeper, org["branch"], "committee", "2026-02-10")
    page = keeper.get(f"/party_building/branch/{org['branch'].id}").text
    assert 'data-kind="committee"' not in page.split('data-testid="overdue-meetings"')[1]


def at_local_8(day):
    return datetime(day.year, day.month, day.day, 0, 5)  # 08:05 in Beijing, as naive UTC


def test_secretary_is_reminded_before_the_period_ends(org, create_user, run_jobs,
                                                      notifications_of):
    secretary = create_user(unit=org["branch"],
                            roles=(("party_building.secretary", org["branch"]),))
    above = create_user(unit=org["committee"],
                        roles=(("party_building.secretary", org["committee"]),))
    # May 2026 ends on Sunday 31: Monday 25 is 5 working days before; Friday 22 is 6.
    run_jobs(at=at_local_8(date(2026, 5, 22)), job="party_building.meetings", force=True)
    assert notifications_of(secretary) == []
    run_jobs(at=at_local_8(date(2026, 5, 25)), job="party_building.meetings", force=True)
    [note] = notifications_of(secretary)
    assert "Branch committee meeting: at least once a month" in note.body
    assert notifications_of(above) == []


def test_no_reminder_when_the_meeting_was_held(org, person, create_user, run_jobs,
                                               notifications_of):
    keeper = person("committee_member", org["branch"])
    for kind in ("committee", "group", "party_day"):
        record_meeting(keeper, org["branch"], kind, "2026-05-06")
    secretary = create_user(unit=org["branch"],
                            roles=(("party_building.secretary", org["branch"]),))
    run_jobs(at=at_local_8(date(2026, 5, 25)), job="party_building.meetings", force=True)
    assert notifications_of(secretary) == []


# -- dues ------------------------------------------------------------------------------------
@pytest.mark.parametrize("category,pay,fixed,hardship,expected", [
    ("employed", "3000.00", "", "", "15.00"),
    ("employed", "3000.01", "", "", "30.00"),
    ("employed", "5000.00", "", "", "50.00"),
    ("employed", "5000.01", "", "", "75.00"),
    ("employed", "10000.00", "", "", "150.00"),
    ("employed", "10000.01", "", "", "200.00"),
    ("retired", "5000.00", "", "", "25.00"),
    ("retired", "5000.01", "", "", "50.00"),
    ("farmer", "", "0.20", "", "0.20"),
    ("farmer", "", "1.00", "", "1.00"),
    ("student", "", "", "", "0.20"),
    ("employed", "8000.00", "", "y", "0.20"),
])
def test_dues_tiers_at_their_boundaries(org, person, category, pay, fixed, hardship,
                                        expected):
    keeper = person("secretary", org["branch"])
    member_id = add_member(keeper, org["branch"], **({"hardship": "y"} if hardship else {}))
    response = keeper.post(f"/party_building/member/{member_id}/pay", data={
        "p-from_month": "2026-01-01", "p-category": category, "p-pay": pay, "p-fixed": fixed})
    assert response.status_code == 302
    page = keeper.get(f"/party_building/member/{member_id}").text
    assert f'data-testid="monthly-dues">{expected}<' in page


@pytest.mark.parametrize("fixed", ["0.19", "1.01", ""])
def test_farmer_amount_outside_the_range_is_refused(org, person, fixed):
    keeper = person("treasurer", org["branch"])
    member_id = add_member(person("secretary", org["branch"]), org["branch"])
    keeper.post(f"/party_building/member/{member_id}/pay", data={
        "p-from_month": "2026-01-01", "p-category": "farmer", "p-fixed": fixed})
    assert db.session.scalar(select(db.func.count(PartyPayChange.id))) == 0


def test_the_rate_changes_from_the_month_pay_changes(org, person):
    keeper = person("treasurer", org["branch"])
    member_id = add_member(person("secretary", org["branch"]), org["branch"])
    for month, pay in (("2026-01-15", "3000"), ("2026-04-01", "6000")):
        keeper.post(f"/party_building/member/{member_id}/pay", data={
            "p-from_month": month, "p-category": "employed", "p-pay": pay})
    march = keeper.get(f"/party_building/branch/{org['branch'].id}/dues?month=2026-03").text
    april = keeper.get(f"/party_building/branch/{org['branch'].id}/dues?month=2026-04").text
    assert 'data-testid="due">15.00<' in march and 'data-testid="due">90.00<' in april


def test_treasurer_enters_a_month_for_the_whole_branch(org, person):
    keeper = person("treasurer", org["branch"])
    secretary = person("secretary", org["branch"])
    ids = [add_member(secretary, org["branch"], name=n) for n in ("甲", "乙", "丙")]
    url = f"/party_building/branch/{org['branch'].id}/dues"
    response = keeper.post(url, data={"month": "2026-03", f"amount_{ids[0]}": "15",
                                      f"amount_{ids[1]}": "abc", f"amount_{ids[2]}": "20"})
    assert response.status_code == 200 and "Nothing was saved" in response.text
    assert 'value="abc"' in response.text and 'value="20"' in response.text
    assert db.session.scalar(select(db.func.count(PartyPayment.id))) == 0
    response = keeper.post(url, data={"month": "2026-03", f"amount_{ids[0]}": "15",
                                      f"amount_{ids[2]}": "20"})
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count(PartyPayment.id))) == 2
    keeper.post(url, data={"month": "2026-03", f"amount_{ids[0]}": "15"})  # already paid
    assert db.session.scalar(select(db.func.count(PartyPayment.id))) == 2
    assert secretary.post(url, data={"month": "2026-03"}).status_code == 302
    committee = person("committee_member", org["branch"])
    assert committee.post(url, data={"month": "2026-03",
                                     f"amount_{ids[1]}": "1"}).status_code == 404


@pytest.mark.parametrize("unpaid,state", [(2, None), (3, "dues-warn"), (5, "dues-warn"),
                                          (6, "dues-flag")])
def test_arrears_warned_at_three_and_flagged_at_six(org, person, unpaid, state):
    keeper = person("treasurer", org["branch"])
    member_id = add_member(person("secretary", org["branch"]), org["branch"])
    this_month = local_today().replace(day=1)
    start = rules.add_months(this_month, -10)
    db.session.add(PartyPayChange(unit_id=org["branch"].id, member_id=member_id,
                                  from_month=start, category="employed", pay=4000))
    months = rules.months_between(start, rules.add_months(this_month, -1))
    for month in months[:len(months) - unpaid]:
        db.session.add(PartyPayment(unit_id=org["branch"].id, member_id=member_id,
                                    month=month, amount=40, paid_on=month))
    db.session.commit()
    page = keeper.get(f"/party_building/branch/{org['branch'].id}/dues").text
    for testid in ("dues-warn", "dues-flag"):
        assert (f'data-testid="{testid}"' in page) is (testid == state)
    board = keeper.get(f"/party_building/branch/{org['branch'].id}").text
    assert ("Party Constitution, article 9" in board) is (state == "dues-flag")


def test_yearly_statement_of_a_member(org, person):
    keeper = person("treasurer", org["branch"])
    member_id = add_member(person("secretary", org["branch"]), org["branch"])
    keeper.post(f"/party_building/member/{member_id}/pay", data={
        "p-from_month": "2025-07-01", "p-category": "employed", "p-pay": "3000"})
    keeper.post(f"/party_building/branch/{org['branch'].id}/dues",
                data={"month": "2025-08", f"amount_{member_id}": "15"})
    page = keeper.get(f"/party_building/member/{member_id}?year=2025").text
    assert 'data-testid="statement-due">90.00<' in page  # July to December, 15.00 each
    assert 'data-testid="statement-paid">15.00<' in page


def test_meeting_minutes_and_photos_are_attached(org, person):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    keeper = person("secretary", org["branch"])
    response = keeper.post(
        f"/party_building/branch/{org['branch'].id}/meetings/new",
        data={"kind": "party_day", "held_on": "2026-03-10",
              "files": [(io.BytesIO(buffer.getvalue()), "photo.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    page = keeper.get(response.headers["Location"]).text
    link = page.split('data-testid="minutes"')[1].split('href="')[1].split('"')[0]
    download = keeper.get(link)
    assert download.status_code == 200
    download.close()
    assert person("secretary", org["b2"]).get(link).status_code == 404
