"""No page runs more SQL because it shows more rows: no N+1 queries on the busy pages.

Each page is requested with a few leaves in the school, then again with several times as many
in every state, and must run the same number of statements (``core/timing.py`` counts them).
The benchmark (``bench/``) checks the same at 1,000 and 500,000 leaves under gunicorn.
"""

import pytest
from danwei_school_leave.testing import at, monday

from core.testing import queries_of

DAY = monday()

PAGES = (
    ("teacher", "/"),
    ("teacher", "/inbox/"),
    ("teacher", "/school_leave/"),
    ("teacher", "/school_leave/to-sign"),
    ("principal", "/"),
    ("principal", "/school_leave/?status=approved"),
    ("principal", "/school_leave/?status=pending"),
    ("grade", "/inbox/"),
    ("student", "/school_leave/mine"),
)


def counts(school, leave_id: int) -> dict:
    found = {}
    for who, path in (*PAGES, ("teacher", f"/school_leave/leave/{leave_id}")):
        client = school.client(who)
        client.get(path)  # the first request of a client fills per-process caches
        # The test holds one application context, hence one session, across requests; a
        # context of its own gives the request an empty session, as on a server, so rows
        # cached by earlier requests cannot hide queries.
        with school.app.app_context():
            response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        found[(who, path.replace(str(leave_id), "<id>"))] = queries_of(response)
    return found


def file_some(school, day_offset: int) -> None:
    for n, who in enumerate(("student", "student2", "monitor", "student_b")):
        start = at(DAY, 8, plus_days=day_offset + n % 3)
        leave = school.file(who, start=start, end=at(DAY, 11, 40, plus_days=day_offset + n % 3))
        if n % 2 == 0:
            school.sign_all(leave)


#: Statements per request, warm cache (issue 14): a dashboard, any other page.
DASHBOARD_MOST, PAGE_MOST = 5, 10


def same_counts_whatever_the_rows(school) -> dict:
    leave_id = school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 9, 40))).id
    school.file("student2", start=at(DAY, 14), end=at(DAY, 14, 45))
    few = counts(school, leave_id)
    assert all(isinstance(n, int) for n in few.values()), few

    for offset in (1, 4, 7):
        file_some(school, offset)
    many = counts(school, leave_id)
    assert many == few
    return many


@pytest.mark.danwei_config(SERVER_TIMING=True)
def test_busy_pages_run_the_same_queries_whatever_the_number_of_rows(school):
    found = same_counts_whatever_the_rows(school)
    over = {page: n for page, n in found.items()
            if n > (DASHBOARD_MOST if page[1] == "/" else PAGE_MOST)}
    assert not over, over


@pytest.mark.danwei_config(SERVER_TIMING=True, CACHE_BACKEND="null")
def test_without_the_cache_too(school):
    """Nothing kept across requests: the pages compute everything, still without N+1."""
    found = same_counts_whatever_the_rows(school)
    assert all(n > 0 for n in found.values()), found
