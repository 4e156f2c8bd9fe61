"""The slip's QR code: a signed token binding the leave and a digest of what the slip says.

A printed slip can be forged (line 19 has the guard check it), so the QR code carries a token
signed with the application's secret key. The guard's phone opens the link; the server checks
the signature (forged?), recomputes the digest of the leave as it is now (altered since it was
printed?), then asks the rules whether this leave may leave campus at all (:func:`leaves.
exit_refusal`: its state alone does not say so), and only then looks at the time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from core.api import db, to_local, utcnow

from . import leaves, school
from .i18n import lazy_gettext as _l
from .models import APPROVED, PENDING, Leave

SALT = "school_leave.slip"


def digest(leave: Leave) -> str:
    """A short fingerprint of everything the slip shows that the guard relies on."""
    fields = (leave.id, leave.student_id, leave.leave_type, leave.start_at.isoformat(),
              leave.end_at.isoformat(), int(leave.leaving_campus), leave.chain_row,
              leave.reason)
    return hashlib.sha256("|".join(map(str, fields)).encode()).hexdigest()[:16]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token(leave: Leave) -> str:
    return _serializer().dumps({"id": leave.id, "d": digest(leave)})


def qr_data_uri(url: str) -> str:
    """The QR code of *url* as an SVG data URI (the CSP allows ``img-src data:``)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


@dataclass
class Verdict:
    """What the guard sees: valid (green) or not (red) and why."""

    valid: bool
    reason: str
    leave: Leave | None = None
    #: The student may be let back in even on an expired slip (the return is then late).
    may_exit: bool = False
    may_return: bool = False


def verify(raw: str, now: datetime | None = None) -> Verdict:
    """Check a scanned token against the server, as of *now* (UTC)."""
    now = now or utcnow()
    try:
        data = _serializer().loads(raw)
        leave_id, printed = int(data["id"]), str(data["d"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return Verdict(False, str(_l("Forged slip: this code was not issued by the school.")))
    leave = db.session.get(Leave, leave_id)
    if leave is None:
        return Verdict(False, str(_l("No such leave: the slip may be forged.")))
    if printed != digest(leave):
        return Verdict(False, str(_l("Altered slip: what it says no longer matches the "
                                     "school's record. Do not let the student through.")),
                       leave)
    root = leave.root
    may_return = (root.status == APPROVED and root.exited_at is not None
                  and root.returned_at is None)
    # The rules, not the state, say whether this slip lets the student out: an approved leave
    # that stays on campus is no pass, whatever its signatures.
    refused = leaves.exit_refusal(leave)
    if refused is not None and refused.code == "on_campus":
        return Verdict(False, str(refused.message), leave, may_return=may_return)
    if leave.status != APPROVED:
        return Verdict(False, str(_l("Not fully signed: the leave is not approved yet.")
                                  if leave.status == PENDING else
                                  _l("Not valid: the leave was refused or withdrawn.")), leave)
    if root.returned_at is not None:
        return Verdict(False, str(_l("Used: the student is already back (%(at)s).",
                                     at=f"{to_local(root.returned_at):%m-%d %H:%M}")),
                       leave)
    if refused is not None and root.exited_at is None:
        return Verdict(False, str(refused.message), leave, may_return=may_return)
    early = timedelta(minutes=int(school.setting("gate_early_minutes", leave.unit)))
    if now < leave.start_at - early:
        return Verdict(False, str(_l("Not yet valid: the leave starts at %(at)s.",
                                     at=f"{to_local(leave.start_at):%m-%d %H:%M}")),
                       leave, may_return=may_return)
    end = leaves.effective_end(root)
    if now > end:
        return Verdict(False, str(_l("Expired at %(at)s.", at=f"{to_local(end):%m-%d %H:%M}")),
                       leave, may_return=may_return)
    return Verdict(True, str(_l("Valid: fully signed, until %(at)s.",
                                at=f"{to_local(end):%m-%d %H:%M}")), leave,
                   may_exit=root.exited_at is None, may_return=may_return)
