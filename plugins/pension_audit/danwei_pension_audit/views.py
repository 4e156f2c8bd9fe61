"""The plugin's pages: engagements, checklist, imports, findings, rectification, samples,
report.

Auditors (``pension_audit.view``/``audit``, held in the agency) see the engagements of the
units below them; an audited station (``pension_audit.respond``) sees only its own findings,
once the report is issued. Every list is filtered in SQL.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from core.api import (
    AttachmentRejected,
    Unit,
    User,
    arg_int,
    attachments_of,
    audit,
    can,
    current_unit,
    db,
    enabled_unit_ids,
    get_setting,
    paginate,
    permission_holders,
    permission_required,
    require,
    save_attachment,
    start_task,
    unit_ids_where,
    utcnow,
)

from . import forms, imports, rectification, report, sampling
from .checks import RULES
from .items import ITEM_TITLES
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .models import (
    COMPUTED_ITEMS,
    FINDING_STATES,
    ISSUED,
    ITEMS,
    PREPARING,
    SAMPLED_ITEMS,
    SEVERITIES,
    UNRESOLVED,
    PensionAuditAnswer,
    PensionAuditEngagement,
    PensionAuditEvidence,
    PensionAuditFinding,
    PensionAuditGroup,
    PensionAuditImport,
    PensionAuditPayment,
    PensionAuditReply,
    PensionAuditSample,
    PensionAuditSampleRecord,
    PensionAuditTeamMember,
    PensionAuditUpload,
)

bp = Blueprint("pension_audit", __name__, template_folder="templates",
               static_folder="static")

SEVERITY_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
STATE_LABELS = {"open": _l("Open"), "rectifying": _l("Rectifying"), "replied": _l("Replied"),
                "accepted": _l("Accepted"), "returned": _l("Returned")}
IMPORT_STATES = {"mapping": _l("Columns to map"), "checking": _l("Checking"),
                 "refused": _l("Refused"), "imported": _l("Imported"),
                 "cancelled": _l("Cancelled"), "failed": _l("Failed")}
ENGAGEMENT_STATES = {"preparing": _l("Preparing"), "issued": _l("Report issued"),
                     "closed": _l("Closed")}


@bp.app_context_processor
def labels():
    return {"pa_items": ITEM_TITLES, "pa_severities": SEVERITY_LABELS,
            "pa_states": STATE_LABELS, "pa_engagement_states": ENGAGEMENT_STATES,
            "pa_rules": {key: rule[2] for key, rule in RULES.items()},
            "pa_kinds": imports.KIND_LABELS, "pa_import_states": IMPORT_STATES}


def _engagement(engagement_id: int, permission: str = "pension_audit.view"):
    engagement = db.session.get(PensionAuditEngagement, engagement_id) or abort(404)
    require(permission, engagement.unit)
    return engagement


def _finding(finding_id: int) -> PensionAuditFinding:
    finding = db.session.get(PensionAuditFinding, finding_id) or abort(404)
    if not rectification.may_see_finding(finding):
        abort(404)
    return finding


def _money(fen) -> str:
    return "" if fen is None else f"{fen / 100:,.2f}"


@bp.app_template_filter("pa_value")
def pa_value(value, measure):
    """A finding's expected or found value as people read it."""
    if value is None:
        return "—"
    if measure == "fen":
        return _money(value)
    if measure == "month":
        return f"{value // 100}-{value % 100:02d}"
    if measure == "flag":
        return _("yes") if value else _("no")
    return str(value)


# -- engagements ---------------------------------------------------------------------------------


@bp.route("/")
@permission_required("pension_audit.view")
def index():
    """Engagements of the units where the user may see audits, newest first."""
    query = (select(PensionAuditEngagement)
             .options(joinedload(PensionAuditEngagement.unit))
             .where(PensionAuditEngagement.unit_id.in_(unit_ids_where("pension_audit.view"))))
    state = request.args.get("state", "")
    if state in ENGAGEMENT_STATES:
        query = query.where(PensionAuditEngagement.state == state)
    q = request.args.get("q", "").strip()[:100]
    if q:
        query = query.join(Unit, Unit.id == PensionAuditEngagement.unit_id).where(or_(
            PensionAuditEngagement.title.contains(q, autoescape=True),
            Unit.name.contains(q, autoescape=True)))
    page = paginate(query.order_by(PensionAuditEngagement.created_at.desc(),
                                   PensionAuditEngagement.id.desc()))
    ids = [e.id for e in page.items]
    counts = dict(db.session.execute(
        select(PensionAuditFinding.engagement_id, func.count(PensionAuditFinding.id))
        .where(PensionAuditFinding.engagement_id.in_(ids))
        .group_by(PensionAuditFinding.engagement_id)).all()) if ids else {}
    return render_template("pension_audit/index.html", page=page, counts=counts, state=state,
                           q=q, may_create=_auditable_units() != [])


def _auditable_units() -> list[Unit]:
    """Units where the user may open an audit: below where they audit, plugin enabled."""
    return list(db.session.scalars(
        select(Unit).where(Unit.id.in_(unit_ids_where("pension_audit.audit")),
                           Unit.id.in_(enabled_unit_ids("pension_audit")))
        .order_by(Unit.path).limit(500)))


def _auditors(units: list[Unit]) -> list[User]:
    if not units:
        return []
    seen, people = set(), []
    top = min(units, key=lambda u: u.depth)
    for user in db.session.scalars(permission_holders("pension_audit.audit", top)
                                   .order_by(User.name)):
        if user.id not in seen:
            seen.add(user.id)
            people.append(user)
    return people


@bp.route("/new", methods=["GET", "POST"])
@permission_required("pension_audit.audit")
def new():
    """Open an audit of a unit for a period, with its team, preparer and verifier."""
    units = _auditable_units()
    if not units:
        abort(404)
    form = forms.EngagementForm()
    people = _auditors(units)
    form.unit.choices = forms.choices((u.id, u.name) for u in units)
    person_choices = forms.choices((u.id, u.name) for u in people)
    form.preparer.choices = form.verifier.choices = form.team.choices = person_choices
    if request.method == "GET":
        form.preparer.data = current_user.id
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        require("pension_audit.audit", unit)
        previous = db.session.scalar(
            select(PensionAuditEngagement.id).where(PensionAuditEngagement.unit_id == unit.id)
            .order_by(PensionAuditEngagement.period_end.desc(),
                      PensionAuditEngagement.id.desc()).limit(1))
        engagement = PensionAuditEngagement(
            unit_id=unit.id, title=form.title.data, period_start=form.period_start.data,
            period_end=form.period_end.data, preparer_id=form.preparer.data,
            verifier_id=form.verifier.data, previous_id=previous,
            created_by_id=current_user.id)
        db.session.add(engagement)
        db.session.flush()
        team = {form.preparer.data, form.verifier.data, *(form.team.data or [])}
        for user_id in sorted(team):
            db.session.add(PensionAuditTeamMember(engagement_id=engagement.id, user_id=user_id))
        for item in ITEMS:
            db.session.add(PensionAuditAnswer(engagement_id=engagement.id, item=item))
        audit("pension_audit.engagement_created", subject=engagement, unit=unit,
              summary=engagement.title)
        db.session.commit()
        flash(_("The audit was opened."), "success")
        return redirect(url_for("pension_audit.engagement", engagement_id=engagement.id))
    return render_template("pension_audit/new.html", form=form)


def _finding_counts(engagement_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(PensionAuditFinding.item, func.count(PensionAuditFinding.id))
        .where(PensionAuditFinding.engagement_id == engagement_id)
        .group_by(PensionAuditFinding.item)).all())


def _conflicts(engagement: PensionAuditEngagement) -> int:
    """Payments under audit prepared by the verifier (who then may not verify)."""
    verifier = engagement.verifier
    return db.session.scalar(select(func.count(PensionAuditPayment.id)).where(
        PensionAuditPayment.engagement_id == engagement.id,
        PensionAuditPayment.prepared_by.in_((verifier.username, verifier.name))))


@bp.route("/<int:engagement_id>")
@permission_required("pension_audit.view")
def engagement(engagement_id):
    """An engagement: facts, checklist at a glance, imports, checks, previous audit."""
    engagement = _engagement(engagement_id)
    answers = db.session.scalars(select(PensionAuditAnswer).where(
        PensionAuditAnswer.engagement_id == engagement.id).order_by(PensionAuditAnswer.item))
    imports_ = db.session.scalars(select(PensionAuditImport).where(
        PensionAuditImport.engagement_id == engagement.id)
        .order_by(PensionAuditImport.id.desc()).limit(50)).all()
    team = db.session.scalars(select(User).join(
        PensionAuditTeamMember, PensionAuditTeamMember.user_id == User.id).where(
        PensionAuditTeamMember.engagement_id == engagement.id).order_by(User.name)).all()
    previous = None
    if engagement.previous_id:
        previous = _comparison(engagement)
    return render_template(
        "pension_audit/engagement.html", engagement=engagement, answers=list(answers),
        imports=imports_, team=team, counts=_finding_counts(engagement.id),
        check_form=forms.CheckForm(), previous=previous, conflicts=_conflicts(engagement),
        may_audit=can("pension_audit.audit", engagement.unit), computed=COMPUTED_ITEMS)


def _comparison(engagement: PensionAuditEngagement) -> dict:
    """The previous audit's unresolved findings: still found now, or no longer."""
    f = PensionAuditFinding
    unresolved = select(f.id).where(f.engagement_id == engagement.previous_id,
                                    f.state.in_(UNRESOLVED))
    total = db.session.scalar(select(func.count()).select_from(unresolved.subquery()))
    still = db.session.scalar(select(func.count(f.id)).where(
        f.engagement_id == engagement.id, f.previous_finding_id.in_(unresolved)))
    by_item = db.session.execute(
        select(f.item, func.count(f.id)).where(f.engagement_id == engagement.previous_id)
        .group_by(f.item)).all()
    return {"id": engagement.previous_id, "unresolved": total, "still": still,
            "resolved": total - still, "by_item": dict(by_item)}


@bp.route("/<int:engagement_id>/check", methods=["POST"])
@permission_required("pension_audit.audit")
def run_check(engagement_id):
    """Run every check over the imported data, in the background."""
    engagement = _engagement(engagement_id, "pension_audit.audit")
    form = forms.CheckForm()
    if not form.validate_on_submit():
        abort(400)
    if engagement.state != PREPARING:
        flash(_("The report is issued: the findings stay as they are."), "warning")
        return redirect(url_for("pension_audit.engagement", engagement_id=engagement.id))
    run = start_task("pension_audit.check", {"engagement_id": engagement.id},
                     unit=engagement.unit)
    return redirect(url_for("tasks.progress", run_id=run.id))


@bp.route("/<int:engagement_id>/issue", methods=["POST"])
@permission_required("pension_audit.audit")
def issue(engagement_id):
    """The verifier signs: the report is issued and the audited unit sees its findings."""
    engagement = _engagement(engagement_id, "pension_audit.audit")
    forms.CheckForm()  # CSRF through Flask-WTF's global protection
    if engagement.state != PREPARING:
        abort(404)
    if current_user.id != engagement.verifier_id:
        flash(_("Only the verifier issues the report."), "danger")
    elif engagement.verifier_id == engagement.preparer_id:
        flash(_("The verifier must be someone other than the preparer."), "danger")
    elif _conflicts(engagement):
        flash(_("The verifier prepared payments under audit and may not verify it."), "danger")
    elif engagement.checked_at is None:
        flash(_("Run the checks on the data as imported before issuing the report."), "danger")
    else:
        engagement.state = ISSUED
        audit("pension_audit.issued", subject=engagement, unit=engagement.unit,
              summary=engagement.title)
        db.session.commit()
        flash(_("The report is issued; the audited unit sees its findings."), "success")
    return redirect(url_for("pension_audit.engagement", engagement_id=engagement.id))


# -- the checklist -------------------------------------------------------------------------------


@bp.route("/<int:engagement_id>/items/<int:item>", methods=["GET", "POST"])
@permission_required("pension_audit.view")
def item(engagement_id, item):
    """One item: the answer, its evidence and the findings of the item."""
    engagement = _engagement(engagement_id)
    answer = db.session.scalar(select(PensionAuditAnswer).where(
        PensionAuditAnswer.engagement_id == engagement.id, PensionAuditAnswer.item == item))
    if answer is None:
        abort(404)
    may_audit = can("pension_audit.audit", engagement.unit)
    form = forms.AnswerForm(obj=answer, prefix="answer")
    evidence_form = forms.EvidenceForm(prefix="evidence")
    if request.method == "POST":
        if not may_audit or engagement.state != PREPARING:
            abort(404)
        if form.submit.data and form.validate_on_submit():
            answer.result, answer.notes = form.result.data, form.notes.data or ""
            answer.answered_by_id, answer.answered_at = current_user.id, utcnow()
            audit("pension_audit.answered", subject=answer, unit=engagement.unit,
                  summary=f"{item}: {answer.result}")
            db.session.commit()
            flash(_("The answer was saved."), "success")
            return redirect(url_for("pension_audit.item", engagement_id=engagement.id,
                                    item=item))
        if evidence_form.add.data and evidence_form.validate_on_submit():
            evidence = PensionAuditEvidence(
                engagement_id=engagement.id, item=item, made_on=evidence_form.made_on.data,
                description=evidence_form.description.data, created_by_id=current_user.id)
            db.session.add(evidence)
            db.session.flush()
            try:
                save_attachment(evidence_form.file.data, "pension_audit.evidence", evidence,
                                engagement.unit)
            except AttachmentRejected as exc:
                db.session.rollback()
                evidence_form.file.errors.append(str(exc))
            else:
                audit("pension_audit.evidence_added", subject=evidence, unit=engagement.unit,
                      summary=evidence.description)
                db.session.commit()
                flash(_("The evidence was added."), "success")
                return redirect(url_for("pension_audit.item", engagement_id=engagement.id,
                                        item=item))
    evidence = db.session.scalars(select(PensionAuditEvidence).where(
        PensionAuditEvidence.engagement_id == engagement.id, PensionAuditEvidence.item == item)
        .order_by(PensionAuditEvidence.made_on)).all()
    files = {e.id: attachments_of(e) for e in evidence}
    findings = db.session.scalar(select(func.count(PensionAuditFinding.id)).where(
        PensionAuditFinding.engagement_id == engagement.id, PensionAuditFinding.item == item))
    samples = db.session.scalars(select(PensionAuditSample).where(
        PensionAuditSample.engagement_id == engagement.id, PensionAuditSample.item == item)).all()
    return render_template("pension_audit/item.html", engagement=engagement, answer=answer,
                           form=form, evidence_form=evidence_form, evidence=evidence,
                           files=files, findings=findings, samples=samples, item=item,
                           may_edit=may_audit and engagement.state == PREPARING,
                           computed=item in COMPUTED_ITEMS, sampled=item in SAMPLED_ITEMS)


# -- imports -------------------------------------------------------------------------------------


@bp.route("/<int:engagement_id>/imports/new", methods=["GET", "POST"])
@permission_required("pension_audit.audit")
def import_new(engagement_id):
    """Upload a file of the fund's data; the columns are mapped next."""
    engagement = _engagement(engagement_id, "pension_audit.audit")
    if engagement.state != PREPARING:
        abort(404)
    form = forms.UploadForm()
    form.kind.choices = forms.choices((k, label) for k, label in imports.KIND_LABELS.items())
    if form.validate_on_submit():
        upload = request.files.get(form.file.name)
        limit = get_setting("pension_audit", "max_upload_mb") * 1024 * 1024
        data = upload.read(limit + 1) if upload else b""
        filename = (upload.filename or "upload")[-200:] if upload else ""
        if upload:
            upload.close()  # a large one is a temporary file
        problem = None
        if not data:
            problem = _("Choose a CSV or XLSX file.")
        elif len(data) > limit:
            problem = _("The file is larger than %(mb)s MB: split it.",
                        mb=get_setting("pension_audit", "max_upload_mb"))
        else:
            try:
                header, _rows = imports.read_rows(filename, data)
            except imports.FileProblem as exc:
                problem = str(exc)
        if problem:
            form.file.errors.append(problem)
        else:
            kind, source = form.kind.data, form.source.data.strip()
            mapping = (imports.saved_mapping(engagement.unit, kind, source)
                       or imports.guess_mapping(kind, header))
            stored = PensionAuditUpload(engagement_id=engagement.id, filename=filename,
                                        data=data)
            db.session.add(stored)
            db.session.flush()
            record = PensionAuditImport(
                engagement_id=engagement.id, upload_id=stored.id, kind=kind, source=source,
                filename=filename, mapping_json=json.dumps(mapping, ensure_ascii=False),
                state="mapping", created_by_id=current_user.id)
            db.session.add(record)
            db.session.commit()
            return redirect(url_for("pension_audit.import_detail", engagement_id=engagement.id,
                                    import_id=record.id))
    return render_template("pension_audit/import_new.html", engagement=engagement, form=form)


def _header_of(record: PensionAuditImport) -> list[str]:
    upload = db.session.get(PensionAuditUpload, record.upload_id)
    try:
        header, _rows = imports.read_rows(record.filename, upload.data)
    except imports.FileProblem:
        return []
    return header


@bp.route("/<int:engagement_id>/imports/<int:import_id>", methods=["GET", "POST"])
@permission_required("pension_audit.audit")
def import_detail(engagement_id, import_id):
    """Map the columns and start the import; then its result, bad rows listed."""
    engagement = _engagement(engagement_id, "pension_audit.audit")
    record = db.session.get(PensionAuditImport, import_id)
    if record is None or record.engagement_id != engagement.id:
        abort(404)
    fields = imports.FIELDS[record.kind]
    mapping = json.loads(record.mapping_json)
    header = _header_of(record) if record.state in ("mapping", "refused") else []
    errors = []
    if request.method == "POST":
        forms.CheckForm()
        if engagement.state != PREPARING or record.state not in ("mapping", "refused"):
            abort(404)
        skip_bad = request.form.get("skip_bad") == "1" and record.state == "refused"
        if record.state == "mapping":
            mapping = {}
            for field in fields:
                heading = request.form.get(f"map_{field.key}", "")
                if heading in header:
                    mapping[field.key] = heading
                elif field.required:
                    errors.append(_("Choose the column of %(field)s.", field=field.label))
        if not errors:
            record.mapping_json = json.dumps(mapping, ensure_ascii=False)
            record.skip_bad, record.state = skip_bad, "checking"
            record.problems_json, record.message = "[]", ""
            imports.remember_mapping(_mapping_unit(engagement), record.kind, record.source,
                                     mapping)
            db.session.commit()
            run = start_task("pension_audit.import", {"import_id": record.id},
                             unit=engagement.unit)
            record = db.session.get(PensionAuditImport, import_id)
            record.task_run_id = run.id
            db.session.commit()
            return redirect(url_for("pension_audit.import_detail",
                                    engagement_id=engagement.id, import_id=record.id))
    problems = json.loads(record.problems_json)
    return render_template("pension_audit/import.html", engagement=engagement, record=record,
                           fields=fields, header=header, mapping=mapping, errors=errors,
                           problems=problems, form=forms.CheckForm())


def _mapping_unit(engagement: PensionAuditEngagement) -> Unit:
    """Mappings are kept in the unit the auditor works in when it lies above the audited
    unit (the agency: every station's bank export looks the same), else in the audited unit."""
    unit = current_unit()
    if unit is not None and unit.id in engagement.unit.ancestor_ids and can(
            "pension_audit.audit", unit):
        return unit
    return engagement.unit


# -- findings ------------------------------------------------------------------------------------


def _filtered(query, args):
    f = PensionAuditFinding
    item = arg_int("item", high=12, args=args)
    if item:
        query = query.where(f.item == item)
    if args.get("severity") in SEVERITIES:
        query = query.where(f.severity == args["severity"])
    if args.get("state") in FINDING_STATES:
        query = query.where(f.state == args["state"])
    if args.get("rule") in RULES or args.get("rule") == "sample":
        query = query.where(f.rule == args["rule"])
    q = args.get("q", "").strip()[:18]
    if q:
        query = query.where(f.id_number.startswith(q, autoescape=True))
    return query


@bp.route("/<int:engagement_id>/findings", methods=["GET", "POST"])
@permission_required("pension_audit.view")
def findings(engagement_id):
    """The engagement's findings, filtered, a page at a time; group the ones shown."""
    engagement = _engagement(engagement_id)
    f = PensionAuditFinding
    query = _filtered(select(f).where(f.engagement_id == engagement.id), request.args)
    group_form = forms.GroupForm()
    may_audit = can("pension_audit.audit", engagement.unit)
    if request.method == "POST":
        if not may_audit:
            abort(404)
        if group_form.validate_on_submit():
            group = PensionAuditGroup(engagement_id=engagement.id,
                                      title=group_form.title.data,
                                      root_cause=group_form.root_cause.data or "")
            db.session.add(group)
            db.session.flush()
            ids = select(f.id).where(f.id.in_(query.with_only_columns(f.id).subquery().select()))
            count = db.session.execute(
                f.__table__.update().where(f.id.in_(ids)).values(group_id=group.id)).rowcount
            audit("pension_audit.grouped", subject=group, unit=engagement.unit,
                  summary=f"{group.title}: {count}")
            db.session.commit()
            flash(_("%(n)s findings grouped.", n=count), "success")
            return redirect(request.full_path)
    page = paginate(query.options(joinedload(f.group)).order_by(f.item, f.rule, f.id_number,
                                                                 f.period, f.id))
    return render_template("pension_audit/findings.html", engagement=engagement, page=page,
                           args=request.args, group_form=group_form, may_audit=may_audit)


@bp.route("/findings")
@permission_required("pension_audit.respond")
def my_findings():
    """The audited unit's findings, from issued reports only."""
    f = PensionAuditFinding
    query = (select(f).join(PensionAuditEngagement, PensionAuditEngagement.id == f.engagement_id)
             .options(joinedload(f.unit), joinedload(f.engagement))
             .where(f.unit_id.in_(unit_ids_where("pension_audit.respond")),
                    PensionAuditEngagement.state != PREPARING))
    page = paginate(_filtered(query, request.args).order_by(f.deadline_at, f.id))
    return render_template("pension_audit/my_findings.html", page=page, args=request.args)


@bp.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@permission_required("pension_audit.view")
def finding(finding_id):
    """A finding with its records, and its rectification: assign, reply, accept or return."""
    finding = _finding(finding_id)
    return _finding_page(finding)


@bp.route("/findings/<int:finding_id>/respond", methods=["GET", "POST"])
@permission_required("pension_audit.respond")
def finding_respond(finding_id):
    """The audited unit's view of a finding, where it replies."""
    finding = _finding(finding_id)
    return _finding_page(finding)


def _finding_page(finding: PensionAuditFinding):
    engagement = finding.engagement
    auditor = can("pension_audit.audit", finding.unit)
    responder = can("pension_audit.respond", finding.unit) and engagement.state != PREPARING
    assign_form = forms.AssignForm(prefix="assign")
    reply_form = forms.ReplyForm(prefix="reply")
    decide_form = forms.DecideForm(prefix="decide")
    staff = list(db.session.scalars(permission_holders(
        "pension_audit.respond", finding.unit, include_ancestors=False).order_by(User.name)))
    assign_form.responsible.choices = forms.choices((u.id, u.name) for u in staff)
    if request.method == "POST":
        try:
            if auditor and assign_form.assign.data and assign_form.validate_on_submit():
                person = db.session.get(User, assign_form.responsible.data)
                rectification.assign(finding, person, current_user,
                                     assign_form.note.data or "")
            elif responder and reply_form.reply.data and reply_form.validate_on_submit():
                rectification.reply(finding, current_user, reply_form.text.data)
                if reply_form.file.data:
                    evidence = PensionAuditEvidence(
                        engagement_id=engagement.id, finding_id=finding.id,
                        made_on=reply_form.made_on.data or date.today(),
                        description=reply_form.text.data[:500], created_by_id=current_user.id)
                    db.session.add(evidence)
                    db.session.flush()
                    save_attachment(reply_form.file.data, "pension_audit.evidence", evidence,
                                    finding.unit)
            elif auditor and decide_form.decide.data and decide_form.validate_on_submit():
                rectification.decide(finding, current_user,
                                     decide_form.decision.data == "accept",
                                     decide_form.text.data or "")
            elif not (auditor or responder):
                abort(404)
            else:
                raise rectification.RectificationError(_("Check the form."))
        except (rectification.RectificationError, AttachmentRejected) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(request.path)
    steps = db.session.scalars(select(PensionAuditReply).options(
        joinedload(PensionAuditReply.actor)).where(
        PensionAuditReply.finding_id == finding.id).order_by(PensionAuditReply.id)).all()
    evidence = db.session.scalars(select(PensionAuditEvidence).where(
        PensionAuditEvidence.finding_id == finding.id)).all()
    files = {e.id: attachments_of(e) for e in evidence}
    records = _records_of(finding) if auditor or responder else []
    return render_template("pension_audit/finding.html", finding=finding, steps=steps,
                           evidence=evidence, files=files, auditor=auditor, responder=responder,
                           assign_form=assign_form, reply_form=reply_form,
                           decide_form=decide_form, records=records, staff=staff)


def _records_of(finding: PensionAuditFinding) -> list[tuple[str, list]]:
    """The imported records the finding is about, by table (at most 50 each)."""
    from .models import DATA_MODELS

    if not finding.id_number:
        return []
    tables = {
        "contribution_received": ("contributions", "receipts"),
        "back_payment": ("contributions",), "subsidy_start": ("subsidies", "contributions"),
        "interest_yearly": ("accounts",), "interest_sealed": ("accounts",),
        "not_sealed": ("members", "accounts"), "payment_before_age": ("members", "payments"),
        "pension_formula": ("members",), "double_payment": ("payments",),
        "paid_after_death": ("deaths", "payments"),
    }.get(finding.rule, ("members",))
    found = []
    for kind in tables:
        model = DATA_MODELS[kind]
        rows = db.session.scalars(select(model).where(
            model.engagement_id == finding.engagement_id,
            model.id_number == finding.id_number).order_by(model.id).limit(50)).all()
        columns = [f.key for f in imports.FIELDS[kind] if f.key != "id_number"]
        found.append((kind, columns, [(r.line, [getattr(r, c) for c in columns])
                                      for r in rows]))
    return found


# -- samples -------------------------------------------------------------------------------------


@bp.route("/<int:engagement_id>/samples", methods=["GET", "POST"])
@permission_required("pension_audit.view")
def samples(engagement_id):
    """Samples for the items that cannot be computed; draw a new one."""
    engagement = _engagement(engagement_id)
    may_audit = can("pension_audit.audit", engagement.unit)
    form = forms.SampleForm()
    form.item.choices = forms.choices((i, f"{i}. {ITEM_TITLES[i]}") for i in SAMPLED_ITEMS)
    if request.method == "GET":
        form.size.data = get_setting("pension_audit", "sample_size", engagement.unit)
    if request.method == "POST":
        if not may_audit or engagement.state != PREPARING:
            abort(404)
        if form.validate_on_submit():
            sample = sampling.draw(engagement, form.item.data, form.population.data,
                                   form.size.data, form.seed.data, current_user)
            audit("pension_audit.sampled", subject=sample, unit=engagement.unit,
                  summary=f"item {sample.item}: {sample.size}/{sample.population_size} "
                          f"seed {sample.seed}")
            db.session.commit()
            return redirect(url_for("pension_audit.sample", engagement_id=engagement.id,
                                    sample_id=sample.id))
    rows = db.session.scalars(select(PensionAuditSample).where(
        PensionAuditSample.engagement_id == engagement.id)
        .order_by(PensionAuditSample.id.desc())).all()
    return render_template("pension_audit/samples.html", engagement=engagement, samples=rows,
                           form=form, may_audit=may_audit and engagement.state == PREPARING)


@bp.route("/<int:engagement_id>/samples/<int:sample_id>")
@permission_required("pension_audit.view")
def sample(engagement_id, sample_id):
    """A sample's worksheet: each record drawn, and what the auditor found."""
    engagement = _engagement(engagement_id)
    sample = db.session.get(PensionAuditSample, sample_id)
    if sample is None or sample.engagement_id != engagement.id:
        abort(404)
    records = db.session.scalars(select(PensionAuditSampleRecord).where(
        PensionAuditSampleRecord.sample_id == sample.id)
        .order_by(PensionAuditSampleRecord.position)).all()
    return render_template("pension_audit/sample.html", engagement=engagement, sample=sample,
                           records=records)


@bp.route("/samples/records/<int:record_id>", methods=["GET", "POST"])
@permission_required("pension_audit.audit")
def worksheet(record_id):
    """The worksheet of one sampled record."""
    record = db.session.get(PensionAuditSampleRecord, record_id) or abort(404)
    sample = db.session.get(PensionAuditSample, record.sample_id)
    engagement = _engagement(sample.engagement_id, "pension_audit.audit")
    form = forms.WorksheetForm(obj=record)
    if form.validate_on_submit():
        if engagement.state != PREPARING:
            abort(404)
        record.result, record.notes = form.result.data, form.notes.data or ""
        record.checked_by_id, record.checked_at = current_user.id, utcnow()
        if record.result == "not_compliant":
            sampling.record_finding(record, sample, engagement)
        audit("pension_audit.worksheet", subject=record, unit=engagement.unit,
              summary=f"{record.label}: {record.result}")
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("pension_audit.sample", engagement_id=engagement.id,
                                sample_id=sample.id))
    return render_template("pension_audit/worksheet.html", engagement=engagement,
                           sample=sample, record=record, form=form)


# -- the report ----------------------------------------------------------------------------------


@bp.route("/<int:engagement_id>/report")
@permission_required("pension_audit.view")
def report_page(engagement_id):
    """The audit report, for printing on A4 and signing."""
    engagement = _engagement(engagement_id)
    answers = db.session.scalars(select(PensionAuditAnswer).where(
        PensionAuditAnswer.engagement_id == engagement.id).order_by(PensionAuditAnswer.item))
    counts = report.by_item([engagement.id])
    f = PensionAuditFinding
    by_rule = db.session.execute(
        select(f.item, f.rule, func.count(f.id), func.sum(report.IN_QUESTION))
        .where(f.engagement_id == engagement.id).group_by(f.item, f.rule)
        .order_by(f.item, f.rule)).all()
    xlsx = url_for("reports.export_report", report_id="pension_audit.findings", fmt="xlsx",
                   unit=engagement.unit_id, engagement=engagement.id)
    return render_template("pension_audit/report.html", engagement=engagement,
                           answers=list(answers), counts=counts, by_rule=by_rule, xlsx=xlsx,
                           items=ITEM_TITLES)
