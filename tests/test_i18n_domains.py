"""Each plugin translates its own strings from its own catalogue (style.md §8).

A plugin may translate a word core also uses differently: school_leave's "Back" is 返校 (the
student came back to school), core's is 返回 (go back). Before plugins had their own domains,
one merged catalogue served everyone and core's translation won everywhere.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from core.api import gettext as core_gettext
from core.api import plugin_translations
from core.testing import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CORE_PO = ROOT / "core/translations/zh_CN/LC_MESSAGES/messages.po"


@pytest.fixture
def compiled(tmp_path):
    """Compile the bundled catalogues into place when a .mo is older than its .po (as
    ``test_translations.py`` does: the .mo files are build products)."""
    for po in [CORE_PO, *ROOT.glob("plugins/*/danwei_*/translations/zh_CN/LC_MESSAGES/*.po")]:
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as f:
                catalogue = read_po(f, locale="zh_CN")
            scratch = tmp_path / mo.name
            with scratch.open("wb") as f:
                write_mo(f, catalogue)
            scratch.replace(mo)


def _po(path) -> dict:
    with open(path, "rb") as f:
        return {m.id: m.string for m in read_po(f, locale="zh_CN") if m.id and m.string}


def _differing(info) -> dict:
    """msgid → the plugin's translation, where the plugin's catalogue differs from core's."""
    own = info.package_dir / "translations/zh_CN/LC_MESSAGES" / f"danwei_{info.name}.po"
    if not own.is_file():  # installed with its compiled catalogue only
        return {}
    core = _po(CORE_PO)
    return {k: v for k, v in _po(own).items() if k in core and core[k] != v}


# -- every installed plugin -------------------------------------------------------------------


def test_plugin_domains_win_for_the_plugins_own_strings(compiled, app):
    host = app.extensions["danwei"]
    checked = {}
    for name, info in host.plugins.items():
        if not (info.package_dir and (info.package_dir / "translations").is_dir()):
            continue
        differing = _differing(info)
        checked[name] = set(differing)
        core = _po(CORE_PO)
        page = app.jinja_env.template_class.from_code(
            app.jinja_env,
            app.jinja_env.compile("{{ _(m) }}|{% trans %}{{ m }}{% endtrans %}",
                                  name=f"{name}/probe.html"),
            app.jinja_env.make_globals(None),
        )
        bound = plugin_translations(name)
        with app.test_request_context(), force_locale("zh_CN"):
            for msgid, own in differing.items():
                assert bound.gettext(msgid) == own, (name, msgid)
                assert str(bound.lazy_gettext(msgid)) == own, (name, msgid)
                assert core_gettext(msgid) == core[msgid], (name, msgid)
                assert page.render(m=msgid).split("|")[0] == own, (name, msgid)
    # the words that made this necessary
    assert {"Back", "Name"} <= checked["school_leave"]


# -- school_leave over HTTP ------------------------------------------------------------------


@pytest.fixture
def school(compiled, app, db, create_unit, create_user):
    from danwei_school_leave.testing import make_school

    from core import units

    return make_school(app, db, create_unit, create_user,
                       lambda unit: units.set_plugin_state("school_leave", unit, True),
                       TEST_PASSWORD, prefix="i18n")


def _in_chinese(school, who):
    client = school.client(who)
    assert client.post("/language/zh_CN", data={"next": "/"}).status_code == 302
    return client


def test_school_leave_back_is_fanxiao_while_core_back_stays_fanhui(school):
    from danwei_school_leave.testing import local_now

    school.earlier_call(hours=13)
    start = local_now() - timedelta(minutes=10)
    leave = school.sign_all(school.file(start=start, end=start + timedelta(hours=3),
                                        leaving=True))
    token = school.slip_token(leave)
    school.client("guard").post(f"/school_leave/check/{token}/exit")
    school.client("guard").post(f"/school_leave/check/{token}/return")
    assert school.leave(leave.id).returned_at is not None

    teacher = _in_chinese(school, "teacher")
    page = teacher.get(f"/school_leave/leave/{leave.id}").text
    # the label of the return time (template) and the state badge (Python, lazy gettext)
    assert re.search(r"<dt[^>]*>返校</dt>\s*<dd[^>]*data-testid=\"returned\"", page), page
    assert "返回" not in page
    students = teacher.get("/school_leave/students").text
    assert "<th>姓名</th>" in students and "名称" not in students
    assert "退出登录" in page  # core's layout around the plugin's page keeps core's words

    # core's "Back", on core's print page of a school_leave report: 返回
    principal = _in_chinese(school, "principal")
    month = local_now().strftime("%Y-%m")
    printed = principal.get(f"/reports/school_leave.by_unit/print?period={month}"
                            f"&unit={school.units['s'].id}")
    assert printed.status_code == 200
    assert re.search(r">\s*返回\s*</a>", printed.text), printed.text
    assert "返校" not in printed.text.split("</nav>")[0]


# -- the mechanism, with a plugin of its own --------------------------------------------------

WORDS_PLUGIN = """
from flask import Blueprint, flash, render_template

from core.api import Widget, hookimpl, login_required_only, plugin_translations

translations = plugin_translations("pl_words")
gettext, _l, ngettext = translations.gettext, translations.lazy_gettext, translations.ngettext

DANWEI_LABEL = _l("Words")
TITLE = _l("Back")

bp = Blueprint("pl_words", __name__, template_folder="templates")


@bp.route("/")
@login_required_only
def index():
    flash(gettext("Name"), "info")
    return render_template("pl_words/page.html", title=TITLE,
                           days=ngettext("%(num)d day", "%(num)d days", 3))


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def dashboard_widgets():
    return [Widget("words", _l("Back"), lambda: render_template("pl_words/widget.html"))]
"""

PAGE = """{% extends "base.html" %}
{% block content %}
<p id="expr">{{ _('Back') }}</p><p id="trans">{% trans %}Name{% endtrans %}</p>
<p id="plural">{% trans count=2 %}{{ count }} day{% pluralize %}{{ count }} days{% endtrans %}</p>
<p id="py">{{ title }}|{{ days }}</p><p id="core-only">{{ _('Log in') }}</p>
<p id="escaped">{{ _('%(who)s is back', who='<b>') }}</p>
{% endblock %}
"""

WIDGET = """<span id="widget">{{ gettext('Back') }}</span>"""

#: The plugin's catalogue: its own words for msgids core translates too ("Log out" is in
#: core's layout, which must keep core's 退出登录 around the plugin's page).
WORDS = {"Words": "词语", "Back": "回校", "Name": "名字", "Log out": "走人",
         "%(who)s is back": "%(who)s 回来了", ("%(num)d day", "%(num)d days"): ("%(num)d 日",),
         ("%(count)s day", "%(count)s days"): ("%(count)s 日",)}


@pytest.fixture
def words_app(compiled, make_plugin, make_app):
    make_plugin("pl_words", WORDS_PLUGIN, files={
        "templates/pl_words/page.html": PAGE, "templates/pl_words/widget.html": WIDGET})
    package = importlib.import_module("danwei_pl_words")
    folder = package.__path__[0] + "/translations/zh_CN/LC_MESSAGES"
    catalog = Catalog(locale="zh_CN", domain="danwei_pl_words")
    for msgid, msgstr in WORDS.items():
        catalog.add(msgid, msgstr)
    import os

    os.makedirs(folder)
    with open(f"{folder}/danwei_pl_words.mo", "wb") as f:
        write_mo(f, catalog)
    return make_app(DEFAULT_LOCALE="zh_CN")


def test_a_plugin_page_widget_and_flash_use_the_plugins_catalogue(words_app, create_unit,
                                                                    create_user):
    from core import units
    from core.extensions import db

    with words_app.app_context():
        unit = create_unit("words-u", "第一中学")
        units.set_plugin_state("pl_words", unit, True)
        create_user("words_user", unit=unit)
        db.session.commit()
    client = words_app.test_client()
    response = client.post("/login", data={"username": "words_user", "password": TEST_PASSWORD})
    assert response.status_code == 302

    page = client.get("/pl_words/").text
    assert '<p id="expr">回校</p>' in page
    assert '<p id="trans">名字</p>' in page  # the flash said it too
    assert page.count("名字") == 2
    assert '<p id="plural">2 日</p>' in page
    assert '<p id="py">回校|3 日</p>' in page
    assert '<p id="core-only">登录</p>' in page  # borrowed from core's catalogue
    assert '<p id="escaped">&lt;b&gt; 回来了</p>' in page
    assert "退出登录" in page and "走人" not in page  # core's layout keeps core's words

    home = client.get("/").text  # a core page with the plugin's widget
    assert '<span id="widget">回校</span>' in home
    assert "回校" in home.replace('<span id="widget">回校</span>', "")  # the widget's title
    assert "退出登录" in home and "走人" not in home

    with words_app.test_request_context(), force_locale("zh_CN"):
        assert core_gettext("Back") == "返回"
        assert core_gettext("Log out") == "退出登录"


# -- plugin labels (DANWEI_LABEL) -------------------------------------------------------------


def test_plugins_are_shown_by_their_label(compiled, app, client, create_unit, create_user, cli):
    unit = create_unit("label-u", "第一中学")
    create_user("label_root", unit=unit, is_superuser=True)
    assert client.post("/login", data={"username": "label_root",
                                       "password": TEST_PASSWORD}).status_code == 302

    section = re.compile(r'<select[^>]*id="plugin"[^>]*>(.*?)</select>', re.S)
    options = section.search(client.get("/inbox/").text).group(1)
    assert '<option value="school_leave">Student leave</option>' in options
    assert '<option value="property_reports">Property monthly plans</option>' in options
    plugins_page = client.get("/admin/plugins").text
    assert "<strong>Student leave</strong>" in plugins_page
    assert "<strong>Property monthly plans</strong>" in plugins_page
    assert '<h1 class="h3">Student leave ' in client.get("/admin/plugins/school_leave").text
    listing = cli("plugins", "list").output
    assert "    label: Student leave" in listing and "    label: Property monthly plans" in listing

    client.post("/language/zh_CN", data={"next": "/"})
    options = section.search(client.get("/inbox/").text).group(1)
    assert '<option value="school_leave">学生请假</option>' in options
    assert '<option value="property_reports">物业月度计划与总结</option>' in options
    assert "<strong>学生请假</strong>" in client.get("/admin/plugins").text


def test_a_plugin_without_a_label_is_shown_by_its_name(make_plugin, make_app):
    make_plugin("pl_unlabelled", "")
    app = make_app()
    host = app.extensions["danwei"]
    assert host.label("pl_unlabelled") == "pl_unlabelled"
    assert host.label("not_installed") == "not_installed"
