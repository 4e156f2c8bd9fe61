"""The zh_CN catalogues are complete, up to date with the sources, and used by the pages.

Core's catalogue is ``core/translations``; each bundled plugin ``plugins/<name>`` keeps its own
``danwei_<name>`` domain in ``plugins/<name>/danwei_<name>/translations``. ``make messages``
refreshes them all; these tests fail when a string was added without refreshing and
translating, or when a translation lost a ``%(name)s`` placeholder.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _domains():
    """``(id, source folder, translations folder, domain)`` of core and each bundled plugin."""
    yield "core", ROOT, ROOT / "core" / "translations", "messages"
    for folder in sorted((ROOT / "plugins").glob("*")):
        package = f"danwei_{folder.name}"
        translations = folder / package / "translations"
        if (folder / "babel.cfg").is_file() and importlib.util.find_spec(package):
            yield folder.name, folder, translations, package


DOMAINS = list(_domains())
IDS = [d[0] for d in DOMAINS]


def _catalogue(translations: Path, domain: str):
    path = translations / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
    assert path.is_file(), f"{path} is missing: run `make messages`"
    with path.open("rb") as f:
        return read_po(f, locale="zh_CN")


def _extracted(source: Path) -> set[str]:
    """Every msgid found in *source* by its ``babel.cfg``, as ``pybabel extract`` would."""
    with (source / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)

    def keep(dirpath: str) -> bool:
        name = Path(dirpath).name
        return not (name.startswith((".", "_")) or name in ("node_modules", "plugins"))

    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(source), method_map, options_map, keywords=KEYWORDS, directory_filter=keep,
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        if msgid:
            found.add(msgid)
    return found


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.parametrize(("name", "source", "translations", "domain"), DOMAINS, ids=IDS)
def test_every_msgid_translated(name, source, translations, domain):
    catalogue = _catalogue(translations, domain)
    assert catalogue.num_plurals == 1
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{name}: untranslated msgids: {untranslated}"
    assert not fuzzy, f"{name}: fuzzy entries: {fuzzy}"


@pytest.mark.parametrize(("name", "source", "translations", "domain"), DOMAINS, ids=IDS)
def test_catalogue_up_to_date(name, source, translations, domain):
    catalogue = _catalogue(translations, domain)
    extracted = _extracted(source)
    assert len(extracted) > 20, f"{name}: extraction found almost nothing"
    missing = sorted(m for m in extracted if m not in catalogue)
    assert not missing, f"{name}: msgids missing from the catalogue (run `make messages`): " \
                        f"{missing}"


@pytest.mark.parametrize(("name", "source", "translations", "domain"), DOMAINS, ids=IDS)
def test_placeholders_kept(name, source, translations, domain):
    catalogue = _catalogue(translations, domain)
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        if message.pluralizable:
            expected = _placeholders(message.id[-1])
            strings = message.string
        else:
            expected = _placeholders(message.id)
            strings = (message.string,)
        wrong += [(message.id, s) for s in strings if s and _placeholders(s) != expected]
    assert not wrong, f"{name}: placeholders differ: {wrong}"


def test_placeholder_check_can_fail():
    assert _placeholders("已保存 %(unit)s 的 %(n)d 项") != _placeholders("Saved %(n)d in %(units)s")
    assert _placeholders("完成度 %(pct)s%%。") == _placeholders("Completeness %(pct)s%%.")


# -- the pages ----------------------------------------------------------------------------------


@pytest.fixture
def compiled(tmp_path, monkeypatch):
    """Compile every catalogue the app loads, into place, when its .mo is older than its .po."""
    for _name, _source, translations, domain in DOMAINS:
        po = translations / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalogue = _catalogue(translations, domain)
            scratch = tmp_path / f"{domain}.mo"
            with scratch.open("wb") as f:
                write_mo(f, catalogue)
            scratch.replace(mo)


def test_pages_in_chinese_then_english(compiled, make_app, create_unit, create_user):
    app = make_app(DEFAULT_LOCALE="zh_CN")
    client = app.test_client()
    with app.app_context():
        unit = create_unit("i18n-school", "第一中学")
        create_user("i18nuser", unit=unit, name="王老师")

    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "Log in" not in page
    assert "用户名" in page and "密码" in page

    response = client.post("/login", data={"username": "i18nuser", "password": "x" * 3})
    assert "用户名或密码错误" in response.get_data(as_text=True)

    from core.testing import TEST_PASSWORD

    response = client.post("/login", data={"username": "i18nuser", "password": TEST_PASSWORD})
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "首页" in home and "退出登录" in home
    assert ">Home<" not in home and "Log out" not in home

    response = client.post("/language/en", data={"next": "/"})
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Log out" in home and "退出登录" not in home

    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and "登录" not in page.replace("简体中文", "")
