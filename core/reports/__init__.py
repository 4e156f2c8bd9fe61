"""Reports: plugins declare them, core renders them.

A plugin returns :class:`~core.reports.declarations.Report` declarations from
``register_reports`` and :class:`~core.reports.declarations.ReportSection` declarations from
``register_report_sections``. Core collects them (:mod:`.registry`), runs them for the unit and
period a user chooses, filtered to the units where the user holds the report's permission, and
renders the result as a page, an A4 print view and streamed XLSX/CSV exports (:mod:`.views`,
:mod:`.render`, :mod:`.export`). The unit period report composes every enabled plugin's section.
"""

from .declarations import (
    Chart,
    DataColumn,
    DataTable,
    Note,
    Report,
    ReportContext,
    ReportFilter,
    ReportSection,
    Series,
)
from .periods import Period
from .render import render_chart

__all__ = [
    "Chart",
    "DataColumn",
    "DataTable",
    "Note",
    "Period",
    "Report",
    "ReportContext",
    "ReportFilter",
    "ReportSection",
    "Series",
    "render_chart",
]
