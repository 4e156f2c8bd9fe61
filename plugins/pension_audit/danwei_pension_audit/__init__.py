"""Rural pension audit (新农保稽核): the twelve-item checklist of 篇五, with the arithmetic re-done.

The audit section of a county social-insurance agency audits its township service stations.
An engagement (:mod:`.models`) holds the checklist answers, the fund's data imported from CSV
or XLSX (:mod:`.imports`), the findings that the checks (:mod:`.checks`) compute from that data
for every member, the samples for the items that cannot be computed (:mod:`.sampling`) and the
rectification of each finding (:mod:`.rectification`). This module declares what the plugin
brings and wires it into core through hooks.
"""

from core.api import MenuItem, Permission, RoleSpec, hookimpl

from .i18n import lazy_gettext as _l

#: Hook contract versions this plugin supports.
DANWEI_CONTRACT = ">=1.1,<2"
#: What people read for the plugin (admin plugins page, ``danwei plugins list``).
DANWEI_LABEL = _l("Pension audit")

PLUGIN = "pension_audit"

#: How core's authorization matrix finds, for each URL argument of this plugin's routes, the
#: objects of a set of units (``:units``): it then checks that nobody outside sees them.
DANWEI_URL_ARGS = {
    ("engagement_id",): "SELECT id FROM pension_audit_engagements WHERE unit_id IN :units",
    ("finding_id",): "SELECT id FROM pension_audit_findings WHERE unit_id IN :units",
    ("engagement_id", "item"):
        "SELECT e.id, a.item FROM pension_audit_engagements e JOIN pension_audit_answers a "
        "ON a.engagement_id = e.id WHERE e.unit_id IN :units",
    ("engagement_id", "import_id"):
        "SELECT i.engagement_id, i.id FROM pension_audit_imports i JOIN "
        "pension_audit_engagements e ON e.id = i.engagement_id WHERE e.unit_id IN :units",
    ("engagement_id", "sample_id"):
        "SELECT s.engagement_id, s.id FROM pension_audit_samples s JOIN "
        "pension_audit_engagements e ON e.id = s.engagement_id WHERE e.unit_id IN :units",
    ("record_id",):
        "SELECT r.id FROM pension_audit_sample_records r JOIN pension_audit_samples s "
        "ON s.id = r.sample_id JOIN pension_audit_engagements e ON e.id = s.engagement_id "
        "WHERE e.unit_id IN :units",
}

PERMISSIONS = {
    "pension_audit.view": _l("See the audits of the units, their checklists and findings"),
    "pension_audit.audit": _l("Run audits: import data, run the checks, answer the checklist, "
                              "sample, accept or return rectifications"),
    "pension_audit.respond": _l("See the audited unit's own findings and reply with evidence"),
}


@hookimpl
def register_permissions():
    return [Permission(name, label) for name, label in PERMISSIONS.items()]


@hookimpl
def register_roles():
    return [
        RoleSpec("pension_audit.auditor", _l("Auditor (稽核员)"),
                 ("pension_audit.view", "pension_audit.audit"),
                 _l("Held in the agency: audits the units below it.")),
        RoleSpec("pension_audit.reader", _l("Audit reader"), ("pension_audit.view",),
                 _l("The agency's leadership: reads audits and reports.")),
        RoleSpec("pension_audit.station", _l("Audited station staff"),
                 ("pension_audit.respond",),
                 _l("Held in a township station: sees and answers its own findings.")),
    ]


@hookimpl
def register_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def menu_items():
    return [
        MenuItem(_l("Pension audit"), "pension_audit.index", "pension_audit.view",
                 icon="clipboard-check", order=150),
        MenuItem(_l("Audit findings"), "pension_audit.my_findings", "pension_audit.respond",
                 icon="exclamation-diamond", order=151),
    ]


@hookimpl
def register_settings():
    from core.api import SettingSpec

    return [
        # 国发〔2009〕32号: the monthly personal-account pension is the balance divided by 139
        # (the divisor for a pension starting at 60).
        SettingSpec("divisor", _l("Divisor of the personal-account pension"), type="int",
                    default=139, min=1, max=300,
                    help=_l("Monthly personal-account pension = balance at retirement ÷ this "
                            "number (139 under 国发〔2009〕32号).")),
        # The age from which the pension is paid (32号: 60).
        SettingSpec("pension_age", _l("Pension age"), type="int", default=60, min=40, max=80),
        # Most regional rules pay from the month after the 60th birthday (次月).
        SettingSpec("first_payment_offset", _l("First payment, months after the birthday "
                                               "month"), type="int", default=1, min=0, max=12,
                    help=_l("1: the pension is paid from the month after the member reaches the "
                            "pension age; 0: from that month itself.")),
        # Computed amounts (interest, pension) may differ from the fund's by rounding.
        SettingSpec("tolerance_fen", _l("Rounding tolerance of computed amounts (fen)"),
                    type="int", default=1, min=0, max=100),
        # Rectification deadline in working days from when a finding is assigned.
        SettingSpec("rectification_days", _l("Working days to rectify a finding"), type="int",
                    default=20, min=1, max=250),
        # Records sampled for an item that cannot be computed.
        SettingSpec("sample_size", _l("Default sample size"), type="int", default=30, min=1,
                    max=1000),
        # Uploads larger than this are refused before they are read.
        SettingSpec("max_upload_mb", _l("Largest import file (MB)"), type="int", default=20,
                    min=1, max=200, scope="global"),
    ]


@hookimpl
def register_tasks():
    from core.api import Task

    from .checks import run_checks_task
    from .imports import run_import

    # Both roll back everything on failure or cancel, so a retry starts from scratch.
    return [Task("pension_audit.import", run_import, _l("Import of audit data")),
            Task("pension_audit.check", run_checks_task, _l("Audit checks"))]


@hookimpl
def register_attachment_kinds():
    from core.api import AttachmentKind

    from .rectification import may_see_evidence

    return [AttachmentKind("pension_audit.evidence", _l("Audit evidence"),
                           types=("image", "pdf", "office"), max_size=20 * 1024 * 1024,
                           can_view=may_see_evidence)]


@hookimpl
def register_jobs():
    from core.api import Job, daily

    from .rectification import escalate_overdue

    return [Job("pension_audit.escalate", escalate_overdue, daily("08:30"),
                _l("Tell the auditors about rectifications past their deadline"))]


@hookimpl
def register_reports():
    from .report import reports

    return reports()


@hookimpl
def register_report_sections():
    from .report import sections

    return sections()


@hookimpl
def dashboard_widgets(unit):
    from .report import widgets

    return widgets(unit)


@hookimpl
def register_unit_data():
    from .data import unit_data

    return unit_data()


@hookimpl
def demo_data(demo):
    from .demo import load

    return load(demo)
