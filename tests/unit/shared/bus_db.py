"""A SQLite database holding just the bus tables, for outbox and inbox tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from shared.bus.inbox import InboxEntry
from shared.bus.outbox import OutboxMessage
from shared.db.engine import make_engine


async def bus_engine(tmp_path: Path) -> AsyncEngine:
    """An engine on a fresh SQLite file with the outbox and inbox tables."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bus.db'}")
    tables = [OutboxMessage.__table__, InboxEntry.__table__]  # type: ignore[attr-defined]
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all, tables=tables)
    return engine
