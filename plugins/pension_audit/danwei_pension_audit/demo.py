"""Demo data: a county social-insurance agency and three township stations, a generated fund
with mistakes of every kind, the checks run, one report issued and being rectified.

The number of members is ``PENSION_AUDIT_DEMO_MEMBERS`` of the configuration (20,000 by
default, split over the townships; 300 when testing, since the authorization matrix loads the
demo twice).
"""

from __future__ import annotations

import random
from datetime import date

from flask import current_app
from sqlalchemy import select

from core.api import DemoAccount, audit, db

from .checks import run_checks
from .generator import Population, load as load_population
from .models import (
    ITEMS,
    PensionAuditAnswer,
    PensionAuditEngagement,
    PensionAuditFinding,
    PensionAuditTeamMember,
)

TOWNSHIPS = (("pa-town1", "城关镇社保所"), ("pa-town2", "河口乡社保所"), ("pa-town3", "柳林镇社保所"))


def members_wanted() -> int:
    default = 300 if current_app.testing else 20000
    return int(current_app.config.get("PENSION_AUDIT_DEMO_MEMBERS", default))


def load(demo):
    root = demo.unit("demo", "演示单位", "organisation")
    county = demo.unit("pa-county", "演示县社会养老保险经办中心", "agency", root)
    towns = [demo.unit(code, name, "station", county) for code, name in TOWNSHIPS]
    demo.enable("pension_audit", county)
    auditor = demo.user("pa_auditor", "稽核科 郑审", county,
                        roles_in=(("pension_audit.auditor", county),))
    verifier = demo.user("pa_verifier", "稽核科 钱复", county,
                         roles_in=(("pension_audit.auditor", county),))
    leader = demo.user("pa_leader", "中心主任 孙领", county,
                       roles_in=(("pension_audit.reader", county),))
    station = demo.user("pa_station", "城关镇社保所 李所长", towns[0],
                        roles_in=(("pension_audit.station", towns[0]),))
    demo.user("pa_station2", "河口乡社保所 周所长", towns[1],
              roles_in=(("pension_audit.station", towns[1]),))
    per_town = max(10, members_wanted() // len(towns))
    rng = random.Random(2026)
    for index, town in enumerate(towns):
        exists = db.session.scalar(select(PensionAuditEngagement.id).where(
            PensionAuditEngagement.unit_id == town.id))
        if exists:
            continue
        engagement = PensionAuditEngagement(
            unit_id=town.id, title=f"{town.name} 2024年度新农保稽核",
            period_start=date(2024, 1, 1), period_end=date(2024, 12, 31),
            preparer_id=auditor.id, verifier_id=verifier.id, created_by_id=auditor.id)
        db.session.add(engagement)
        db.session.flush()
        for user in (auditor, verifier):
            db.session.add(PensionAuditTeamMember(engagement_id=engagement.id, user_id=user.id))
        for item in ITEMS:
            result = None
            if item in (9, 10):
                result = "compliant"
            db.session.add(PensionAuditAnswer(engagement_id=engagement.id, item=item,
                                              result=result, notes=""))
        load_population(engagement, Population(rng, per_town, mistakes_every=max(
            10, per_town // 40)), auditor.id)
        run_checks(engagement)
        if index == 0:  # the first township's report is issued and being rectified
            engagement.state = "issued"
            first = db.session.scalars(select(PensionAuditFinding).where(
                PensionAuditFinding.engagement_id == engagement.id)
                .order_by(PensionAuditFinding.id).limit(3)).all()
            from .rectification import assign

            for finding in first:
                assign(finding, station, auditor, "请核实并整改")
        audit("pension_audit.engagement_created", subject=engagement, unit=town,
              summary=engagement.title, actor=auditor)
    return [
        DemoAccount("pa_auditor", demo.password, "Auditor / 稽核员 (preparer)", county.name),
        DemoAccount("pa_verifier", demo.password, "Auditor / 稽核员 (verifier)", county.name),
        DemoAccount("pa_leader", demo.password, "Audit reader / 中心领导", county.name),
        DemoAccount("pa_station", demo.password, "Audited station / 社保所", towns[0].name),
        DemoAccount("pa_station2", demo.password, "Audited station / 社保所", towns[1].name),
    ]
