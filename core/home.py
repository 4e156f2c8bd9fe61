"""The home page: dashboard widgets of the plugins enabled in the current unit.

A widget renders its own HTML; :func:`chart_widget` makes one that shows a single chart.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from . import access, cache
from .access import login_required_only
from .args import arg_int
from .auth import safe_next
from .declarations import Widget
from .extensions import db
from .localtime import local_today
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
        body = _render(plugin, widget, user, unit)
        cards.append({"widget": widget, "plugin": plugin, "body": Markup(body or ""),
                      "failed": body is None})
    return cards


def _render(plugin: str, widget: Widget, user, unit) -> str | None:
    """The widget's HTML (None if it failed), from the cache when it declares its topics."""
    host = plugin_host()

    def render() -> str | None:
        body = host.isolated(plugin, f"widget {widget.id}", widget.render, db.session.rollback)
        return None if body is None else str(body)

    if widget.invalidated_by is None:
        return render()
    key = ("widget", plugin, widget.id, user.id, unit.id, str(get_locale()),
           local_today().isoformat())
    topics = (*cache.user_topics(user.id), *widget.invalidated_by)
    # A failure (None) is not kept: the next request tries again.
    return cache.remember(key, topics, render, timeout=widget.cache_seconds)


def chart_widget(id: str, title: str, chart: Callable[[], Chart], permission: str | None = None,
                 order: int = 100, width: int = 6,
                 invalidated_by: tuple[str, ...] | None = None,
                 cache_seconds: int | None = None) -> Widget:
    """A dashboard card showing the :class:`~core.api.Chart` that *chart()* returns.

    *chart* is called when the card renders, so a failing query only replaces this card. The
    card's title stands for the chart's. *invalidated_by* and *cache_seconds*: as
    :class:`~core.api.Widget`'s.
    """
    return Widget(id=id, title=title, render=lambda: render_chart(chart(), caption=False),
                  permission=permission, order=order, width=width,
                  invalidated_by=invalidated_by, cache_seconds=cache_seconds)


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
