"""The frozen dataclasses that hooks return. Re-exported, documented, from :mod:`core.api`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Permission:
    """Something a role may allow, named ``<plugin>.<action>`` (e.g. ``school_leave.approve``)."""

    name: str
    #: Short label shown to administrators; wrap it in ``lazy_gettext``.
    label: str
    description: str = ""


@dataclass(frozen=True)
class RoleSpec:
    """A role a plugin declares, with the permissions it grants by default.

    Administrators may change a role's permissions afterwards; their change is kept.
    """

    #: ``<plugin>.<role>``, e.g. ``school_leave.class_teacher``.
    name: str
    label: str
    permissions: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class MenuItem:
    """An entry of the navigation bar, shown when the user holds *permission* in the unit.

    *permission* may be a tuple: the entry shows when the user holds any one of them.
    """

    label: str
    endpoint: str
    permission: str | tuple[str, ...] | None = None
    icon: str = ""
    #: Lower numbers come first; core uses 0–99, plugins 100 and up.
    order: int = 100
    url_kwargs: tuple[tuple[str, Any], ...] = ()
    #: A count shown beside the label (unread notifications, items waiting); hidden when 0/None.
    badge: int | None = None


@dataclass(frozen=True)
class Widget:
    """A dashboard card. *render* returns HTML (usually ``render_template(...)``).

    Each widget is rendered on its own: one that raises is replaced by an error card.

    A widget that names what *invalidated_by* is kept across requests per (widget, user, unit,
    language, local date) until one of those cache topics changes (see ``core.api.remember``):
    usually its own plugin's name (any write to the plugin's tables) and ``"workflow"``.
    Changes to roles, units, enabled plugins, settings and the user always count. A widget
    that shows the time of day (who is out *now*) sets *cache_seconds* to how stale it may be.
    None (the default): rendered on every request.
    """

    id: str
    title: str
    render: Any
    permission: str | None = None
    order: int = 100
    #: Bootstrap column width on large screens (1–12).
    width: int = 6
    #: Cache topics whose changes make the card render again; None: never cached.
    invalidated_by: tuple[str, ...] | None = None
    #: Longest the card is kept (default ``CACHE_SAFETY_SECONDS``).
    cache_seconds: int | None = None


@dataclass(frozen=True)
class SettingSpec:
    """A setting with its default. ``scope`` is ``"global"``, ``"unit"`` (per unit, inherited
    down the tree, falling back to the global value) or both, which is the default."""

    key: str
    label: str
    #: One of ``str``, ``text``, ``int``, ``float``, ``bool``, ``choice``, ``time``, ``date``.
    type: str = "str"
    default: Any = None
    help: str = ""
    scope: str = "unit"
    choices: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    #: A password or signing secret: stored sealed with ``DANWEI_SECRETS_KEY``
    #: (:mod:`core.secretbox`), never shown back, never written to the audit log.
    secret: bool = False


@dataclass(frozen=True)
class DemoAccount:
    """A demo login that ``danwei demo`` prints and the README lists."""

    username: str
    password: str
    role: str
    unit: str


@dataclass(frozen=True)
class DomainEvent:
    """A business state change, passed to ``on_domain_event`` after it was audited."""

    action: str
    plugin: str
    subject_type: str | None
    subject_id: str | None
    unit_id: int | None
    actor_id: int | None
    summary: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class UnitData:
    """Rows of one of a plugin's tables that belong to a unit, for export and purge.

    Returned by ``register_unit_data``, parents before children: core exports the rows in that
    order and deletes them in the reverse one. Core also removes what points at a purged row:
    its workflow requests (and their notifications), its attachments, and the summaries of the
    audit events about it.
    """

    #: The SQLAlchemy model; its rows have an ``id``.
    model: Any
    #: ``units -> SQL condition`` choosing the rows, where *units* is a select of the ids of
    #: the purged unit's subtree. By default the row's ``unit_id`` is one of them; a child row
    #: says so through its parent, e.g. ``lambda units: Item.plan_id.in_(select(Plan.id)
    #: .where(Plan.unit_id.in_(units)))``.
    where: Any = None
    #: Columns pointing at these rows (of this table or another): set to NULL before the rows
    #: go, so that a row kept elsewhere loses the link and not its existence.
    detach: tuple = ()
    #: ``id -> path`` of a row's page: notifications leading there are removed with the row.
    #: Requests' pages, and subjects' pages named by a workflow's ``subject_url``, need none.
    url: Any = None
