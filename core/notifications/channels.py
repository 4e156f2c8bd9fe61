"""The outside channels: e-mail through SMTP, and webhooks in three formats.

Webhook formats:

``json``
    ``{"subject", "body", "link", "kind", "plugin", "recipients": [{"username", "name"}]}``,
    for integrations of one's own; any 2xx answer counts as delivered.
``dingtalk``
    A DingTalk group robot's text message, mentioning the recipients by phone number; signed
    when a secret is set. DingTalk answers 200 with ``errcode`` 0 when it accepted it.
``wecom``
    A WeCom (企业微信) group robot's text message, mentioning the recipients by phone number.

Text messages (``sms``) go to an SMS gateway over HTTP whose request is described by the
unit's settings (:func:`sms_request`): GET with a query string, or POST with a form or a JSON
body, the parameters a JSON template with ``{phone}``, ``{text}`` and ``{key}`` in it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr

from ..settings import get_setting

#: Seconds to wait for a mail server or a webhook before the attempt counts as failed.
TIMEOUT = 10


def _text(subject: str, body: str, link: str | None) -> str:
    return "\n".join(part for part in (subject, body, link) if part)


def webhook_payload(fmt, subject, body, link, kind, plugin, people) -> dict:
    """The JSON body posted to a webhook of format *fmt* for *people*."""
    phones = [p.phone for p in people if p.phone]
    if fmt == "dingtalk":
        mentions = " ".join(f"@{phone}" for phone in phones)
        return {
            "msgtype": "text",
            "text": {"content": _text(subject, body, link) + (f"\n{mentions}" if mentions else "")},
            "at": {"atMobiles": phones, "isAtAll": False},
        }
    if fmt == "wecom":
        return {
            "msgtype": "text",
            "text": {"content": _text(subject, body, link), "mentioned_mobile_list": phones},
        }
    return {
        "subject": subject,
        "body": body,
        "link": link,
        "kind": kind,
        "plugin": plugin,
        "recipients": [{"username": p.username, "name": p.name} for p in people],
    }


def send(delivery) -> str:
    """Send one delivery; returns what the other side said, raises when it refused."""
    if delivery.channel == "email":
        return send_email(delivery.target, delivery.payload)
    if delivery.channel == "sms":
        return send_sms(delivery.target, delivery.payload)
    return post_webhook(delivery.target, delivery.format, delivery.payload)


def sms_request(url: str, method: str, template: str, phone: str, text: str,
                key: str = "") -> urllib.request.Request:
    """The HTTP request that asks the gateway at *url* to send *text* to *phone*.

    *template* is a JSON object whose string values may hold ``{phone}``, ``{text}`` and
    ``{key}``; each is filled in after the template is parsed, so a quote or an ampersand in
    the text never breaks the request.
    """
    params = json.loads(template)
    if not isinstance(params, dict):
        raise ValueError("the SMS gateway parameters must be a JSON object")

    def fill(value):
        if isinstance(value, str):
            return value.replace("{phone}", phone).replace("{key}", key).replace("{text}", text)
        return value

    params = {name: fill(value) for name, value in params.items()}
    headers = {"User-Agent": "Danwei"}
    if method == "get":
        query = urllib.parse.urlencode({k: v if isinstance(v, str) else json.dumps(v)
                                        for k, v in params.items()})
        return urllib.request.Request(f"{url}{'&' if '?' in url else '?'}{query}",
                                      headers=headers, method="GET")
    if method == "post_form":
        data = urllib.parse.urlencode({k: v if isinstance(v, str) else json.dumps(v)
                                       for k, v in params.items()}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    else:
        data = json.dumps(params, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    return urllib.request.Request(url, data=data, headers=headers, method="POST")


def send_sms(phone: str, payload: dict) -> str:
    from ..extensions import db
    from ..models import Unit

    unit = db.session.get(Unit, payload["unit_id"]) if payload.get("unit_id") else None
    url = get_setting("core", "sms_gateway_url", unit)
    if not url:
        raise RuntimeError("no SMS gateway is configured")
    request = sms_request(url, get_setting("core", "sms_gateway_method", unit) or "post_json",
                          get_setting("core", "sms_gateway_template", unit), phone,
                          payload["text"], get_setting("core", "sms_gateway_key", unit) or "")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        status, text = response.status, response.read(2000).decode("utf-8", "replace")
    marker = get_setting("core", "sms_gateway_success", unit)
    if marker and marker not in text:
        raise RuntimeError(f"HTTP {status}, not accepted: {text[:200]}")
    return f"HTTP {status} {text[:200]}"


def send_email(to: str, payload: dict) -> str:
    host = get_setting("core", "smtp_host")
    if not host:
        raise RuntimeError("no SMTP server is configured")
    port = int(get_setting("core", "smtp_port") or 25)
    security = get_setting("core", "smtp_security") or "none"
    sender = get_setting("core", "smtp_from") or f"danwei@{host}"
    message = EmailMessage()
    message["Subject"] = payload["subject"]
    message["From"] = sender
    message["To"] = formataddr((payload.get("name") or "", to))
    message.set_content(_text("", payload.get("body", ""), payload.get("link")) or payload["subject"])
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        user = get_setting("core", "smtp_username")
        if user:
            smtp.login(user, get_setting("core", "smtp_password") or "")
        refused = smtp.send_message(message)
    if refused:
        raise RuntimeError(f"refused by the server: {refused}")
    return f"accepted by {host}:{port}"


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """*url* with DingTalk's ``timestamp`` and ``sign`` parameters (加签)."""
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def post_webhook(url: str, fmt: str, payload: dict) -> str:
    if fmt == "dingtalk":
        secret = get_setting("core", "webhook_secret")
        if secret:
            url = dingtalk_signed(url, secret)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Danwei"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        status, text = response.status, response.read(2000).decode("utf-8", "replace")
    if fmt in ("dingtalk", "wecom"):
        try:
            answer = json.loads(text)
        except ValueError:
            raise RuntimeError(f"HTTP {status}, not JSON: {text[:200]}") from None
        if answer.get("errcode", 0) != 0:
            raise RuntimeError(f"errcode {answer.get('errcode')}: {answer.get('errmsg')}")
    return f"HTTP {status} {text[:200]}"
