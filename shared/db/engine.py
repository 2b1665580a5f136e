"""Async engines for PostgreSQL (psycopg 3) and SQLite (aiosqlite) from one URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.errors import ConfigurationError

SessionFactory = async_sessionmaker[AsyncSession]


def _driver_url(url: str, *, asynchronous: bool) -> str:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(
            drivername="sqlite+aiosqlite" if asynchronous else "sqlite"
        ).render_as_string(hide_password=False)
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ConfigurationError(f"unsupported database backend {backend!r}")


def async_url(url: str) -> str:
    """The URL with the async driver Heard uses for its backend."""
    return _driver_url(url, asynchronous=True)


def sync_url(url: str) -> str:
    """The URL with the sync driver (for Alembic)."""
    return _driver_url(url, asynchronous=False)


def is_sqlite(url: str) -> bool:
    """Whether `url` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the relay and consumer write; the busy timeout makes
    # concurrent writers wait instead of failing. The driver's own transaction handling is
    # switched off (`_begin_immediate` starts every transaction), so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, waiting on the busy timeout: a deferred
    # transaction that read first would fail at once when it upgrades to write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Build the async engine for `url` (called from create_app or main, never at import)."""
    if is_sqlite(url):
        engine = create_async_engine(async_url(url), connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping per checkout (a round trip per transaction): a connection that died with the
        # server fails its first statement, SQLAlchemy then discards the whole pool, and the
        # caller sees a transient error (consumers retry, the API answers 503).
        pool_pre_ping=False,
        # Statement parameters are a child's words: never in an exception's text.
        hide_parameters=True,
    )


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
