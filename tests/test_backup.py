"""Backup and restore: a populated intranet comes back row for row and file for file in a new
installation; secrets are stored sealed and the key never travels in the archive."""

import hashlib
import json
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from werkzeug.datastructures import FileStorage

from core.cli import main


def _png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _populate(app, db, tmp_path):
    from core.api import set_setting
    from core.attachments import save_attachment
    from core.demo import load_demo
    from core.models import Unit

    load_demo()
    unit = db.session.scalars(select(Unit).order_by(Unit.id)).first()
    with app.test_request_context():
        for i, data in enumerate([_png(), b"%PDF-1.4\n%demo\n" + bytes(range(256)) * 40]):
            name = "note.png" if i == 0 else "plan.pdf"
            upload = FileStorage(BytesIO(data), filename=name)
            save_attachment(upload, "school_leave.note", ("leave", i + 1), unit)
    set_setting("core", "smtp_password", "pa55-word")
    db.session.commit()


def _rows(url: str) -> dict[str, list]:
    """Every table's rows, sorted, as comparable tuples (version tables included)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: sorted(tuple(map(repr, row)) for row in
                              conn.execute(text(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        engine.dispose()


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def _invoke(app, args):
    """Run the command on *app* (``with_appcontext`` would otherwise use the pushed one)."""
    with app.app_context():
        return app.test_cli_runner().invoke(main, args)


@pytest.fixture
def target(fresh_database_url, tmp_path, monkeypatch):
    """A new, empty installation: its own database, upload folder and instance folder."""
    from core import create_app
    from core.testing import base_config

    monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(tmp_path / "instance2"))
    config = base_config(fresh_database_url, tmp_path)
    config["UPLOAD_DIR"] = str(tmp_path / "restored-uploads")
    made = create_app(config)
    yield made
    with made.app_context():
        from core.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_backup_restores_every_row_and_file_into_a_new_installation(
        app, db, cli, tmp_path, target, fresh_database_url):
    _populate(app, db, tmp_path)
    result = cli("backup", "--to", tmp_path / "backups")
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "backups").glob("danwei-backup-*.tar"))

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        members = tar.getnames()
        everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert manifest["database"]["dialect"] == db.engine.dialect.name
    assert manifest["migrations"]["core"]
    assert len(manifest["files"]) == 3  # two files and the photo's thumbnail
    assert all(f"files/{f['path']}" in members for f in manifest["files"])
    key = (Path(app.instance_path) / "secrets.key").read_bytes()
    assert key not in everything and b"pa55-word" not in everything

    source_rows = _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    source_files = _files(Path(app.config["UPLOAD_DIR"]))
    assert source_rows["users"] and source_rows["attachments"]

    # the target gets the source's key from its configuration, not from the archive
    target.config["SECRETS_KEY"] = key.decode().strip()
    restore = _invoke(target, ["restore", str(archive)])
    assert restore.exit_code == 0, restore.output
    assert "3 files" in restore.output

    assert _rows(fresh_database_url) == source_rows
    assert _files(Path(target.config["UPLOAD_DIR"])) == source_files
    with target.app_context():
        from core.api import get_setting

        assert get_setting("core", "smtp_password") == "pa55-word"

    again = _invoke(target, ["restore", str(archive)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_a_damaged_archive_is_refused_before_anything_is_written(app, db, cli, tmp_path,
                                                                   target):
    _populate(app, db, tmp_path)
    assert cli("backup", "--to", tmp_path / "b").exit_code == 0
    archive = next((tmp_path / "b").glob("*.tar"))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("files/") and not member.name.endswith(".jpg"):
                data = data[:-1] + b"X"
            member.size = len(data)
            out.addfile(member, BytesIO(data))
    result = _invoke(target, ["restore", str(damaged)])
    assert result.exit_code != 0 and "checksum" in result.output
    with target.app_context():
        from core.extensions import db as target_db

        assert inspect(target_db.engine).get_table_names() == []


TALLY_1 = '''
revision = "t1"
down_revision = None
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.create_table("tally_counts", sa.Column("id", sa.Integer, primary_key=True))
def downgrade():
    op.drop_table("tally_counts")
'''
TALLY_2 = '''
revision = "t2"
down_revision = "t1"
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.create_table("tally_notes", sa.Column("id", sa.Integer, primary_key=True))
def downgrade():
    op.drop_table("tally_notes")
'''


def test_a_restore_onto_a_newer_version_runs_its_migrations(make_plugin, make_app, tmp_path,
                                                            fresh_database_url, monkeypatch):
    from core import create_app, schema
    from core.backup import create_backup
    from core.testing import base_config

    make_plugin("tally", migrations={"t1.py": TALLY_1, "t2.py": TALLY_2})
    old = make_app()
    with old.app_context():
        schema.downgrade("t1", only="tally")  # the backup is of the version before t2
        archive = create_backup(tmp_path / "b")
        schema.upgrade()

    monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(tmp_path / "instance2"))
    config = base_config(fresh_database_url, tmp_path)
    config["UPLOAD_DIR"] = str(tmp_path / "restored")
    new = create_app(config)
    result = _invoke(new, ["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "upgraded tally" in result.output
    with new.app_context():
        from core.extensions import db

        status = {name: (current, head) for name, current, head in schema.status()}
        assert status["tally"] == ("t2", "t2")
        assert inspect(db.engine).has_table("tally_notes")
        db.session.remove()
        db.engine.dispose()


def test_secret_settings_are_sealed_in_the_table_and_hidden_on_the_page(
        app, db, client, create_user, login):
    from core.api import get_setting, set_setting
    from core.models import AuditEvent, SettingValue  # noqa: F401
    from core.secretbox import seal_plain_values

    set_setting("core", "webhook_secret", "SEC-123")
    set_setting("core", "smtp_host", "mail.example.cn")
    db.session.commit()
    stored = {r.key: r.value_json for r in db.session.scalars(select(SettingValue))}
    assert "SEC-123" not in stored["webhook_secret"]
    assert json.loads(stored["webhook_secret"]).keys() == {"sealed"}
    assert get_setting("core", "webhook_secret") == "SEC-123"
    assert not any("SEC-123" in e.summary + e.data_json
                   for e in db.session.scalars(select(AuditEvent)))

    # a value stored in plain text before sealing existed is sealed by the upgrade step
    row = db.session.scalar(select(SettingValue).where(SettingValue.key == "webhook_secret"))
    row.value_json = json.dumps("OLD-PLAIN")
    db.session.commit()
    assert get_setting("core", "webhook_secret") == "OLD-PLAIN"
    assert seal_plain_values() == 1
    db.session.commit()
    assert "OLD-PLAIN" not in db.session.get(SettingValue, row.id).value_json
    assert get_setting("core", "webhook_secret") == "OLD-PLAIN"

    admin = create_user("bk-admin", is_superuser=True)
    login(admin)
    page = client.get("/admin/settings/core").get_data(as_text=True)
    assert "OLD-PLAIN" not in page and "********" in page


@pytest.fixture
def s3_endpoint(tmp_path):
    """A real S3-compatible server (moto's, a test dependency), on a free port."""
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with (tmp_path / "moto.log").open("wb") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url, timeout=5)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, (tmp_path / "moto.log").read_text()
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(20)


def _s3_config(endpoint: str, bucket: str) -> dict:
    return {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket,
            "S3_ACCESS_KEY": "test", "S3_SECRET_KEY": "test"}


def _objects(client, bucket: str) -> dict[str, str]:
    """Every object of *bucket*: key -> sha256 of its content."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            found[item["Key"]] = hashlib.sha256(body).hexdigest()
    return found


def test_backup_and_restore_through_the_s3_storage(app, db, cli, tmp_path, target,
                                                   fresh_database_url, s3_endpoint):
    """Uploads kept in an object store are read from it by the backup and written into the new
    installation's bucket by the restore, checksum for checksum."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")
    for bucket in ("danwei-source", "danwei-restored"):
        client.create_bucket(Bucket=bucket)
    app.config.update(_s3_config(s3_endpoint, "danwei-source"))
    target.config.update(_s3_config(s3_endpoint, "danwei-restored"))

    _populate(app, db, tmp_path)
    source_files = _objects(client, "danwei-source")
    assert len(source_files) == 3  # two files and the photo's thumbnail, in the bucket
    assert _files(Path(app.config["UPLOAD_DIR"])) == {}  # and nothing on the local disk
    result = cli("backup", "--to", tmp_path / "backups")
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "backups").glob("danwei-backup-*.tar"))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {f["sha256"] for f in manifest["files"]} == set(source_files.values())

    source_rows = _rows(app.config["SQLALCHEMY_DATABASE_URI"])
    target.config["SECRETS_KEY"] = (Path(app.instance_path) / "secrets.key").read_text().strip()
    restore = _invoke(target, ["restore", str(archive)])
    assert restore.exit_code == 0, restore.output
    assert "3 files" in restore.output
    assert _rows(fresh_database_url) == source_rows
    assert _objects(client, "danwei-restored") == source_files
    assert _files(Path(target.config["UPLOAD_DIR"])) == {}

    again = _invoke(target, ["restore", str(archive)])
    assert again.exit_code != 0 and "not empty" in again.output
