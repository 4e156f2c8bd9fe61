from core.api import run_migrations

run_migrations()
