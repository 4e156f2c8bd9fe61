"""A leave applied for and approved with the keyboard alone (WCAG 2.1.1), the focus visible at
every stop (2.4.7): the student fills in the form and checks the chain, the monitor and the
class teacher sign from their inbox, the teacher noting the call to the parent; the guard
checks the slip's code at the gate.

No click, no ``fill``: only Tab, Enter, Space and typed characters, as a person without a mouse
(or with a screen reader) works. The pages themselves are checked by axe-core through the
browser kit (:mod:`core.testing_browser`)."""

from datetime import datetime, time, timedelta

import pytest
from danwei_school_leave.testing import local_now, monday
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: Tab presses allowed to reach an element before the test says it cannot be reached.
MAX_TABS = 60

#: How the focused element is marked: an outline, or a box shadow (Bootstrap's focus ring)
#: whose colour stands out from what is behind it. A ring of the background's own colour, like
#: Bootstrap's blue ring on the blue navigation bar, is not a visible focus.
FOCUS_SHOWN = """() => {
  const element = document.activeElement, style = getComputedStyle(element);
  const what = element.outerHTML.slice(0, 120);
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) return {what, ratio: 21};
  const ring = /rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/.exec(style.boxShadow);
  if (style.boxShadow === "none" || !ring) return {what, ratio: 1};
  let behind = [255, 255, 255];
  for (let e = element.parentElement; e; e = e.parentElement) {
    const m = /rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/.exec(
      getComputedStyle(e).backgroundColor);
    if (m && (m[4] === undefined || +m[4] > 0)) { behind = [+m[1], +m[2], +m[3]]; break; }
  }
  const alpha = ring[4] === undefined ? 1 : +ring[4];
  const shown = [1, 2, 3].map(i => alpha * ring[i] + (1 - alpha) * behind[i - 1]);
  const luminance = rgb => rgb.map(c => c / 255)
    .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const [a, b] = [luminance(shown), luminance(behind)].sort((x, y) => y - x);
  return {what, ratio: (a + 0.05) / (b + 0.05)};
}"""
#: Below this contrast with its background a focus ring is taken as invisible. (WCAG 2.1 asks
#: only that the focus be visible; Bootstrap's pale ring on white is about 1.4:1.)
MIN_FOCUS_CONTRAST = 1.3


def tab_to(page, selector: str) -> None:
    """Press Tab until *selector* has the focus, each element passed showing that it has it."""
    target = page.locator(selector)
    expect(target).to_be_visible()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        assert focus["ratio"] >= MIN_FOCUS_CONTRAST, f"no visible focus on {focus['what']}"
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def type_datetime(page, moment: datetime) -> None:
    """Type into the focused ``datetime-local`` field, segment by segment (en-US: month, day,
    year, then hour, minute, AM/PM; each segment but the year moves on when full)."""
    page.keyboard.type(moment.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(moment.strftime("%I%M") + ("P" if moment.hour >= 12 else "A"))


def log_in_by_keyboard(page, user, password) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    tab_to(page, "main input[name=username]")
    page.keyboard.type(user.username)
    tab_to(page, "main input[name=password]")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-menu")).to_have_text(user.name)


def sign_from_the_inbox(page, leave_id: int, *, call: datetime | None = None) -> None:
    """Open the leave from the inbox and approve it; with *call*, note the parent's call."""
    tab_to(page, "[data-testid=menu] a[href$='/inbox/']")
    page.keyboard.press("Enter")
    tab_to(page, f"main a[href$='/school_leave/leave/{leave_id}']")
    page.keyboard.press("Enter")
    decide = page.get_by_test_id("workflow-decide")
    if call:
        tab_to(page, "[name=step-called_at]")
        type_datetime(page, call)
        tab_to(page, "[name=step-phone]")
        page.keyboard.type("13900001111")
        tab_to(page, "[name=step-answered_by]")
        page.keyboard.type("Mother")
    tab_to(page, "#decide-approve")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success").first).to_contain_text("Approved.")
    expect(decide).to_have_count(0)


def test_apply_and_approve_with_the_keyboard_alone(page, live_server, school, console_errors):
    page.emulate_media(reduced_motion="reduce")  # focus rings appear at once, not faded in
    password = school.password
    day = datetime.combine(monday(), time())  # a school day, whatever day the test runs

    # The student applies: a personal leave on a Monday from the first period until 4 p.m.
    log_in_by_keyboard(page, school["student"], password)
    tab_to(page, "[data-testid=menu] a[href$='/school_leave/mine']")
    page.keyboard.press("Enter")
    tab_to(page, "[data-testid=new-leave]")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Apply for leave")
    tab_to(page, "#leave_type")
    page.keyboard.press("Home")  # "Personal", the first choice
    tab_to(page, "#start")
    type_datetime(page, day.replace(hour=8))
    tab_to(page, "#end")
    type_datetime(page, day.replace(hour=16))
    tab_to(page, "#reason")
    page.keyboard.type("Dentist, then rest at home")
    tab_to(page, "#leaving_campus")
    page.keyboard.press("Space")
    expect(page.locator("#leaving_campus")).to_be_checked()
    page.keyboard.press("Space")  # staying on campus after all: no parent call is needed
    expect(page.locator("#leaving_campus")).not_to_be_checked()

    # It checks the chain first (the form keeps what was typed), then submits.
    tab_to(page, "[data-testid=check]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chain-row")).to_have_attribute("data-row", "class_teacher")
    expect(page.locator("#end")).to_have_value(day.strftime("%Y-%m-%dT16:00"))
    tab_to(page, "[data-testid=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/school_leave/leave/*")
    leave_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.get_by_test_id("state").first).to_contain_text("Waiting for signatures")

    # The monitor signs, then the class teacher, who phoned the parent.
    log_in_by_keyboard(page, school["monitor"], password)
    sign_from_the_inbox(page, leave_id)
    log_in_by_keyboard(page, school["teacher"], password)
    # A few minutes ago, whatever the hour: a call cannot be noted before it happened (07:30
    # today was still ahead when the suite ran after midnight in Beijing).
    called = (local_now() - timedelta(minutes=5)).replace(second=0, microsecond=0)
    sign_from_the_inbox(page, leave_id, call=called)

    # The student finds the leave approved, and its slip.
    log_in_by_keyboard(page, school["student"], password)
    tab_to(page, "[data-testid=menu] a[href$='/school_leave/mine']")
    page.keyboard.press("Enter")
    tab_to(page, f"main a[href$='/school_leave/leave/{leave_id}']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("state").first).to_contain_text("Approved")
    tab_to(page, "[data-testid=slip-link]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()  # its QR codes too, so that axe-core checks the slip
    slip_url = page.get_by_test_id("slip-url").first.inner_text().strip()

    # The guard types the slip's link at the gate: the slip is not valid yet (it is for Monday).
    log_in_by_keyboard(page, school["guard"], password)
    tab_to(page, "[data-testid=menu] a[href$='/school_leave/gate']")
    page.keyboard.press("Enter")
    tab_to(page, "#code")
    page.keyboard.type(slip_url)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-valid", "no")
    expect(page.get_by_test_id("record-exit")).to_have_count(0)
    tab_to(page, "main a[href$='/school_leave/gate']")  # "Next slip"
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Gate")
    assert console_errors == []
