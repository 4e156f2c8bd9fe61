"""Serving attachments: only to users the owning plugin allows; everyone else gets 404."""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from .. import storage
from ..access import login_required_only
from ..extensions import db
from . import Attachment, download_name, key_of, may_view

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


def _visible(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not may_view(attachment):
        abort(404)
    return attachment


@bp.route("/<int:attachment_id>")
@bp.route("/<int:attachment_id>/<path:filename>")
@login_required_only
def download(attachment_id, filename=None):
    """The file itself, always as a download named with its checked type's extension.

    Nothing is shown inline: a PDF can carry script, and an uploaded file must never run in
    the intranet's origin. ``sandbox`` keeps it so even if a browser decides to render it.
    Pages show photos through ``<img>``, which ignores the download header.
    """
    attachment = _visible(attachment_id)
    stream = storage.backend().open(key_of(attachment))
    if stream is None:
        abort(404)
    response = send_file(
        stream, mimetype=attachment.content_type, as_attachment=True,
        download_name=download_name(attachment), conditional=True, max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.route("/<int:attachment_id>/thumbnail")
@login_required_only
def thumbnail(attachment_id):
    """A small upright JPEG of a photo."""
    attachment = _visible(attachment_id)
    stream = storage.backend().open(key_of(attachment, thumbnail=True)) \
        if attachment.has_thumbnail else None
    if stream is None:
        abort(404)
    response = send_file(stream, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
