"""Notifications: the inbox with its unread badge, and e-mail and webhook deliveries that are
queued by the request, sent by the job runner, retried with backoff and logged.

The outside world is a local SMTP sink (aiosmtpd) and a local HTTP server, both on 127.0.0.1.
"""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PLUGIN = '''
from flask import Blueprint, request
from core.api import db, hookimpl, login_required_only, notify, User

bp = Blueprint("{name}", __name__)


@bp.route("/ping/<username>", methods=["POST"])
@login_required_only
def ping(username):
    user = db.session.scalar(db.select(User).where(User.username == username))
    notify(user, "Leave request waiting", "Li Hua asks for 1.5 days.", link="/{name}/x",
           plugin="{name}", kind="action")
    db.session.commit()
    return "sent"


@hookimpl
def register_blueprints():
    return [bp]
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink():
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 Message accepted"

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def webhook_server():
    """A local HTTP server recording JSON posts; ``answers`` lists the statuses to give."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server.received.append((self.path, json.loads(body)))
            status = server.answers.pop(0) if server.answers else 200
            reply = json.dumps({"errcode": 0 if status == 200 else 500, "errmsg": "ok"})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.answers = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def notify_and_commit(*args, **kwargs):
    from core.api import db, notify

    made = notify(*args, **kwargs)
    db.session.commit()
    return made


def test_inbox_badge_open_and_mark_read(client, create_unit, create_user, login):
    school = create_unit("nt-s", "School")
    li = create_user("nt-li", unit=school, email="li@example.cn")
    other = create_user("nt-wang", unit=school)
    notify_and_commit([li, li.id], "Plan due Friday", "Please hand in the March plan.",
                      link="/calendar/", kind="reminder")
    notify_and_commit(li, "Welcome")
    notify_and_commit(other, "Not for Li")
    login(li)

    home = client.get("/")
    assert 'data-testid="badge-notifications.index">2<' in home.text  # li named twice: one
    inbox = client.get("/notifications/")
    assert "Plan due Friday" in inbox.text and "Welcome" in inbox.text
    assert "Not for Li" not in inbox.text

    from core.api import db
    from core.notifications import Notification

    plan = db.session.scalar(db.select(Notification).where(Notification.subject == "Plan due Friday"))
    opened = client.post(f"/notifications/{plan.id}/open")
    assert opened.status_code == 302 and opened.headers["Location"] == "/calendar/"
    assert 'badge-notifications.index">1<' in client.get("/").text
    unread = client.get("/notifications/?show=unread").text
    assert "Welcome" in unread and "Plan due Friday" not in unread

    client.post("/notifications/read", data={"all": "1"})
    assert "badge-notifications.index" not in client.get("/").text
    assert "No unread notifications" in client.get("/notifications/?show=unread").text

    theirs = db.session.scalar(db.select(Notification).where(Notification.user_id == other.id))
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404


def test_inbox_is_paginated_and_marks_selected(client, create_unit, create_user, login):
    user = create_user("nt-many", unit=create_unit("nt-p", "School"))
    for i in range(30):
        notify_and_commit(user, f"Message number {i:02d}")
    login(user)
    first = client.get("/notifications/")
    assert "Message number 29" in first.text and "Message number 00" not in first.text
    assert "Page 1 of 2" in first.text
    second = client.get("/notifications/?page=2")
    assert "Message number 00" in second.text

    from core.api import db
    from core.notifications import Notification

    ids = db.session.scalars(db.select(Notification.id).limit(3)).all()
    client.post("/notifications/read", data={"ids": [str(i) for i in ids]})
    assert 'badge-notifications.index">27<' in client.get("/").text


def configure_smtp(port):
    from core.api import db, set_setting

    set_setting("core", "email_enabled", True)
    set_setting("core", "smtp_host", "127.0.0.1")
    set_setting("core", "smtp_port", port)
    set_setting("core", "smtp_from", "intranet@school.example")
    set_setting("core", "notification_base_url", "http://intranet.school.example")
    db.session.commit()


def test_email_is_queued_by_the_request_and_sent_by_the_job(
    client, make_plugin, make_app, create_user, login, smtp_sink
):
    make_plugin("nt_mail1", PLUGIN.format(name="nt_mail1"))
    app = make_app()
    with app.app_context():
        from core import units, users
        from core.api import db
        from core.notifications import Delivery

        configure_smtp(smtp_sink.port)
        school = units.create_unit("nt-m", "School")
        users.create_user("teacher1", "Teacher", "secret123", school, email="t1@school.example")
        users.create_user("sender1", "Sender", "secret123", school)
        db.session.commit()

        web = app.test_client()
        web.post("/login", data={"username": "sender1", "password": "secret123"})
        assert web.post("/nt_mail1/ping/teacher1").text == "sent"
        # The request only queued the message.
        assert smtp_sink.messages == []
        delivery = db.session.scalar(db.select(Delivery))
        assert (delivery.status, delivery.attempts, delivery.target) == ("pending", 0,
                                                                         "t1@school.example")

        from core.cli import main

        result = app.test_cli_runner().invoke(main, ["jobs", "run"])
        assert result.exit_code == 0, result.output
        assert "core.deliver_notifications" in result.output

        assert len(smtp_sink.messages) == 1
        mail = smtp_sink.messages[0]
        assert mail.rcpt_tos == ["t1@school.example"]
        text = mail.content.decode()
        assert "Subject: Leave request waiting" in text
        assert "http://intranet.school.example/nt_mail1/x" in text
        db.session.expire_all()
        delivery = db.session.get(Delivery, delivery.id)
        assert delivery.status == "sent"
        assert [a.ok for a in delivery.attempt_log] == [True]


def test_webhooks_in_dingtalk_wecom_and_json_formats(app, db, create_unit, create_user,
                                                     webhook_server):
    from core.api import set_setting
    from core.notifications import Delivery, deliver_pending

    root = create_unit("nt-w", "County")
    school_a = create_unit("nt-wa", "School A", parent=root)
    school_b = create_unit("nt-wb", "School B", parent=root)
    set_setting("core", "webhook_url", webhook_server.url + "/json")
    set_setting("core", "webhook_url", webhook_server.url + "/ding", school_a)
    set_setting("core", "webhook_format", "dingtalk", school_a)
    set_setting("core", "webhook_secret", "SEC123")
    set_setting("core", "webhook_url", webhook_server.url + "/wecom", school_b)
    set_setting("core", "webhook_format", "wecom", school_b)
    a1 = create_user("nt-a1", unit=school_a, phone="13800000001")
    a2 = create_user("nt-a2", unit=school_a, phone="13800000002")
    b1 = create_user("nt-b1", unit=school_b, phone="13900000001")
    county = create_user("nt-c1", unit=root)

    notify_and_commit([a1, a2, b1, county], "Hazard reported", "Broken railing, building 3.",
                      link="/hazards/7", kind="warning")
    assert db.session.scalar(db.select(db.func.count(Delivery.id))) == 3  # one per group
    assert deliver_pending() == (3, 0)

    received = dict(webhook_server.received)
    ding_path = next(p for p in received if p.startswith("/ding"))
    assert "timestamp=" in ding_path and "sign=" in ding_path
    ding = received[ding_path]
    assert ding["msgtype"] == "text"
    assert sorted(ding["at"]["atMobiles"]) == ["13800000001", "13800000002"]
    assert "Hazard reported" in ding["text"]["content"]
    wecom = received["/wecom"]
    assert wecom["text"]["mentioned_mobile_list"] == ["13900000001"]
    generic = received["/json"]
    assert generic["subject"] == "Hazard reported" and generic["kind"] == "warning"
    assert generic["recipients"] == [{"username": "nt-c1", "name": "nt-c1"}]


def test_failures_are_retried_with_backoff_then_given_up(app, db, client, create_unit, create_user,
                                                         login,
                                                         webhook_server):
    from core.api import set_setting, utcnow
    from core.notifications import BACKOFF_MINUTES, MAX_ATTEMPTS, Delivery, deliver_pending

    set_setting("core", "webhook_url", webhook_server.url + "/hook")
    user = create_user("nt-r1", unit=create_unit("nt-r", "School"))
    webhook_server.answers = [500, 200]
    notify_and_commit(user, "First")
    now = utcnow()
    assert deliver_pending(now=now) == (0, 1)
    delivery = db.session.scalar(db.select(Delivery))
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "500" in delivery.last_error
    wait = delivery.next_attempt_at - now
    assert timedelta(minutes=BACKOFF_MINUTES[0]) <= wait < timedelta(minutes=BACKOFF_MINUTES[0] + 1)
    assert deliver_pending(now=now) == (0, 0)  # not yet due again
    assert deliver_pending(now=now + timedelta(minutes=2)) == (1, 0)
    assert [a.ok for a in db.session.get(Delivery, delivery.id).attempt_log] == [False, True]

    # A target that never answers is given up after the last attempt, and shown to the admin.
    set_setting("core", "webhook_url", f"http://127.0.0.1:{free_port()}/closed")
    notify_and_commit(user, "Second")
    later = now
    for _ in range(MAX_ATTEMPTS):
        later += timedelta(days=1)
        deliver_pending(now=later)
    failed = db.session.scalar(db.select(Delivery).where(Delivery.status == "failed"))
    assert failed is not None and failed.attempts == MAX_ATTEMPTS
    assert len(failed.attempt_log) == MAX_ATTEMPTS

    admin = create_user("nt-admin", unit=user.unit, is_superuser=True)
    login(admin)
    page = client.get("/notifications/deliveries?status=failed")
    assert "/closed" in page.text and "Retry" in page.text
    client.post(f"/notifications/deliveries/{failed.id}/retry")
    db.session.expire_all()
    assert db.session.get(Delivery, failed.id).status == "pending"


def test_deliveries_page_is_for_administrators(client, create_unit, login_as):
    unit = create_unit("nt-adm", "School")
    login_as("core.unit_admin", unit)
    assert client.get("/notifications/deliveries").status_code == 403


@pytest.fixture
def sms_gateway():
    """A local SMS gateway recording (method, path and query, content type, raw body); it
    answers each request with the next of ``answers`` (a body), ``{"code":0}`` afterwards."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body=b""):
            server.received.append((self.command, self.path,
                                    self.headers.get("Content-Type", ""), body.decode()))
            reply = server.answers.pop(0) if server.answers else '{"code":0}'
            self.send_response(200)
            self.end_headers()
            self.wfile.write(reply.encode())

        def do_GET(self):
            self._answer()

        def do_POST(self):
            self._answer(self.rfile.read(int(self.headers["Content-Length"])))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.answers = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_sms_gateway_reaches_contacts_in_the_configured_format_with_retries(
        app, db, create_unit, sms_gateway):
    """A contact who is not a user (a parent) gets a text message through the unit's SMS
    gateway: its request format is settings, an answer without the success marker is a
    failure, retried with the backoff of every delivery."""
    import urllib.parse

    from core.api import contact_channels, notify_contact, set_setting, utcnow
    from core.notifications import Delivery, deliver_pending

    school = create_unit("nt-sms", "School")
    other = create_unit("nt-sms2", "Other school")
    assert contact_channels(school) == []
    assert notify_contact("13900000001", "Nothing", unit=school) == []  # no channel: nothing

    set_setting("core", "sms_gateway_url", sms_gateway.url, school)
    set_setting("core", "sms_gateway_method", "post_form", school)
    set_setting("core", "sms_gateway_template",
                '{"to": "{phone}", "text": "{text}", "key": "{key}", "type": 1}', school)
    set_setting("core", "sms_gateway_key", "K&Y", school)
    set_setting("core", "sms_gateway_success", '"code":0', school)
    assert contact_channels(school) == ["sms"] and contact_channels(other) == []
    made = notify_contact("13900000001", "家长您好：", "孩子已离校 & \"平安\"", unit=school,
                          plugin="school_leave")
    db.session.commit()
    assert [d.channel for d in made] == ["sms"]

    sms_gateway.answers = ['{"code":17,"msg":"balance"}']
    now = utcnow()
    assert deliver_pending(now=now) == (0, 1)
    delivery = db.session.scalar(db.select(Delivery))
    assert delivery.status == "pending" and "balance" in delivery.last_error
    assert deliver_pending(now=now + timedelta(minutes=2)) == (1, 0)
    assert len(sms_gateway.received) == 2
    method, path, kind, body = sms_gateway.received[-1]
    assert (method, path) == ("POST", "/sms") and kind.startswith(
        "application/x-www-form-urlencoded")
    assert dict(urllib.parse.parse_qsl(body)) == {
        "to": "13900000001", "text": "家长您好：孩子已离校 & \"平安\"", "key": "K&Y", "type": "1"}

    # JSON body: the text is a JSON string, quotes and all.
    set_setting("core", "sms_gateway_method", "post_json", school)
    notify_contact("13900000002", 'Say "hi"', unit=school)
    db.session.commit()
    assert deliver_pending(now=now + timedelta(minutes=3)) == (1, 0)
    method, path, kind, body = sms_gateway.received[-1]
    assert kind.startswith("application/json")
    assert json.loads(body) == {"to": "13900000002", "text": 'Say "hi"', "key": "K&Y", "type": 1}

    # GET: the parameters join the address's own query string.
    set_setting("core", "sms_gateway_url", sms_gateway.url + "?account=a1", school)
    set_setting("core", "sms_gateway_method", "get", school)
    notify_contact("13900000003", "晚上好", unit=school)
    db.session.commit()
    assert deliver_pending(now=now + timedelta(minutes=4)) == (1, 0)
    method, path, _, _ = sms_gateway.received[-1]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query))
    assert method == "GET" and query["account"] == "a1" and query["text"] == "晚上好"
