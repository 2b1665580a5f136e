"""What a consumer does with a record: decide (without I/O) whether and how to apply it.

A `RecordProcessor` turns a Kafka record into an `Accepted` (the dedupe key, the trace
to continue and the function that applies it inside a unit of work), returns None for a
valid event this consumer does not handle, or raises EventRejected for the DLQ.
`EventDispatcher` is the usual processor: decode, then a plain dict from contract to handler.

Before a batch's handlers run, a processor may load what they will all need in one query per
kind (`prefetch`), instead of one round trip per record: what it returns is the batch's
`uow.batch`. Handlers keep their one-event signature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka.structs import ConsumerRecord

from shared.db.uow import UnitOfWork
from shared.events.codec import EventCodec, Inbound
from shared.events.contracts import EventData
from shared.events.envelope import header_map

Apply = Callable[[UnitOfWork], Awaitable[None]]
Handler = Callable[[Inbound[Any], UnitOfWork], Awaitable[None]]
# Loads, for a batch of decoded events, what their handlers will read (see the module doc).
Prefetch = Callable[[Sequence[Inbound[Any]], UnitOfWork], Awaitable[object]]


@dataclass(frozen=True)
class Accepted:
    """A record this consumer will apply, once, in one transaction."""

    dedupe_key: str
    event_type: str
    event_id: str
    traceparent: str | None
    apply: Apply
    inbound: Inbound[Any] | None = None


class RecordProcessor(Protocol):
    """Decides what a consumer does with one record."""

    def prepare(self, record: ConsumerRecord) -> Accepted | None:
        """Accept, skip (None) or reject (raise EventRejected) `record`."""
        ...

    async def prefetch(self, batch: Sequence[Accepted], uow: UnitOfWork) -> None:
        """Load into `uow.batch` what applying `batch` will read (or do nothing)."""
        ...


class EventDispatcher:
    """Decodes records and dispatches them by event type.

    Handlers add state and emit events through the unit of work but never commit: the
    consumer commits, together with the inbox row.
    """

    def __init__(
        self,
        codec: EventCodec,
        handlers: Mapping[type[EventData], Handler],
        prefetch: Prefetch | None = None,
    ) -> None:
        self._codec = codec
        self._handlers = {contract.type_name: handler for contract, handler in handlers.items()}
        self._prefetch = prefetch

    def prepare(self, record: ConsumerRecord) -> Accepted | None:
        """Skip types nobody here handles; decode (or reject) the rest."""
        declared = header_map(record.headers or ()).get("ce_type")
        if declared is not None and declared not in self._handlers and self._codec.knows(declared):
            return None
        inbound = self._codec.decode(record.topic, record.key, record.headers or (), record.value)
        handler = self._handlers.get(inbound.envelope.type)
        if handler is None:
            return None
        return Accepted(
            dedupe_key=inbound.envelope.dedupe_key,
            event_type=inbound.envelope.type,
            event_id=inbound.envelope.id,
            traceparent=inbound.envelope.traceparent,
            apply=lambda uow: handler(inbound, uow),
            inbound=inbound,
        )

    async def prefetch(self, batch: Sequence[Accepted], uow: UnitOfWork) -> None:
        """Run the service's prefetch over the batch's events, if it has one."""
        if self._prefetch is not None:
            events = [a.inbound for a in batch if a.inbound is not None]
            uow.batch = await self._prefetch(events, uow)
