"""Every page of the plugin answers for a department manager (the menu, the lists, the forms)."""


def test_pages_answer(company, as_user):
    client = as_user(company.people["engineering_manager"])
    for path in ("/property_reports/", "/property_reports/plans", "/property_reports/summaries",
                 "/property_reports/routine", "/property_reports/specs",
                 "/property_reports/units", "/property_reports/evaluation",
                 "/property_reports/plans/new", "/property_reports/summaries/new",
                 "/property_reports/specs/new", "/"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:3000])
