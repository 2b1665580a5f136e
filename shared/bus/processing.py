"""What a consumer does with a record: decide (without I/O) whether and how to apply it.

A `RecordProcessor` turns a Kafka record into an `Accepted` (the dedupe key, the trace
to continue and the function that applies it inside a unit of work), returns None for a
valid event this consumer does not handle, or raises EventRejected for the DLQ.
`EventDispatcher` is the usual processor: decode, then a plain dict from contract to handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka.structs import ConsumerRecord

from shared.db.uow import UnitOfWork
from shared.events.codec import EventCodec, Inbound
from shared.events.contracts import EventData
from shared.events.envelope import header_map

Apply = Callable[[UnitOfWork], Awaitable[None]]
Handler = Callable[[Inbound[Any], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Accepted:
    """A record this consumer will apply, once, in one transaction."""

    dedupe_key: str
    event_type: str
    event_id: str
    traceparent: str | None
    apply: Apply


class RecordProcessor(Protocol):
    """Decides what a consumer does with one record."""

    def prepare(self, record: ConsumerRecord) -> Accepted | None:
        """Accept, skip (None) or reject (raise EventRejected) `record`."""
        ...


class EventDispatcher:
    """Decodes records and dispatches them by event type.

    Handlers add state and emit events through the unit of work but never commit: the
    consumer commits, together with the inbox row.
    """

    def __init__(self, codec: EventCodec, handlers: Mapping[type[EventData], Handler]) -> None:
        self._codec = codec
        self._handlers = {contract.type_name: handler for contract, handler in handlers.items()}

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
        )
