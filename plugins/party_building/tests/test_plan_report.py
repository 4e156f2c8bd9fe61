"""The annual plan (篇四), pledges (践诺点评), pairing and visits, 双报到; the secretary's annual
report drafted from the records (篇七's structure), saved and printed; the committee's
year-end statistics as a core report exported to XLSX; the demo; widgets and the period report."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import select

from core.api import db, local_today

from danwei_party_building.models import PartyAnnualReport, PartyMember


def add_member(client, branch, name):
    response = client.post(f"/party_building/branch/{branch.id}/members/new",
                           data={"name": name, "status": "full"})
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_plan_items_pledges_pairings_and_registrations(org, person):
    secretary = person("secretary", org["branch"])
    b = org["branch"].id
    year = local_today().year
    member_id = add_member(secretary, org["branch"], "周强")
    assert secretary.post(f"/party_building/branch/{b}/plan/items", data={
        "i-part": "mass", "i-title": "“三八”妇女节文体活动", "i-owner": "妇委会",
        "i-due_on": f"{year}-03-08", "i-progress": "100"}).status_code == 302
    assert secretary.post(f"/party_building/branch/{b}/pledges", data={
        "l-quarter": f"{year}-Q1", "l-member": "0", "l-pledge": "按时召开三会一课",
        "l-published_on": f"{year}-01-05"}).status_code == 302
    assert secretary.post(f"/party_building/branch/{b}/pledges", data={
        "l-quarter": "2026-Q5", "l-member": "0", "l-pledge": "x"}).status_code == 302
    assert secretary.post(f"/party_building/branch/{b}/pairings", data={
        "p-member": member_id, "p-household": "困难户王大爷家",
        "p-started_on": f"{year}-01-10"}).status_code == 302
    assert secretary.post(f"/party_building/branch/{b}/registrations", data={
        "r-member": member_id, "r-community": "屯里社区",
        "r-registered_on": f"{year}-01-12"}).status_code == 302
    page = secretary.get(f"/party_building/branch/{b}/plan").text
    assert "“三八”妇女节文体活动" in page and "按时召开三会一课" in page
    assert "困难户王大爷家" in page and "屯里社区" in page
    assert page.count("按时召开三会一课") == 1 and "2026-Q5" not in page
    pledge_link = page.split("/party_building/pledge/")[1].split('"')[0]
    assert secretary.post(f"/party_building/pledge/{pledge_link}", data={
        "review": "已兑现", "reviewed_on": f"{year}-03-28",
        "review_published_on": f"{year}-03-30"}).status_code == 302
    pairing = page.split("/party_building/pairing/")[1].split("/")[0]
    assert secretary.post(f"/party_building/pairing/{pairing}/visit", data={
        "on": f"{year}-02-01", "note": "送慰问品"}).status_code == 302
    assert "1 visit" in secretary.get(f"/party_building/branch/{b}/plan").text
    # A member reads the plan and the published pledges, nothing else.
    reader = person("member", org["branch"])
    mine = reader.get("/party_building/plan").text
    assert "“三八”妇女节文体活动" in mine and "已兑现" in mine
    assert reader.post(f"/party_building/branch/{b}/plan/items",
                       data={"i-part": "mass", "i-title": "x"}).status_code in (403, 404)


def test_annual_report_is_drafted_from_the_records_then_edited(org, person):
    secretary = person("secretary", org["branch"])
    b = org["branch"].id
    for name in ("甲", "乙"):
        add_member(secretary, org["branch"], name)
    year = local_today().year - 1
    secretary.post(f"/party_building/branch/{b}/meetings/new",
                   data={"kind": "lecture", "held_on": f"{year}-06-20", "chair": "王伟"})
    url = f"/party_building/branch/{b}/report/{year}"
    draft = secretary.get(url).text
    assert "The branch has 2 members (2 full, 0 probationary)" in draft
    assert "1 party lectures" in draft and "Party lecture: 1 held." in draft
    for heading in ("1. Carrying out", "2. Education", "3. Meetings", "4. Member development",
                    "5. Rules", "6. Conduct", "7. Service", "8. Shortcomings"):
        assert heading in draft
    assert f"No Branch committee meeting from {year}-01-01 to {year}-01-31." in draft
    response = secretary.post(url, data={"body": "一年来，我按照局党委的要求……\n一、履职情况"})
    assert response.status_code == 302
    saved = db.session.scalar(select(PartyAnnualReport))
    assert saved.year == year and saved.body.startswith("一年来")
    assert "一年来，我按照局党委的要求" in secretary.get(url).text
    printed = secretary.get(f"{url}/print").text
    assert 'data-testid="annual-report"' in printed and "<h2" in printed
    assert "data-action=\"print\"" in printed
    assert "Party lecture: 1 held." in secretary.get(f"{url}?redraft=1").text
    for role in ("committee_member", "discipline_member", "member"):
        assert person(role, org["branch"]).get(url).status_code in (403, 404)
    assert person("secretary", org["b2"]).get(url).status_code == 404
    assert secretary.get(f"/party_building/branch/{b}/report/1999").status_code == 404


def test_year_end_statistics_export_to_xlsx(org, person):
    secretary = person("secretary", org["branch"])
    for name in ("甲", "乙", "丙"):
        add_member(secretary, org["branch"], name)
    add_member(person("secretary", org["b2"]), org["b2"], "丁")
    year = local_today().year
    secretary.post(f"/party_building/branch/{org['branch'].id}/meetings/new",
                   data={"kind": "committee", "held_on": f"{year}-01-10"})
    committee = person("secretary", org["committee"])
    page = committee.get(f"/reports/party_building.statistics?unit={org['committee'].id}"
                         f"&period={year}")
    assert page.status_code == 200 and "b1" in page.text and "b2" in page.text
    book = openpyxl.load_workbook(io.BytesIO(committee.get(
        f"/reports/party_building.statistics/export.xlsx?unit={org['committee'].id}"
        f"&period={year}").data))
    sheet = book[book.sheetnames[0]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    by_branch = {r[0]: r for r in rows if r[0] in ("b1", "b2")}
    assert by_branch["b1"][1] == 3 and by_branch["b2"][1] == 1
    assert by_branch["b1"][4] == 1 and by_branch["b2"][4] == 0
    # A branch secretary's statistics stop at the branch.
    own = secretary.get(f"/reports/party_building.statistics?unit={org['branch'].id}"
                        f"&period={year}").text
    assert "b2" not in own.split("<table")[1] if "<table" in own else True
    assert secretary.get(f"/reports/party_building.statistics?unit={org['b2'].id}"
                         f"&period={year}").status_code == 404


def test_period_report_has_the_section(org, person):
    committee = person("secretary", org["committee"])
    page = committee.get(f"/reports/period?unit={org['committee'].id}&period={local_today().year}")
    assert page.status_code == 200 and "Year-end statistics" in page.text


def test_dashboard_widgets(org, person, create_user, as_user):
    user = create_user(unit=org["branch"], roles=(("party_building.secretary", org["branch"]),))
    client = as_user(user)
    home = client.get("/").text
    assert 'data-testid="party-branch-widget"' in home


def test_demo_loads_twice_and_shows_its_story(load_demo, app):
    load_demo()
    load_demo()
    from core.api import Unit

    first = db.session.scalar(select(Unit).where(Unit.code == "demo-party-b1"))
    assert db.session.scalar(select(db.func.count(PartyMember.id)).where(
        PartyMember.unit_id == first.id, PartyMember.left_on.is_(None))) == 22
    assert db.session.scalar(select(db.func.count(Unit.id)).where(
        Unit.kind == "party_branch", Unit.code.like("demo-party-%"))) == 3
    client = app.test_client()
    client.post("/login", data={"username": "pb_secretary", "password": "danwei2026"})
    board = client.get(f"/party_building/branch/{first.id}").text
    assert 'data-testid="dues-flag"' in board and 'data-testid="dues-warn"' in board
    pipeline = client.get(f"/party_building/branch/{first.id}/development").text
    for stage in ("applied", "talked", "activist", "notice", "admitted", "approved"):
        assert f'data-state="{stage}"' in pipeline, stage
    meetings = client.get(f"/party_building/branch/{first.id}/meetings").text
    assert 'data-state="missing"' in meetings
    assert client.get(f"/party_building/branch/{first.id}/integrity").status_code == 200
