"""A form field for uploads of one attachment kind, checked when the form validates."""

from __future__ import annotations

from flask_wtf.file import FileField, MultipleFileField
from wtforms.validators import StopValidation

from . import AttachmentRejected, check_upload, kind_of


def _accept(kind_name: str) -> str:
    kind = kind_of(kind_name)
    accept = [f".{ext}" for ext in kind.allowed]
    if "image" in kind.types:
        accept.insert(0, "image/*")  # lets phones offer the camera
    return ",".join(accept)


class _AttachmentMixin:
    def __init__(self, label=None, validators=None, kind: str = "", required: bool = False,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind
        self.required = required

    @property
    def limits(self) -> str:
        """"JPG, PNG, at most 10 MB" for the help text."""
        return kind_of(self.kind).describe()

    def __call__(self, **kwargs):
        kwargs.setdefault("accept", _accept(self.kind))
        return super().__call__(**kwargs)

    def _uploads(self) -> list:
        data = self.data if isinstance(self.data, list) else [self.data]
        return [f for f in data if f and getattr(f, "filename", "")]

    def pre_validate(self, form):
        uploads = self._uploads()
        if not uploads:
            if self.required:
                from ..i18n import gettext as _

                raise StopValidation(_("Choose a file."))
            return
        for upload in uploads:
            try:
                check_upload(upload, self.kind)
            except AttachmentRejected as rejected:
                raise StopValidation(str(rejected)) from None


class AttachmentField(_AttachmentMixin, FileField):
    """One file of attachment *kind*: ``photo = AttachmentField(_l("Photo"), kind="x.photo")``.

    The form fails validation with a clear message when the file is too large or of a type
    the kind does not allow (checked by content). Save it in the view with
    :func:`core.api.save_attachment`.
    """


class MultipleAttachmentField(_AttachmentMixin, MultipleFileField):
    """Several files of attachment *kind*; ``field.data`` is a list."""

    def uploads(self) -> list:
        return self._uploads()
