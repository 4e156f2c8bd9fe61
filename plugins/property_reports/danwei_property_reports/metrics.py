"""The required-metrics form of a summary, generated from :mod:`.catalogue`.

Every typed field becomes a form input with the checks its kind needs (a whole number, an amount
with at most two decimals, a percentage between 0 and 100); a breakdown is typed as lines
``category: value`` and must add up to its total; the rules of an item (e.g. "published ≤
submitted") are checked across fields. Computed fields are never inputs: :func:`values_of`
returns typed values, :func:`catalogue.compute` derives the rest.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal, format_percent, get_locale
from wtforms import DecimalField, IntegerField, TextAreaField
from wtforms.validators import (
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from .catalogue import (
    BREAKDOWN,
    COUNT,
    MAX_COUNT,
    MAX_MONEY,
    MONEY,
    PERCENT,
    TEXT,
    Department,
    Field,
    compute,
)
from .i18n import gettext
from .i18n import lazy_gettext as _l
from .models import MetricValue, Summary

PREFIX = "m_"


def input_name(field: Field) -> str:
    return PREFIX + field.key


def label(field) -> str:
    """The field's label in the reader's language, with its unit."""
    text = str(field.en)
    return f"{text} ({field.unit})" if field.unit and field.kind == COUNT else text


# -- breakdowns ------------------------------------------------------------------------------

#: ``category: value`` (or ``=``, a full-width colon, a tab). Possessive quantifiers, and one
#: way only to split the spaces around the separator: a long line of tabs otherwise took minutes.
_LINE = re.compile(r"^\s*+(?P<category>.*?\S)(?:\s*+[:：=]|[^\S\t]*+\t)\s*+"
                   r"(?P<value>[-+]?[\d,，.]++)\s*+$")


def parse_breakdown(text: str, of: str) -> tuple[list[tuple[str, Decimal]], list[str]]:
    """``[(category, value)]`` from lines ``category: value``, and the problems found."""
    lines, problems, seen = [], [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        match = _LINE.match(raw)
        if not match:
            problems.append(gettext("Line %(n)d: write it as “category: value”.", n=number))
            continue
        category = match.group("category").strip()[:100]
        try:
            value = Decimal(match.group("value").replace(",", "").replace("，", ""))
        except InvalidOperation:
            problems.append(gettext("Line %(n)d: %(value)s is not a number.", n=number,
                                    value=match.group("value")))
            continue
        if not value.is_finite() or value > MAX_MONEY:
            problems.append(gettext("Line %(n)d: %(value)s is too large.", n=number,
                                    value=match.group("value")))
        elif value < 0:
            problems.append(gettext("Line %(n)d: the value cannot be negative.", n=number))
        elif of == COUNT and value != value.to_integral_value():
            problems.append(gettext("Line %(n)d: use a whole number.", n=number))
        elif of == MONEY and value.as_tuple().exponent < -2:
            problems.append(gettext("Line %(n)d: use at most two decimals.", n=number))
        elif category in seen:
            problems.append(gettext("Line %(n)d: %(category)s is listed twice.", n=number,
                                    category=category))
        else:
            seen.add(category)
            lines.append((category, value))
    return lines, problems


def format_breakdown(lines: list[tuple[str, Decimal]], of: str) -> str:
    return "\n".join(
        f"{category}: {int(value) if of == COUNT else value}" for category, value in lines
    )


class _Finite:
    """Refuse "NaN" and "Infinity", which Decimal reads but no one means."""

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise StopValidation(gettext("Enter a number."))


class _TwoPlaces:
    """Refuse amounts with more than two decimals (fen is the smallest unit)."""

    def __call__(self, form, field):
        if field.data is not None and field.data.as_tuple().exponent < -2:
            raise ValidationError(gettext("Use at most two decimals."))


class _BreakdownValid:
    def __init__(self, of: str):
        self.of = of

    def __call__(self, form, field):
        _, problems = parse_breakdown(field.data or "", self.of)
        if problems:
            raise ValidationError(" ".join(problems))


# -- the form ------------------------------------------------------------------------------------


def add_fields(form_class: type, dept: Department, strict: bool) -> None:
    """Add *dept*'s metric inputs to *form_class*; *strict* makes required fields required."""
    # The document's wording under each label, unless the labels are in Chinese already.
    chinese = str(get_locale() or "").startswith("zh")
    for f in dept.inputs:
        required = [InputRequired(message=gettext("Required before the summary is submitted."))] \
            if strict and f.required else [Optional()]
        description = "" if chinese else f.zh
        if f.kind == COUNT:
            field = IntegerField(label(f), required + [NumberRange(0, MAX_COUNT)],
                                 description=description)
        elif f.kind == MONEY:
            field = DecimalField(
                label(f), [*required, _Finite(), NumberRange(0, MAX_MONEY), _TwoPlaces()],
                places=None, description=description)
        elif f.kind == PERCENT:
            field = DecimalField(
                label(f), [*required, _Finite(), NumberRange(0, 100), _TwoPlaces()],
                places=None, description=description)
        elif f.kind == BREAKDOWN:
            field = TextAreaField(label(f), [Optional(), _BreakdownValid(f.of)],
                                  description=description,
                                  render_kw={"rows": 3, "placeholder": _l("category: value")})
        else:
            validators = [InputRequired(message=gettext("Required before the summary is "
                                                        "submitted."))] \
                if strict and f.required else [Optional()]
            field = TextAreaField(label(f), validators, description=description,
                                  render_kw={"rows": 2})
        setattr(form_class, input_name(f), field)


def cross_check(form, dept: Department) -> bool:
    """Check the items' rules and the breakdown totals; add messages to the fields concerned."""
    ok = True

    def value(key):
        field = getattr(form, PREFIX + key, None)
        return None if field is None or field.errors else field.data

    for item in dept.items:
        for rule in item.rules:
            a, b = value(rule.a), value(rule.b)
            if rule.op == "at_most" and a is not None and b is not None and a > b:
                getattr(form, PREFIX + rule.a).errors.append(str(rule.message))
                ok = False
            if rule.op == "one_of" and a is None and b is None and form.strict:
                getattr(form, PREFIX + rule.a).errors.append(str(rule.message))
                ok = False
    for f in dept.inputs:
        if f.kind != BREAKDOWN or f.total is None:
            continue
        field = getattr(form, input_name(f))
        if field.errors or not (field.data or "").strip():
            continue
        lines, _ = parse_breakdown(field.data, f.of)
        total = value(f.total)
        added = sum((v for _, v in lines), Decimal(0))
        if total is not None and added != Decimal(total):
            field.errors.append(gettext(
                "The lines add up to %(sum)s but the total above is %(total)s.",
                sum=_number(added, f.of), total=_number(Decimal(total), f.of)))
            ok = False
    return ok


def _number(value: Decimal, of: str) -> str:
    return format_decimal(value, "#,##0" if of == COUNT else "#,##0.00")


# -- storing and reading ---------------------------------------------------------------------


def cumulative_pairs(dept: Department) -> list[tuple[Field, Field]]:
    """``(this month, in total)`` pairs: a running total is ``<key>_cumulative``, kept at the
    end of each month (篇二 lines 156, 163: 累计收楼, 累计车位)."""
    keys = {f.key: f for f in dept.inputs}
    return [(keys[f.key.removesuffix("_cumulative")], f) for f in dept.inputs
            if f.key.endswith("_cumulative") and f.key.removesuffix("_cumulative") in keys]


def running_totals(summary: Summary, dept: Department, formdata) -> tuple[dict, dict]:
    """Fill in the running totals left empty: last month's total plus this month's count.

    Returns the form data to use and ``{total key: last month's total}`` for the hints.
    """
    from .summarising import previous

    before = previous(summary)
    last = values_of(before) if before is not None else {}
    known = {}
    for flow, total in cumulative_pairs(dept):
        if last.get(total.key) is None:
            continue
        known[total.key] = last[total.key]
        if formdata is None:
            continue
        typed = (formdata.get(input_name(total)) or "").strip()
        count = (formdata.get(input_name(flow)) or "").strip()
        if not typed and count.isdigit():
            formdata = formdata.copy()
            formdata[input_name(total)] = str(int(last[total.key]) + int(count))
    return formdata, known


def store(summary: Summary, dept: Department, form) -> None:
    """Replace *summary*'s metric values by what *form* holds."""
    by_key = {(v.metric, v.category): v for v in summary.values}
    wanted: set[tuple[str, str]] = set()

    def put(metric, category="", number=None, text=None):
        wanted.add((metric, category))
        row = by_key.get((metric, category))
        if row is None:
            row = MetricValue(unit_id=summary.unit_id, period=summary.period,
                              department=dept.key, metric=metric, category=category)
            summary.values.append(row)
        row.number, row.text = number, text

    for f in dept.inputs:
        data = getattr(form, input_name(f)).data
        if f.kind == TEXT:
            if data and data.strip():
                put(f.key, text=data.strip())
        elif f.kind == BREAKDOWN:
            lines, _ = parse_breakdown(data or "", f.of)
            for category, number in lines:
                put(f.key, category, number=number)
        elif data is not None:
            put(f.key, number=Decimal(data))
    for key, row in by_key.items():
        if key not in wanted:
            summary.values.remove(row)


def values_of(summary: Summary) -> dict[str, object]:
    """``{key: value}``: numbers as Decimal, texts as str, breakdowns as ``[(category, n)]``."""
    found: dict[str, object] = {}
    for row in sorted(summary.values, key=lambda v: (v.metric, v.id or 0)):
        if row.category:
            found.setdefault(row.metric, []).append((row.category, row.number))
        elif row.text is not None:
            found[row.metric] = row.text
        else:
            found[row.metric] = row.number
    return found


def form_data(dept: Department, values: dict[str, object]) -> dict[str, object]:
    """What to pre-fill the form with."""
    data = {}
    for f in dept.inputs:
        value = values.get(f.key)
        if f.kind == BREAKDOWN:
            data[input_name(f)] = format_breakdown(value or [], f.of)
        elif f.kind == COUNT and value is not None:
            data[input_name(f)] = int(value)
        else:
            data[input_name(f)] = value
    return data


def completeness(dept: Department, values: dict[str, object], checklist) -> Decimal:
    """Share of the metric inputs filled and checklist lines answered (0–1)."""
    wanted = [f for f in dept.inputs]
    filled = sum(1 for f in wanted if values.get(f.key) not in (None, "", []))
    answered = sum(1 for item in checklist if item.outcome)
    total = len(wanted) + len(checklist)
    return (Decimal(filled + answered) / Decimal(total)).quantize(Decimal("0.0001")) \
        if total else Decimal(1)


def display(field, value) -> str:
    """A value as people read it: 1,234 · ¥1,234.50 · 25.0% · text."""
    if value is None or value == "" or value == []:
        return "—"
    if field.kind == PERCENT:
        if field.computed:
            return format_percent(value, "#,##0.0%")
        return format_decimal(value, "#,##0.##") + "%"
    if field.kind == MONEY:
        return "¥" + format_decimal(value, "#,##0.00")
    if field.kind == COUNT:
        text = format_decimal(value, "#,##0")
        return f"{text} {field.unit}" if field.unit else text
    if field.kind == BREAKDOWN:
        total = sum((v for _, v in value), Decimal(0))
        parts = []
        for category, v in value:
            share = format_percent(v / total, "#,##0.0%") if total else "—"
            parts.append(f"{category}: {_number(v, field.of)} ({share})")
        return "; ".join(parts)
    return str(value)


def rows(dept: Department, values: dict[str, object]):
    """``(item, [(field, shown value)])`` for every item, computed fields included."""
    computed = compute(dept, {k: v for k, v in values.items() if not isinstance(v, (str, list))})
    out = []
    for item in dept.items:
        shown = []
        for f in item.fields:
            value = computed.get(f.key) if f.computed else values.get(f.key)
            shown.append((f, display(f, value)))
        out.append((item, shown))
    return out
