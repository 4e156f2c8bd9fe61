"""Long lists, one page at a time: the page number from the query string, the page size from
the ``core.page_size`` setting.

A view calls :func:`paginate` on its select; the template shows the page with the
``pagination`` macro of ``_macros.html``, which keeps the other query parameters (the list's
filters) in its links::

    page = paginate(select(Notice).order_by(Notice.id.desc()))

    {% from "_macros.html" import pagination %}
    {% for notice in page %}...{% endfor %}
    {{ pagination(page) }}
"""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from .args import arg_int
from .extensions import db
from .settings import get_setting


def page_size() -> int:
    """Rows per page: the ``core.page_size`` setting (an administrator may change it)."""
    return int(get_setting("core", "page_size"))


def page_number() -> int:
    """The page asked for (``?page=``), 1 when absent or invalid."""
    return arg_int("page", 1)


def paginate(query: Select, *, per_page: int | None = None) -> Pagination:
    """The requested page of *query* (ordered by the caller). A page past the end is empty,
    not an error: a list that shrank while someone paged through it still answers.

    :param per_page: rows per page instead of the setting.
    """
    return db.paginate(query, page=page_number(), per_page=per_page or page_size(),
                       error_out=False)
