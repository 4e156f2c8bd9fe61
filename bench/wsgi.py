"""The application the benchmark serves: the intranet, plus a bare Flask endpoint as baseline.

    gunicorn 'bench.wsgi:application'     (bench/run.py starts it)

``/_bare/`` is a Flask app with one view that returns a short text and touches nothing else: no
session, no database, no plugin. Served by the same gunicorn workers as the intranet, it shows
what the server, the network stack and the load driver cost by themselves, so the intranet's
pages can be given as a ratio of it, measured in the same run on the same machine.
Configuration comes from the ``DANWEI_*`` environment, as in production.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from core import create_app

bare = Flask("bare")


@bare.get("/")
def ok():
    return "ok"


application = DispatcherMiddleware(create_app(), {"/_bare": bare})
