"""Fixtures for shared/ unit tests: an in-memory keyring and codecs per service."""

from __future__ import annotations

import pytest

from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.events.codec import EventCodec


@pytest.fixture
def keyring() -> FileKeyring:
    return FileKeyring(new_keyring_document())


@pytest.fixture
def intake_codec(keyring: FileKeyring) -> EventCodec:
    return EventCodec(keyring, "intake")


@pytest.fixture
def triage_codec(keyring: FileKeyring) -> EventCodec:
    return EventCodec(keyring, "triage")
