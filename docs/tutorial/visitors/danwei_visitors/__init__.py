"""Visitor registration (访客登记): the plugin built step by step in ``docs/tutorial.md``."""

from datetime import datetime, time, timedelta

from flask import render_template

from core.api import (DemoAccount, MenuItem, Permission, RoleSpec, Unit, Widget, db, hookimpl,
                      local_today, to_utc, unit_ids_where, utcnow)

from .i18n import lazy_gettext as _l
from .models import VisitorsVisit
from .views import bp

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.1,<2"
#: What people read for the plugin (admin plugins page, ``danwei plugins list``).
DANWEI_LABEL = _l("Visitors")
#: For each tuple of integer URL arguments: SQL selecting those ids for objects of ``:units``.
DANWEI_URL_ARGS = {
    ("visit_id",): "SELECT id FROM visitors_visits WHERE unit_id IN :units",
}


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [
        Permission("visitors.view", _l("See the visitor register")),
        Permission("visitors.register", _l("Register visitors and sign them out")),
    ]


@hookimpl
def register_roles():
    return [
        RoleSpec("visitors.reader", _l("Visitor register reader"), ("visitors.view",)),
        RoleSpec("visitors.guard", _l("Gate guard"), ("visitors.view", "visitors.register")),
    ]


@hookimpl
def menu_items():
    # icon: a Bootstrap Icons name without "bi-" (https://icons.getbootstrap.com).
    return [MenuItem(_l("Visitors"), "visitors.index", "visitors.view", icon="person-badge",
                     order=160)]


@hookimpl
def dashboard_widgets(unit):
    def today():
        """Visitors expected today in the unit's subtree, among those the user may see."""
        start = to_utc(datetime.combine(local_today(), time()))
        visits = db.session.scalars(
            db.select(VisitorsVisit)
            .join(Unit, Unit.id == VisitorsVisit.unit_id)
            .where(Unit.is_within(unit),
                   VisitorsVisit.unit_id.in_(unit_ids_where("visitors.view")),
                   VisitorsVisit.expected_at >= start,
                   VisitorsVisit.expected_at < start + timedelta(days=1))
            .order_by(VisitorsVisit.expected_at, VisitorsVisit.id)
        ).all()
        return render_template("visitors/_widget.html", visits=visits)

    return [Widget("today", _l("Visitors today"), today, permission="visitors.view")]


@hookimpl
def demo_data(demo):
    root = demo.unit("demo", "演示单位", "organisation")
    school = demo.unit("demo-school", "演示中学", "school", root)  # the bundled demo school
    demo.enable("visitors", school)
    guard = demo.user("visitors_guard", "门卫老张", school,
                      roles_in=(("visitors.guard", school),))
    if not db.session.scalar(db.select(VisitorsVisit.id)
                             .where(VisitorsVisit.unit_id == school.id)):
        db.session.add(VisitorsVisit(unit_id=school.id, name="李女士", company="教育局",
                                     purpose="meeting", host="校长办公室", expected_at=utcnow(),
                                     registered_by_id=guard.id))
    return [DemoAccount(guard.username, demo.password, "Gate guard / 门卫", school.name)]
