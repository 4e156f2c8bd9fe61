"""The application the benchmark serves: the intranet, plus two baselines.

    gunicorn 'bench.wsgi:application'     (bench/run.py starts it)

``/_bare/``
    a Flask app with one view that returns a short text and touches nothing else: no session,
    no database, no plugin. It shows what the server, the network stack and the load driver
    cost by themselves. Information only: the Python load driver, not the server, limits it,
    so it varies a lot from run to run.
``/_naive/``
    the **baseline the targets are set against**: a naive Flask-SQLAlchemy page that lists
    50 of the leave requests (500,000 rows in the full data) through a Jinja template with one
    query, the way a quick intranet page would be written. No login, no plugin, no menu. Each
    request shows another window of 50 rows (``?n=``), so PostgreSQL does real work.

All three are served by the same gunicorn workers, so the intranet's pages are given as a
ratio of the naive page measured in the same run on the same machine. Configuration comes from
the ``DANWEI_*`` environment, as in production.
"""

import os
from datetime import datetime

from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from core import create_app

bare = Flask("bare")


@bare.get("/")
def ok():
    return "ok"


# -- the naive page ----------------------------------------------------------------------------


class _Base(DeclarativeBase):
    pass


naive = Flask("naive")
naive.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DANWEI_DATABASE_URL", "sqlite://")
naive_db = SQLAlchemy(naive, model_class=_Base)


class NaiveLeave(naive_db.Model):
    __tablename__ = "school_leave_leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int]
    student_id: Mapped[int]
    leave_type: Mapped[str]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    reason: Mapped[str]
    status: Mapped[str]


NAIVE_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>请假列表</title></head>
<body><h1>请假列表</h1>
<table><thead><tr><th>#</th><th>班级</th><th>学生</th><th>类型</th><th>开始</th><th>结束</th>
<th>事由</th><th>状态</th></tr></thead><tbody>
{% for leave in leaves %}<tr><td>{{ leave.id }}</td><td>{{ leave.unit_id }}</td>
<td>{{ leave.student_id }}</td><td>{{ leave.leave_type }}</td>
<td>{{ leave.start_at.strftime('%Y-%m-%d %H:%M') }}</td>
<td>{{ leave.end_at.strftime('%Y-%m-%d %H:%M') }}</td><td>{{ leave.reason }}</td>
<td>{{ leave.status }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


@naive.get("/")
def naive_list():
    """50 leave requests from the *n*-th window of 50 (newest first): one query."""
    n = request.args.get("n", 0, type=int) % 20
    leaves = naive_db.session.scalars(
        select(NaiveLeave).order_by(NaiveLeave.id.desc()).limit(50).offset(n * 50))
    return render_template_string(NAIVE_TEMPLATE, leaves=leaves)


application = DispatcherMiddleware(create_app(), {"/_bare": bare, "/_naive": naive})
