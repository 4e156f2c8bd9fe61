"""Notifications: an in-app inbox for every user, and optional e-mail and webhook channels.

People who are not users (a student's parents, a resident) have no inbox: plugins reach them
with :func:`notify_contact`, through an SMS gateway over HTTP (its request format is a
setting) or e-mail, queued and retried like every delivery.

:func:`notify` adds the notifications to the caller's transaction, so a change that is rolled
back notifies no one. Messages for the outside channels are queued as
:class:`Delivery` rows in the same transaction and sent later by the
``core.deliver_notifications`` job (:func:`deliver_pending`), with retries and backoff, each
attempt logged: a slow mail server never slows down the request that caused the message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..declarations import SettingSpec
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import User, utcnow

#: Kinds of notification; the inbox shows each with its own colour.
KINDS = ("info", "action", "reminder", "warning")
EMAIL, WEBHOOK, SMS = "email", "webhook", "sms"
PENDING, SENT, FAILED = "pending", "sent", "failed"
#: Minutes to wait before each retry; after the last one the delivery is marked failed.
BACKOFF_MINUTES = (1, 5, 30, 120, 480)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
#: How long a runner may hold a delivery before another may take it over.
CLAIM_MINUTES = 5


class Notification(db.Model):
    """One message in one user's inbox."""

    __tablename__ = "notifications"
    __table_args__ = (db.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: The plugin that sent it (``core`` for the workflow engine and core services).
    plugin: Mapped[str] = mapped_column(db.String(64), default="core")
    kind: Mapped[str] = mapped_column(db.String(16), default="info")
    subject: Mapped[str] = mapped_column(db.String(200))
    body: Mapped[str] = mapped_column(db.Text, default="")
    #: A path inside the intranet (``/school_leave/12``) to open from the inbox.
    link: Mapped[str | None] = mapped_column(db.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Delivery(db.Model):
    """A message queued for an outside channel (an e-mail, a webhook call)."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(db.String(16))
    #: The e-mail address or the webhook URL.
    target: Mapped[str] = mapped_column(db.String(500))
    #: ``json``, ``dingtalk``, ``wecom`` for webhooks; ``email`` for mail.
    format: Mapped[str] = mapped_column(db.String(16))
    payload_json: Mapped[str] = mapped_column(db.Text)
    status: Mapped[str] = mapped_column(db.String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Set while a runner is sending it, so two runners never send it twice.
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(db.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json)


class DeliveryAttempt(db.Model):
    """One try at sending a :class:`Delivery`, kept for the administrator."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        db.ForeignKey("notification_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(default=False)
    detail: Mapped[str] = mapped_column(db.String(500), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_log")


# -- settings (declared by core through corehooks.register_settings) ----------------------------

SETTINGS = [
    SettingSpec("notification_base_url", _l("Address of the intranet in messages"),
                default="", scope="global",
                help=_l("e.g. http://intranet.example.cn — links in e-mails and webhook "
                        "messages start with it.")),
    SettingSpec("email_enabled", _l("Send notifications by e-mail"), type="bool",
                default=False, scope="global",
                help=_l("Users with an e-mail address also receive their notifications by "
                        "mail.")),
    SettingSpec("smtp_host", _l("SMTP server"), default="", scope="global"),
    SettingSpec("smtp_port", _l("SMTP port"), type="int", default=25, min=1, max=65535,
                scope="global"),
    SettingSpec("smtp_security", _l("SMTP security"), type="choice", default="none",
                scope="global",
                choices=(("none", _l("None")), ("starttls", "STARTTLS"), ("ssl", "SSL/TLS"))),
    SettingSpec("smtp_username", _l("SMTP user name"), default="", scope="global"),
    SettingSpec("smtp_password", _l("SMTP password"), default="", scope="global",
                secret=True),
    SettingSpec("smtp_from", _l("Sender address"), default="", scope="global",
                help=_l("e.g. 单位内网 <noreply@example.cn>")),
    SettingSpec("webhook_url", _l("Webhook address"), default="",
                help=_l("Notifications for people of the unit are also posted here: a DingTalk "
                        "or WeCom group robot, or any JSON endpoint.")),
    SettingSpec("webhook_format", _l("Webhook format"), type="choice", default="json",
                choices=(("json", _l("Generic JSON")), ("dingtalk", _l("DingTalk robot")),
                         ("wecom", _l("WeCom robot")))),
    SettingSpec("webhook_secret", _l("DingTalk signing secret"), default="", secret=True,
                help=_l("Only for DingTalk robots with signing (加签) turned on.")),
    # The SMS gateway reaches people who are not users (parents, residents): any gateway
    # that takes an HTTP request, described by these settings rather than by code.
    SettingSpec("sms_gateway_url", _l("SMS gateway address"), default="",
                help=_l("The HTTP address of the school's or company's SMS gateway; empty: "
                        "no text messages are sent.")),
    SettingSpec("sms_gateway_method", _l("SMS gateway request"), type="choice",
                default="post_json",
                choices=(("post_json", _l("POST, JSON body")),
                         ("post_form", _l("POST, form body")),
                         ("get", _l("GET, query string")))),
    SettingSpec("sms_gateway_template", _l("SMS gateway parameters"), type="text",
                default='{"mobile": "{phone}", "content": "{text}", "apikey": "{key}"}',
                help=_l("The request's parameters as JSON, with {phone}, {text} and {key} "
                        "filled in for each message.")),
    SettingSpec("sms_gateway_key", _l("SMS gateway key"), default="", secret=True,
                help=_l("Put in place of {key}.")),
    SettingSpec("sms_gateway_success", _l("SMS gateway success marker"), default="",
                help=_l("Text the gateway's answer contains when it accepted the message "
                        "(e.g. \"code\":0); empty: any 2xx answer.")),
]


# -- sending ----------------------------------------------------------------------------------


def _users(users) -> list[User]:
    if isinstance(users, User | int):
        users = [users]
    found, seen = [], set()
    for u in users:
        user = db.session.get(User, u) if isinstance(u, int) else u
        if user is None or not user.active or user.id in seen:
            continue
        seen.add(user.id)
        found.append(user)
    return found


def absolute_link(link: str | None) -> str | None:
    """*link* as a full URL for messages read outside the intranet's pages."""
    from ..settings import get_setting

    if not link or "://" in link:
        return link
    base = get_setting("core", "notification_base_url") or (
        request.url_root if has_request_context() else ""
    )
    return base.rstrip("/") + "/" + link.lstrip("/") if base else link


def notify(
    users: User | int | Iterable[User | int],
    subject: str,
    body: str = "",
    link: str | None = None,
    plugin: str = "core",
    kind: str = "info",
) -> list[Notification]:
    """Put a notification in each user's inbox and queue its e-mails and webhook messages.

    Everything is added to the current transaction: commit it with the change that caused the
    notification. Inactive users are skipped; a user named twice gets one notification.

    :param users: a :class:`~core.api.User`, a user id, or an iterable of either
    :param subject: one line, shown in the inbox and as the e-mail subject
    :param body: plain text
    :param link: a path inside the intranet (``url_for(...)``) that the notification opens
    :param plugin: the sending plugin's name
    :param kind: ``info``, ``action`` (something to do), ``reminder`` or ``warning``
    :return: the new notifications, one per user
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    recipients = _users(users)
    subject, body = str(subject)[:200], str(body)
    made = [
        Notification(user_id=u.id, plugin=plugin, kind=kind, subject=subject, body=body, link=link)
        for u in recipients
    ]
    db.session.add_all(made)
    if made:
        db.session.flush()
        _queue_deliveries(recipients, made, subject, body, link, plugin, kind)
    return made


def _queue_deliveries(recipients, made, subject, body, link, plugin, kind) -> None:
    from ..settings import get_setting
    from . import channels

    url = absolute_link(link)
    queued = False
    if get_setting("core", "email_enabled") and get_setting("core", "smtp_host"):
        for user, note in zip(recipients, made, strict=True):
            if user.email:
                db.session.add(Delivery(
                    notification_id=note.id, channel=EMAIL, target=user.email, format=EMAIL,
                    payload_json=json.dumps(
                        {"subject": subject, "body": body, "link": url, "name": user.name},
                        ensure_ascii=False),
                ))
                queued = True
    groups: dict[tuple[str, str], list[User]] = {}
    for user in recipients:
        target = get_setting("core", "webhook_url", user.unit)
        if target:
            fmt = get_setting("core", "webhook_format", user.unit) or "json"
            groups.setdefault((target, fmt), []).append(user)
    for (target, fmt), people in groups.items():
        payload = channels.webhook_payload(fmt, subject, body, url, kind, plugin, people)
        db.session.add(Delivery(
            notification_id=made[0].id if len(made) == 1 else None, channel=WEBHOOK,
            target=target, format=fmt, payload_json=json.dumps(payload, ensure_ascii=False),
        ))
        queued = True
    if queued:
        # Wake the in-process runner once the transaction commits, so mail leaves promptly.
        db.session.info["danwei_deliveries_queued"] = True


def contact_channels(unit=None) -> list[str]:
    """The outside channels that can reach a contact (not a user) of *unit*: ``sms`` when it
    has an SMS gateway, ``email`` when mail is configured. Empty: no one outside is told."""
    from ..settings import get_setting

    found = []
    if get_setting("core", "sms_gateway_url", unit):
        found.append(SMS)
    if get_setting("core", "email_enabled") and get_setting("core", "smtp_host"):
        found.append(EMAIL)
    return found


def notify_contact(phone: str | None, subject: str, body: str = "", *, unit=None,
                   email: str | None = None, name: str = "",
                   plugin: str = "core") -> list[Delivery]:
    """Queue a message to someone who is not a user: a text message to *phone* through the
    SMS gateway of *unit*, and an e-mail to *email* when mail is configured.

    Added to the current transaction (commit it with the change that caused the message) and
    sent by the delivery job with its retries, like every notification.

    :param phone: a mobile number, or None
    :param subject: one line; the text message is the subject and the body
    :param body: plain text
    :param unit: the unit whose settings choose the gateway (a school, a class)
    :param email: an e-mail address, or None
    :param name: the recipient's name, for the e-mail
    :param plugin: the sending plugin's name
    :return: the queued deliveries; empty when no channel can reach the contact
    """
    subject, body = str(subject)[:200], str(body)
    channels_ = contact_channels(unit)
    made = []
    if phone and SMS in channels_:
        text = "".join(part for part in (subject, body) if part)
        made.append(Delivery(
            channel=SMS, target=phone.strip()[:500], format=SMS,
            payload_json=json.dumps({"text": text, "plugin": plugin,
                                     "unit_id": unit.id if unit is not None else None},
                                    ensure_ascii=False)))
    if email and EMAIL in channels_:
        made.append(Delivery(
            channel=EMAIL, target=email, format=EMAIL,
            payload_json=json.dumps({"subject": subject, "body": body, "link": None,
                                     "name": name}, ensure_ascii=False)))
    if made:
        db.session.add_all(made)
        db.session.info["danwei_deliveries_queued"] = True
    return made


def deliver_pending(limit: int = 50, now: datetime | None = None) -> tuple[int, int]:
    """Send the deliveries that are due; returns ``(sent, failed attempts)``.

    Each delivery is claimed with a conditional UPDATE before it is sent, so runners in several
    processes never send one message twice; a runner that dies mid-send releases its claims
    after :data:`CLAIM_MINUTES`. Nothing is held open while the network is slow.
    """
    from . import channels

    now = now or utcnow()
    due = db.session.scalars(
        select(Delivery.id)
        .where(
            Delivery.status == PENDING,
            Delivery.next_attempt_at <= now,
            (Delivery.claimed_until.is_(None)) | (Delivery.claimed_until < now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for delivery_id in due:
        claimed = db.session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status == PENDING,
                (Delivery.claimed_until.is_(None)) | (Delivery.claimed_until < now),
            )
            .values(claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
        ).rowcount
        db.session.commit()
        if claimed != 1:
            continue
        delivery = db.session.get(Delivery, delivery_id)
        started = utcnow()
        try:
            detail = channels.send(delivery)
            ok = True
        except Exception as exc:  # noqa: BLE001 - every failure is logged and retried
            detail, ok = f"{type(exc).__name__}: {exc}", False
        took = int((utcnow() - started).total_seconds() * 1000)
        delivery.attempts += 1
        delivery.claimed_until = None
        delivery.attempt_log.append(
            DeliveryAttempt(at=started, ok=ok, detail=str(detail)[:500], duration_ms=took)
        )
        if ok:
            delivery.status, delivery.sent_at, delivery.last_error = SENT, utcnow(), ""
            sent += 1
        else:
            failed += 1
            delivery.last_error = str(detail)[:500]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = FAILED
                current_app.logger.error(
                    "delivery %s to %s failed for good: %s", delivery.id, delivery.target, detail
                )
            else:
                wait = BACKOFF_MINUTES[delivery.attempts - 1]
                delivery.next_attempt_at = utcnow() + timedelta(minutes=wait)
        db.session.commit()
    return sent, failed


# -- the inbox ----------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def inbox_query(user: User, unread_only: bool = False, plugin: str | None = None):
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if plugin:
        query = query.where(Notification.plugin == plugin)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark *user*'s notifications *ids* (all of them when None) read; returns how many."""
    statement = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    return db.session.execute(statement.values(read_at=utcnow())).rowcount
