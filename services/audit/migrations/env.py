"""Alembic environment for audit's database."""

from shared.db.alembic_env import run_migrations

run_migrations()
