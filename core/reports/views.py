"""The Reports pages: the list, one report (form, tables, charts, print, XLSX/CSV), and the unit
period report composed of every enabled plugin's section.

Every view only needs a login; each report is then checked against its own permission: the
chosen unit must lie in the user's current unit, and the report covers the part of its subtree
where the user holds the permission. Outside that, the report does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    stream_with_context,
    url_for,
)
from flask_babel import format_datetime
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from ..access import login_required_only, public
from ..args import arg_int
from ..extensions import db
from ..forms import DateField
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Unit, utcnow
from ..paths import CHARTJS
from ..plugins import plugin_host
from ..settings import get_setting
from . import export, registry
from .declarations import DataTable, Report, ReportContext, ReportFilter
from .periods import Period, recent_periods, today
from .render import Shown, show

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Units offered in the form's unit list: the current unit and this many levels below.
UNIT_LEVELS = 2


# -- forms --------------------------------------------------------------------------------------


class ReportForm(FlaskForm):
    """The parameters of a report. Sent by GET, so the URL of a report can be shared."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Unit"), coerce=int)


class PeriodField(StringField):
    """A month, quarter or year (``2026-03``, ``2026-Q1``, ``2026``) among *kinds*."""

    def __init__(self, label, kinds, **kwargs):
        super().__init__(label, **kwargs)
        self.kinds = kinds

    def pre_validate(self, form):
        try:
            period = Period.parse(self.data or "")
        except ValueError:
            raise ValidationError(
                _l("Enter a month (2026-03), a quarter (2026-Q1) or a year (2026).")
            ) from None
        if period.kind not in self.kinds:
            names = {"month": _l("month"), "quarter": _l("quarter"), "year": _l("year")}
            raise ValidationError(_("This report is made by %(kinds)s.",
                                    kinds=" / ".join(str(names[k]) for k in self.kinds)))

    @property
    def period(self) -> Period:
        return Period.parse(self.data)


def _filter_field(spec: ReportFilter, unit: Unit):
    check = [InputRequired()] if spec.required else [Optional()]
    if spec.type == "choice":
        pairs = spec.choices(unit) if callable(spec.choices) else spec.choices
        choices = [SelectChoice(str(value), label) for value, label in pairs]
        if not spec.required:
            choices.insert(0, SelectChoice("", _("All")))
        return SelectField(spec.label, choices=choices, default=spec.default or "",
                           validators=[InputRequired()] if spec.required else [])
    if spec.type == "int":
        return IntegerField(spec.label, validators=check, default=spec.default)
    if spec.type == "date":
        return DateField(spec.label, validators=check, default=spec.default)
    return StringField(spec.label, validators=check, default=spec.default)


def make_form(kinds: tuple[str, ...], filters: tuple[ReportFilter, ...], unit: Unit,
              units: list[Unit]) -> ReportForm:
    """The form of a report (or of the period report), read from the query string."""
    fields = {}
    if kinds:
        fields["period"] = PeriodField(
            _l("Period"), kinds, default=Period.containing(today(), kinds[0]).key,
            description=_l("A month (2026-03), a quarter (2026-Q1) or a year (2026)."),
        )
    for spec in filters:
        fields[spec.key] = _filter_field(spec, unit)
    form_class = type("ReportForm", (ReportForm,), fields)
    form = form_class(formdata=request.args if request.args else None, unit=unit.id)
    top = units[0].depth
    form.unit.choices = [SelectChoice(u.id, "— " * (u.depth - top) + u.name) for u in units]
    if not form.validate() and not request.args:
        for field in form:  # defaults that do not validate yet: ask, do not scold
            field.errors = []
    return form


def _filter_values(form: ReportForm, filters: tuple[ReportFilter, ...]) -> dict:
    return {spec.key: form[spec.key].data if form[spec.key].data != "" else None
            for spec in filters}


# -- choosing the unit ----------------------------------------------------------------------


def _chosen_unit() -> Unit:
    """The ``unit`` parameter, which must be the current unit or lie below it; else 404."""
    current = g.get("unit")
    if current is None:
        abort(404)
    if not request.args.get("unit", ""):
        return current
    wanted = arg_int("unit")
    unit = db.session.get(Unit, wanted) if wanted is not None else None
    if unit is None or not unit.is_within(current):
        abort(404)
    return unit


def _unit_choices(chosen: Unit, below: Select | None = None) -> list[Unit]:
    """The current unit, the units a few levels below it (those in *below*, a SQL filter,
    when given) and the chosen unit, in tree order."""
    current = g.unit
    query = select(Unit).where(
        Unit.is_within(current),
        Unit.depth <= current.depth + UNIT_LEVELS,
    )
    if below is not None:
        query = query.where(Unit.id.in_(below) | (Unit.id == current.id))
    units = {u.id: u for u in db.session.scalars(query.limit(500))}
    units.setdefault(chosen.id, chosen)
    return sorted(units.values(), key=lambda u: u.ancestor_ids)


# -- running a report ---------------------------------------------------------------------------


@dataclass
class Run:
    """One request for a report: what was asked, and the context to build it (None while the
    form is invalid)."""

    plugin: str
    report: Report
    unit: Unit
    form: ReportForm
    context: ReportContext | None

    @property
    def period(self) -> Period | None:
        return self.context.period if self.context else None

    @property
    def filename(self) -> str:
        parts = [self.report.id, self.unit.code, self.period.key if self.period else ""]
        return "-".join(p for p in parts if p)


def prepare(report_id: str) -> Run:
    """Find the report, check the unit, read the form; 404 when the user may not run it."""
    found = registry.reports().get(report_id)
    if found is None:
        abort(404)
    plugin, report = found
    unit = _chosen_unit()
    ids = registry.scope(plugin, report.permission, unit)
    if not registry.covers_anything(ids):
        abort(404)
    below = registry.scope(plugin, report.permission, g.unit)
    form = make_form(report.periods, report.filters, unit, _unit_choices(unit, below))
    context = None
    if not form.errors and not _missing_required(form, report.filters):
        context = ReportContext(
            user=current_user._get_current_object(),
            unit=unit,
            unit_ids=ids,
            period=form.period.period if report.periods else None,
            filters=_filter_values(form, report.filters),
        )
    return Run(plugin, report, unit, form, context)


def _missing_required(form: ReportForm, filters: tuple[ReportFilter, ...]) -> bool:
    return any(spec.required and form[spec.key].data in (None, "") for spec in filters)


def _guarded(plugin: str, what: str, work):
    """``work()``, or None when it raised (reported, and the transaction rolled back)."""
    return plugin_host().isolated(plugin, what, work, db.session.rollback)


def build(plugin: str, what: str, builder, context: ReportContext) -> Shown | None:
    """Build one report or section and read its rows for a page; None when it failed."""
    return _guarded(plugin, what, lambda: show(builder(context)))


def tables_of(plugin: str, what: str, builder, context: ReportContext) -> list | None:
    """The tables of a report or section, to export; None when building it failed.

    Their rows are read later, while the response streams."""
    return _guarded(plugin, what,
                    lambda: [b for b in builder(context) if isinstance(b, DataTable)])


def params(**values) -> dict:
    """The report's parameters from the query string, with *values* put in (for links)."""
    found = {k: v for k, v in request.args.items() if k not in ("report_id", "fmt")}
    return {**found, **values}


@bp.context_processor
def _report_links() -> dict:
    return {"report_params": params}


# -- views --------------------------------------------------------------------------------------


@bp.route("/")
@login_required_only
def index():
    """The reports available in the current unit."""
    unit = g.get("unit")
    return render_template(
        "reports/index.html",
        reports=registry.available(current_user, unit),
        has_sections=bool(unit is not None and _sections_for(unit)),
    )


@bp.route("/<report_id>")
@login_required_only
def report(report_id: str):
    """One report: its parameters, tables and charts."""
    run = prepare(report_id)
    shown = build(run.plugin, f"report {report_id}", run.report.build, run.context) \
        if run.context else None
    return render_template(
        "reports/report.html", run=run, shown=shown,
        suggestions=recent_periods(run.report.periods, today()),
    )


@bp.route("/<report_id>/print")
@login_required_only
def print_report(report_id: str):
    """One report laid out for an A4 page."""
    run = prepare(report_id)
    if run.context is None:
        return redirect(url_for(".report", **params(report_id=report_id)))
    shown = build(run.plugin, f"report {report_id}", run.report.build, run.context)
    return _print_page(run.report.title, run.unit, run.period, [(None, shown)],
                       back=url_for(".report", **params(report_id=report_id)))


@bp.route("/<report_id>/export.<fmt>")
@login_required_only
def export_report(report_id: str, fmt: str):
    """The tables of a report as XLSX (one sheet each) or one table as CSV, streamed."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    run = prepare(report_id)
    if run.context is None:
        return redirect(url_for(".report", **params(report_id=report_id)))
    tables = tables_of(run.plugin, f"report {report_id}", run.report.build, run.context)
    if tables is None:  # reported; the report page shows what can be shown
        return redirect(url_for(".report", **params(report_id=report_id)))
    if not tables:
        abort(404)
    if fmt == "csv":
        keyed = {t.id or str(i): t for i, t in enumerate(tables)}
        wanted = request.args.get("table") or next(iter(keyed))
        if wanted not in keyed:
            abort(404)
        table = keyed[wanted]
        return _download(export.csv_stream(table), export.CSV_MIMETYPE,
                         f"{run.filename}-{wanted}.csv" if len(tables) > 1
                         else f"{run.filename}.csv")
    sheets = [(t.title or run.report.title, t) for t in tables]
    if sum(export.row_count(t) for _, t in sheets) > get_setting("core", "export_task_rows"):
        return _export_in_background(report_id, run)
    return _download(export.xlsx_stream(sheets, str(run.report.title)), export.XLSX_MIMETYPE,
                     f"{run.filename}.xlsx")


def _export_in_background(report_id: str, run: Run) -> Response:
    """A big export becomes a task: the user watches its progress instead of a frozen tab."""
    from ..tasks import progress_url, start_task

    args = {k: v for k, v in request.args.items() if k not in ("report_id", "fmt")}
    task = start_task("core.export_report", {"report_id": report_id, "args": args},
                      unit=run.unit)
    return redirect(progress_url(task))


def _print_page(title, unit: Unit, period: Period | None, parts: list, back: str) -> str:
    return render_template(
        "reports/print.html", title=title, unit=unit, period=period, parts=parts, back=back,
        printed_at=format_datetime(utcnow(), "yyyy-MM-dd HH:mm"),
    )


def _download(chunks, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = export.attachment(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the unit period report -----------------------------------------------------------------


def _sections_for(unit: Unit) -> list:
    """``(plugin, section, unit ids)`` of the sections the user may see for *unit*."""
    found = []
    for plugin, section in registry.sections():
        ids = registry.scope(plugin, section.permission, unit)
        if registry.covers_anything(ids):
            found.append((plugin, section, ids))
    return found


def _period_run():
    unit = _chosen_unit()
    form = make_form(("month", "quarter", "year"), (), unit, _unit_choices(unit))
    parts = []
    if not form.errors:
        period = form.period.period
        for plugin, section, ids in _sections_for(unit):
            context = ReportContext(user=current_user._get_current_object(), unit=unit,
                                    unit_ids=ids, period=period)
            parts.append((plugin, section, context))
    return unit, form, parts


@bp.route("/period")
@login_required_only
def period():
    """The unit period report: every enabled plugin's section for a month, quarter or year."""
    unit, form, parts = _period_run()
    sections = [(section, build(plugin, f"section {section.id}", section.build, context))
                for plugin, section, context in parts]
    return render_template(
        "reports/period.html", unit=unit, form=form, sections=sections,
        period=None if form.errors else form.period.period,
        suggestions=recent_periods(("month", "quarter", "year"), today()),
    )


@bp.route("/period/print")
@login_required_only
def print_period():
    """The unit period report laid out for A4 pages."""
    unit, form, parts = _period_run()
    if form.errors:
        return redirect(url_for(".period", **params()))
    sections = [(section.title, build(plugin, f"section {section.id}", section.build, context))
                for plugin, section, context in parts]
    return _print_page(_("Period report"), unit, form.period.period, sections,
                       back=url_for(".period", **params()))


@bp.route("/period/export.xlsx")
@login_required_only
def export_period():
    """Every table of the unit period report in one workbook; failing sections are left out."""
    unit, form, parts = _period_run()
    if form.errors:
        return redirect(url_for(".period", **params()))
    sheets = []
    for plugin, section, context in parts:
        tables = tables_of(plugin, f"section {section.id}", section.build, context)
        if tables is None:
            continue  # reported; the other sections are still exported
        sheets += [(f"{section.title} {t.title}".strip() if len(tables) > 1 else section.title, t)
                   for t in tables]
    period = form.period.period
    return _download(export.xlsx_stream(sheets, _("Period report")),
                     export.XLSX_MIMETYPE, f"period-{unit.code}-{period.key}.xlsx")


# -- Chart.js -----------------------------------------------------------------------------------


@bp.route("/vendor/chart.js/<path:filename>")
@public
def chartjs(filename: str):
    """Chart.js from the pinned npm package (an intranet may have no internet)."""
    return send_from_directory(CHARTJS, filename, max_age=7 * 24 * 3600)
