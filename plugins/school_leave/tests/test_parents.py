"""Parents hear about it (issue 18, point 1): a text message through the school's SMS gateway
when the child goes out through the gate, is back, is overdue or counted as truancy; queued
and retried like every notification, the text a setting, and the settings page says when no
channel is configured. The gateway is a real HTTP server started by the test."""

import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from danwei_school_leave.testing import local_now

from core.api import set_setting, to_utc, utcnow

DELIVER = "core.deliver_notifications"


def deliver(run_jobs, at=None, _runs=[0]):  # noqa: B006 - a counter across the module
    """Run the delivery job now (or *at*), in a manual slot of its own each time."""
    _runs[0] += 1
    run_jobs(at=(at or utcnow()) + timedelta(seconds=_runs[0]), job=DELIVER, force=True)


@pytest.fixture
def gateway():
    """A local SMS gateway: records every request (method, path, parsed parameters) and
    answers with the statuses queued in ``answers`` (200 afterwards)."""

    class Handler(BaseHTTPRequestHandler):
        def _record(self, params):
            server.received.append((self.command, self.path.split("?")[0], params))
            status = server.answers.pop(0) if server.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"code": 0 if status == 200 else 1}).encode())

        def do_GET(self):
            query = urllib.parse.urlsplit(self.path).query
            self._record(dict(urllib.parse.parse_qsl(query)))

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.headers["Content-Type"].startswith("application/json"):
                self._record(json.loads(body))
            else:
                self._record(dict(urllib.parse.parse_qsl(body)))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.answers = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _with_mother(school):
    student = school["student"]
    response = school.client("teacher").post(f"/school_leave/students/{student.id}", data={
        "contact-name": "Wang Li", "contact-relation": "Mother",
        "contact-phone": "13912345678", "contact-submit": "x"})
    assert response.status_code == 302


def _out_now(school, hours=3):
    school.earlier_call(hours=13)
    start = local_now() - timedelta(minutes=10)
    leave = school.sign_all(school.file(start=start, end=start + timedelta(hours=hours),
                                        leaving=True))
    token = school.slip_token(leave)
    assert school.client("guard").post(f"/school_leave/check/{token}/exit").status_code == 302
    return leave, token


def test_the_parent_gets_a_text_when_the_child_goes_out_and_comes_back(school, gateway,
                                                                       run_jobs):
    set_setting("core", "sms_gateway_url", gateway.url, school.units["s"])
    set_setting("core", "sms_gateway_key", "K-42", school.units["s"])
    _with_mother(school)
    leave, token = _out_now(school)
    # Queued by the gate's request, sent by the delivery job.
    assert gateway.received == []
    deliver(run_jobs)
    (method, path, params), = gateway.received
    assert (method, path) == ("POST", "/sms/send")
    assert params["mobile"] == "13912345678" and params["apikey"] == "K-42"
    assert params["content"].startswith("【No. 1 Middle School】Student已于")
    assert "凭假条出校" in params["content"]

    assert school.client("guard").post(f"/school_leave/check/{token}/return").status_code == 302
    deliver(run_jobs)
    assert len(gateway.received) == 2
    back = gateway.received[-1][2]["content"]
    assert back.startswith("【No. 1 Middle School】Student已于") and back.endswith("返校。")
    assert "出校" not in back


def test_overdue_and_truancy_are_texted_and_a_refused_send_is_kept(school, gateway,
                                                                     run_jobs):
    set_setting("core", "sms_gateway_url", gateway.url, school.units["s"])
    _with_mother(school)
    leave, _ = _out_now(school, hours=1)
    deliver(run_jobs)
    assert len(gateway.received) == 1
    # Two hours later the student is not back, with no extension: truancy.
    later = utcnow() + timedelta(hours=2)
    run_jobs(at=later, job="school_leave.overdue", force=True)
    assert school.leave(leave.id).truancy
    gateway.answers = [500]
    deliver(run_jobs, later)
    assert len(gateway.received) == 2  # refused by the gateway: kept, and retried later
    deliver(run_jobs, later)
    assert len(gateway.received) == 2  # not before its backoff (tests/test_notifications.py
    # proves the retries of an SMS with the delivery job's clock)
    text = gateway.received[-1][2]["content"]
    assert "按旷课处理" in text and "Student" in text


def test_the_texts_and_the_request_format_are_settings(school, gateway, run_jobs):
    unit = school.units["s"]
    set_setting("core", "sms_gateway_url", gateway.url + "?account=school1", unit)
    set_setting("core", "sms_gateway_method", "get", unit)
    set_setting("core", "sms_gateway_template",
                '{"to": "{phone}", "msg": "{text}", "sign": "{key}"}', unit)
    set_setting("core", "sms_gateway_key", "S&1", unit)
    set_setting("core", "sms_gateway_success", '"code": 0', unit)
    response = school.client("affairs").post("/school_leave/settings", data={
        "unit": str(unit.id), "monitor_max_periods": "2", "class_teacher_max_days": "1",
        "grade_max_days": "2", "parent_call_advance_hours": "12",
        "timetable": "class,08:00,08:45,第一节\nclass,08:55,09:40,第二节",
        "exam_windows": "", "parent_message_exit": "{student} left at {time} & is due {until}",
        "parent_message_return": "", "parent_message_overdue": "x",
        "parent_message_truancy": "y", "submit": "x"})
    assert response.status_code == 302, response.text
    _with_mother(school)
    leave, token = _out_now(school)
    deliver(run_jobs)
    (method, path, params), = gateway.received
    assert method == "GET" and params["account"] == "school1" and params["sign"] == "S&1"
    assert params["to"] == "13912345678"
    assert params["msg"].startswith("Student left at ") and " & is due " in params["msg"]
    # An empty text sends nothing: the return is not texted.
    school.client("guard").post(f"/school_leave/check/{token}/return")
    deliver(run_jobs)
    assert len(gateway.received) == 1


def test_the_settings_page_says_when_no_channel_reaches_the_parents(school, gateway):
    page = school.client("affairs").get("/school_leave/settings").text
    assert 'data-testid="no-channel"' in page and "parents are told nothing" in page
    set_setting("core", "sms_gateway_url", gateway.url, school.units["s"])
    page = school.client("affairs").get("/school_leave/settings").text
    assert 'data-testid="no-channel"' not in page and 'data-testid="channels"' in page
    assert "sms" in page


def test_no_channel_no_message_and_the_gate_still_works(school, gateway, run_jobs):
    _with_mother(school)
    leave, _ = _out_now(school)
    deliver(run_jobs)
    assert gateway.received == [] and school.leave(leave.id).exited_at is not None
    assert to_utc(local_now()) >= school.leave(leave.id).exited_at - timedelta(minutes=1)
