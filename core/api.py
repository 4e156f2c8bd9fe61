"""The public API of Danwei's core: everything a plugin may import.

Plugins import from here and from :mod:`core.hookspecs` only; an import-linter contract in the
test suite enforces it. Names here are stable within a major contract version.
"""

from flask import g

from .access import (
    can,
    can_anywhere,
    enabled_unit_ids,
    is_enabled,
    login_required_only,
    permission_required,
    public,
    require,
    unit_ids_where,
)
from .audit import record as audit
from .declarations import (
    DemoAccount,
    DomainEvent,
    MenuItem,
    Permission,
    RoleSpec,
    SettingSpec,
    Widget,
)
from .demo import Demo
from .extensions import db
from .hookspecs import CONTRACT_VERSION, hookimpl
from .i18n import gettext, lazy_gettext, ngettext
from .schema import run_env as run_migrations
from .models import AuditEvent, Unit, User, utcnow
from .roles import assign as assign_role
from .settings import get_setting, set_setting
from .units import create_unit, subtree
from .users import create_user

__all__ = [
    "CONTRACT_VERSION",
    "AuditEvent",
    "Demo",
    "DemoAccount",
    "DomainEvent",
    "MenuItem",
    "Permission",
    "RoleSpec",
    "SettingSpec",
    "Unit",
    "User",
    "Widget",
    "assign_role",
    "audit",
    "can",
    "can_anywhere",
    "create_unit",
    "create_user",
    "current_unit",
    "db",
    "enabled_unit_ids",
    "get_setting",
    "gettext",
    "hookimpl",
    "is_enabled",
    "lazy_gettext",
    "login_required_only",
    "ngettext",
    "permission_required",
    "public",
    "require",
    "run_migrations",
    "set_setting",
    "subtree",
    "unit_ids_where",
    "utcnow",
]


def current_unit() -> Unit | None:
    """The unit the logged-in user is working in (chosen in the navigation bar)."""
    return g.get("unit")


# -- notifications, jobs, deadlines, calendar (core services) ---------------------------------

from .jobs import Deadline, Job, daily, every, monthly, weekly  # noqa: E402
from .jobs import deadline as get_deadline  # noqa: E402
from .notifications import notify  # noqa: E402
from .workdays import (  # noqa: E402
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

__all__ += [
    "Deadline",
    "Job",
    "add_working_days",
    "daily",
    "every",
    "get_deadline",
    "is_working_day",
    "monthly",
    "next_working_day",
    "notify",
    "weekly",
    "working_days_between",
]

from .attachments import (  # noqa: E402
    Attachment,
    AttachmentKind,
    AttachmentRejected,
    attachments_of,
    delete_attachment,
    save_attachment,
)
from .attachments import may_view as may_view_attachment  # noqa: E402
from .attachments.forms import AttachmentField, MultipleAttachmentField  # noqa: E402

__all__ += [
    "Attachment",
    "AttachmentField",
    "AttachmentKind",
    "AttachmentRejected",
    "MultipleAttachmentField",
    "attachments_of",
    "delete_attachment",
    "may_view_attachment",
    "save_attachment",
]

# -- reports and dashboards --
from .home import chart_widget
from .reports import (
    Chart,
    DataColumn,
    DataTable,
    Note,
    Period,
    Report,
    ReportContext,
    ReportFilter,
    ReportSection,
    Series,
    render_chart,
)

__all__ += [
    "Chart",
    "DataColumn",
    "DataTable",
    "Note",
    "Period",
    "Report",
    "ReportContext",
    "ReportFilter",
    "ReportSection",
    "Series",
    "chart_widget",
    "render_chart",
]

# -- workflow engine and inbox --
from .workflow.definitions import (  # noqa: E402
    ALL,
    ANY,
    Condition,
    FormField,
    RoleApprover,
    Route,
    Step,
    UserApprover,
    WorkflowDefinition,
    WorkflowEvent,
)
from .workflow.engine import WorkflowConflict, WorkflowError, workflow_for  # noqa: E402
from .workflow.engine import can_view as can_view_workflow  # noqa: E402
from .workflow.engine import preview as preview_workflow  # noqa: E402
from .workflow.engine import resubmit as resubmit_workflow  # noqa: E402
from .workflow.engine import start as start_workflow  # noqa: E402
from .workflow.engine import withdraw as withdraw_workflow  # noqa: E402
from .workflow.models import WorkflowInstance  # noqa: E402
from .workflow.views import workflow_panel  # noqa: E402

__all__ += [
    "ALL",
    "ANY",
    "Condition",
    "FormField",
    "RoleApprover",
    "Route",
    "Step",
    "UserApprover",
    "WorkflowConflict",
    "WorkflowDefinition",
    "WorkflowError",
    "WorkflowEvent",
    "WorkflowInstance",
    "can_view_workflow",
    "preview_workflow",
    "resubmit_workflow",
    "start_workflow",
    "withdraw_workflow",
    "workflow_for",
    "workflow_panel",
]

# -- for plugins (school_leave) --
from .workflow.engine import approve as approve_workflow  # noqa: E402
from .workflow.engine import is_participant as is_workflow_participant  # noqa: E402
from .workflow.engine import pending_assignments as pending_workflow_assignments  # noqa: E402
from .workflow.engine import reject as reject_workflow  # noqa: E402
from .workflow.engine import resolve as resolve_approvers  # noqa: E402
from .workflow.engine import send_back as send_back_workflow  # noqa: E402
from .workflow.engine import waiting_query as workflow_waiting_query  # noqa: E402

__all__ += [
    "approve_workflow",
    "is_workflow_participant",
    "pending_workflow_assignments",
    "reject_workflow",
    "resolve_approvers",
    "send_back_workflow",
    "workflow_waiting_query",
]
