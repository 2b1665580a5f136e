"""The unit of work: one database transaction holding state changes and outbound events.

It rolls back unless `commit()` was called, so a handler that fails half-way leaves
nothing behind, and an event is in the outbox exactly when its state change is.

Rows written in bulk (outbox records, inbox entries, audit leaves) are not added to the ORM
session one by one: they are handed to a `DeferredWriter` with `defer()` and written at
commit, one multi-row statement per writer. A consumer applying a batch can `mark()` before
a record and `rewind()` to it when that record's handler fails, so the failed record's
deferred rows are dropped together with its savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.crypto.at_rest import FieldCipher, LookupHasher
from shared.db.engine import SessionFactory
from shared.events.codec import EventCodec
from shared.events.contracts import EventData
from shared.settings import ServiceSettings
from shared.telemetry import current_traceparent


class DeferredWriter(Protocol):
    """Writes rows of one kind, in bulk, inside the committing transaction."""

    async def write(self, session: AsyncSession, items: Sequence[Any]) -> None:
        """Write `items`, in the order they were deferred."""
        ...


@dataclass
class ServiceContext:
    """What a handler may need besides the session: the service's settings, its at-rest
    cipher and lookup hasher for child data, and `state`: what the service builds once per
    process from its runtime (its `Service.state`), e.g. triage's rule book."""

    settings: ServiceSettings
    fields: FieldCipher
    lookups: LookupHasher
    state: Any = None


class UnitOfWork:
    """One transaction: `session` for state, `emit` for events, `commit` to keep both."""

    def __init__(
        self,
        sessions: SessionFactory,
        codec: EventCodec,
        outbox: DeferredWriter,
        context: ServiceContext,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._codec = codec
        self._outbox = outbox
        self.context = context
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self._deferred: list[tuple[DeferredWriter, Any]] = []
        self._committed = False
        self._emitted = False
        # What the consumer's prefetch loaded for the records this transaction applies.
        self.batch: Any = None

    @property
    def session(self) -> AsyncSession:
        """The transaction's session."""
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._deferred = []
        self._committed = False
        self._emitted = False
        self.batch = None
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
        self._deferred = []
        self.batch = None

    def emit(self, data: EventData, *, subject: str, commitment: bytes | None = None) -> None:
        """Seal `data` into the outbox, in this transaction, continuing the current trace."""
        record = self._codec.encode(
            data, subject=subject, traceparent=current_traceparent(), commitment=commitment
        )
        self.defer(self._outbox, record)
        self._emitted = True

    def defer(self, writer: DeferredWriter, item: Any) -> None:
        """Have `writer` write `item` at commit, in bulk with the others it is given."""
        self._deferred.append((writer, item))

    def mark(self) -> int:
        """A point to `rewind` the deferred rows to."""
        return len(self._deferred)

    def rewind(self, mark: int) -> None:
        """Forget the rows deferred since `mark` (their record's savepoint rolled back)."""
        del self._deferred[mark:]

    async def flush(self) -> None:
        """Write the deferred rows and the session's changes, without committing: a conflict
        shows here, before the outcome of a commit could be in doubt."""
        await self._write_deferred()
        await self.session.flush()

    async def commit(self) -> None:
        """Write the deferred rows, then make state and events durable together."""
        await self._write_deferred()
        await self.session.commit()
        self._committed = True
        if self._emitted:
            self._on_commit()

    async def _write_deferred(self) -> None:
        batches: dict[int, tuple[DeferredWriter, list[Any]]] = {}
        for writer, item in self._deferred:
            batches.setdefault(id(writer), (writer, []))[1].append(item)
        self._deferred = []
        for writer, items in batches.values():
            await writer.write(self.session, items)


UnitOfWorkFactory = Callable[[], UnitOfWork]
