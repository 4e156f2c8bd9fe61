"""Integrity files (廉政档案) are confidential: only the secretary and the discipline member of
that branch see them. Everyone else gets 404, whatever they hold elsewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import AuditEvent, db


@pytest.fixture
def filed(org, person):
    secretary = person("secretary", org["branch"])
    response = secretary.post(f"/party_building/branch/{org['branch'].id}/members/new",
                              data={"name": "周强", "status": "full"})
    member_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = secretary.post(f"/party_building/branch/{org['branch'].id}/integrity", data={
        "member": member_id, "kind": "self_check", "on": "2026-03-01",
        "content": "岗位廉政风险点：物资采购审批。"})
    assert response.status_code == 302, response.text
    return f"/party_building/branch/{org['branch'].id}/integrity"


def test_secretary_and_discipline_member_of_the_branch_see_the_file(org, person, filed):
    for role in ("secretary", "discipline_member"):
        page = person(role, org["branch"]).get(filed)
        assert page.status_code == 200 and "物资采购审批" in page.text


@pytest.mark.parametrize("role,where", [
    ("committee_member", "branch"), ("organisation_member", "branch"), ("treasurer", "branch"),
    ("member", "branch"), ("secretary", "b2"), ("discipline_member", "b2"),
    # Held in the committee, the role reaches the branch, but not its confidential files.
    ("secretary", "committee"), ("discipline_member", "committee"),
    # Held in a group of the branch.
    ("secretary", "group"),
])
def test_nobody_else_sees_it(org, person, filed, role, where):
    client = person(role, org[where])
    assert client.get(filed).status_code == 404
    assert client.post(filed, data={"kind": "talk", "on": "2026-03-02",
                                    "content": "x"}).status_code == 404
    board = client.get(f"/party_building/branch/{org['branch'].id}")
    assert "物资采购审批" not in board.text and "Integrity files" not in board.text


def test_not_even_a_system_administrator(org, create_user, as_user, filed):
    admin = as_user(create_user(unit=org["committee"], is_superuser=True))
    assert admin.get(filed).status_code == 404


def test_the_audit_log_keeps_no_content(org, filed):
    summaries = db.session.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "party_building.integrity_added")).all()
    assert summaries and all("物资采购" not in s for s in summaries)
