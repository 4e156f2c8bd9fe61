"""Every number of spec section 3 as a setting, with its documented default and its source.

Values are read per branch (``get_setting`` looks up the unit, its ancestors, then the global
value): a committee sets a rule once, a branch may still keep a stricter target of its own.
"""

from __future__ import annotations

from decimal import Decimal

from core.api import SettingSpec, get_setting

from .i18n import lazy_gettext as _l

PLUGIN = "party_building"

#: Meeting kinds, their label, the default frequency and the rule that requires them
#: (中国共产党支部工作条例（试行）, 2018; the talks and appraisal from the same regulation).
MEETING_KINDS = (
    ("member_meeting", _l("Branch member meeting"), "quarter"),
    ("committee", _l("Branch committee meeting"), "month"),
    ("group", _l("Party group meeting"), "month"),
    ("lecture", _l("Party lecture"), "quarter"),
    ("party_day", _l("Themed party day"), "month"),
    ("org_life", _l("Organisational life meeting"), "year"),
    ("appraisal", _l("Democratic appraisal of members"), "year"),
    ("talk", _l("Heart-to-heart talks"), "year"),
)
FREQUENCIES = (("month", _l("Monthly")), ("quarter", _l("Quarterly")), ("year", _l("Yearly")),
               ("none", _l("Not required")))

#: (key, label, type, default, min, max, help)
NUMBERS = (
    # 发展党员工作细则 (2014)
    ("talk_within_months", _l("Months to talk with an applicant"), "int", 1, 1, 12,
     _l("Article 7: the branch talks with the applicant within one month.")),
    ("activist_min_months", _l("Minimum months as activist"), "int", 12, 1, 60,
     _l("Article 13: at least one year of training as an activist.")),
    ("review_interval_months", _l("Months between activist reviews"), "int", 6, 1, 12,
     _l("Article 12: the branch reviews each activist every half year.")),
    ("training_hours", _l("Training class hours of a development target"), "int", 24, 1, 200,
     _l("Article 17: at least 3 days or 24 class hours of concentrated training.")),
    ("notice_working_days", _l("Working days of public notice"), "int", 5, 1, 30,
     _l("Article 18: the development target is announced for at least 5 working days.")),
    ("approval_due_months", _l("Months for the committee's approval"), "int", 3, 1, 12,
     _l("Article 23: the higher committee approves within 3 months.")),
    ("approval_max_months", _l("Longest extension of the approval, months"), "int", 6, 1, 12,
     _l("Article 23: in special cases the approval may take up to 6 months.")),
    ("probation_months", _l("Months of probation"), "int", 12, 1, 24,
     _l("Party Constitution article 7: probation is one year.")),
    ("extension_max_months", _l("Longest extension of probation, months"), "int", 12, 1, 12,
     _l("Party Constitution article 7: probation may be extended by at most one year.")),
    ("clock_warn_days", _l("Days of warning before a clock lapses"), "int", 14, 1, 90, ""),
    # 篇四: the annual plan's quotas
    ("activists_per_branch", _l("Activists to cultivate per branch"), "int", 2, 0, 100,
     _l("Annual plan (篇四): at least 2 activists per branch.")),
    ("development_target", _l("Members to develop this year"), "int", 1, 0, 100,
     _l("The year's development plan (篇七: one development target).")),
    # meetings
    ("meeting_remind_days", _l("Working days before a period ends to remind the secretary"),
     "int", 5, 1, 30, ""),
    # 党费收缴、使用和管理的规定 (2008)
    ("employed_band1_upto", _l("Employed: first band up to (yuan)"), "float", 3000.0, 0, None, ""),
    ("employed_band1_rate", _l("Employed: first band rate (%)"), "float", 0.5, 0, 10, ""),
    ("employed_band2_upto", _l("Employed: second band up to (yuan)"), "float", 5000.0, 0, None,
     ""),
    ("employed_band2_rate", _l("Employed: second band rate (%)"), "float", 1.0, 0, 10, ""),
    ("employed_band3_upto", _l("Employed: third band up to (yuan)"), "float", 10000.0, 0, None,
     ""),
    ("employed_band3_rate", _l("Employed: third band rate (%)"), "float", 1.5, 0, 10, ""),
    ("employed_top_rate", _l("Employed: rate above the third band (%)"), "float", 2.0, 0, 10,
     ""),
    ("retired_band_upto", _l("Retired: lower band up to (yuan)"), "float", 5000.0, 0, None, ""),
    ("retired_low_rate", _l("Retired: lower band rate (%)"), "float", 0.5, 0, 10, ""),
    ("retired_high_rate", _l("Retired: rate above the band (%)"), "float", 1.0, 0, 10, ""),
    ("farmer_min", _l("Farmers: least monthly amount (yuan)"), "float", 0.2, 0, 100, ""),
    ("farmer_max", _l("Farmers: largest monthly amount (yuan)"), "float", 1.0, 0, 100, ""),
    ("student_amount", _l("Students: monthly amount (yuan)"), "float", 0.2, 0, 100, ""),
    ("hardship_amount", _l("Members in hardship: monthly amount (yuan)"), "float", 0.2, 0, 100,
     ""),
    ("arrears_warn_months", _l("Months unpaid before a warning"), "int", 3, 1, 12,
     _l("Warn before the six months of the Party Constitution, article 9.")),
    ("arrears_flag_months", _l("Months unpaid treated as leaving the party"), "int", 6, 1, 24,
     _l("Party Constitution article 9: six months unpaid without a proper reason.")),
)


def settings() -> list[SettingSpec]:
    specs = [SettingSpec(key, label, type=type_, default=default, min=low, max=high, help=help_)
             for key, label, type_, default, low, high, help_ in NUMBERS]
    specs += [SettingSpec(f"freq_{kind}", _l("Frequency: %(kind)s", kind=label), type="choice",
                          default=freq, choices=FREQUENCIES)
              for kind, label, freq in MEETING_KINDS]
    return specs


def number(key: str, unit) -> int | float:
    return get_setting(PLUGIN, key, unit)


def money(key: str, unit) -> Decimal:
    return Decimal(str(get_setting(PLUGIN, key, unit)))
