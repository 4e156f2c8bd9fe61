"""One leave in a real Chromium: the parent's call, the application with its chain preview,
every signature (the class teacher's with the call to the parent), the slip, the guard's scan
at the gate, and the return. Uses the browser fixtures of core's pytest plugin
(:mod:`core.testing_browser`)."""

from datetime import timedelta

import pytest
from danwei_school_leave.testing import local_now

from core.api import pending_workflow_assignments, workflow_for

pytestmark = pytest.mark.browser


def as_person(page, log_in, user):
    page.context.clear_cookies()
    log_in(page, user)


def waiting_for(db, leave_id, school):
    from danwei_school_leave.models import Leave

    db.session.expire_all()
    instance = workflow_for(db.session.get(Leave, leave_id))
    ids = {a.user_id for a in pending_workflow_assignments(instance.open_step)}
    return [k for k, u in school.people.items() if u.id in ids]


def test_one_leave_from_application_to_return(page, live_server, school, log_in, db,
                                               console_errors):
    now = local_now()
    fmt = "%Y-%m-%dT%H:%M"

    # The parent phoned the class teacher the evening before, and the class teacher noted it
    # then (a call cannot be typed in later with an earlier time: see test_browser_issue18).
    school.earlier_call(hours=13)

    # The student applies, checks the chain first, then submits.
    as_person(page, log_in, school["student"])
    page.goto("/school_leave/apply")
    page.get_by_label("Type").select_option("personal")
    page.get_by_label("From").fill((now - timedelta(minutes=5)).strftime(fmt))
    page.get_by_label("Until").fill((now + timedelta(days=3)).strftime(fmt))
    page.get_by_label("Reason").fill("Grandmother's birthday at home")
    page.get_by_label("Leaving campus").check()
    page.get_by_test_id("check").click()
    preview = page.get_by_test_id("chain-preview")
    assert "Class teacher" in preview.inner_text()
    assert page.get_by_test_id("refusal").count() == 0
    assert "recorded your parent's call" in page.get_by_test_id("advance-calls").inner_text()
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/school_leave/leave/*")
    leave_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert "Waiting for signatures" in page.get_by_test_id("state").first.inner_text()
    assert console_errors == []

    # Every signature, by whoever the engine asks, in order.
    signed = []
    while who := waiting_for(db, leave_id, school):
        person = who[0]
        as_person(page, log_in, school[person])
        page.goto(f"/school_leave/leave/{leave_id}")
        form = page.get_by_test_id("workflow-decide")
        if page.get_by_test_id("workflow-step-form").count():
            # The class teacher phones the parent and notes it before signing.
            assert person == "teacher"
            page.locator("[name=step-called_at]").fill(local_now().strftime(fmt))
            page.locator("[name=step-phone]").fill("13900001111")
            page.locator("[name=step-answered_by]").fill("Mother")
        form.get_by_role("button", name="Approve").click()
        assert "Approved." in page.locator(".alert-success").first.inner_text()
        signed.append(person)
        assert console_errors == []
    assert signed[:2] == ["monitor", "teacher"] and len(signed) >= 2

    # The student prints the slip: two copies, each with its QR code.
    as_person(page, log_in, school["student"])
    page.goto(f"/school_leave/leave/{leave_id}")
    assert "Approved" in page.get_by_test_id("state").first.inner_text()
    page.get_by_test_id("slip-link").click()
    page.wait_for_load_state()  # its QR codes too, so that axe-core checks the slip
    assert page.get_by_test_id("slip-copy").count() == 2
    assert page.get_by_test_id("qr").first.is_visible()
    assert "13900001111" in page.get_by_test_id("slip-copy").first.inner_text()
    check_url = page.get_by_test_id("slip-url").first.inner_text().strip()
    assert console_errors == []

    # The guard scans it: valid now; records the exit, then the return.
    as_person(page, log_in, school["guard"])
    page.goto(check_url)
    verdict = page.get_by_test_id("verdict")
    assert verdict.get_attribute("data-valid") == "yes"
    page.get_by_test_id("record-exit").click()
    assert "Exit recorded" in page.locator(".alert-success").inner_text()
    page.goto("/school_leave/gate")
    assert "Student" in page.get_by_test_id("out-list").inner_text()
    page.goto(check_url)
    page.get_by_test_id("record-return").click()
    assert "Return recorded" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("verdict").get_attribute("data-valid") == "no"
    assert console_errors == []

    # The class teacher sees both times on the leave.
    as_person(page, log_in, school["teacher"])
    page.goto(f"/school_leave/leave/{leave_id}")
    assert page.get_by_test_id("exited").is_visible()
    assert page.get_by_test_id("returned").is_visible()
    assert console_errors == []
