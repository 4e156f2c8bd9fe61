"""The home page: dashboard widgets of the plugins enabled in the current unit.

A widget renders its own HTML; :func:`chart_widget` makes one that shows a single chart.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, render_template, request, session
from flask_login import current_user
from markupsafe import Markup

from . import access
from .access import login_required_only
from .args import arg_int
from .auth import safe_next
from .declarations import Widget
from .extensions import db
from .plugins import plugin_host
from .reports import Chart, render_chart

bp = Blueprint("home", __name__)


def render_widgets(user, unit) -> list[dict]:
    """Render each widget on its own; a failing one becomes an error card."""
    if unit is None:
        return []
    host = plugin_host()
    enabled = {"core"} | access.enabled_plugins(unit)
    cards = []
    widgets = host.collect("dashboard_widgets", only=enabled, user=user, unit=unit)
    for plugin, widget in sorted(widgets, key=lambda pw: (pw[1].order, str(pw[1].title))):
        if widget.permission and not access.can(widget.permission, unit, user):
            continue
        body = host.isolated(plugin, f"widget {widget.id}", widget.render, db.session.rollback)
        cards.append({"widget": widget, "plugin": plugin, "body": Markup(body or ""),
                      "failed": body is None})
    return cards


def chart_widget(id: str, title: str, chart: Callable[[], Chart], permission: str | None = None,
                 order: int = 100, width: int = 6) -> Widget:
    """A dashboard card showing the :class:`~core.api.Chart` that *chart()* returns.

    *chart* is called when the card renders, so a failing query only replaces this card. The
    card's title stands for the chart's.
    """
    return Widget(id=id, title=title, render=lambda: render_chart(chart(), caption=False),
                  permission=permission, order=order, width=width)


@bp.route("/")
@login_required_only
def index():
    """Dashboard of the current unit."""
    return render_template("home/index.html", cards=render_widgets(current_user, g.unit))


@bp.route("/unit", methods=["POST"])
@login_required_only
def switch_unit():
    """Work in another of one's units."""
    wanted = arg_int("unit_id", args=request.form)
    if wanted not in {u.id for u in g.units}:
        abort(404)
    session["unit_id"] = wanted
    return redirect(safe_next(request.form.get("next")))
