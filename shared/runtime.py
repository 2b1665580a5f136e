"""A service's runtime resources (keyring, codec, engine, sessions), opened at start-up.

One runtime serves every role a process runs (API, consumer, relay, background tasks), so
they share one connection pool, and a commit that emitted events wakes the relay at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.bus.outbox import OutboxRecords
from shared.bus.wakeup import OutboxSignal
from shared.crypto.at_rest import FieldCipher, LookupHasher
from shared.crypto.keyfiles import load_service_keyring
from shared.crypto.keyring import FileKeyring, Keyring
from shared.db.engine import SessionFactory, make_engine, make_session_factory
from shared.db.group_commit import GroupCommitter
from shared.db.uow import ServiceContext, UnitOfWork
from shared.errors import ConfigurationError
from shared.events.codec import EventCodec
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class Runtime:
    """Everything a service's API, consumer or relay needs, bound to one settings object."""

    service: str
    settings: ServiceSettings
    keyring: Keyring
    codec: EventCodec
    engine: AsyncEngine
    sessions: SessionFactory
    context: ServiceContext
    outbox_signal: OutboxSignal
    outbox: OutboxRecords

    @property
    def fields(self) -> FieldCipher:
        """The service's cipher for child data at rest."""
        return self.context.fields

    @property
    def lookups(self) -> LookupHasher:
        """The service's keyed hashes for equality lookups."""
        return self.context.lookups

    @cached_property
    def writes(self) -> GroupCommitter:
        """This process's group committer: concurrent requests' writes share a commit."""
        return GroupCommitter(self.uow)

    def uow(self) -> UnitOfWork:
        """A fresh unit of work; its commit wakes this process's relay if it emitted."""
        return UnitOfWork(
            self.sessions, self.codec, self.outbox, self.context, self.outbox_signal.notify
        )


def _own_keyring(service: str, settings: ServiceSettings) -> FileKeyring:
    keys = load_service_keyring(settings.keyring_path, service)
    if keys.holder not in (None, service):
        raise ConfigurationError(f"{service} was given {keys.holder}'s keyring")
    if keys.holder is None and settings.environment == "production":
        raise ConfigurationError("a production process needs its own keyring, not every key")
    return keys


@asynccontextmanager
async def open_runtime(
    service: str,
    settings: ServiceSettings,
    keyring: Keyring | None = None,
    *,
    relay_elsewhere: bool = True,
) -> AsyncIterator[Runtime]:
    """Open the engine and load keys for `service`; dispose of the engine on exit.

    `relay_elsewhere=False` when this process runs the service's relay itself: commits then
    wake it in-process, without a PostgreSQL NOTIFY.
    """
    keys = keyring if keyring is not None else _own_keyring(service, settings)
    engine = make_engine(settings.database_url)
    context = ServiceContext(settings, FieldCipher(keys, service), LookupHasher(keys, service))
    try:
        yield Runtime(
            service,
            settings,
            keys,
            EventCodec(keys, service),
            engine,
            make_session_factory(engine),
            context,
            OutboxSignal(),
            OutboxRecords(notify=relay_elsewhere),
        )
    finally:
        await engine.dispose()
