"""A service's runtime resources (keyring, codec, engine, sessions), opened at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.crypto.at_rest import FieldCipher, LookupHasher
from shared.crypto.keyring import FileKeyring, Keyring
from shared.db.engine import SessionFactory, make_engine, make_session_factory
from shared.db.uow import UnitOfWorkFactory, uow_factory
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
    uow: UnitOfWorkFactory
    fields: FieldCipher
    lookups: LookupHasher


@asynccontextmanager
async def open_runtime(
    service: str, settings: ServiceSettings, keyring: Keyring | None = None
) -> AsyncIterator[Runtime]:
    """Open the engine and load keys for `service`; dispose of the engine on exit."""
    keys = keyring if keyring is not None else FileKeyring.load(settings.keyring_path)
    codec = EventCodec(keys, service)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    try:
        yield Runtime(
            service,
            settings,
            keys,
            codec,
            engine,
            sessions,
            uow_factory(sessions, codec),
            FieldCipher(keys, service),
            LookupHasher(keys, service),
        )
    finally:
        await engine.dispose()
