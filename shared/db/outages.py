"""What a database outage looks like from here: errors after which the same work succeeds
once the server (or the way to it) is back, so loops wait and retry instead of exiting."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OSError,
    OperationalError,
    InterfaceError,
    PoolTimeout,
)
