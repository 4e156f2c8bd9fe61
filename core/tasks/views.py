"""The progress page of a task run, its cancel button and its result: for its owner only.

The page is plain HTML that reloads itself every two seconds while the run is queued or
running (no script needed): the state lives in the ``task_runs`` row, so leaving the page,
reloading it or coming back tomorrow shows the same run.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file
from flask_login import current_user
from sqlalchemy import select

from ..access import login_required_only
from ..extensions import db
from ..i18n import lazy_gettext as _l
from . import TaskRun, cancel, recover, registered

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _own(run_id: int) -> TaskRun:
    run = db.session.get(TaskRun, run_id)
    if run is None or run.user_id != current_user.id:
        abort(404)  # another user's run does not exist, as far as this user can tell
    return run


@bp.route("/")
@login_required_only
def index():
    """The user's recent task runs."""
    runs = db.session.scalars(select(TaskRun).where(TaskRun.user_id == current_user.id)
                              .order_by(TaskRun.id.desc()).limit(50)).all()
    return render_template("tasks/index.html", runs=runs, labels=_labels())


@bp.route("/<int:run_id>")
@login_required_only
def progress(run_id):
    """Percentage, rows done, time left, cancel; the result once done."""
    recover()  # a run whose worker died shows as retried or failed, not running forever
    run = _own(run_id)
    return render_template("tasks/progress.html", run=run, label=_labels().get(run.task_id))


@bp.route("/<int:run_id>/cancel", methods=["POST"])
@login_required_only
def cancel_run(run_id):
    """Stop a queued or running task."""
    run = _own(run_id)
    if not run.finished:
        cancel(run)
        db.session.commit()
        flash(_l("The task will stop."), "info")
    return redirect(f"/tasks/{run.id}")


@bp.route("/<int:run_id>/result")
@login_required_only
def result(run_id):
    """The result file, while it is kept."""
    from .. import storage

    run = _own(run_id)
    if not run.result_available:
        abort(404)
    stream = storage.backend().open(run.result_key)
    if stream is None:
        abort(404)
    response = send_file(stream, as_attachment=True, download_name=run.result_name,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _labels() -> dict:
    return {task_id: task.label or task_id for task_id, (_, task) in registered().items()}
