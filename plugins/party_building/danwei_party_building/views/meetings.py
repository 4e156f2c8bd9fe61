"""Meetings (三会一课 and the others): records with attendance and votes; the periods that
still lack the meeting their rule requires."""

from __future__ import annotations


from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.api import (attachments_of, audit, can, db, local_today, paginate,
                      permission_required, save_attachment)

from .. import rules
from ..forms import MeetingForm, VoteForm
from ..i18n import gettext as _
from ..models import PartyAbsence, PartyMeeting, PartyVote
from ..records import active_members, held_dates
from . import bp, branch_or_404, branch_pages

REASON_LENGTH = 200


@bp.route("/branch/<int:unit_id>/meetings")
@permission_required("party_building.view")
def meetings(unit_id):
    """The branch's meeting records, newest first, by kind; the year's gaps above them."""
    unit = branch_or_404(unit_id)
    kind = request.args.get("kind", "")
    query = select(PartyMeeting).where(PartyMeeting.unit_id == unit.id)
    if kind in rules.KIND_LABELS:
        query = query.where(PartyMeeting.kind == kind)
    page = paginate(query.order_by(PartyMeeting.held_on.desc(), PartyMeeting.id.desc()))
    today = local_today()
    gaps = rules.meeting_gaps(unit, held_dates(unit, today.year), today)
    return render_template("party_building/meetings.html", branch=unit, page=page, kind=kind,
                           kinds=rules.KIND_LABELS, gaps=gaps, pages=branch_pages(unit),
                           may_record=can("party_building.record_meetings", unit))


@bp.route("/branch/<int:unit_id>/meetings/new", methods=["GET", "POST"])
@permission_required("party_building.record_meetings")
def new_meeting(unit_id):
    """Record a meeting with who was expected, who came and why the others did not."""
    unit = branch_or_404(unit_id, "party_building.record_meetings")
    form = MeetingForm()
    people = db.session.scalars(active_members(unit)).all()
    absent = {p.id for p in people if request.form.get(f"absent_{p.id}")}
    reasons = {p.id: request.form.get(f"reason_{p.id}", "").strip()[:REASON_LENGTH]
               for p in people}
    if form.validate_on_submit():
        if form.held_on.data > local_today():
            form.held_on.errors = [_("A meeting cannot be recorded before it is held.")]
        else:
            meeting = PartyMeeting(unit_id=unit.id, expected=len(people),
                                   present=len(people) - len(absent))
            for name in ("kind", "held_on", "place", "chair", "recorder", "agenda",
                         "resolutions"):
                setattr(meeting, name, getattr(form, name).data or "")
            db.session.add(meeting)
            db.session.flush()
            for upload in form.files.uploads():
                save_attachment(upload, "party_building.minutes", meeting, unit)
            for person in people:
                if person.id in absent:
                    db.session.add(PartyAbsence(unit_id=unit.id, meeting_id=meeting.id,
                                                member_id=person.id, reason=reasons[person.id]))
            audit("party_building.meeting_recorded", subject=meeting, unit=unit,
                  summary=f"{rules.KIND_LABELS[meeting.kind]} {meeting.held_on}")
            db.session.commit()
            flash(_("The meeting was recorded."), "success")
            return redirect(url_for("party_building.meeting", meeting_id=meeting.id))
    return render_template("party_building/meeting_form.html", branch=unit, form=form,
                           people=people, absent=absent, reasons=reasons,
                           pages=branch_pages(unit))


@bp.route("/meeting/<int:meeting_id>", methods=["GET", "POST"])
@permission_required("party_building.view")
def meeting(meeting_id):
    """A meeting's record and its votes; a vote is refused unless quorum and majority hold."""
    record = db.session.get(PartyMeeting, meeting_id) or abort(404)
    unit = branch_or_404(record.unit_id)
    form = VoteForm()
    refusal = None
    if request.method == "POST":
        branch_or_404(record.unit_id, "party_building.record_meetings")
        if form.validate_on_submit():
            refusal = rules.check_vote(form.entitled.data, form.present.data,
                                       form.in_favour.data)
            if refusal is None:
                vote = PartyVote(unit_id=unit.id, meeting_id=record.id,
                                 against=form.against.data or 0,
                                 abstaining=form.abstaining.data or 0)
                form.populate_obj(vote)
                vote.against, vote.abstaining = form.against.data or 0, form.abstaining.data or 0
                db.session.add(vote)
                audit("party_building.vote_recorded", subject=record, unit=unit,
                      summary=vote.subject)
                db.session.commit()
                flash(_("The vote was recorded."), "success")
                return redirect(url_for("party_building.meeting", meeting_id=record.id))
    absences = db.session.scalars(select(PartyAbsence).where(
        PartyAbsence.meeting_id == record.id)).all()
    votes = db.session.scalars(select(PartyVote).where(
        PartyVote.meeting_id == record.id).order_by(PartyVote.id)).all()
    return render_template("party_building/meeting.html", branch=unit, meeting=record,
                           absences=absences, votes=votes, form=form, refusal=refusal,
                           attachments=attachments_of(record, "party_building.minutes"),
                           kinds=rules.KIND_LABELS, pages=branch_pages(unit),
                           may_record=can("party_building.record_meetings", unit))
