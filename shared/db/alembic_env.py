"""The body of every service's Alembic `env.py`: online migrations only."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool


def run_migrations() -> None:
    """Run the pending migrations against the configured URL in one transaction."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic config has no sqlalchemy.url")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
