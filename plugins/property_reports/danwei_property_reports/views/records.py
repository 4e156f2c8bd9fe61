"""Records attached to plans and summaries (篇二 line 83, issue 18 §13).

"The records the work produces are kept by the department that uses them": a plan and a
summary take files (inspection sheets, photos, test reports) through core's attachments
service, which checks the type by content and serves a file only to those who may see the
department's plans (the kind's permission, checked in the file's unit).
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_wtf import FlaskForm

from core.api import (
    AttachmentKind,
    MultipleAttachmentField,
    db,
    permission_required,
    save_attachment,
)

from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from ..models import Plan, Summary
from . import PLUGIN, bp, get_or_404, may_in

KIND = f"{PLUGIN}.record"


def kinds() -> list[AttachmentKind]:
    return [AttachmentKind(KIND, _l("Work record"), types=("image", "pdf", "office"),
                           max_size=20 * 1024 * 1024, permission=f"{PLUGIN}.view")]


class RecordForm(FlaskForm):
    files = MultipleAttachmentField(_l("Attach work records"), kind=KIND, required=True)


def _attach(subject, unit, back: str):
    if not may_in("prepare", unit):
        abort(404)
    form = RecordForm()
    if form.validate_on_submit():
        for upload in form.files.uploads():
            save_attachment(upload, KIND, subject, unit)
        db.session.commit()
        flash(gettext("The records are attached."), "success")
    else:
        for error in form.files.errors or [gettext("Choose a file.")]:
            flash(str(error), "danger")
    return redirect(back)


@bp.route("/plans/<int:plan_id>/records", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def attach_to_plan(plan_id: int):
    plan = get_or_404(Plan, plan_id)
    return _attach(plan, plan.unit, url_for(f"{PLUGIN}.plan_version",
                                            version_id=plan.latest.id))


@bp.route("/summaries/<int:summary_id>/records", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def attach_to_summary(summary_id: int):
    summary = get_or_404(Summary, summary_id)
    return _attach(summary, summary.unit, url_for(f"{PLUGIN}.summary", summary_id=summary.id))
