"""Where uploaded files live: a folder (the default) or an S3-compatible object store.

Every app server must see every file: with one machine the local folder (``UPLOAD_DIR``) is
enough, and with several it is either a shared folder (NFS) or an object store chosen with
``STORAGE_BACKEND = "s3"`` (MinIO, Ceph, a cloud's S3). Callers name files by a relative key
such as ``ab/ab12….png``; the backend decides where the bytes go.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from flask import current_app


class LocalStorage:
    """Files under one folder (``UPLOAD_DIR``), keys as relative paths."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, key: str) -> Path:
        target = (self.root / key).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ValueError(f"{key!r} leaves the upload folder")
        return target

    def write(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def read(self, key: str) -> bytes | None:
        target = self.path(key)
        return target.read_bytes() if target.is_file() else None

    def open(self, key: str):
        """A binary stream of the file, or None when it is missing."""
        target = self.path(key)
        return open(target, "rb") if target.is_file() else None  # noqa: SIM115 - caller closes

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*")):
                if path.is_file():
                    yield path.relative_to(self.root).as_posix()

    def is_empty(self) -> bool:
        return next(self.keys(), None) is None

    def export_files(self, scratch: Path) -> Iterator[tuple[str, Path]]:
        """``(key, local path)`` of every file, for the backup (no copy needed here)."""
        for key in self.keys():
            yield key, self.root / key

    def import_file(self, key: str, source: Path) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def backend():
    """The storage this app is configured with (``STORAGE_BACKEND``)."""
    kind = current_app.config.get("STORAGE_BACKEND", "local")
    if kind == "s3":
        from .storage_s3 import S3Storage

        return S3Storage.from_config(current_app.config)
    return LocalStorage(Path(current_app.config["UPLOAD_DIR"]))
