"""A service, declared once: what it is called, how it is configured (its settings class,
which holds its default port and database) and migrated, its app, the events it handles and
the tasks it runs beside them.

Every other fact follows from the declaration: the topics a service subscribes to are the
topics of the contracts it handles, the topics it produces are those of the contracts it is
the producer of, its consumer group is its name. The CLI, the keyring, `heard status`, the
benchmark and the tests read a registry of these declarations (`services.registry`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from fastapi import FastAPI

from shared.bus.processing import EventDispatcher, Handler, Prefetch, RecordProcessor
from shared.events.contracts import ALL_CONTRACTS, EventData
from shared.runtime import Runtime
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)

# A task a service runs beside its consumer (a scheduler, the log's integrator) until stopped.
Background = Callable[[Runtime, asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class Service(Generic[S]):
    """One service's declaration.

    `handlers` maps each contract the service consumes to its handler; what handlers need
    beyond the event and the unit of work, `state` builds once per process
    (`uow.context.state`), and `prefetch` loads once per batch (`uow.batch`). A service that must
    see records before they are decoded (audit hashes every record, and reads dead letters)
    gives a `processor` and the raw `topics` it reads instead, and `opens`: the topics among
    them whose data it decrypts (audit hashes ciphertext and opens none of the topics that
    carry a child's words).
    """

    name: str
    settings: type[S]
    migrations: Path
    create_app: Callable[[S], FastAPI]
    handlers: Mapping[type[EventData], Handler] = field(default_factory=dict)
    processor: Callable[[Runtime], RecordProcessor] | None = None
    topics: tuple[str, ...] = ()
    opens: tuple[str, ...] = ()
    background: tuple[Background, ...] = ()
    state: Callable[[Runtime], object] | None = None
    prefetch: Prefetch | None = None

    @property
    def port(self) -> int:
        """The port the API listens on unless configured otherwise."""
        default: int = self.settings.model_fields["port"].default
        return default

    @property
    def subscribes(self) -> tuple[str, ...]:
        """The logical topics the service's consumer reads."""
        if self.processor is not None:
            return self.topics
        return tuple(sorted({contract.topic for contract in self.handlers}))

    @property
    def produces(self) -> tuple[str, ...]:
        """The logical topics of the contracts the service emits."""
        return tuple(sorted({c.topic for c in ALL_CONTRACTS if c.producer == self.name}))

    @property
    def key_topics(self) -> tuple[str, ...]:
        """The topics whose data keys the service holds: those it emits and those it opens."""
        opened = self.opens if self.processor is not None else self.subscribes
        return tuple(sorted({*self.produces, *opened}))

    def bind(self, runtime: Runtime) -> Runtime:
        """Give `runtime` the service's per-process state (once), for handlers and routes."""
        if self.state is not None and runtime.context.state is None:
            runtime.context.state = self.state(runtime)
        return runtime

    def record_processor(self, runtime: Runtime) -> RecordProcessor | None:
        """What the consumer applies records with; None if the service consumes nothing."""
        self.bind(runtime)
        if self.processor is not None:
            return self.processor(runtime)
        if not self.handlers:
            return None
        return EventDispatcher(runtime.codec, self.handlers, self.prefetch)
