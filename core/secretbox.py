"""Secrets kept in the database (the SMTP password, webhook signing secrets) are sealed.

A setting declared with ``secret=True`` is stored as ``{"sealed": "<Fernet token>"}`` instead
of its value, so neither the settings table, nor a backup of it, nor the audit log shows the
password. The key comes from the environment (``DANWEI_SECRETS_KEY``), never from the
database: a stolen backup alone does not reveal it, and ``danwei backup`` never writes it.

Fernet (from ``cryptography``) is authenticated encryption (AES-128-CBC with an HMAC-SHA256)
with a versioned token and a key that is one printable string: exactly what a setting needs,
from the library Python's ecosystem trusts for it, with no mode or nonce to choose by hand.

Without a configured key, development keeps one in ``instance/secrets.key`` (created once,
readable by its owner only) so ``make run`` works; production refuses to store or read a secret
until ``DANWEI_SECRETS_KEY`` is set.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from .config import ConfigError

log = logging.getLogger(__name__)

#: The key a stored value is sealed under: ``{"sealed": token}``.
SEALED = "sealed"
KEY_FILE = "secrets.key"


def new_key() -> str:
    """A fresh key for ``DANWEI_SECRETS_KEY`` (``danwei secrets new-key`` prints one)."""
    return Fernet.generate_key().decode()


def _fernet() -> Fernet:
    key = current_app.config.get("SECRETS_KEY")
    if not key:
        if current_app.config["ENV"] == "production":
            raise ConfigError(
                "DANWEI_SECRETS_KEY is not set: production needs it to store or read the SMTP "
                "password and webhook secrets. Make one with `danwei secrets new-key`."
            )
        key = _development_key(Path(current_app.instance_path) / KEY_FILE)
    try:
        return Fernet(key)
    except ValueError:
        raise ConfigError("DANWEI_SECRETS_KEY is not a valid key: make one with "
                          "`danwei secrets new-key`.") from None


def _development_key(path: Path) -> str:
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(new_key())
    return path.read_text().strip()


def seal(value: str) -> str:
    """The JSON stored for a secret *value*."""
    return json.dumps({SEALED: _fernet().encrypt(str(value).encode()).decode()})


def is_sealed(value_json: str) -> bool:
    try:
        stored = json.loads(value_json)
    except ValueError:
        return False
    return isinstance(stored, dict) and set(stored) == {SEALED}


def unseal(value_json: str, default=""):
    """The secret stored as *value_json*; *default* (and a logged error) when the key cannot
    open it, e.g. after a restore onto a machine given another key."""
    if not is_sealed(value_json):  # written before sealing existed: still usable until migrated
        return json.loads(value_json)
    try:
        return _fernet().decrypt(json.loads(value_json)[SEALED].encode()).decode()
    except InvalidToken:
        log.error("a stored secret cannot be opened with DANWEI_SECRETS_KEY (another key?)")
        return default


def seal_plain_values() -> int:
    """Seal every secret setting still stored in plain text; returns how many were sealed.

    Run by ``danwei db upgrade`` and ``danwei restore``, so values saved before sealing existed
    leave the table in the same step that brings the schema up to date.
    """
    from sqlalchemy import select

    from .extensions import db
    from .models import SettingValue
    from .plugins import plugin_host

    sealed = 0
    for plugin, specs in plugin_host().settings.items():
        keys = [spec.key for spec in specs if getattr(spec, "secret", False)]
        if not keys:
            continue
        rows = db.session.scalars(select(SettingValue).where(
            SettingValue.plugin == plugin, SettingValue.key.in_(keys)))
        for row in rows:
            if not is_sealed(row.value_json):
                row.value_json = seal(json.loads(row.value_json))
                sealed += 1
    return sealed
