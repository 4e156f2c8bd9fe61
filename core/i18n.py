"""Languages: zh_CN first, English complete. Plugins ship their own catalogues.

Each plugin keeps ``translations/<locale>/LC_MESSAGES/danwei_<name>.mo`` in its package; core
merges those domains with its own ``messages`` domain, so ``_()`` works the same in core and
plugin templates. Core's catalogue is merged last and wins where a msgid repeats.
"""

from __future__ import annotations

from pathlib import Path

import flask_babel
from babel import Locale, support
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, gettext, lazy_gettext, ngettext
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


def current_language() -> str:
    """The code of the language in use, as in ``LANGUAGES`` (``zh_CN``, not ``zh_Hans_CN``)."""
    locale = get_locale()
    for code in current_app.config["LANGUAGES"]:
        if locale == Locale.parse(code):
            return code
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


# -- finding catalogues -----------------------------------------------------------------------


def catalogue_names(locale: Locale) -> list[str]:
    """Folder names a catalogue for *locale* may have, most specific first.

    Babel calls Simplified Chinese ``zh_Hans_CN``, while catalogues (and translators) say
    ``zh_CN``: without this, a ``zh_CN`` catalogue is never found.
    """
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


class Domain(flask_babel.Domain):
    """Flask-Babel's translation domain, finding catalogues by :func:`catalogue_names`."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        key = (str(locale), self.domain[0])
        if key not in self.cache:
            translations = support.Translations()
            for index, dirname in enumerate(self.translation_directories):
                domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
                catalogue = support.Translations.load(dirname, catalogue_names(locale), domain)
                translations.merge(catalogue)
                if hasattr(catalogue, "plural"):  # merge() does not copy it
                    translations.plural = catalogue.plural
            self.cache[key] = translations
        return self.cache[key]


class Babel(flask_babel.Babel):
    """Flask-Babel with one :class:`Domain` per application.

    Flask-Babel caches a single domain on the extension object, shared by every application
    built in the process; each Danwei application has its own plugins, hence its own domains.
    """

    @property
    def domain_instance(self) -> Domain:
        state = current_app.extensions["babel"]
        if getattr(state, "danwei_domain", None) is None:
            state.danwei_domain = Domain(domain=state.default_domain)
        return state.danwei_domain
