"""Party dues: the month's amount from the member's pay and category, the treasurer's monthly
form for the whole branch, arrears warned and flagged (党章 article 9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.api import audit, can, db, local_today, permission_required

from .. import rules
from ..i18n import gettext as _
from ..models import PartyPayment
from ..settings import number
from ..records import standings
from . import bp, branch_or_404, branch_pages

MAX_AMOUNT = Decimal("100000")


def parse_month(text: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


@bp.route("/branch/<int:unit_id>/dues", methods=["GET", "POST"])
@permission_required("party_building.view")
def dues(unit_id):
    """One month for the whole branch: what each member owes, what they paid; the treasurer
    enters the month in one form."""
    unit = branch_or_404(unit_id)
    today = local_today()
    month = parse_month(request.values.get("month"), today)
    rows = standings(unit, month, today)
    errors, typed = {}, {}
    if request.method == "POST":
        branch_or_404(unit_id, "party_building.collect_dues")
        paid_on = today
        entries = []
        for row in rows:
            raw = request.form.get(f"amount_{row.member.id}", "").strip()[:20]
            typed[row.member.id] = raw
            if not raw or row.paid is not None:
                continue
            try:
                amount = Decimal(raw)
                if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
                    raise InvalidOperation
            except InvalidOperation:
                errors[row.member.id] = _("Give an amount in yuan, e.g. 15.00.")
                continue
            entries.append((row.member, amount.quantize(rules.CENT)))
        if errors:
            flash(_("Nothing was saved: correct the amounts marked."), "danger")
        else:
            for person, amount in entries:
                db.session.add(PartyPayment(unit_id=unit.id, member_id=person.id, month=month,
                                            amount=amount, paid_on=paid_on,
                                            recorded_by=current_user.id))
            audit("party_building.dues_recorded", subject=unit, unit=unit,
                  summary=f"{month:%Y-%m}: {len(entries)}",
                  data={"month": month.isoformat(), "payments": len(entries)})
            db.session.commit()
            flash(_("%(n)d payments recorded for %(month)s.", n=len(entries),
                    month=month.strftime("%Y-%m")), "success")
            return redirect(url_for("party_building.dues", unit_id=unit.id,
                                    month=f"{month:%Y-%m}"))
    return render_template(
        "party_building/dues.html", branch=unit, rows=rows, month=month, errors=errors,
        typed=typed, pages=branch_pages(unit), may_collect=can("party_building.collect_dues",
                                                                unit),
        previous=rules.add_months(month, -1), following=rules.add_months(month, 1),
        warn=number("arrears_warn_months", unit), flag=number("arrears_flag_months", unit),
        categories=rules.CATEGORY_LABELS)
