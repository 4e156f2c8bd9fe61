"""Integrity files (廉政档案) and risk self-checks: confidential. Only the secretary and the
discipline committee member holding their role in the branch itself see them; everyone else,
the committee above and system administrators included, gets 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import audit, db, paginate, permission_required

from ..forms import INTEGRITY_KINDS, IntegrityForm, choices
from ..i18n import gettext as _
from ..models import PartyIntegrityEntry
from . import active_members, branch_or_404, branch_pages, bp, may_see_integrity


@bp.route("/branch/<int:unit_id>/integrity", methods=["GET", "POST"])
@permission_required("party_building.view_integrity")
def integrity(unit_id):
    """The branch's integrity files, newest first, and the form adding an entry."""
    unit = branch_or_404(unit_id, "party_building.view_integrity")
    if not may_see_integrity(unit):
        abort(404)
    people = db.session.scalars(active_members(unit)).all()
    form = IntegrityForm()
    form.member.choices = choices((p.id, p.name) for p in people)
    if form.validate_on_submit():
        entry = PartyIntegrityEntry(unit_id=unit.id, member_id=form.member.data,
                                    kind=form.kind.data, on=form.on.data,
                                    content=form.content.data, recorded_by=current_user.id)
        db.session.add(entry)
        db.session.flush()
        # The audit record names the kind only: the content stays in the confidential file.
        audit("party_building.integrity_added", subject=entry, unit=unit,
              summary=str(dict(INTEGRITY_KINDS)[entry.kind]))
        db.session.commit()
        flash(_("The entry was added to the integrity file."), "success")
        return redirect(url_for("party_building.integrity", unit_id=unit.id))
    page = paginate(select(PartyIntegrityEntry).options(joinedload(PartyIntegrityEntry.member))
                    .where(PartyIntegrityEntry.unit_id == unit.id)
                    .order_by(PartyIntegrityEntry.on.desc(), PartyIntegrityEntry.id.desc()))
    return render_template("party_building/integrity.html", branch=unit, page=page, form=form,
                           kinds=dict(INTEGRITY_KINDS), pages=branch_pages(unit))
