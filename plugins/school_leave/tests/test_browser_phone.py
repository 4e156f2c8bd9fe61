"""Every page of the plugin on a 390 px phone (issue 18, point 9): lists read as cards, and no
name is squeezed into one character per line. axe-core checks each page as it loads."""

from datetime import date

import pytest

from core.api import db

pytestmark = pytest.mark.browser

#: Flags a text squeezed narrower than two characters (a name wrapping one character a line).
SQUEEZED = r"""() => {
  const found = [];
  for (const el of document.querySelectorAll('main td, main th, main dd, main li, main a')) {
    const text = (el.innerText || '').trim();
    if (text.length < 3 || el.offsetParent === null) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const box = range.getBoundingClientRect();
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
    const lines = Math.round(box.height / line);
    // Two characters a line or fewer, over at least three lines: squeezed.
    if (lines >= 3 && lines * 2 >= text.replace(/\s+/g, '').length) found.push(text.slice(0, 30));
  }
  return found;
}"""

#: Tables of more than three columns that are not cards on this phone (print forms excepted).
WIDE_TABLES = r"""() => [...document.querySelectorAll('main table')]
  .filter(t => t.offsetParent !== null && t.rows.length && t.rows[0].cells.length > 3)
  .filter(t => getComputedStyle(t.tBodies[0].rows[0] || t.rows[0]).display !== 'block')
  .map(t => t.dataset.testid || t.className)"""
#: Pages that are print forms (the slip, the gate's A4 list): tables on purpose.
PRINT_FORMS = ("/slip", "/gate/today")


def _world(school):
    """One of each thing a page shows: a leave out now, a log entry, an article and a
    decision, a parent, a call."""
    from danwei_school_leave import slip
    from danwei_school_leave.models import (
        Contact,
        DisciplineRecord,
        HandbookArticle,
        LogEntry,
    )

    student = school["student"]
    # A Chinese name breaks between any two characters: the case of a squeezed table.
    student.name, school["student2"].name = "欧阳明月", "司马相如"
    leave = school.out_now()
    db.session.add(Contact(student_id=student.id, unit_id=student.unit_id, name="王丽",
                           relation="母亲", phone="13912345678"))
    db.session.add(LogEntry(unit_id=student.unit_id, day=date.today(), student_id=student.id,
                            kind="late", period="第一节", recorded_by_id=school["duty"].id))
    article = HandbookArticle(unit_id=school.units["s"].id, number="第二十一条", title="旷课",
                              text="无故旷课者给予警告处分。")
    db.session.add(article)
    db.session.flush()
    db.session.add(DisciplineRecord(unit_id=student.unit_id, student_id=student.id,
                                    article_id=article.id, offence="旷课 12 节",
                                    decision="warning", decided_on=date.today(),
                                    decided_by="学工处", recorded_by_id=school["affairs"].id))
    db.session.commit()
    return leave, slip.token(leave)


def test_every_page_reads_on_a_phone(phone, live_server, school, log_in, app, console_errors):
    leave, token = _world(school)
    sid, lid, unit = school["student"].id, leave.id, school.units["a"].id
    pages = [
        ("student", "/school_leave/mine"), ("student", "/school_leave/apply"),
        ("student", f"/school_leave/leave/{lid}"), ("student", f"/school_leave/leave/{lid}/slip"),
        ("monitor", "/school_leave/to-sign"), ("monitor", f"/school_leave/leave/{lid}/extend"),
        ("teacher", "/school_leave/"), ("teacher", "/school_leave/students"),
        ("teacher", f"/school_leave/students/{sid}"), ("teacher", "/school_leave/calls/new"),
        ("teacher", f"/school_leave/students/{sid}/apply"),
        ("teacher", f"/school_leave/log?unit={unit}"),
        ("teacher", f"/school_leave/reconcile?unit={unit}"),
        ("teacher", "/school_leave/discipline"),
        ("affairs", f"/school_leave/students/{sid}/emergency"),
        ("affairs", f"/school_leave/students/{sid}/discipline"),
        ("affairs", "/school_leave/handbook"), ("affairs", "/school_leave/settings"),
        ("guard", "/"), ("guard", "/school_leave/gate"), ("guard", "/school_leave/gate/today"),
        ("guard", f"/school_leave/check/{token}"),
    ]
    # Every page of the plugin is in the list, except the form to revise a leave returned to
    # its applicant (the apply form again, checked above).
    adapter = app.url_map.bind("localhost")
    seen = {adapter.match(path.split("?")[0], method="GET")[0] for _, path in pages}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("school_leave.") and "GET" in rule.methods \
                and not rule.endpoint.endswith(".static"):
            assert rule.endpoint in seen | {"school_leave.edit"}, rule.endpoint

    who = None
    for person, path in pages:
        if person != who:
            phone.context.clear_cookies()
            log_in(phone, school[person])
            who = person
        response = phone.goto(path)
        assert response.status == 200, (person, path)
        assert phone.evaluate(SQUEEZED) == [], (person, path)
        if not path.endswith(PRINT_FORMS):
            assert phone.evaluate(WIDE_TABLES) == [], (person, path)
    assert console_errors == []
