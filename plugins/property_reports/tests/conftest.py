"""Fixtures of the property reports tests: a property company with its departments and people.

Everything else comes from core's pytest plugin (``app``, ``client``, ``create_user``,
``as_user``, ``enable_plugin``, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pytest

PLUGIN = "property_reports"


@dataclass
class Company:
    unit: object
    departments: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)


@pytest.fixture
def company(app, db, create_unit, create_user, enable_plugin):
    """A property company with the seven departments, a team in engineering, and one person
    per role: ``boss`` (leadership), ``pm`` (project manager), ``<dept>_manager``, ``leader``
    (team leader), ``staff``."""
    from danwei_property_reports.catalogue import COMPANY_KIND, DEPARTMENTS, TEAM_KIND

    root = create_unit("acme", "安居物业", COMPANY_KIND)
    found = Company(root)
    for dept in DEPARTMENTS:
        found.departments[dept.key] = create_unit(f"acme-{dept.key}", dept.zh, dept.kind, root)
    found.teams["water"] = create_unit("acme-water", "水电班", TEAM_KIND,
                                       found.departments["engineering"])
    enable_plugin(PLUGIN, root)
    people = found.people
    people["boss"] = create_user("boss", root, ((f"{PLUGIN}.leadership", root),), name="李总")
    people["pm"] = create_user("pm", root, ((f"{PLUGIN}.project_manager", root),),
                               name="张项目经理")
    for key, unit in found.departments.items():
        people[f"{key}_manager"] = create_user(
            f"{key}_mgr", unit, ((f"{PLUGIN}.department_manager", unit),), name=f"{key}经理")
    team = found.teams["water"]
    people["leader"] = create_user("leader", team, ((f"{PLUGIN}.team_leader", team),),
                                   name="孙班长")
    people["staff"] = create_user("staff", team, ((f"{PLUGIN}.staff", team),), name="钱师傅")
    return found


def next_month(today: date | None = None) -> tuple[int, int]:
    today = today or date.today()
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


def month_text(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


ITEM = {
    "content": "二次供水水箱清洗", "standard": "水质检测合格", "place": "地下泵房",
    "schedule": "11-03 至 11-05", "people": "水电班 3 人", "staff": "3 人", "machines": "高压水枪",
    "materials": "消毒剂", "spec": "0", "spec_note": "按卫生部门要求", "records": "清洗记录表",
    "inspection_method": "取水样送检", "inspector": "郑经理", "inputs": "物业部通知停水",
    "outputs": "向物业部提交检测报告",
}


def start_plan(client, unit, year, month) -> int:
    """Start a plan through the form; returns its first version's id."""
    response = client.post(f"/{PLUGIN}/plans/new",
                           data={"unit": unit.id, "month": month_text(year, month)})
    assert response.status_code == 302, response.text
    return int(re.search(r"/plans/v/(\d+)", response.headers["Location"]).group(1))


def add_item(client, version_id, **changes) -> None:
    response = client.post(f"/{PLUGIN}/plans/v/{version_id}/items/new", data={**ITEM, **changes})
    assert response.status_code == 302, response.text


def submit(client, version_id, comment="") -> None:
    response = client.post(f"/{PLUGIN}/plans/v/{version_id}/submit", data={"comment": comment})
    assert response.status_code == 302


def workflow_of(version_id):
    from danwei_property_reports.models import PlanVersion

    from core.api import db, workflow_for

    db.session.expire_all()
    return workflow_for(db.session.get(PlanVersion, version_id))


def decide(client, instance, action="approve", comment="", **step):
    """Approve, reject or return the open step through core's workflow page."""
    data = {f"decide-{action}": "1", "decide-comment": comment,
            "decide-step_id": str(instance.open_step.id) if instance.open_step else "",
            "next": "/"}
    data.update({f"step-{k}": v for k, v in step.items()})
    return client.post(f"/workflow/{instance.id}/decide", data=data)


def version_status(version_id) -> str:
    from danwei_property_reports.models import PlanVersion

    from core.api import db

    db.session.expire_all()
    return db.session.get(PlanVersion, version_id).status


def hand_in_summary(client, unit, dept, **changes):
    """Start last month's summary of *unit*, fill it in and hand it in: ``(id, form data)``."""
    from danwei_property_reports import deadlines as dl

    today = date.today()
    year, month = dl.add_months(today.year, today.month, -1)
    response = client.post(f"/{PLUGIN}/summaries/new",
                           data={"unit": unit.id, "month": f"{year}-{month:02d}"})
    assert response.status_code == 302, response.text
    summary = int(re.search(r"/summaries/(\d+)", response.headers["Location"]).group(1))
    data = {"routine_work": "例行工作均已完成。", "duties": "部门职责履行正常。", "hand_in": "1",
            **_encode_metrics(dept), **changes}
    response = client.post(f"/{PLUGIN}/summaries/{summary}/edit", data=data)
    assert response.status_code == 302, response.text
    return summary, data


def _encode_metrics(dept):
    import random

    from danwei_property_reports import catalogue as cat
    from danwei_property_reports.demo import sample_values

    data = {}
    for metric in dept.inputs:
        value = sample_values(dept, random.Random(5)).get(metric.key)
        if value is None:
            continue
        if metric.kind == cat.BREAKDOWN:
            data[f"m_{metric.key}"] = "\n".join(f"{c}: {v}" for c, v in value)
        else:
            data[f"m_{metric.key}"] = str(value)
    return data


def summary_request(summary_id):
    from danwei_property_reports.models import Summary

    from core.api import db, workflow_for

    db.session.expire_all()
    return workflow_for(db.session.get(Summary, summary_id))


@pytest.fixture
def pr():
    """The helpers above, for the test modules (conftest is not importable under importlib)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        ITEM=ITEM, next_month=next_month, month_text=month_text, start_plan=start_plan,
        add_item=add_item, submit=submit, workflow_of=workflow_of, decide=decide,
        version_status=version_status, hand_in_summary=hand_in_summary,
        summary_request=summary_request,
    )
