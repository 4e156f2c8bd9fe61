"""Alembic environment for core's migrations; the work is in :func:`core.migrate.run_env`."""

from core.schema import run_env

run_env()
