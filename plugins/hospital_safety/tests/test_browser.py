"""A phone in the corridor (390×844, real Chromium): a nurse reports a hazard with a photo, the
safety officer issues the notice, the department head reports the fix, someone else re-checks
and closes it; then a patrol check from a point's QR label. Every page is checked by axe."""

from __future__ import annotations

import pytest
from danwei_hospital_safety.models import Hazard, PatrolPoint, PatrolScan

from core.api import db

pytestmark = pytest.mark.browser


def as_person(page, log_in, centre, key):
    page.context.clear_cookies()
    log_in(page, centre.people[key], centre.password)


def test_hazard_from_report_to_closure_and_a_patrol_scan(phone, live_server, centre, log_in,
                                                        console_errors, tmp_path, png):
    assert phone.viewport_size == {"width": 390, "height": 844}
    photo = tmp_path / "hazard.png"
    photo.write_bytes(png)

    # The nurse reports from her phone, with a photo.
    as_person(phone, log_in, centre, "nurse")
    phone.goto("/hospital_safety/hazards/new")
    phone.get_by_label("Place").fill("住院部二楼走廊")
    phone.get_by_label("What is wrong").fill("灭火器被推车挡住")
    phone.get_by_label("Photo").set_input_files(str(photo))
    phone.get_by_role("button", name="Report the hazard").click()
    assert "reported to the safety officer" in phone.locator(".alert-success").inner_text()
    hazard = db.session.scalars(db.select(Hazard).order_by(Hazard.id.desc())).first()
    assert hazard.state == "reported"

    # The safety officer grades it and issues the notice to the ward.
    as_person(phone, log_in, centre, "officer")
    phone.goto(f"/hospital_safety/hazards/{hazard.id}")
    phone.get_by_test_id("issue").click()
    phone.get_by_label("Responsible department").select_option(str(centre.depts["ward"].id))
    phone.get_by_label("Grade").select_option("general")
    phone.get_by_label("Risk colour").select_option("yellow")
    phone.get_by_label("What must be done").fill("移走推车，保持灭火器前无遮挡")
    phone.get_by_label("Deadline in working days").fill("2")
    phone.get_by_role("button", name="Issue the rectification notice").click()
    assert "was issued" in phone.locator(".alert-success").inner_text()
    phone.get_by_test_id("notice-link").click()
    assert "rectification notice" in phone.get_by_test_id("notice").inner_text().lower()

    # The ward's head reports the fix.
    as_person(phone, log_in, centre, "head")
    phone.goto(f"/hospital_safety/hazards/{hazard.id}")
    fix = phone.get_by_test_id("step-fix")
    fix.get_by_label("Note").fill("推车已移走")
    fix.get_by_role("button", name="Save").click()
    assert phone.get_by_test_id("status").first.get_attribute("data-state") == "fixed"

    # Someone else (the safety officer) re-checks and closes it.
    as_person(phone, log_in, centre, "officer")
    phone.goto(f"/hospital_safety/hazards/{hazard.id}")
    close = phone.get_by_test_id("step-close")
    close.get_by_label("Note").fill("复查合格")
    close.get_by_role("button", name="Save").click()
    assert phone.get_by_test_id("status").first.get_attribute("data-state") == "closed"
    db.session.expire_all()
    assert db.session.get(Hazard, hazard.id).state == "closed"

    # A patrol point's label, then the scan it opens, on the nurse's phone.
    point = PatrolPoint(unit_id=centre.depts["ward"].id, code="MHQ-201", kind="extinguisher",
                        building="住院楼", floor="2", place="走廊东")
    db.session.add(point)
    db.session.commit()
    as_person(phone, log_in, centre, "nurse")
    phone.goto(f"/hospital_safety/points/{point.id}/label")
    target = phone.get_by_test_id("label").locator("p").first.inner_text()
    assert target.endswith(f"/hospital_safety/points/{point.id}/scan")
    phone.goto(target)
    phone.get_by_label("Result").select_option("1")
    phone.get_by_role("button", name="Record the check").click()
    assert "Check recorded" in phone.locator(".alert-success").inner_text()
    assert db.session.scalar(db.select(db.func.count(PatrolScan.id))) == 1
    assert console_errors == []
