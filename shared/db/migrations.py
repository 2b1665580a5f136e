"""Alembic, driven from code: each service keeps its own migration scripts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.db.engine import sync_url


def alembic_config(database_url: str, script_location: Path) -> Config:
    """An Alembic config for one service's migrations and database."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, script_location: Path) -> None:
    """Bring the database up to the newest migration."""
    command.upgrade(alembic_config(database_url, script_location), "head")
