"""Core's own tasks: the big report export and the bulk import of people.

Small ones stay in the request, where users expect the file at once; past a threshold (a
setting) the view starts the task and shows its progress page instead.
"""

from __future__ import annotations

from flask import current_app, g
from flask_login import login_user

from ..declarations import SettingSpec
from ..i18n import lazy_gettext as _l
from . import Task, TaskContext

SETTINGS = [
    SettingSpec("task_result_days", _l("Keep task results for (days)"), type="int", default=7,
                min=1, max=90, scope="global",
                help=_l("Exports and import reports made in the background can be downloaded "
                        "by the person who asked for this many days, then they are removed.")),
    SettingSpec("export_task_rows", _l("Export in the background from (rows)"), type="int",
                default=20000, min=0, max=10_000_000, scope="global",
                help=_l("A report export with more rows than this is made in the background, "
                        "with a progress page; smaller ones download at once.")),
    SettingSpec("import_task_rows", _l("Import in the background from (rows)"), type="int",
                default=300, min=0, max=1_000_000, scope="global",
                help=_l("A user import with more rows than this runs in the background, with "
                        "a progress page.")),
]


def export_report(task: TaskContext) -> str:
    """Rebuild the report as its user asked for it, and write the XLSX file."""
    from ..reports import export
    from ..reports.views import prepare, tables_of

    params = task.params
    with current_app.test_request_context(f"/reports/{params['report_id']}",
                                          query_string=params["args"]):
        login_user(task.user)
        g.unit = task.unit
        run = prepare(params["report_id"])
        if run.context is None:
            raise ValueError("the report's parameters are no longer valid")
        tables = tables_of(run.plugin, f"report {params['report_id']}", run.report.build,
                           run.context)
        if not tables:
            raise ValueError("the report has no table to export")
        sheets = [(t.title or run.report.title, t) for t in tables]
        total = sum(export.row_count(t) for _, t in sheets)
        task.progress(0, total)
        rows = export.write_workbook(sheets, task.result_file(f"{run.filename}.xlsx"),
                                     str(run.report.title), progress=task.progress, total=total)
    return str(_l("%(n)s rows exported", n=rows))


def import_users(task: TaskContext) -> str:
    """Check the file again (people may have changed since), import, write the passwords."""
    from .. import storage
    from ..admin import imports
    from ..extensions import db

    params = task.params
    backend = storage.backend()
    data = backend.read(params["input_key"])
    try:
        with current_app.test_request_context("/admin/users/import"):
            login_user(task.user)
            rows, problems = imports.check(imports.read_table(params["filename"], data))
            if problems:
                shown = "; ".join(str(p.message) for p in problems[:5])
                raise ValueError(f"{len(problems)} problems, nothing imported: {shown}")
            task.progress(0, len(rows))
            generated = imports.import_rows(rows, params["filename"], progress=task.progress)
            if generated:
                imports.write_passwords(rows, generated, task.result_file("initial-passwords.xlsx"))
            db.session.commit()
    finally:
        backend.delete(params["input_key"])
    return str(_l("%(n)s users imported", n=len(rows)))


TASKS = [
    Task("core.export_report", export_report, _l("Report export")),
    # Retried safely after a crash: the import commits once, at its end.
    Task("core.import_users", import_users, _l("User import")),
]
