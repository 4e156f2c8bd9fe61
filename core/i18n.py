"""Languages: zh_CN first, English complete. Plugins ship their own catalogues.

Each plugin keeps ``translations/<locale>/LC_MESSAGES/danwei_<name>.mo`` in its package and
binds its own domain (:func:`plugin_translations`): the plugin's catalogue first, core's after
it. A plugin's templates use its domain without asking (:class:`PluginInternationalization`).
Core's own domain merges every catalogue with core's last, so core's strings keep core's
translations even where a plugin translates the same msgid differently.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import flask_babel
from babel import Locale, support
from flask import current_app, has_app_context, has_request_context, request, session
from flask_babel import LazyString, get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user
from jinja2 import ext, lexer, nodes, pass_eval_context
from markupsafe import Markup

__all__ = ["gettext", "lazy_gettext", "ngettext", "plugin_translations", "select_locale",
           "translation_setup"]

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


def language_of(user) -> str:
    """The language *user* reads when they are not the one asking: the one they chose, else
    the default. For what is written for someone else (a notification) to read later."""
    languages = current_app.config["LANGUAGES"]
    locale = getattr(user, "locale", None)
    return locale if locale in languages else current_app.config["DEFAULT_LOCALE"]


def current_language() -> str:
    """The code of the language in use, as in ``LANGUAGES`` (``zh_CN``, not ``zh_Hans_CN``)."""
    locale = get_locale()
    for code in current_app.config["LANGUAGES"]:
        if locale == _parsed(code):
            return code
    return current_app.config["DEFAULT_LOCALE"]


@functools.cache
def _parsed(code: str) -> Locale:
    # Parsing looks for locale data on disk each time; every page asks a few times.
    return Locale.parse(code)


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


# -- one domain per plugin --------------------------------------------------------------------


def init_app(app, plugins) -> None:
    """Give every plugin with a catalogue its own domain, in Python code and in its templates.

    A plugin's domain reads its own catalogue first and core's after it, so a plugin may
    translate a word core also uses ("Back": 返校, not core's 返回) while the strings it
    borrows from core keep core's translations. Called after ``babel.init_app``.
    """
    domains = {}
    for info in plugins:
        own = info.package_dir and info.package_dir / "translations"
        if own and own.is_dir() and PLUGIN_NAME.fullmatch(info.name):
            # merged in this order, the last one wins: core's catalogue, then the plugin's
            domains[info.name] = Domain([str(CORE_TRANSLATIONS), str(own)],
                                        f"messages;danwei_{info.name}")
    app.extensions["danwei_domains"] = domains
    env = app.jinja_env
    # Jinja's i18n extension, installed by Flask-Babel, gives way to its subclass below.
    env.extensions.pop(ext.InternationalizationExtension.identifier, None)
    env.add_extension(PluginInternationalization)
    env.extensions[PluginInternationalization.identifier].plugins = frozenset(domains)
    for name in domains:
        bound = plugin_translations(name)
        env.globals[_template_global(name, "gettext")] = _template_gettext(bound)
        env.globals[_template_global(name, "ngettext")] = _template_ngettext(bound)


PLUGIN_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _template_global(plugin: str, function: str) -> str:
    """The Jinja global a template of *plugin* calls instead of ``gettext``/``ngettext``."""
    return f"danwei_{plugin}__{function}"


# Like the callables Flask-Babel installs (Jinja's "newstyle" gettext): the translation is
# marked safe when autoescaping, so that only the variables are escaped by ``%``.


def _template_gettext(bound: PluginTranslations):
    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables):
        text = bound.domain.get_translations().ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return gettext


def _template_ngettext(bound: PluginTranslations):
    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
        variables.setdefault("num", num)
        text = bound.domain.get_translations().ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    return ngettext


class PluginTranslations:
    """gettext functions bound to one plugin's domain; see :func:`plugin_translations`."""

    def __init__(self, plugin: str):
        #: The plugin's entry-point name, e.g. ``school_leave``.
        self.plugin = plugin

    @property
    def domain(self) -> flask_babel.Domain:
        """The plugin's domain in the current application, else the application's own."""
        if has_app_context():
            found = current_app.extensions.get("danwei_domains", {}).get(self.plugin)
            if found is not None:
                return found
        return flask_babel.get_domain()

    def gettext(self, string: str, **variables) -> str:
        return self.domain.gettext(string, **variables)

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> str:
        return self.domain.ngettext(singular, plural, num, **variables)

    def lazy_gettext(self, string: str, **variables) -> LazyString:
        return LazyString(self.gettext, string, **variables)

    def lazy_ngettext(self, singular: str, plural: str, num: int, **variables) -> LazyString:
        return LazyString(self.ngettext, singular, plural, num, **variables)

    def __iter__(self):
        """``gettext, lazy_gettext, ngettext = plugin_translations("notices")``: a plugin's
        ``i18n.py`` is that one line."""
        return iter((self.gettext, self.lazy_gettext, self.ngettext))


def plugin_translations(plugin: str) -> PluginTranslations:
    """The gettext functions of *plugin*'s own domain, bound once in the plugin's package
    (its ``i18n.py``)::

        gettext, lazy_gettext, ngettext = plugin_translations("school_leave")

    ``lazy_ngettext`` is an attribute of the returned object.

    Templates under ``templates/<plugin>/`` need nothing: their ``_()``, ``gettext()``,
    ``ngettext()`` and ``{% trans %}`` are compiled to the plugin's domain.
    """
    return PluginTranslations(plugin)


class PluginInternationalization(ext.InternationalizationExtension):
    """Jinja's i18n extension, compiling the gettext calls of ``<plugin>/…`` templates to
    that plugin's domain.

    Done when the template is compiled, not looked up in the render context, so that a
    plugin page's layout (the core ``base.html`` it extends) keeps core's translations and a
    plugin widget or report section rendered inside a core page keeps the plugin's.
    """

    #: Plugins that have a domain, set by :func:`init_app`.
    plugins: frozenset[str] = frozenset()
    CALLS = {"_": "gettext", "gettext": "gettext", "ngettext": "ngettext"}

    def _plugin(self, template: str | None) -> str | None:
        name, slash, _rest = (template or "").partition("/")
        return name if slash and name in self.plugins else None

    def filter_stream(self, stream):
        """``_(…)``, ``gettext(…)`` and ``ngettext(…)`` in expressions."""
        plugin = self._plugin(stream.name)
        previous = None
        for token in stream:
            if (plugin and token.type == lexer.TOKEN_NAME and token.value in self.CALLS
                    and stream.current.type == lexer.TOKEN_LPAREN
                    and (previous is None or previous.type != lexer.TOKEN_DOT)):
                token = lexer.Token(token.lineno, token.type,
                                    _template_global(plugin, self.CALLS[token.value]))
            previous = token
            yield token

    def parse(self, parser):
        """``{% trans %}`` blocks."""
        parsed = super().parse(parser)
        plugin = self._plugin(parser.name)
        if plugin:
            for node in parsed if isinstance(parsed, list) else [parsed]:
                for call in node.find_all(nodes.Call):
                    if isinstance(call.node, nodes.Name) and call.node.name in self.CALLS:
                        call.node = nodes.Name(
                            _template_global(plugin, self.CALLS[call.node.name]), "load")
        return parsed
