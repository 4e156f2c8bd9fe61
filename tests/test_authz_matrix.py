"""Authorization matrix: every route, every demo role, ids from a unit the role does not belong to.

The world is the demo data of every installed plugin, loaded twice: the first copy is renamed
(codes ``xf-…``, user names ``xf_…``, display names ``Foreign …``) and becomes the *foreign*
organisation, the second copy is the role holders' own. Routes come from ``app.url_map``, so a
route added later by core or by any plugin is covered without touching this file; a URL
argument this file does not know fails the run (add it to ``UNIT_SCOPED`` or ``GLOBAL``). A
plugin's own arguments are not listed here: each plugin declares them in ``DANWEI_URL_ARGS``
(``core.testing_kit``), so a new plugin never needs an edit of this file.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import bindparam, select, text, update
from werkzeug.routing import IntegerConverter

from core.access import PUBLIC, declared_access, is_static_endpoint

FOREIGN = "Foreign "
DEMO_PASSWORD = "danwei2026"

#: Core's integer arguments naming an object that lives in a unit. Key: the argument names a
#: rule takes (in this order); value: SQL selecting those ids for objects in the units
#: ``:units``. The plugins' declarations (``DANWEI_URL_ARGS``) are added by a fixture.
UNIT_SCOPED = {
    ("unit_id",): "SELECT id FROM units WHERE id IN :units",
    ("user_id",): "SELECT id FROM users WHERE unit_id IN :units",
    ("assignment_id",): "SELECT id FROM role_assignments WHERE unit_id IN :units",
    ("instance_id",): "SELECT id FROM workflow_instances WHERE unit_id IN :units",
    ("attachment_id",): "SELECT id FROM attachments WHERE unit_id IN :units",
    ("note_id",): "SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id "
                  "WHERE u.unit_id IN :units",
    ("delivery_id",): "SELECT d.id FROM notification_deliveries d "
                      "JOIN notifications n ON n.id = d.notification_id "
                      "JOIN users u ON u.id = n.user_id WHERE u.unit_id IN :units",
    ("run_id",): "SELECT t.id FROM task_runs t JOIN users u ON u.id = t.user_id "
                 "WHERE u.unit_id IN :units",
}

#: Arguments that name nothing unit-bound (roles, holidays, plugins, formats…): one value each.
GLOBAL = {
    "role_id": lambda w: w.scalar("SELECT min(id) FROM roles"),
    "holiday_id": lambda w: w.scalar("SELECT min(id) FROM holidays") or 1,
    "name": lambda w: "school_leave",
    "plugin": lambda w: "school_leave",
    "key": lambda w: "x",
    "report_id": lambda w: w.report_id,
    "fmt": lambda w: "csv",
    "code": lambda w: "en",
    "filename": lambda w: "x.js",
    "event": lambda w: "exit",
    "token": lambda w: "x" * 20,
}

#: Endpoints an anonymous visitor may open. A new public endpoint must be added here on purpose.
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "reports.chartjs",
                    "health.healthz", "health.readyz"}  # for the load balancer


class World:
    """Two copies of the demo: ``own`` (what the demo accounts belong to) and ``foreign``."""

    def __init__(self, app, db):
        from core.demo import load_demo
        from core.models import Unit, User
        from core.reports import registry

        self.app, self.db = app, db
        load_demo()
        db.session.execute(update(Unit).values(code="xf-" + Unit.code, name=FOREIGN + Unit.name))
        db.session.execute(
            update(User).values(username="xf_" + User.username, name=FOREIGN + User.name)
        )
        db.session.commit()
        self.accounts = [account for _, account in load_demo()]
        units = db.session.execute(select(Unit.id, Unit.code, Unit.name)).all()
        self.foreign_units = [u.id for u in units if u.code.startswith("xf-")]
        self.own_units = [u.id for u in units if not u.code.startswith("xf-")]
        self.foreign_names = sorted(
            {u.name for u in units if u.code.startswith("xf-")}
            | set(db.session.scalars(select(User.name).where(User.name.startswith(FOREIGN))))
        )
        self.report_id = sorted(registry.reports())[0]
        self.superusers = set(db.session.scalars(
            select(User.username).where(User.is_superuser.is_(True))
        ))

    def scalar(self, sql):
        return self.db.session.scalar(text(sql))

    def ids(self, names: tuple[str, ...], units: list[int], rule=None) -> dict | None:
        """Argument values for an object of *units* (``None`` if the demo made none); for a
        plugin's *rule*, by that plugin's own declaration when it has one."""
        own = PLUGIN_SCOPED.get(rule.endpoint.split(".")[0], {}) if rule is not None else {}
        sql = own.get(names) or UNIT_SCOPED[names]
        query = text(sql).bindparams(bindparam("units", expanding=True))
        row = self.db.session.execute(query, {"units": units}).first()
        return dict(zip(names, row, strict=True)) if row else None

    def client_for(self, username: str):
        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"demo account {username} cannot log in"
        return client


#: Each plugin's own declarations, by plugin name: two plugins may both name an argument
#: ``item_id``, and each route is filled by its own plugin's SQL.
PLUGIN_SCOPED: dict[str, dict[tuple[str, ...], str]] = {}


@pytest.fixture(autouse=True)
def declared_by_plugins(request, monkeypatch):
    """The URL arguments plugins declare (``DANWEI_URL_ARGS``), so that a new plugin needs no
    edit here."""
    if "app" not in request.fixturenames:
        return
    from core.testing_kit import url_args, url_args_of

    app = request.getfixturevalue("app")
    for key, sql in url_args(app).items():
        if key not in UNIT_SCOPED:
            monkeypatch.setitem(UNIT_SCOPED, key, sql)
    for plugin in app.extensions["danwei"].loaded:
        monkeypatch.setitem(PLUGIN_SCOPED, plugin, url_args_of(app, plugin))


@pytest.fixture
def world(app, db):
    return World(app, db)


def get_rules(app):
    return [
        rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not is_static_endpoint(rule.endpoint)
    ]


def scoped_names(rule) -> tuple[str, ...]:
    """The rule's unit-scoped arguments, in the order of ``UNIT_SCOPED``'s keys."""
    names = {
        name for name, conv in rule._converters.items()
        if isinstance(conv, IntegerConverter) and name not in GLOBAL
    }
    for key in UNIT_SCOPED:
        if set(key) == names:
            return key
    return ()


def build(app, world, rule, scoped: dict | None = None) -> str:
    values = {name: GLOBAL[name](world) for name in rule.arguments if name in GLOBAL}
    values.update(scoped or {})
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="GET")


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


def test_every_route_argument_is_known(app):
    """A new URL argument must be declared here, so that the matrix can fill it."""
    unknown = []
    for rule in app.url_map.iter_rules():
        if is_static_endpoint(rule.endpoint):
            continue
        for name, conv in rule._converters.items():
            if name in GLOBAL:
                continue
            if not isinstance(conv, IntegerConverter):
                unknown.append(f"{rule.rule}: {name}")
            elif not scoped_names(rule):
                unknown.append(f"{rule.rule}: {name}")
    assert not unknown, (
        "URL arguments unknown to tests/test_authz_matrix.py (add them to UNIT_SCOPED or "
        f"GLOBAL): {sorted(set(unknown))}"
    )


def test_anonymous_visitors_are_sent_to_login(app, client):
    public = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if not is_static_endpoint(rule.endpoint)
        and declared_access(app.view_functions[rule.endpoint]) == PUBLIC
    }
    assert public == PUBLIC_ENDPOINTS, "the set of public endpoints changed"
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        if is_static_endpoint(rule.endpoint) or rule.endpoint in public:
            continue
        values = {name: 1 for name in rule.arguments}
        values.update({name: GLOBAL[name](None) for name in rule.arguments
                       if name in GLOBAL and name not in ("role_id", "holiday_id", "report_id")})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = adapter.build(rule.endpoint, values, method=method)
            response = client.open(url, method=method)
            assert is_login_redirect(response), (
                f"anonymous {method} {url} answered {response.status_code}, not a login redirect"
            )
            checked += 1
    assert checked > 50


def test_foreign_ids_are_never_served(app, world):
    """No demo role reaches an object of the foreign organisation through any GET route."""
    rules = [rule for rule in get_rules(app) if scoped_names(rule)]
    foreign = {rule.rule: world.ids(scoped_names(rule), world.foreign_units, rule)
               for rule in rules}
    own = {rule.rule: world.ids(scoped_names(rule), world.own_units, rule) for rule in rules}
    missing = sorted(r for r, ids in foreign.items() if ids is None)
    # The demo has no attachments, deliveries or log entries of every kind: those routes are
    # still requested, with an id that matches nothing, and must not answer 200 or 500.
    served, usernames = [], [a.username for a in world.accounts]
    for username in usernames:
        if username in world.superusers:
            continue  # a superuser has no foreign unit
        client = world.client_for(username)
        for rule in rules:
            ids = foreign[rule.rule] or dict.fromkeys(scoped_names(rule), 10**8)
            response = client.get(build(app, world, rule, ids))
            if response.status_code in (200, 500):
                served.append(f"{username} GET {rule.rule} {ids} → {response.status_code}")
    assert not served, "foreign objects served:\n" + "\n".join(served)
    assert len(missing) < len(rules) / 2, f"the demo leaves too many routes untested: {missing}"

    # The same routes with the role holders' own ids do answer: the ids above are realistic.
    admin = world.client_for(next(u for u in usernames if u in world.superusers))
    reached = [
        rule.rule for rule in rules
        if own[rule.rule] and admin.get(build(app, world, rule, own[rule.rule])).status_code == 200
    ]
    # (Edit pages of approved plans redirect, the demo has no attachment: not all of them.)
    assert len(reached) >= len(rules) / 3, f"only {reached} answered with the demo's own ids"


def test_lists_never_show_the_foreign_unit(app, world):
    """Pages without an object id (lists, boards, reports) show nothing of the other school."""
    rules = [rule for rule in get_rules(app) if not scoped_names(rule)]
    leaks, pages, own_seen = [], 0, 0
    for account in world.accounts:
        if account.username in world.superusers:
            continue
        client = world.client_for(account.username)
        for rule in rules:
            url = build(app, world, rule)
            response = client.get(url)
            assert response.status_code != 500, f"{account.username} GET {url} → 500"
            if response.status_code != 200 or not response.mimetype.startswith("text"):
                continue
            pages += 1
            body = response.get_data(as_text=True)
            own_seen += "朱小明" in body.replace(FOREIGN + "朱小明", "")
            found = [name for name in world.foreign_names if name in body]
            if found:
                leaks.append(f"{account.username} GET {url}: {found[:5]}")
    assert pages > 100
    assert own_seen, "no list showed the own school's student: the check would see nothing"
    assert not leaks, "foreign names shown:\n" + "\n".join(leaks)


def test_the_foreign_world_is_really_there(world, app):
    """Guard against a vacuous matrix: the foreign school has students and leave."""
    assert any("朱小明" in name for name in world.foreign_names)
    assert world.ids(("leave_id",), world.foreign_units)
    assert world.ids(("version_id", "item_id"), world.foreign_units)
    superuser = world.client_for("admin")
    page = superuser.get("/school_leave/students").get_data(as_text=True)
    assert FOREIGN + "朱小明" in page  # the superuser sees both; the roles must not


def test_roles_in_several_units_each_count_only_in_their_unit(app, world):
    """A user who is a cadre in one class and the class teacher of a class of another
    organisation: the parents' numbers, the calls and the leave history of a class follow the
    role held in that class, never a role held elsewhere; lists show only the units where
    the list's permission is held."""
    from danwei_school_leave.models import Contact, Leave

    from core import roles, users
    from core.models import Unit, User

    def unit(code):
        return world.db.session.scalar(select(Unit).where(Unit.code == code))

    own, foreign = unit("demo-g1-c1"), unit("xf-demo-g1-c1")
    multi = users.create_user("multi_role", "Multi Role", DEMO_PASSWORD, own)
    roles.assign(multi, "school_leave.monitor", own)
    roles.assign(multi, "school_leave.student", own)
    roles.assign(multi, "school_leave.class_teacher", foreign)
    world.db.session.commit()
    client = world.client_for("multi_role")

    def student_of(klass):
        return world.db.session.scalar(select(User).where(
            User.unit_id == klass.id, User.username.in_(("sl_student", "xf_sl_student"))))

    def phones(student):
        return [c.phone for c in world.db.session.scalars(
            select(Contact).where(Contact.student_id == student.id))]

    mine, theirs = student_of(own), student_of(foreign)
    assert phones(mine) and phones(theirs)
    # The class where the user is a cadre: the classmate's name, not the parents' numbers.
    page = client.get(f"/school_leave/students/{mine.id}")
    assert page.status_code == 200 and mine.name in page.text
    assert not any(p in page.text for p in phones(mine))
    # The class where the user is the class teacher: everything.
    page = client.get(f"/school_leave/students/{theirs.id}")
    assert page.status_code == 200 and all(p in page.text for p in phones(theirs))
    # The list of leave: the class taught, not the class of the cadre.
    listing = client.get("/school_leave/?status=").text
    own_leave = world.db.session.scalars(select(Leave.id).where(Leave.unit_id == own.id)).all()
    foreign_leave = world.db.session.scalars(
        select(Leave.id).where(Leave.unit_id == foreign.id)).all()
    assert not any(f'data-leave="{i}"' in listing for i in own_leave)
    assert any(f'data-leave="{i}"' in listing for i in foreign_leave)
    # A leave of the cadre's class opens only when it waits for the cadre, and without the
    # parents' numbers; every leave of the taught class opens.
    for leave_id in own_leave:
        response = client.get(f"/school_leave/leave/{leave_id}")
        assert response.status_code in (200, 404)
        assert not any(p in response.text for p in phones(mine)), leave_id
    for leave_id in foreign_leave:
        assert client.get(f"/school_leave/leave/{leave_id}").status_code == 200


# -- administrators across organisations, people with roles in several units -------------------

#: Every route that manages one person, with its methods and form data.
PERSON_ROUTES = [
    ("GET", "/admin/users/{id}", None),
    ("POST", "/admin/users/{id}", {"username": "renamed", "name": "Renamed", "unit": "{unit}"}),
    ("POST", "/admin/users/{id}/active", {"active": "0"}),
    ("POST", "/admin/users/{id}/password", {"password": "Taken0ver!x"}),
    ("POST", "/admin/users/{id}/sessions", {}),
]


def person_routes(app):
    """The routes above, checked against ``app.url_map`` so a new one is not forgotten."""
    found = {rule.rule for rule in app.url_map.iter_rules() if "user_id" in rule.arguments
             and rule.endpoint.startswith("admin.")}
    assert found == {route.replace("{id}", "<int:user_id>") for _, route, _ in PERSON_ROUTES}
    return PERSON_ROUTES


def try_to_manage(client, app, person, unit_id) -> list[str]:
    """Each person route on *person*, with the status it answered."""
    answers = []
    for method, route, data in person_routes(app):
        url = route.format(id=person.id)
        form = {k: v.format(unit=unit_id) for k, v in (data or {}).items()}
        response = client.open(url, method=method, data=form)
        answers.append(f"{method} {url} → {response.status_code}")
    return answers


@pytest.fixture
def two_orgs(world):
    """A school administrator of the own organisation, an administrator of the foreign one,
    someone who administers both, and a teacher of the own school who is also the foreign
    organisation's administrator (their home unit is in the own school)."""
    from core import roles, users
    from core.models import Unit

    db = world.db
    own = db.session.scalar(select(Unit).where(Unit.depth == 0, ~Unit.code.startswith("xf-"))
                            .order_by(Unit.path))
    foreign = db.session.scalar(select(Unit).where(Unit.code == "xf-" + own.code))

    def person(username, home, *held):
        user = users.create_user(username, username, DEMO_PASSWORD, home)
        for unit in held:
            roles.assign(user, "core.unit_admin", unit)
        return user

    made = {
        "own_admin": person("own_admin", own, own),
        "foreign_admin": person("foreign_admin", foreign, foreign),
        "both_admin": person("both_admin", own, own, foreign),
        "double": person("double", own, foreign),
        "plain": person("plain", own),
    }
    db.session.commit()
    return own, foreign, made


def test_an_administrator_manages_only_people_whose_every_role_is_in_scope(app, world, two_orgs):
    """A school administrator could reset the password of a teacher of the school who is the
    other organisation's administrator, log in as them and manage that organisation."""
    own, foreign, made = two_orgs
    double = made["double"]
    for admin in ("own_admin", "foreign_admin"):
        client = world.client_for(admin)
        answers = try_to_manage(client, app, double, own.id)
        assert all(a.endswith("→ 404") for a in answers), f"{admin}: {answers}"
        listing = client.get("/admin/users?state=all&q=double").get_data(as_text=True)
        assert f"/admin/users/{double.id}" not in listing, admin
        search = client.get("/admin/users/search?q=double").get_json()
        assert search == [], admin
    world.db.session.refresh(double)
    assert (double.username, double.active) == ("double", True)

    # Someone whose scope covers every unit where they hold a role may, and so may a superuser.
    for admin in ("both_admin", "admin"):
        client = world.client_for(admin)
        assert client.get(f"/admin/users/{double.id}").status_code == 200, admin
    # A person holding roles only inside the school stays the school administrator's to manage.
    own_admin = world.client_for("own_admin")
    answers = try_to_manage(own_admin, app, made["plain"], own.id)
    assert not any(a.endswith("→ 404") for a in answers), answers


def test_people_with_roles_in_several_units_are_not_reached_through_one_of_them(
        app, world, two_orgs):
    """Every own demo account that holds a role gets a second role in the foreign organisation:
    the own school's administrator may no longer touch any of them."""
    from core import roles
    from core.models import User

    own, foreign, made = two_orgs
    demo = [a.username for a in world.accounts if a.username not in world.superusers]
    people = world.db.session.scalars(select(User).where(User.username.in_(demo))).all()
    for person in people:
        roles.assign(person, "core.auditor", foreign)
    world.db.session.commit()
    client = world.client_for("own_admin")
    reached = [p.username for p in people
               if client.get(f"/admin/users/{p.id}").status_code != 404]
    assert not reached, reached
    assert len(people) > 5
