"""What belongs to a unit, for core's export and confirmed purge. Every table holds its branch
in ``unit_id``; parents come before children (core deletes children first)."""

from __future__ import annotations

from core.api import UnitData

from . import models as m


def unit_data() -> list[UnitData]:
    return [
        UnitData(m.PartyMember, url=lambda member_id: f"/party_building/member/{member_id}"),
        UnitData(m.PartyDevFile, url=lambda file_id: f"/party_building/file/{file_id}"),
        UnitData(m.PartyDevStep),
        UnitData(m.PartyTransfer),
        UnitData(m.PartyPayChange),
        UnitData(m.PartyPayment),
        UnitData(m.PartyMeeting, url=lambda meeting_id: f"/party_building/meeting/{meeting_id}"),
        UnitData(m.PartyAbsence),
        UnitData(m.PartyVote),
        UnitData(m.PartyIntegrityEntry),
        UnitData(m.PartyPlanItem),
        UnitData(m.PartyPledge),
        UnitData(m.PartyPairing),
        UnitData(m.PartyVisit),
        UnitData(m.PartyRegistration),
        UnitData(m.PartyAnnualReport),
    ]
