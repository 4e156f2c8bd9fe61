"""The public API of Danwei's core: everything a plugin may import.

Plugins import from here and from :mod:`core.hookspecs` only; an import-linter contract in the
test suite enforces it. Names here are stable within a major contract version. They are grouped
as the documentation (``docs/guide.md``) presents them.
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
from .args import MAX_ID, arg_int, arg_ints
from .attachments import (
    Attachment,
    AttachmentKind,
    AttachmentRejected,
    attachments_of,
    delete_attachment,
    save_attachment,
)
from .attachments import may_view as may_view_attachment
from .attachments.forms import AttachmentField, MultipleAttachmentField
from .audit import record as audit
from .cache import bump, forget, remember, request_cache, user_topics
from .declarations import (
    DemoAccount,
    DomainEvent,
    MenuItem,
    Permission,
    RoleSpec,
    SettingSpec,
    UnitData,
    Widget,
)
from .demo import Demo
from .extensions import db
from .forms import DateField, DateTimeField, DateTimeLocalField, MonthField
from .holders import holders, permission_holders
from .home import chart_widget
from .hookspecs import CONTRACT_VERSION, hookimpl
from .i18n import gettext, lazy_gettext, ngettext, plugin_translations
from .jobs import Deadline, Job, daily, every, monthly, weekly
from .jobs import deadline as get_deadline
from .localtime import local_date, local_now, local_today, local_zone, to_local, to_utc
from .models import AuditEvent, Unit, User, utcnow
from .notifications import contact_channels, notify, notify_contact
from .pagination import page_size, paginate
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
from .roles import assign as assign_role
from .schema import run_env as run_migrations
from .settings import get_setting, set_setting
from .tasks import Cancelled as TaskCancelled
from .tasks import Task, TaskContext, progress_url, start_task
from .units import create_unit, subtree
from .users import create_user
from .workdays import add_working_days, is_working_day, next_working_day, working_days_between
from .workflow.actions import approve as approve_workflow
from .workflow.actions import reject as reject_workflow
from .workflow.actions import resubmit as resubmit_workflow
from .workflow.actions import send_back as send_back_workflow
from .workflow.actions import start as start_workflow
from .workflow.actions import withdraw as withdraw_workflow
from .workflow.approvers import resolve as resolve_approvers
from .workflow.checks import check_package as check_workflow_literals
from .workflow.definitions import (
    ALL,
    ANY,
    Condition,
    FieldApprover,
    FormField,
    RoleApprover,
    Route,
    Step,
    UserApprover,
    WorkflowDefinition,
    WorkflowEvent,
)
from .workflow.messages import WorkflowConflict, WorkflowError
from .workflow.models import WorkflowInstance
from .workflow.panel import workflow_panel
from .workflow.queries import can_view as can_view_workflow
from .workflow.queries import is_participant as is_workflow_participant
from .workflow.queries import pending_assignments as pending_workflow_assignments
from .workflow.queries import waiting_query as workflow_waiting_query
from .workflow.queries import workflow_for
from .workflow.registry import preview as preview_workflow
from .workflow.states import AssignmentState, EventAction, RequestState, StepState


def current_unit() -> Unit | None:
    """The unit the logged-in user is working in (chosen in the navigation bar)."""
    return g.get("unit")


__all__ = [
    # the contract and declarations
    "CONTRACT_VERSION",
    "DemoAccount",
    "DomainEvent",
    "MenuItem",
    "Permission",
    "RoleSpec",
    "SettingSpec",
    "UnitData",
    "Widget",
    "hookimpl",
    # data, people and units
    "AuditEvent",
    "Demo",
    "Unit",
    "User",
    "assign_role",
    "create_unit",
    "create_user",
    "current_unit",
    "db",
    "run_migrations",
    "subtree",
    "utcnow",
    # access
    "can",
    "can_anywhere",
    "enabled_unit_ids",
    "is_enabled",
    "login_required_only",
    "permission_required",
    "public",
    "require",
    "unit_ids_where",
    # query parameters
    "MAX_ID",
    "arg_int",
    "arg_ints",
    # audit, settings, language
    "audit",
    "get_setting",
    "gettext",
    "lazy_gettext",
    "ngettext",
    "plugin_translations",
    "set_setting",
    # notifications, jobs, deadlines, calendar
    "Deadline",
    "Job",
    "add_working_days",
    "contact_channels",
    "daily",
    "every",
    "get_deadline",
    "is_working_day",
    "monthly",
    "next_working_day",
    "notify",
    "notify_contact",
    "weekly",
    "working_days_between",
    # form fields (bounded dates: use these, never WTForms' own)
    "DateField",
    "DateTimeField",
    "DateTimeLocalField",
    "MonthField",
    # background tasks
    "Task",
    "TaskCancelled",
    "TaskContext",
    "progress_url",
    "start_task",
    # attachments
    "Attachment",
    "AttachmentField",
    "AttachmentKind",
    "AttachmentRejected",
    "MultipleAttachmentField",
    "attachments_of",
    "delete_attachment",
    "may_view_attachment",
    "save_attachment",
    # reports and dashboards
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
    # workflow engine and inbox
    "ALL",
    "ANY",
    "AssignmentState",
    "Condition",
    "EventAction",
    "FieldApprover",
    "FormField",
    "RequestState",
    "RoleApprover",
    "Route",
    "Step",
    "StepState",
    "UserApprover",
    "WorkflowConflict",
    "WorkflowDefinition",
    "WorkflowError",
    "WorkflowEvent",
    "WorkflowInstance",
    "approve_workflow",
    "can_view_workflow",
    "check_workflow_literals",
    "is_workflow_participant",
    "pending_workflow_assignments",
    "preview_workflow",
    "reject_workflow",
    "resolve_approvers",
    "resubmit_workflow",
    "send_back_workflow",
    "start_workflow",
    "withdraw_workflow",
    "workflow_for",
    "workflow_panel",
    "workflow_waiting_query",
    # -- contract 1.1: one mechanism, owned by core (issue 11) --
    # local time
    "local_date",
    "local_now",
    "local_today",
    "local_zone",
    "to_local",
    "to_utc",
    # request cache
    "forget",
    "request_cache",
    # lists and people
    "holders",
    "page_size",
    "paginate",
    "permission_holders",
    # -- the cache across requests (issue 14) --
    "bump",
    "remember",
    "user_topics",
]
