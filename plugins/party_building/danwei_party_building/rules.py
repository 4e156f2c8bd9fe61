"""The rules of spec section 3, as plain functions of dates and numbers.

Nothing here reads a request: the views and the jobs pass the branch (for its settings) and
the records; each refusal carries the rule that forbids it and, for a step taken too early,
the date from which it is allowed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.api import is_working_day

from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .models import EMPLOYED, FARMER, RETIRED, STUDENT
from .settings import MEETING_KINDS, money, number
from core.api import get_setting as _get_setting

PLUGIN = "party_building"


def add_months(day: date, months: int) -> date:
    """*day* plus *months* calendar months, on the last day of a shorter month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def after_working_days(start: date, days: int) -> date:
    """The first day after *days* working days counted from *start* (included): a notice put up
    on Monday 1 June for 5 working days runs to Friday 5 June; the vote may be on Saturday 6."""
    day, counted = start, 0
    while counted < days:
        if is_working_day(day):
            counted += 1
        day += timedelta(days=1)
    return day


# -- member development -------------------------------------------------------------------------
APPLIED, TALKED, ACTIVIST, REVIEW, TARGET = "applied", "talked", "activist", "review", "target"
POLITICAL_REVIEW, TRAINING, NOTICE = "political_review", "training", "notice"
ADMITTED, APPROVED, CONVERTED, EXTENDED, CANCELLED = (
    "admitted", "approved", "converted", "extended", "cancelled")

STEP_LABELS = {
    APPLIED: _l("Application for membership"),
    TALKED: _l("Talk with the applicant"),
    ACTIVIST: _l("Chosen as activist"),
    REVIEW: _l("Half-yearly review of the activist"),
    TARGET: _l("Chosen as development target"),
    POLITICAL_REVIEW: _l("Political review"),
    TRAINING: _l("Training session"),
    NOTICE: _l("Public notice put up"),
    ADMITTED: _l("Admitted by the branch member meeting"),
    APPROVED: _l("Approved by the party committee"),
    CONVERTED: _l("Converted to full member"),
    EXTENDED: _l("Probation extended"),
    CANCELLED: _l("Probationary membership cancelled"),
}
#: The stages a file passes, in order (the pipeline's columns).
STAGES = (APPLIED, TALKED, ACTIVIST, TARGET, NOTICE, ADMITTED, APPROVED, EXTENDED, CONVERTED,
          CANCELLED)
#: Steps that may follow each stage; the others are refused as skipping a step.
NEXT = {
    APPLIED: (TALKED,),
    TALKED: (ACTIVIST,),
    ACTIVIST: (REVIEW, TARGET),
    TARGET: (POLITICAL_REVIEW, TRAINING, NOTICE),
    NOTICE: (ADMITTED,),
    ADMITTED: (APPROVED, ADMITTED),
    APPROVED: (CONVERTED, EXTENDED, CANCELLED),
    EXTENDED: (CONVERTED, CANCELLED),
    CONVERTED: (),
    CANCELLED: (),
}
#: Steps recorded without moving the file to another stage.
REPEATED = (REVIEW, POLITICAL_REVIEW, TRAINING)
VOTES = (ADMITTED, CONVERTED)


@dataclass(frozen=True)
class Refusal:
    """Why a step cannot be taken; *allowed_from* is the first lawful date when it is a clock."""

    message: str
    allowed_from: date | None = None


@dataclass(frozen=True)
class Clock:
    """A date that matters for a file: when a step is due (``due``) or allowed (``allowed``)."""

    step: str
    kind: str
    on: date
    rule: str


class History:
    """The dates of a file's steps, read once."""

    def __init__(self, steps):
        self.steps = sorted(steps, key=lambda s: (s.on, s.id or 0))

    def last(self, step):
        found = [s for s in self.steps if s.step == step]
        return found[-1] if found else None

    def on(self, step) -> date | None:
        found = self.last(step)
        return found.on if found else None

    def count(self, step) -> int:
        return sum(1 for s in self.steps if s.step == step)

    def hours(self) -> float:
        return sum(s.hours for s in self.steps if s.step == TRAINING)

    def latest(self) -> date | None:
        return self.steps[-1].on if self.steps else None

    def probation_end(self, unit) -> date | None:
        admitted = self.on(ADMITTED)
        if admitted is None:
            return None
        months = number("probation_months", unit) + sum(
            s.months for s in self.steps if s.step == EXTENDED)
        return add_months(admitted, months)


def check_vote(entitled: int, present: int, in_favour: int) -> str | None:
    """发展党员工作细则 article 21/30: valid when more than half of the full members entitled
    to vote are present, passed when more than half of all of them are in favour."""
    if entitled <= 0:
        return _("Give the number of full members entitled to vote.")
    if present > entitled or in_favour > present:
        return _("The numbers do not add up: present at most entitled, in favour at most "
                 "present.")
    if present * 2 <= entitled:
        return _("The vote is not valid: %(present)d of %(entitled)d full members entitled to "
                 "vote are present; more than half must be (发展党员工作细则, articles 21 and "
                 "30).", present=present, entitled=entitled)
    if in_favour * 2 <= entitled:
        return _("The vote does not pass: %(favour)d in favour of %(entitled)d full members "
                 "entitled to vote; more than half of all of them, present or not, must be in "
                 "favour (发展党员工作细则, articles 21 and 30).", favour=in_favour,
                 entitled=entitled)
    return None


def refuse_step(unit, stage: str, history: History, step: str, on: date, today: date, *,
                hours: float = 0, months: int = 0, entitled: int = 0, present: int = 0,
                in_favour: int = 0) -> Refusal | None:
    """Why *step* dated *on* may not be recorded on a file at *stage*, or None."""
    label = STEP_LABELS.get(step, step)
    if step not in NEXT.get(stage, ()):
        allowed = ", ".join(str(STEP_LABELS[s]) for s in NEXT.get(stage, ()))
        return Refusal(_("%(step)s cannot follow %(stage)s: a step may not be skipped. "
                         "Next: %(allowed)s.", step=label, stage=STEP_LABELS[stage],
                         allowed=allowed or _("nothing, the file is closed")))
    if on > today:
        return Refusal(_("A step cannot be dated in the future."))
    latest = history.latest()
    if latest and on < latest:
        return Refusal(_("%(step)s cannot come before the last step of the file.", step=label),
                       latest)
    if step == TALKED:
        return None
    if step == TARGET:
        activist = history.on(ACTIVIST)
        minimum = number("activist_min_months", unit)
        allowed = add_months(activist, minimum)
        if on < allowed:
            return Refusal(_("At least %(n)d months as an activist before becoming a development "
                             "target (发展党员工作细则, article 13).", n=minimum), allowed)
        interval = number("review_interval_months", unit)
        needed = minimum // interval
        if history.count(REVIEW) < needed:
            return Refusal(_("%(needed)d half-yearly reviews are needed before; %(done)d "
                             "recorded (发展党员工作细则, article 12).", needed=needed,
                             done=history.count(REVIEW)))
    if step == TRAINING and hours <= 0:
        return Refusal(_("Give the class hours of the session."))
    if step == NOTICE:
        if history.on(POLITICAL_REVIEW) is None:
            return Refusal(_("The political review comes before the public notice "
                             "(发展党员工作细则, article 16)."))
        needed = number("training_hours", unit)
        if history.hours() < needed:
            return Refusal(_("Training of at least %(n)d class hours comes before the public "
                             "notice; %(done)s recorded (发展党员工作细则, article 17).",
                             n=needed, done="%g" % history.hours()))
    if step == ADMITTED:
        days = number("notice_working_days", unit)
        allowed = after_working_days(history.on(NOTICE), days)
        if on < allowed:
            return Refusal(_("The public notice runs for at least %(n)d working days before the "
                             "branch member meeting (发展党员工作细则, article 18).", n=days),
                           allowed)
        if stage == ADMITTED:
            lapsed = _approval_lapses(unit, history)
            if on <= lapsed:
                return Refusal(_("The admission is still awaiting the committee's approval "
                                 "until %(date)s.", date=lapsed.isoformat()),
                               lapsed + timedelta(days=1))
    if step == APPROVED:
        lapsed = _approval_lapses(unit, history)
        if on > lapsed:
            return Refusal(_("The committee's approval came more than %(n)d months after the "
                             "branch meeting (by %(date)s): the branch member meeting must vote "
                             "again (发展党员工作细则, article 23).",
                             n=number("approval_max_months", unit), date=lapsed.isoformat()))
    if step in (CONVERTED, EXTENDED):
        end = history.probation_end(unit)
        if on < end:
            return Refusal(_("Probation runs until %(date)s, one year from the branch meeting "
                             "(Party Constitution, article 7).", date=end.isoformat()), end)
    if step == EXTENDED:
        longest = number("extension_max_months", unit)
        if history.count(EXTENDED) or not 1 <= months <= longest:
            return Refusal(_("Probation may be extended once, by 1 to %(n)d months (Party "
                             "Constitution, article 7).", n=longest))
    if step in VOTES:
        problem = check_vote(entitled, present, in_favour)
        if problem:
            return Refusal(problem)
    return None


def _approval_lapses(unit, history: History) -> date:
    return add_months(history.on(ADMITTED), number("approval_max_months", unit))


def clocks(unit, stage: str, history: History) -> list[Clock]:
    """The next dates of a file: what is due by when, and what is allowed from when."""
    found = []
    if stage == APPLIED:
        n = number("talk_within_months", unit)
        found.append(Clock(TALKED, "due", add_months(history.on(APPLIED), n),
                           _("Talk with the applicant within %(n)d month(s).", n=n)))
    if stage == ACTIVIST:
        interval = number("review_interval_months", unit)
        last = history.on(REVIEW) or history.on(ACTIVIST)
        found.append(Clock(REVIEW, "due", add_months(last, interval),
                           _("Review the activist every %(n)d months.", n=interval)))
        n = number("activist_min_months", unit)
        found.append(Clock(TARGET, "allowed", add_months(history.on(ACTIVIST), n),
                           _("At least %(n)d months as activist.", n=n)))
    if stage == NOTICE:
        n = number("notice_working_days", unit)
        found.append(Clock(ADMITTED, "allowed", after_working_days(history.on(NOTICE), n),
                           _("Public notice of at least %(n)d working days.", n=n)))
    if stage == ADMITTED:
        n = number("approval_due_months", unit)
        found.append(Clock(APPROVED, "due", add_months(history.on(ADMITTED), n),
                           _("The committee approves within %(n)d months.", n=n)))
    if stage in (APPROVED, EXTENDED):
        found.append(Clock(CONVERTED, "allowed", history.probation_end(unit),
                           _("Probation ends; the branch votes on conversion.")))
    return found


# -- dues ---------------------------------------------------------------------------------------
CENT = Decimal("0.01")


def monthly_dues(unit, category: str, pay: Decimal, hardship: bool = False,
                 fixed: Decimal | None = None) -> Decimal:
    """The month's dues on after-tax *pay* (党费收缴、使用和管理的规定, 2008): the whole pay at
    the rate of its band."""
    if hardship:
        return money("hardship_amount", unit).quantize(CENT)
    if category == STUDENT:
        return money("student_amount", unit).quantize(CENT)
    if category == FARMER:
        low, high = money("farmer_min", unit), money("farmer_max", unit)
        return min(max(fixed if fixed is not None else low, low), high).quantize(CENT)
    pay = Decimal(pay)
    if category == RETIRED:
        rate = (money("retired_low_rate", unit) if pay <= money("retired_band_upto", unit)
                else money("retired_high_rate", unit))
    else:
        rate = money("employed_top_rate", unit)
        for band in (3, 2, 1):
            if pay <= money(f"employed_band{band}_upto", unit):
                rate = money(f"employed_band{band}_rate", unit)
    return (pay * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from *first*'s to *last*'s, both included."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = add_months(day, 1)
    return months


def arrears(due_months: list[date], paid: set[date]) -> int:
    """Consecutive unpaid months up to the last due month."""
    count = 0
    for month in reversed(due_months):
        if month in paid:
            break
        count += 1
    return count


# -- meetings -----------------------------------------------------------------------------------
KIND_LABELS = {kind: label for kind, label, _freq in MEETING_KINDS}
PERIOD_WORDS = {"month": _l("month"), "quarter": _l("quarter"), "year": _l("year")}


def frequency(unit, kind: str) -> str:
    return _get_setting(PLUGIN, f"freq_{kind}", unit)


def periods(frequency_: str, year: int) -> list[tuple[date, date]]:
    """The periods [start, end) of *year* for a frequency."""
    if frequency_ == "month":
        starts = [date(year, m, 1) for m in range(1, 13)]
    elif frequency_ == "quarter":
        starts = [date(year, m, 1) for m in (1, 4, 7, 10)]
    elif frequency_ == "year":
        starts = [date(year, 1, 1)]
    else:
        return []
    return [(s, add_months(s, 12 if frequency_ == "year" else
                           (3 if frequency_ == "quarter" else 1))) for s in starts]


def meeting_rule(unit, kind: str) -> str:
    """The rule requiring a kind of meeting, with the branch's frequency."""
    freq = frequency(unit, kind)
    return _("%(kind)s: at least once a %(period)s (中国共产党支部工作条例（试行）, 2018).",
             kind=KIND_LABELS[kind], period=PERIOD_WORDS.get(freq, freq))


@dataclass(frozen=True)
class Gap:
    """A period of a kind of meeting without a meeting: ``missing`` once ended, else ``due``."""

    kind: str
    start: date
    end: date
    state: str
    rule: str

    @property
    def last(self) -> date:
        """The period's last day (``end`` is the first day after it)."""
        return self.end - timedelta(days=1)


def meeting_gaps(unit, held: dict[str, list[date]], today: date) -> list[Gap]:
    """Every period of this year up to today without the meeting the rule requires."""
    gaps = []
    for kind, _label, _freq in MEETING_KINDS:
        dates = held.get(kind, [])
        for start, end in periods(frequency(unit, kind), today.year):
            if start > today:
                break
            if any(start <= d < end for d in dates):
                continue
            gaps.append(Gap(kind, start, end, "missing" if end <= today else "due",
                            meeting_rule(unit, kind)))
    return gaps


CATEGORY_LABELS = {EMPLOYED: _l("Employed"), RETIRED: _l("Retired"), FARMER: _l("Farmer"),
                   STUDENT: _l("Student")}
