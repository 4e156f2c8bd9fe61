"""/healthz and /readyz for the load balancer; one JSON log line per request with its id."""

import json
import logging

import pytest

TALLY = '''
revision = "h1"
down_revision = None
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.create_table("hz_tally_rows", sa.Column("id", sa.Integer, primary_key=True))
def downgrade():
    op.drop_table("hz_tally_rows")
'''


def test_healthz_and_readyz_answer_anonymous_visitors(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"database": "ok", "migrations": "ok"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_readyz_waits_for_the_migrations(make_plugin, make_app):
    from core import schema

    make_plugin("hz_tally", migrations={"h1.py": TALLY})
    app = make_app()
    with app.app_context():
        schema.downgrade("base", only="hz_tally")
        try:
            ready = app.test_client().get("/readyz")
            assert ready.status_code == 503
            assert ready.json["checks"]["migrations"] == "behind: hz_tally"
            assert app.test_client().get("/healthz").status_code == 200
        finally:
            schema.upgrade(only="hz_tally")


@pytest.mark.danwei_config(REDIS_URL="redis://127.0.0.1:6379/0",
                           RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
def test_readyz_checks_each_configured_redis(client):
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["redis"] == "ok"
    assert ready.json["checks"]["rate_limit_redis"].startswith("failed")


def test_every_request_is_logged_once_as_json_with_its_request_id(client, caplog):
    from core.logs import JsonFormatter

    with caplog.at_level(logging.INFO, logger="danwei.request"):
        given = client.get("/healthz", headers={"X-Request-ID": "nginx-42"})
        made = client.get("/login", headers={"X-Request-ID": "bad id \" forged"})
    assert given.headers["X-Request-ID"] == "nginx-42"
    assert made.headers["X-Request-ID"] != "bad id \" forged"
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records
             if r.name == "danwei.request"]
    assert [(e["request_id"], e["path"], e["status"]) for e in lines] == [
        ("nginx-42", "/healthz", 200), (made.headers["X-Request-ID"], "/login", 200)]
    assert {"time", "level", "logger", "message", "ms", "method"} <= lines[0].keys()
