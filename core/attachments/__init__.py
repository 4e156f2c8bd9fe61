"""Attachments: files that belong to a plugin's record (a hazard photo, a signed plan).

A plugin declares each *kind* of file it accepts with an :class:`AttachmentKind`: the types
allowed, the largest size, and who may see a file — a permission held in the file's unit,
and/or a ``can_view(user, attachment)`` callback for record-level rules ("only the applicant
and the approvers"). Core then:

* checks the type by the file's content (magic bytes), never by its name or the browser's word;
* stores it under ``UPLOAD_DIR`` (outside the web root) with a random name;
* stores photos without their EXIF (a phone's GPS position, camera, time), the pixels turned
  upright instead of keeping the orientation tag, and makes a thumbnail of them;
* serves it only to users the kind's checks allow, and 404 to everyone else, always as a
  download named with the extension of the checked type (:func:`download_name`).

Type detection uses the ``filetype`` package: pure Python, reads the first bytes only, and
needs no system ``libmagic`` (which Windows and minimal containers lack).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .. import storage
from ..extensions import db
from ..i18n import gettext as _
from ..models import Unit, User, utcnow
from ..plugins import plugin_host

#: Detected extension → MIME type, by group. Plugins name groups in ``AttachmentKind.types``.
TYPE_GROUPS: dict[str, dict[str, str]] = {
    "image": {
        "jpg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
    },
    "pdf": {"pdf": "application/pdf"},
    "office": {
        "doc": "application/msword",
        "xls": "application/vnd.ms-excel",
        "ppt": "application/vnd.ms-powerpoint",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation",
    },
}
#: Longest side of a thumbnail, in pixels.
THUMBNAIL_SIZE = 480
#: Photos larger than this many pixels are refused rather than decoded (decompression bombs).
MAX_PIXELS = 80_000_000
ORIENTATION = 0x0112  # the EXIF tag phones use to say which way is up


@dataclass(frozen=True)
class AttachmentKind:
    """A kind of file a plugin accepts, returned from ``register_attachment_kinds``.

    At least one of *permission* and *can_view* must be given; when both are, both must allow.
    """

    #: ``<plugin>.<name>``, e.g. ``property_safety.hazard_photo``.
    name: str
    label: str = ""
    #: Groups of :data:`TYPE_GROUPS`: ``image``, ``pdf``, ``office``.
    types: tuple[str, ...] = ("image",)
    #: Largest file, in bytes.
    max_size: int = 10 * 1024 * 1024
    #: A permission the viewer must hold in the attachment's unit.
    permission: str | None = None
    #: ``can_view(user, attachment) -> bool``: the owning record's own rule.
    can_view: Callable | None = None
    thumbnails: bool = True

    @property
    def plugin(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def allowed(self) -> dict[str, str]:
        found = {}
        for group in self.types:
            found.update(TYPE_GROUPS[group])
        return found

    def describe(self) -> str:
        """"JPG, PNG, PDF, at most 10 MB", for the form's help text."""
        kinds = ", ".join(ext.upper() for ext in self.allowed)
        return _("%(types)s, at most %(size)s", types=kinds, size=human_size(self.max_size))


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".0 ", " ")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} B"


class AttachmentRejected(ValueError):
    """The upload breaks its kind's rules; ``str(error)`` is a message for the user."""


class Attachment(db.Model):
    """A stored file and the record it belongs to."""

    __tablename__ = "attachments"
    __table_args__ = (db.Index("ix_attachments_subject", "plugin", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(db.String(128))
    plugin: Mapped[str] = mapped_column(db.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(db.String(64))
    subject_id: Mapped[str] = mapped_column(db.String(64))
    unit_id: Mapped[int | None] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: The name the uploader gave it, shown and used for downloads only.
    filename: Mapped[str] = mapped_column(db.String(255))
    #: The random name on disk.
    stored_name: Mapped[str] = mapped_column(db.String(64), unique=True)
    #: Detected from the content.
    content_type: Mapped[str] = mapped_column(db.String(128))
    extension: Mapped[str] = mapped_column(db.String(16))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(db.String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    has_thumbnail: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    unit: Mapped[Unit | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def size_text(self) -> str:
        return human_size(self.size)


# -- kinds --------------------------------------------------------------------------------------


def kinds() -> dict[str, AttachmentKind]:
    """Every declared attachment kind, by name (collected once per application)."""
    state = current_app.extensions.setdefault("danwei_attachments", {})
    if "kinds" not in state:
        host = plugin_host()
        found = {}
        for plugin, kind in host.collect("register_attachment_kinds"):
            problem = None
            if not isinstance(kind, AttachmentKind):
                problem = f"{kind!r} is not an AttachmentKind"
            elif kind.plugin != plugin:
                problem = f"attachment kind {kind.name!r} must be named {plugin}.*"
            elif kind.permission is None and kind.can_view is None:
                problem = f"attachment kind {kind.name!r} needs a permission or can_view"
            elif unknown := set(kind.types) - set(TYPE_GROUPS):
                problem = f"attachment kind {kind.name!r}: unknown types {sorted(unknown)}"
            if problem:
                host.fail(plugin, "register_attachment_kinds", problem)
                continue
            found[kind.name] = kind
        state["kinds"] = found
    return state["kinds"]


def kind_of(name: str) -> AttachmentKind:
    try:
        return kinds()[name]
    except KeyError:
        raise LookupError(f"attachment kind {name!r} is not declared") from None


# -- checking and storing -----------------------------------------------------------------------


@dataclass
class Checked:
    data: bytes
    extension: str
    content_type: str
    filename: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def _filename(upload) -> str:
    name = (getattr(upload, "filename", None) or "file").replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip()[:255] or "file"


def check_upload(upload, kind: AttachmentKind | str) -> Checked:
    """Read *upload* (a werkzeug ``FileStorage``) and check it against *kind*.

    :raise AttachmentRejected: with a message for the user
    """
    kind = kind_of(kind) if isinstance(kind, str) else kind
    earlier = getattr(upload, "_danwei_checked", None)
    if earlier is not None and earlier[0] == kind.name:
        return earlier[1]
    stream = upload.stream if hasattr(upload, "stream") else upload
    stream.seek(0)
    data = stream.read(kind.max_size + 1)
    stream.seek(0)
    name = _filename(upload)
    if not data:
        raise AttachmentRejected(_("%(name)s is empty.", name=name))
    if len(data) > kind.max_size:
        raise AttachmentRejected(
            _("%(name)s is too large: at most %(max)s is allowed.", name=name,
              max=human_size(kind.max_size))
        )
    found = filetype.guess(data)
    allowed = kind.allowed
    if found is None or found.extension not in allowed:
        what = found.mime if found else _("unknown type")
        raise AttachmentRejected(
            _("%(name)s is not an allowed file (its content is %(what)s). Allowed: %(types)s.",
              name=name, what=what, types=", ".join(ext.upper() for ext in allowed))
        )
    checked = Checked(data, found.extension, allowed[found.extension], name)
    if checked.content_type.startswith("image/"):
        try:
            checked.width, checked.height, checked.thumbnail = _image_facts(data, kind.thumbnails)
            checked.data = _without_metadata(data, found.extension)
        except Exception:  # noqa: BLE001 - whatever Pillow says, the image is unusable
            raise AttachmentRejected(_("%(name)s could not be read as an image.", name=name)) \
                from None
    # The form field checked it already; saving it in the view need not decode it again.
    upload._danwei_checked = (kind.name, checked)
    return checked


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def key_of(attachment: Attachment, thumbnail: bool = False) -> str:
    """The file's key in the upload storage (:mod:`core.storage`: a folder or a bucket)."""
    name = attachment.stored_name + (".thumb.jpg" if thumbnail else "")
    return f"{attachment.stored_name[:2]}/{name}"


def path_of(attachment: Attachment, thumbnail: bool = False) -> Path:
    """Where the local storage keeps the file (``STORAGE_BACKEND = "local"``)."""
    return upload_dir() / key_of(attachment, thumbnail)


def _image_facts(data: bytes, make_thumbnail: bool) -> tuple[int, int, bytes | None]:
    """``(width, height, thumbnail JPEG or None)`` of the upright image; raises if unreadable.

    Pixel counts are checked from the header before anything is decoded, and a JPEG is decoded
    at reduced scale (``draft``): a 12-megapixel phone photo takes milliseconds, not seconds.
    """
    from PIL import Image, ImageOps

    with Image.open(BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ValueError(f"{width}x{height} pixels is too many")
        if image.getexif().get(ORIENTATION) in (5, 6, 7, 8):  # turned a quarter
            width, height = height, width
        image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
        image.load()  # a truncated or corrupt file fails here
        if not make_thumbnail:
            return width, height, None
        small = ImageOps.exif_transpose(image).convert("RGB")
        small.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        out = BytesIO()
        small.save(out, "JPEG", quality=82)  # saved without EXIF: no GPS position in thumbnails
        return width, height, out.getvalue()


#: Pillow's format names of the still images stored without metadata. A GIF carries no EXIF;
#: an animated image is kept as it came (re-encoding every frame would change it).
_REWRITTEN = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}


def _without_metadata(data: bytes, extension: str) -> bytes:
    """*data* re-saved without EXIF and text metadata, turned upright by its orientation tag.

    A JPEG without a turn keeps its own quantisation tables (``quality="keep"``), so the photo
    is not degraded; a turned one is re-encoded at high quality. PNG is lossless anyway; a WebP
    keeps losslessness if it had it.
    """
    from PIL import Image, ImageOps

    fmt = _REWRITTEN.get(extension)
    if fmt is None:
        return data
    with Image.open(BytesIO(data)) as image:
        if getattr(image, "n_frames", 1) > 1:
            return data
        turned = image.getexif().get(ORIENTATION, 1) not in (None, 1)
        options: dict = {}
        if icc := image.info.get("icc_profile"):
            options["icc_profile"] = icc  # colours, not metadata about the person
        if fmt == "JPEG" and turned:
            options["quality"] = 95
        elif fmt == "JPEG":
            options.update(quality="keep", subsampling="keep")
        elif fmt == "WEBP":
            options.update(lossless=bool(image.info.get("lossless")), quality=90)
        source = ImageOps.exif_transpose(image) if turned else image
        if fmt == "JPEG" and source.mode not in ("RGB", "L", "CMYK"):
            source = source.convert("RGB")
        out = BytesIO()
        source.save(out, fmt, **options)  # no exif=, no pnginfo=: nothing but the pixels
        return out.getvalue()


def download_name(attachment: Attachment) -> str:
    """The uploader's name for *attachment* with the extension of its checked type.

    ``evil.html`` that is a JPEG is served as ``evil.jpg``: the browser and whoever opens the
    file later go by the extension, which must be the one the content was checked to have.
    """
    name = "".join(c for c in attachment.filename if c.isprintable()).strip()
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{stem.strip() or 'file'}.{attachment.extension}"


def save_attachment(
    upload,
    kind: AttachmentKind | str,
    subject,
    unit: Unit | None,
    user: User | None = None,
) -> Attachment:
    """Check *upload* against *kind*, store it, and link it to *subject* in *unit*.

    *subject* is the owning record (its class name and ``id`` are kept) or a ``(type, id)``
    pair. The row joins the caller's transaction; the file is written at once.

    :raise AttachmentRejected: the file breaks the kind's rules (show ``str(error)``)
    """
    from flask_login import current_user

    from ..audit import record

    kind = kind_of(kind) if isinstance(kind, str) else kind
    checked = check_upload(upload, kind)
    width, height, thumb = checked.width, checked.height, checked.thumbnail
    if isinstance(subject, tuple):
        subject_type, subject_id = subject[0], str(subject[1])
    else:
        db.session.flush()
        subject_type, subject_id = type(subject).__name__, str(subject.id)
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    attachment = Attachment(
        kind=kind.name, plugin=kind.plugin, subject_type=subject_type, subject_id=subject_id,
        unit_id=unit.id if unit is not None else None, filename=checked.filename,
        stored_name=secrets.token_hex(16), content_type=checked.content_type,
        extension=checked.extension, size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(), width=width, height=height,
        has_thumbnail=thumb is not None, uploaded_by_id=user.id if user else None,
    )
    backend = storage.backend()
    written = db.session.info.setdefault("danwei_new_files", [])
    backend.write(key_of(attachment), checked.data)
    written.append((backend, key_of(attachment)))
    if thumb is not None:
        backend.write(key_of(attachment, thumbnail=True), thumb)
        written.append((backend, key_of(attachment, thumbnail=True)))
    db.session.add(attachment)
    record(f"{kind.plugin}.attachment_added", subject=attachment, unit=unit,
           summary=f"{checked.filename} ({human_size(attachment.size)}) → "
                   f"{subject_type} {subject_id}")
    return attachment


@event.listens_for(Session, "after_commit")
def _keep_new_files(session):
    session.info.pop("danwei_new_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_new_files(session, previous_transaction):
    """A rolled-back upload leaves no file behind: the row that named it is gone too."""
    for backend, key in session.info.pop("danwei_new_files", []):
        backend.delete(key)


def attachments_of(subject, kind: str | None = None) -> list[Attachment]:
    """The live attachments of *subject* (a record or a ``(type, id)`` pair), oldest first."""
    if isinstance(subject, tuple):
        subject_type, subject_id = subject[0], str(subject[1])
    else:
        subject_type, subject_id = type(subject).__name__, str(subject.id)
    query = select(Attachment).where(
        Attachment.subject_type == subject_type,
        Attachment.subject_id == subject_id,
        Attachment.deleted_at.is_(None),
    )
    if kind is not None:
        query = query.where(Attachment.kind == kind)
    return list(db.session.scalars(query.order_by(Attachment.id)))


def may_view(attachment: Attachment, user: User | None = None) -> bool:
    """Whether *user* (default: the current user) may see *attachment*."""
    from flask_login import current_user

    from ..access import can, is_enabled

    user = user if user is not None else current_user
    if attachment.deleted_at is not None or not user or not user.is_authenticated:
        return False
    kind = kinds().get(attachment.kind)
    if kind is None:  # the owning plugin is gone or failed: nobody can vouch for the file
        return False
    if kind.permission is not None and not can(kind.permission, attachment.unit, user):
        return False
    if kind.can_view is not None:
        if attachment.unit is not None and not is_enabled(kind.plugin, attachment.unit):
            return False
        try:
            return bool(kind.can_view(user, attachment))
        except Exception as exc:  # noqa: BLE001 - a broken check refuses (fail closed)
            plugin_host().fail(kind.plugin, f"can_view {kind.name}", exc)
            return False
    return True


def delete_attachment(attachment: Attachment) -> None:
    """Hide *attachment* (audited). The file stays on disk: records are never silently lost."""
    from ..audit import record

    attachment.deleted_at = utcnow()
    record(f"{attachment.plugin}.attachment_deleted", subject=attachment,
           unit=attachment.unit, summary=attachment.filename)
