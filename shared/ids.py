"""Identifiers: UUIDv7 everywhere, so ids sort by creation time."""

from __future__ import annotations

import uuid

from uuid_utils import compat


def new_id() -> uuid.UUID:
    """Return a fresh, time-ordered UUIDv7 (RFC 9562)."""
    return compat.uuid7()
