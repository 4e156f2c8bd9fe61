"""``danwei backup`` and ``danwei restore``: one archive holds everything a new machine needs.

The archive (``danwei-backup-<time>.tar``) holds:

* ``database.dump`` — ``pg_dump --format=custom`` on PostgreSQL (the tool PostgreSQL itself
  supports across versions, consistent while the intranet keeps serving), or
  ``database.sqlite`` — a copy made with SQLite's online backup API, consistent even while
  other processes write;
* ``files/…`` — every uploaded file, from the configured storage (:mod:`core.storage`);
* ``manifest.json`` — versions (Danwei, each plugin, each migration head) and a SHA-256 of the
  dump and of every file, checked before anything is restored.

The key that seals stored secrets (``DANWEI_SECRETS_KEY``) is configuration, not data: it is
never written to the archive, so a stolen backup does not reveal the SMTP password.

``restore`` fills an *empty* installation (a new database, an empty upload folder or bucket):
it refuses to mix a backup into live data. When this installation is newer than the backup,
the migrations run afterwards, exactly as ``danwei db upgrade`` would.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version as _version
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from . import schema, storage
from .extensions import db
from .plugins import plugin_host

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    files: int
    migrated: list[str]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- backup -----------------------------------------------------------------------------------


def create_backup(directory: Path) -> Path:
    """Write an archive of the database and the uploaded files into *directory*; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = directory / f"danwei-backup-{stamp}.tar"
    db.session.remove()  # nothing of ours is left open in a transaction while the dump runs
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        dump, tool = _dump_database(work)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "danwei": _version("danwei"),
            "plugins": {name: info.version for name, info in plugin_host().plugins.items()},
            "migrations": {name: current for name, current, _head in schema.status()},
            "database": {"dialect": db.engine.dialect.name, "file": dump.name, "tool": tool,
                         "sha256": sha256_of(dump), "size": dump.stat().st_size},
            "files": [],
        }
        with tarfile.open(target, "w") as archive:
            archive.add(dump, dump.name)
            for name, path in storage.backend().export_files(work / "files"):
                manifest["files"].append(
                    {"path": name, "sha256": sha256_of(path), "size": path.stat().st_size})
                archive.add(path, f"files/{name}")
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            (work / MANIFEST).write_bytes(body)
            archive.add(work / MANIFEST, MANIFEST)
    target.chmod(0o600)  # the data of every person of the county
    return target


def _dump_database(work: Path) -> tuple[Path, str]:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = work / "database.sqlite"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target, f"sqlite {sqlite3.sqlite_version}"
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
    target = work / "database.dump"
    tool = _pg_tool("pg_dump")
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], url)
    return target, _tool_version(tool)


def _pg_tool(name: str) -> str:
    """The client tool, refused when older than the server (``pg_dump`` cannot read newer)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is missing: install postgresql-client (make deps does).")
    client = int(re.search(r"\)\s*(\d+)", _tool_version(found)).group(1))  # "(PostgreSQL) 15.2"
    with db.engine.connect() as connection:
        server = connection.connection.dbapi_connection.info.server_version // 10000
    if client < server:
        raise BackupError(f"{name} is version {client} but the server is {server}: install "
                          f"postgresql-client-{server}.")
    return found


def _tool_version(tool: str) -> str:
    return subprocess.run([tool, "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _run(command: list[str], url) -> None:
    """Run a PostgreSQL client tool on *url*; the password goes in the environment, not in
    the command line that ``ps`` shows to every user of the machine."""
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    done = subprocess.run([*command, f"--dbname={libpq}"], env=environ, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


# -- restore ----------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict:
    with tarfile.open(archive_path) as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive_path} has no {MANIFEST}: not a Danwei backup")
        return json.loads(member.read())


def restore_backup(archive_path: Path) -> Restored:
    """Restore *archive_path* into this (empty) installation, then migrate to head."""
    manifest = read_manifest(archive_path)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    _check_versions(manifest)
    _check_empty()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        with tarfile.open(archive_path) as archive:
            archive.extractall(work, filter="data")
        _verify(work, manifest)
        _load_database(work / manifest["database"]["file"], manifest["database"]["dialect"])
        backend = storage.backend()
        for entry in manifest["files"]:
            backend.import_file(entry["path"], work / "files" / entry["path"])
    db.engine.dispose()  # connections opened before the load may cache the empty schema
    migrated = schema.upgrade()
    from . import roles, secretbox

    roles.sync_declared_roles(plugin_host())
    secretbox.seal_plain_values()
    db.session.commit()
    return Restored(manifest, len(manifest["files"]), migrated)


def _check_versions(manifest: dict) -> None:
    """Refuse a backup made by a newer Danwei: its schema is ahead of our migrations."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    sources = dict(schema.migration_sources())
    for name, revision in manifest["migrations"].items():
        if revision is None or name not in sources:
            continue
        try:
            ScriptDirectory(str(sources[name])).get_revision(revision)
        except CommandError:
            raise BackupError(
                f"the backup's {name} schema is at {revision}, unknown to this installation: "
                f"install the version it was made with (Danwei {manifest['danwei']}) or newer."
            ) from None


def _check_empty() -> None:
    if inspect(db.engine).get_table_names():
        raise BackupError("the database is not empty: restore into a newly created database "
                          "(see README, Backup and restore).")
    if not storage.backend().is_empty():
        raise BackupError("the upload storage is not empty: restore into an empty one.")


def _verify(work: Path, manifest: dict) -> None:
    database = manifest["database"]
    if sha256_of(work / database["file"]) != database["sha256"]:
        raise BackupError("the database dump does not match its checksum: damaged archive")
    for entry in manifest["files"]:
        path = work / "files" / entry["path"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise BackupError(f"{entry['path']} does not match its checksum: damaged archive")


def _load_database(dump: Path, dialect: str) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if dialect != url.get_backend_name():
        raise BackupError(f"the backup is of a {dialect} database, this installation uses "
                          f"{url.get_backend_name()}")
    db.session.remove()
    db.engine.dispose()
    if dialect == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    _run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", str(dump)], url)
