"""Languages: zh_CN first, English complete. Plugins ship their own catalogues.

Each plugin keeps ``translations/<locale>/LC_MESSAGES/danwei_<name>.mo`` in its package; core
merges those domains with its own ``messages`` domain, so ``_()`` works the same in core and
plugin templates. Core's catalogue is merged last and wins where a msgid repeats.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

__all__ = ["gettext", "lazy_gettext", "ngettext", "select_locale", "translation_setup"]

CORE_TRANSLATIONS = Path(__file__).parent / "translations"

#: Shown in the language menu, each in its own language.
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}


def select_locale() -> str:
    """The user's choice, then the session's, then the browser's, then the default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    if request and request.accept_languages:
        best = request.accept_languages.best_match(["zh", "zh_CN", "en"])
        if best:
            return "zh_CN" if best.startswith("zh") else best
    return current_app.config["DEFAULT_LOCALE"]


def translation_setup(plugins) -> tuple[str, str]:
    """``(directories, domains)`` for Flask-Babel: every plugin's catalogue, then core's."""
    dirs, domains = [], []
    for info in plugins:
        if info.package_dir and (info.package_dir / "translations").is_dir():
            dirs.append(str(info.package_dir / "translations"))
            domains.append(f"danwei_{info.name}")
    dirs.append(str(CORE_TRANSLATIONS))
    domains.append("messages")
    return ";".join(dirs), ";".join(domains)
