"""QR patrol points: clocks per kind (monthly extinguishers, half-monthly in high-risk places,
daily patrols), the server's time on a scan, labels, missed points, extinguisher life."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from danwei_hospital_safety import rules, stats
from danwei_hospital_safety.models import Hazard, PatrolPoint, PatrolScan

from core.api import db, to_utc, utcnow

P = "/hospital_safety"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall time as the stored UTC."""
    return to_utc(datetime.combine(day, time(hour, minute)))


def point(kind="extinguisher", high_risk=False, **fields):
    return PatrolPoint(code="MHQ-1", kind=kind, high_risk=high_risk, **fields)


def test_extinguisher_checked_on_the_last_day_of_the_month(app):
    ext = point(last_scan_at=local(date(2026, 1, 31), 23, 30))
    assert stats.point_status(ext, date(2026, 1, 31)) == "done"
    # 1 February: January was done, February's check is due (not missed)
    assert stats.point_status(ext, date(2026, 2, 1)) == "due"
    assert stats.point_status(ext, date(2026, 2, 28)) == "due"
    # 1 March: February passed without a check
    assert stats.point_status(ext, date(2026, 3, 1)) == "missed"


def test_a_check_at_half_past_midnight_on_the_first_counts_for_the_new_month(app):
    # 00:30 on 1 February in Beijing is still 31 January in UTC
    ext = point(last_scan_at=local(date(2026, 2, 1), 0, 30))
    assert ext.last_scan_at.day == 31
    assert stats.point_status(ext, date(2026, 2, 1)) == "done"
    assert stats.point_status(ext, date(2026, 2, 28)) == "done"


def test_high_risk_extinguishers_every_half_month(app):
    assert rules.point_period("extinguisher", True, date(2026, 2, 15)) == (
        date(2026, 2, 1), date(2026, 2, 16))
    assert rules.point_period("extinguisher", True, date(2026, 2, 16)) == (
        date(2026, 2, 16), date(2026, 3, 1))
    ext = point(high_risk=True, last_scan_at=local(date(2026, 2, 10), 9))
    assert stats.point_status(ext, date(2026, 2, 15)) == "done"
    assert stats.point_status(ext, date(2026, 2, 16)) == "due"
    assert stats.point_status(ext, date(2026, 3, 1)) == "missed"


def test_daily_fire_patrol(app):
    patrol = point(kind="patrol", last_scan_at=local(date(2026, 2, 10), 22))
    assert stats.point_status(patrol, date(2026, 2, 10)) == "done"
    assert stats.point_status(patrol, date(2026, 2, 11)) == "due"
    assert stats.point_status(patrol, date(2026, 2, 12)) == "missed"


@pytest.mark.parametrize("today, next_test, scrapped", [
    (date(2020, 6, 1), date(2025, 3, 15), False),
    (date(2025, 3, 15), date(2027, 3, 15), False),
    (date(2027, 3, 16), date(2029, 3, 15), False),
    (date(2030, 3, 14), date(2029, 3, 15), False),
    (date(2030, 3, 15), None, True),
])
def test_extinguisher_pressure_tests_and_scrap_date(app, today, next_test, scrapped):
    life = rules.extinguisher_life(date(2020, 3, 15), today)
    assert life["scrap_on"] == date(2030, 3, 15)
    assert life["scrapped"] is scrapped
    if not scrapped:
        assert life["next_test"] == next_test


@pytest.fixture
def points(centre):
    ward, boiler = centre.depts["ward"], centre.depts["boiler"]
    rows = [PatrolPoint(unit_id=ward.id, code="MHQ-001", kind="extinguisher", building="2号楼",
                        floor="2", place="走廊", manufactured_on=date(2022, 5, 1)),
            PatrolPoint(unit_id=boiler.id, code="GL-001", kind="boiler", building="1号楼",
                        floor="1", place="锅炉房", high_risk=True)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_scan_records_the_servers_time_not_the_phones(centre, as_person, points):
    nurse = as_person("nurse")
    page = nurse.get(f"{P}/points/{points[0].id}/scan")
    assert page.status_code == 200 and "MHQ-001" in page.text
    before = utcnow()
    response = nurse.post(f"{P}/points/{points[0].id}/scan",
                          data={"ok": "1", "at": "2020-01-01T00:00", "submit": "x"})
    assert response.status_code == 302
    scan = db.session.scalar(db.select(PatrolScan))
    assert before <= scan.at <= utcnow()
    assert db.session.get(PatrolPoint, points[0].id).last_scan_at == scan.at


def test_a_failed_check_needs_a_note_and_becomes_a_hazard(centre, as_person, points):
    nurse = as_person("nurse")
    response = nurse.post(f"{P}/points/{points[0].id}/scan", data={"ok": "0", "submit": "x"})
    assert response.status_code == 200 and "Say what is wrong" in response.text
    nurse.post(f"{P}/points/{points[0].id}/scan",
               data={"ok": "0", "note": "压力表指针在红区", "submit": "x"})
    hazard = db.session.scalar(db.select(Hazard))
    assert hazard.state == "reported" and "MHQ-001" in hazard.place


def test_label_is_an_svg_qr_code_of_the_scan_page(centre, as_person, points):
    page = as_person("nurse").get(f"{P}/points/{points[0].id}/label")
    assert page.status_code == 200
    assert "<svg" in page.text and f"/points/{points[0].id}/scan" in page.text
    assert "2027-05-01" in page.text and "2032-05-01" in page.text  # pressure test, scrap


def test_missed_points_listed_by_building_and_floor(centre, as_person, points):
    points[0].last_scan_at = utcnow()
    db.session.commit()
    officer = as_person("officer")
    missed = officer.get(f"{P}/points/?missed=1").text
    assert "GL-001" in missed and "MHQ-001" not in missed
    everything = officer.get(f"{P}/points/").text
    assert everything.index("2号楼") > everything.index("1号楼")  # ordered by building
