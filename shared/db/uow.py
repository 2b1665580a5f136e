"""The unit of work: one database transaction holding state changes and outbound events.

It rolls back unless `commit()` was called, so a handler that fails half-way leaves
nothing behind, and an event is in the outbox exactly when its state change is.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.outbox import OutboxMessage
from shared.db.engine import SessionFactory
from shared.events.codec import EventCodec
from shared.events.contracts import EventData
from shared.telemetry import current_traceparent


class UnitOfWork:
    """One transaction: `session` for state, `emit` for events, `commit` to keep both."""

    def __init__(self, sessions: SessionFactory, codec: EventCodec) -> None:
        self._sessions = sessions
        self._codec = codec
        self._session: AsyncSession | None = None
        self._committed = False

    @property
    def session(self) -> AsyncSession:
        """The transaction's session."""
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        if not self._committed:
            await session.rollback()
        await session.close()
        self._session = None

    def emit(self, data: EventData, *, subject: str) -> None:
        """Seal `data` into the outbox, in this transaction, continuing the current trace."""
        record = self._codec.encode(data, subject=subject, traceparent=current_traceparent())
        self.session.add(OutboxMessage.from_record(record))

    async def commit(self) -> None:
        """Make the state changes and the emitted events durable together."""
        await self.session.commit()
        self._committed = True


UnitOfWorkFactory = Callable[[], UnitOfWork]


def uow_factory(sessions: SessionFactory, codec: EventCodec) -> UnitOfWorkFactory:
    """A factory of fresh units of work bound to one database and one codec."""
    return lambda: UnitOfWork(sessions, codec)
