"""Where core's files are, in a checkout and in an installed wheel.

A checkout keeps ``templates/``, ``migrations/`` and ``node_modules/`` at its top level, beside
``core/`` (the layout the architecture fixes). A wheel has no top level of its own, so
``setup.py`` copies those folders into the package when it builds one: ``core/templates``,
``core/migrations``, and ``core/vendor/chart.js`` for ``node_modules/chart.js``. Each path below
is the packaged copy when there is one, the checkout's folder otherwise; an editable install is a
checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: The ``core`` package itself.
PACKAGE = Path(__file__).resolve().parent
#: The checkout's root folder (in an installed wheel: the ``site-packages`` holding ``core``).
ROOT = PACKAGE.parent
#: True when running from a wheel, whose build copied the templates into the package.
INSTALLED = (PACKAGE / "templates").is_dir()


def _shipped(packaged: str, checkout: str) -> Path:
    return PACKAGE / packaged if INSTALLED else ROOT / checkout


#: Core's Jinja templates.
TEMPLATES = _shipped("templates", "templates")
#: Core's Alembic scripts (Flask-Migrate layout).
MIGRATIONS = _shipped("migrations", "migrations")
#: Chart.js: in a checkout, installed by ``npm ci`` from the pinned package-lock.json.
CHARTJS = _shipped("vendor/chart.js/dist", "node_modules/chart.js/dist")
#: The default instance folder (config, SQLite file, uploads) when ``DANWEI_INSTANCE_PATH`` is
#: unset: ``instance/`` in a checkout; for a wheel, Flask's convention for installed
#: applications, ``<prefix>/var/<name>-instance``, never inside ``site-packages``.
INSTANCE = Path(sys.prefix) / "var" / "danwei-instance" if INSTALLED else ROOT / "instance"
