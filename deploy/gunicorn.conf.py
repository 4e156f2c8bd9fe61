"""gunicorn settings of a Danwei app server (``danwei-app@PORT.service``).

Threaded workers, one process per core with 4 threads each: the README's recommendation,
measured on 2 cores (2 x 4 served the cached dashboards at 1.7x the naive page; more processes
than cores only added GIL and CPU contention) and extrapolated to more cores (README,
"gunicorn: recommended configuration"). The threads cover a page's waits on PostgreSQL and
Redis; each holds up to one database connection. Nothing long stays in a request (exports and
imports are background tasks), so the 30 s timeout is never the limit.
gunicorn's own lines go through the same JSON formatter as the app's (core/logs.py), so every
line of the server is one format; the access log is the app's ``danwei.request`` line, which
carries the request id nginx set.
"""

import multiprocessing

workers = multiprocessing.cpu_count()
worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: a leak can never grow without end
max_requests_jitter = 200
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                            "filters": ["request_id"], "stream": "ext://sys.stderr"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}
