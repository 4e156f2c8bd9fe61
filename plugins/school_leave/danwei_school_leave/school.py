"""A school's configuration: the numbers of the regulation and the timetable, as settings.

Every number is a per-unit setting with the document's value as its default, so a school (or a
grade) can change it on the plugin's settings page. The timetable is kept as text, one slot per
line, because that is how a school office writes it down::

    class,08:00,08:45,Period 1
    evening_study,19:00,21:00,Evening self-study

Stored datetimes are UTC (as everywhere in Danwei); the timetable is wall-clock time of the
school, so core's :func:`~core.api.to_local` and :func:`~core.api.to_utc` convert at the
edges.
"""

from __future__ import annotations

from datetime import date, datetime, time

from core.api import SettingSpec, Unit, get_setting, is_working_day, to_local

from . import rules
from .i18n import lazy_gettext as _l

PLUGIN = "school_leave"

#: The slot kinds a timetable line may name, with their labels.
SLOT_KINDS = {
    "class": _l("Class period"),
    "morning_exercise": _l("Morning exercise"),
    "morning_reading": _l("Morning reading"),
    "evening_study": _l("Evening self-study"),
}

#: A new school's timetable, named as a Chinese school names its slots (issue 18, point 8):
#: the names are data the school office edits, not interface text, so they are not translated.
DEFAULT_TIMETABLE = """\
morning_exercise,06:30,07:00,早操
morning_reading,07:20,07:50,早读
class,08:00,08:45,第一节
class,08:55,09:40,第二节
class,10:00,10:45,第三节
class,10:55,11:40,第四节
class,14:00,14:45,第五节
class,14:55,15:40,第六节
class,16:00,16:45,第七节
class,16:55,17:40,第八节
evening_study,19:00,21:00,晚自习"""


def settings() -> list[SettingSpec]:
    """The plugin's settings; each default is the value the regulation (篇一) states."""
    return [
        # Line 13: "两节课以内" — up to this many class periods the monitor signs alone.
        SettingSpec("monitor_max_periods", _l("Periods the monitor may approve alone"),
                    type="int", default=2, min=0, max=12),
        # Line 13: "一天以内" — up to this many school days the class teacher is the last signer.
        SettingSpec("class_teacher_max_days", _l("Days up to which the class teacher signs last"),
                    type="float", default=1.0, min=0, max=30),
        # Line 13: "一天以上两天以下" / "两天以上" — beyond this the principal signs too.
        SettingSpec("grade_max_days", _l("Days beyond which the principal signs too"),
                    type="float", default=2.0, min=0, max=60),
        # Line 33: "提前半天" — how long before leaving campus the parent must have phoned.
        SettingSpec("parent_call_advance_hours", _l("Hours of advance notice for leaving campus"),
                    type="float", default=12.0, min=0, max=168),
        # Not in the regulation: the longest leave one application may ask for, in calendar
        # days. Longer is refused with the reason before anything is computed on it.
        SettingSpec("max_leave_days", _l("Longest leave one application may ask for (days)"),
                    type="int", default=30, min=1, max=366),
        # How far back a parent's advance call still counts for a new application.
        SettingSpec("parent_call_valid_days", _l("Days a parent's advance call stays valid"),
                    type="int", default=7, min=1, max=60),
        # Not in the regulation: how long after a parent's call the class teacher may still
        # record it with its own time. An earlier time is refused, so the half day of line 31
        # cannot be met by typing a back-dated call (the emergency override is the way round).
        SettingSpec("call_record_grace_minutes", _l("Minutes after a call it may still be "
                                                    "recorded with its own time"),
                    type="int", default=30, min=0, max=240),
        # The text messages to the parents (issue 18): what a school's SMS says, in Chinese
        # because the parents read it so; {school}, {student}, {time}, {until} are filled in.
        # An empty text sends nothing.
        SettingSpec("parent_message_exit", _l("Message to the parents: out through the gate"),
                    type="text", default="【{school}】{student}已于{time}凭假条出校，"
                                         "请假至{until}，请按时返校。"),
        SettingSpec("parent_message_return", _l("Message to the parents: back at school"),
                    type="text", default="【{school}】{student}已于{time}返校。"),
        SettingSpec("parent_message_overdue",
                    _l("Message to the parents: not back by the end of the leave"),
                    type="text", default="【{school}】{student}请假应于{until}返校，至今未返校，"
                                         "续假手续待批。请尽快与班主任联系。"),
        SettingSpec("parent_message_truancy",
                    _l("Message to the parents: counted as truancy"),
                    type="text", default="【{school}】{student}请假应于{until}返校，未按时返校且"
                                         "未办理续假，按旷课处理。请尽快与班主任联系。"),
        SettingSpec("timetable", _l("Timetable"), type="text", default=DEFAULT_TIMETABLE,
                    help=_l("One slot per line: kind,start,end,name. Kinds: class, "
                            "morning_exercise, morning_reading, evening_study.")),
        SettingSpec("exam_windows", _l("Exam periods"), type="text", default="",
                    help=_l("One exam period per line: first day,last day (YYYY-MM-DD).")),
        # Minutes before its start a slip already lets the student through the gate.
        SettingSpec("gate_early_minutes", _l("Minutes before the start a slip is valid at the "
                                             "gate"), type="int", default=30, min=0, max=240),
        SettingSpec("frequent_leave_count", _l("Leaves in a period that make a student a "
                                               "frequent-leave student"),
                    type="int", default=3, min=1, max=100),
    ]


# -- parsing --------------------------------------------------------------------------------------


def _time(text: str) -> time:
    return time.fromisoformat(text.strip())


def parse_timetable(text: str) -> tuple[tuple[rules.Period, ...], list[str]]:
    """``(periods, problems)`` from the timetable text; problems name the line at fault."""
    periods, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",", 3)]
        if len(parts) < 3:
            problems.append(str(_l("Line %(n)d: write kind,start,end,name.", n=number)))
            continue
        kind, start, end = parts[:3]
        name = parts[3] if len(parts) > 3 else ""
        if kind not in SLOT_KINDS:
            problems.append(str(_l("Line %(n)d: unknown kind %(kind)s.", n=number, kind=kind)))
            continue
        try:
            start_t, end_t = _time(start), _time(end)
        except ValueError:
            problems.append(str(_l("Line %(n)d: times are written HH:MM.", n=number)))
            continue
        if end_t <= start_t:
            problems.append(str(_l("Line %(n)d: the slot must end after it starts.", n=number)))
            continue
        periods.append(rules.Period(name or kind, start_t, end_t, kind))
    if not problems and not any(p.kind == "class" for p in periods):
        problems.append(str(_l("The timetable needs at least one class period.")))
    return tuple(sorted(periods, key=lambda p: p.start)), problems


def parse_exam_windows(text: str) -> tuple[tuple[tuple[date, date], ...], list[str]]:
    windows, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        try:
            first = date.fromisoformat(parts[0])
            last = date.fromisoformat(parts[1]) if len(parts) > 1 and parts[1] else first
        except ValueError:
            problems.append(str(_l("Line %(n)d: write first day,last day as YYYY-MM-DD.",
                                   n=number)))
            continue
        if last < first:
            problems.append(str(_l("Line %(n)d: the last day is before the first.", n=number)))
            continue
        windows.append((first, last))
    return tuple(windows), problems


# -- a school's configuration ---------------------------------------------------------------------


def setting(key: str, unit: Unit | None):
    return get_setting(PLUGIN, key, unit)


def timetable(unit: Unit | None) -> rules.Timetable:
    periods, problems = parse_timetable(setting("timetable", unit) or "")
    if problems:  # a broken stored value must not stop the school: fall back to the default
        periods, _ = parse_timetable(DEFAULT_TIMETABLE)
    windows, _ = parse_exam_windows(setting("exam_windows", unit) or "")
    return rules.Timetable(periods, windows)


def leave_rules(unit: Unit | None) -> rules.Rules:
    return rules.Rules(
        monitor_max_periods=int(setting("monitor_max_periods", unit)),
        class_teacher_max_days=float(setting("class_teacher_max_days", unit)),
        grade_max_days=float(setting("grade_max_days", unit)),
        parent_call_advance_hours=float(setting("parent_call_advance_hours", unit)),
        max_leave_days=float(setting("max_leave_days", unit)),
    )


def duration(start_utc: datetime, end_utc: datetime, unit: Unit | None) -> rules.Duration:
    """The leave's length in class periods and school days, by the school's timetable and the
    working-day calendar (public holidays do not count, make-up working days do).

    Raises :class:`rules.TooLong` for a leave longer than the school's ``max_leave_days``."""
    return rules.leave_duration(to_local(start_utc), to_local(end_utc), timetable(unit),
                                is_working_day, max_days=float(setting("max_leave_days", unit)))
