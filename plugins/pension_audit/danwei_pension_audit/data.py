"""What belongs to a unit, for core's export and purge: the audits of the unit's subtree and
everything hanging on them, parents before children."""

from core.api import UnitData, db

from .models import (
    DATA_MODELS,
    PensionAuditAnswer,
    PensionAuditEngagement,
    PensionAuditEvidence,
    PensionAuditFinding,
    PensionAuditGroup,
    PensionAuditImport,
    PensionAuditMapping,
    PensionAuditReply,
    PensionAuditSample,
    PensionAuditSampleRecord,
    PensionAuditTeamMember,
    PensionAuditUpload,
)


def _engagements(units):
    return db.select(PensionAuditEngagement.id).where(PensionAuditEngagement.unit_id.in_(units))


def _of_engagements(model):
    return UnitData(model, lambda units: model.engagement_id.in_(_engagements(units)))


def unit_data():
    findings = (lambda units: db.select(PensionAuditFinding.id).where(
        PensionAuditFinding.engagement_id.in_(_engagements(units))))
    samples = (lambda units: db.select(PensionAuditSample.id).where(
        PensionAuditSample.engagement_id.in_(_engagements(units))))
    return [
        UnitData(PensionAuditEngagement, detach=(PensionAuditEngagement.previous_id,)),
        UnitData(PensionAuditTeamMember,
                 lambda units: PensionAuditTeamMember.engagement_id.in_(_engagements(units))),
        _of_engagements(PensionAuditAnswer),
        _of_engagements(PensionAuditGroup),
        UnitData(PensionAuditFinding,
                 lambda units: PensionAuditFinding.engagement_id.in_(_engagements(units)),
                 detach=(PensionAuditFinding.previous_finding_id,),
                 url=lambda finding_id: f"/pension_audit/findings/{finding_id}"),
        UnitData(PensionAuditReply,
                 lambda units: PensionAuditReply.finding_id.in_(findings(units))),
        _of_engagements(PensionAuditEvidence),
        _of_engagements(PensionAuditUpload),
        _of_engagements(PensionAuditImport),
        *(_of_engagements(model) for model in DATA_MODELS.values()),
        _of_engagements(PensionAuditSample),
        UnitData(PensionAuditSampleRecord,
                 lambda units: PensionAuditSampleRecord.sample_id.in_(samples(units))),
        UnitData(PensionAuditMapping),
    ]
