"""Waking the relay when its service commits outbox rows, instead of polling.

In one process the unit of work calls `OutboxSignal.notify()` after a commit that emitted.
Across processes (a relay started alone) PostgreSQL delivers the `NOTIFY heard_outbox` that
the committing transaction sent (see shared.bus.outbox); `listen_for_commits` turns those
notifications into the same signal. A slow poll stays as the safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from sqlalchemy.engine import make_url

from shared.bus.outbox import NOTIFY_CHANNEL

log = logging.getLogger("heard.relay")


class OutboxSignal:
    """Set when committed outbox rows may be waiting; the relay clears it before reading."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Outbox rows were committed (call on the event loop's thread)."""
        self._event.set()

    def clear(self) -> None:
        """Forget past notifications (call just before reading the outbox)."""
        self._event.clear()

    async def wait(self, seconds: float) -> bool:
        """Wait until notified or `seconds` passed; True if notified."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        return self._event.is_set()


def libpq_url(database_url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq reads it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def listen_for_commits(database_url: str, signal: OutboxSignal, stop: asyncio.Event) -> None:
    """Notify `signal` on every `NOTIFY heard_outbox` until `stop` is set; reconnects."""
    while not stop.is_set():
        try:
            await _listen(libpq_url(database_url), signal, stop)
        except (psycopg.Error, OSError) as error:
            log.warning("outbox listener lost its connection (%s)", type(error).__name__)
            signal.notify()  # something may have been committed meanwhile: look once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


async def _listen(url: str, signal: OutboxSignal, stop: asyncio.Event) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        signal.notify()
        while not stop.is_set():
            async for _ in connection.notifies(timeout=0.5):
                signal.notify()
