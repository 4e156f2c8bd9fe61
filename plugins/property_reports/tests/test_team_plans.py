"""Team plans in the monthly round (issue 18 §14): they count towards the on-time rate and
their work comes back in the department's summary checklist."""

import re
from datetime import date

from danwei_property_reports import deadlines as dl

P = "/property_reports"


def _row(page, code):
    row = page.split(f'data-unit="{code}"')[1].split("</tr>")[0]
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_team_plans_count_and_come_back_in_the_department_summary(company, as_user, pr):
    today = date.today()
    last = dl.add_months(today.year, today.month, -1)
    boss = as_user(company.people["boss"])
    until = f"?until={last[0]}-{last[1]:02d}&months=1"
    before = _row(boss.get(f"{P}/evaluation{until}").text, "acme-engineering")

    # The water team plans last month's work (handed in today: late), the department manager
    # approves it.
    leader = as_user(company.people["leader"])
    version = pr.start_plan(leader, company.teams["water"], *last)
    pr.add_item(leader, version, content="更换水泵密封圈")
    pr.submit(leader, version)
    pr.decide(as_user(company.people["engineering_manager"]), pr.workflow_of(version))

    after = _row(boss.get(f"{P}/evaluation{until}").text, "acme-engineering")
    assert int(after[1]) == int(before[1]) + 1  # one more due
    assert int(after[3]) == int(before[3]) + 1  # and it was late
    person = boss.get(f"{P}/evaluation{until}").text.split('data-testid="by-person"')[1]
    assert "孙班长" in person

    # The department's summary of that month checks the team's work off too.
    eng = as_user(company.people["engineering_manager"])
    response = eng.post(f"{P}/summaries/new", data={
        "unit": company.departments["engineering"].id, "month": f"{last[0]}-{last[1]:02d}"})
    summary = int(re.search(r"/summaries/(\d+)", response.headers["Location"]).group(1))
    form = eng.get(f"{P}/summaries/{summary}/edit").text
    assert "[水电班] 更换水泵密封圈" in form
