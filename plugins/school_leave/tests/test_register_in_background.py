"""A county's year of the leave register is exported by a background task: the register's
rows are formatted by a generator, and it tells core how many there are (``count=``)."""

import io

import openpyxl
from danwei_school_leave.testing import at, monday

from core.api import db, set_setting

DAY = monday()
PERIOD = f"{DAY.year}-{DAY.month:02d}"


def sheet(response):
    assert response.status_code == 200, response.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_a_register_past_the_setting_is_exported_by_a_task(school):
    school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45), leave_type="sick"))
    school.file("student2", start=at(DAY, 14), end=at(DAY, 14, 45))
    url = f"/reports/school_leave.register/export.xlsx?period={PERIOD}"
    teacher = school.client("teacher")
    at_once = sheet(teacher.get(url))
    assert len(at_once) == 3  # a header and two leaves: below the setting, downloaded at once

    set_setting("core", "export_task_rows", 1)  # two rows: past it
    db.session.commit()
    started = teacher.get(url)
    assert started.status_code == 302 and "/tasks/" in started.location
    page = teacher.get(started.location).text
    assert 'data-status="done"' in page
    link = page.split('data-testid="task-result" href="')[1].split('"')[0]
    with teacher.get(link) as download:  # a file response: closed once read
        assert sheet(download) == at_once
