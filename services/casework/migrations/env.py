"""Alembic environment for casework's database."""

from shared.db.alembic_env import run_migrations

run_migrations()
