"""Member development (发展党员工作细则, 2014): every clock at its boundary — refused the day
before with the date it becomes allowed, accepted on that day."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.api import db


def open_file(client, branch, applied="2023-01-09", name="赵磊"):
    response = client.post(f"/party_building/branch/{branch.id}/development/new",
                           data={"name": name, "applied_on": applied})
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def step(client, url, step_, on, **fields):
    return client.post(url, data={"step": step_, "on": on, **fields})


def recorded(response):
    return response.status_code == 302


def refused_until(response):
    """The date a refusal says the step becomes allowed ('' when it names none)."""
    assert response.status_code == 200
    assert 'data-testid="refusal"' in response.text, response.text[-2000:]
    text = response.text
    marker = 'data-testid="allowed-from">'
    return text.split(marker)[1].split("<")[0] if marker in text else ""


VOTE = {"entitled": "10", "present": "8", "in_favour": "7"}


def walk_to_target(client, url):
    """Application 2023-01-09, talk, activist 2023-02-01, two reviews, target 2024-02-01."""
    assert recorded(step(client, url, "talked", "2023-01-20"))
    assert recorded(step(client, url, "activist", "2023-02-01", contact_person="王伟"))
    assert recorded(step(client, url, "review", "2023-08-01"))
    assert recorded(step(client, url, "review", "2024-01-20"))
    assert recorded(step(client, url, "target", "2024-02-01"))


def walk_to_notice(client, url):
    walk_to_target(client, url)
    assert recorded(step(client, url, "political_review", "2024-02-10"))
    assert recorded(step(client, url, "training", "2024-02-20", hours="24"))
    # Monday 2024-03-04: five working days run to Friday 03-08.
    assert recorded(step(client, url, "notice", "2024-03-04"))


def test_activist_needs_a_year_before_becoming_target(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    assert recorded(step(client, url, "talked", "2023-01-20"))
    assert recorded(step(client, url, "activist", "2023-02-01", contact_person="王伟"))
    assert recorded(step(client, url, "review", "2023-08-01"))
    assert recorded(step(client, url, "review", "2024-01-20"))
    assert refused_until(step(client, url, "target", "2024-01-31")) == "2024-02-01"
    assert recorded(step(client, url, "target", "2024-02-01"))


def test_half_yearly_reviews_are_required_before_target(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    assert recorded(step(client, url, "talked", "2023-01-20"))
    assert recorded(step(client, url, "activist", "2023-02-01", contact_person="王伟"))
    assert recorded(step(client, url, "review", "2023-08-01"))
    response = step(client, url, "target", "2024-03-01")
    assert refused_until(response) == "" and "2 half-yearly reviews" in response.text


def test_a_step_cannot_be_skipped(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    response = step(client, url, "activist", "2023-02-01", contact_person="王伟")
    assert response.status_code == 200 and "Not a valid choice" in response.text
    assert db.session.scalar(select(db.func.count()).select_from(
        db.metadata.tables["party_building_dev_steps"])) == 1  # the application only


def test_talk_before_the_application_is_refused_and_the_talk_clock_shows(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"], applied="2023-01-09")
    assert refused_until(step(client, url, "talked", "2023-01-08")) == "2023-01-09"
    page = client.get(url).text
    # Talk within one month: due by 2023-02-09.
    assert 'data-step="talked" data-kind="due" data-on="2023-02-09"' in page


def test_activist_needs_a_contact_person(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    assert recorded(step(client, url, "talked", "2023-01-20"))
    response = step(client, url, "activist", "2023-02-01")
    assert "contact person" in response.text and response.status_code == 200


def test_training_hours_before_the_notice(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    walk_to_target(client, url)
    assert recorded(step(client, url, "political_review", "2024-02-10"))
    assert recorded(step(client, url, "training", "2024-02-20", hours="23.5"))
    response = step(client, url, "notice", "2024-03-04")
    assert "at least 24 class hours" in response.text and response.status_code == 200
    assert recorded(step(client, url, "training", "2024-02-21", hours="0.5"))
    assert recorded(step(client, url, "notice", "2024-03-04"))


def test_political_review_before_the_notice(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    walk_to_target(client, url)
    assert recorded(step(client, url, "training", "2024-02-20", hours="24"))
    response = step(client, url, "notice", "2024-03-04")
    assert "political review comes before" in response.text


def test_public_notice_runs_five_working_days(org, person):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    walk_to_notice(client, url)
    assert refused_until(step(client, url, "admitted", "2024-03-08", **VOTE)) == "2024-03-09"
    assert recorded(step(client, url, "admitted", "2024-03-09", **VOTE))


def test_public_notice_counts_working_days_of_the_calendar(org, person, set_calendar_day):
    """A holiday inside the notice pushes the vote back by a day."""
    set_calendar_day(date(2024, 3, 6), "holiday", "test holiday")
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    walk_to_notice(client, url)
    # Mon 4, Tue 5, (Wed 6 holiday), Thu 7, Fri 8, Mon 11: the vote from Tuesday 12.
    assert refused_until(step(client, url, "admitted", "2024-03-11", **VOTE)) == "2024-03-12"
    assert recorded(step(client, url, "admitted", "2024-03-12", **VOTE))


@pytest.mark.parametrize("present,favour,ok", [("5", "5", False), ("6", "5", False),
                                               ("6", "6", True)])
def test_admission_vote_at_exactly_half(org, person, present, favour, ok):
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    walk_to_notice(client, url)
    response = step(client, url, "admitted", "2024-03-11", entitled="10", present=present,
                    in_favour=favour)
    assert recorded(response) is ok
    if not ok:
        assert "more than half" in response.text


def admitted_file(client, branch):
    url = open_file(client, branch)
    walk_to_notice(client, url)
    assert recorded(step(client, url, "admitted", "2024-03-11", **VOTE))
    return url


def test_committee_approval_within_six_months(org, person):
    client = person("organisation_member", org["branch"])
    url = admitted_file(client, org["branch"])
    page = client.get(url).text
    assert 'data-step="approved" data-kind="due" data-on="2024-06-11"' in page  # 3 months
    response = step(client, url, "approved", "2024-09-12")
    assert "must vote again" in response.text and response.status_code == 200
    assert recorded(step(client, url, "approved", "2024-09-11"))


def test_re_vote_only_once_the_approval_lapsed(org, person):
    client = person("organisation_member", org["branch"])
    url = admitted_file(client, org["branch"])
    assert refused_until(step(client, url, "admitted", "2024-09-11", **VOTE)) == "2024-09-12"
    assert recorded(step(client, url, "admitted", "2024-09-12", **VOTE))


def test_probation_lasts_a_year_from_the_branch_meeting(org, person):
    from danwei_party_building.models import PartyMember

    client = person("organisation_member", org["branch"])
    url = admitted_file(client, org["branch"])
    assert recorded(step(client, url, "approved", "2024-04-20"))
    member = db.session.scalar(select(PartyMember).where(PartyMember.name == "赵磊"))
    assert (member.status, member.joined_on) == ("probationary", date(2024, 3, 11))
    assert refused_until(step(client, url, "converted", "2025-03-10", **VOTE)) == "2025-03-11"
    assert recorded(step(client, url, "converted", "2025-03-11", **VOTE))
    db.session.expire_all()
    member = db.session.get(PartyMember, member.id)
    assert (member.status, member.converted_on) == ("full", date(2025, 3, 11))


def test_extension_moves_the_conversion_and_is_bounded(org, person):
    client = person("organisation_member", org["branch"])
    url = admitted_file(client, org["branch"])
    assert recorded(step(client, url, "approved", "2024-04-20"))
    response = step(client, url, "extended", "2025-03-11", months="13")
    assert "extended once, by 1 to 12 months" in response.text
    assert recorded(step(client, url, "extended", "2025-03-11", months="6"))
    assert refused_until(step(client, url, "converted", "2025-09-10", **VOTE)) == "2025-09-11"
    assert recorded(step(client, url, "converted", "2025-09-11", **VOTE))


def test_cancellation_closes_the_file_and_the_membership(org, person):
    from danwei_party_building.models import PartyMember

    client = person("organisation_member", org["branch"])
    url = admitted_file(client, org["branch"])
    assert recorded(step(client, url, "approved", "2024-04-20"))
    assert recorded(step(client, url, "cancelled", "2024-12-01"))
    assert db.session.scalar(select(PartyMember.left_on).where(
        PartyMember.name == "赵磊")) == date(2024, 12, 1)
    response = step(client, url, "converted", "2025-03-11", **VOTE)
    assert response.status_code == 200 and "The file is closed" in response.text


def test_future_dates_are_refused(org, person):
    client = person("organisation_member", org["branch"])
    response = client.post(f"/party_building/branch/{org['branch'].id}/development/new",
                           data={"name": "x", "applied_on": "2199-01-01"})
    assert response.status_code == 200 and "future" in response.text


def test_settings_change_the_clock(org, person):
    from core.api import set_setting

    set_setting("party_building", "activist_min_months", 18, org["committee"])
    db.session.commit()
    client = person("organisation_member", org["branch"])
    url = open_file(client, org["branch"])
    assert recorded(step(client, url, "talked", "2023-01-20"))
    assert recorded(step(client, url, "activist", "2023-02-01", contact_person="王伟"))
    for day in ("2023-08-01", "2024-01-20", "2024-07-20"):
        assert recorded(step(client, url, "review", day))
    assert refused_until(step(client, url, "target", "2024-07-31")) == "2024-08-01"


def test_only_the_organisation_side_records_steps(org, person):
    keeper = person("organisation_member", org["branch"])
    url = open_file(keeper, org["branch"])
    treasurer = person("treasurer", org["branch"])
    assert treasurer.get(url).status_code == 200
    assert treasurer.post(url, data={"step": "talked", "on": "2023-01-20"}).status_code == 404
    other = person("organisation_member", org["b2"])
    assert other.get(url).status_code == 404
