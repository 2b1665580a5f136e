"""Child data at rest: each complaint's fields sealed under that complaint's own data key.

Envelope encryption: a random 256-bit data key per subject (complaint), stored only wrapped
(AES-GCM) by the service's `<service>/at-rest` key-encryption key. Each sealed field is bound
to its service, field name and subject as associated data, so a ciphertext cannot be moved to
another field or complaint. Destroying a subject's data key (`shred`) makes every field sealed
under it unreadable at once (crypto-shredding). Equality lookups (duplicates, a phone number
seen before) use `LookupHasher`: a keyed hash, never the value.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Column, LargeBinary, delete
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import utcnow
from shared.crypto import aead
from shared.crypto.keyring import Keyring
from shared.db.types import UTCDateTime
from shared.errors import DecryptionFailed, HeardError

_CACHE_SIZE = 4096


class SubjectShredded(HeardError):
    """The subject's data key was destroyed: its sealed fields can never be read again."""


class SubjectKey(SQLModel, table=True):
    """One subject's data key, wrapped by the service's key-encryption key."""

    __tablename__ = "heard_subject_key"

    subject: str = Field(primary_key=True, max_length=64)
    kek_id: str = Field(max_length=100)
    wrapped: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


@dataclass
class _SessionKeys:
    """What one session knows of subject keys beyond the cache: keys it created (not cached
    until committed) and subjects a preload found without a key."""

    created: dict[str, tuple[SubjectKey, bytes]] = field(default_factory=dict)
    absent: set[str] = field(default_factory=set)


def _session_keys(session: AsyncSession) -> _SessionKeys:
    known = session.info.get("heard_subject_keys")
    if known is None:
        known = session.info["heard_subject_keys"] = _SessionKeys()
    assert isinstance(known, _SessionKeys)  # noqa: S101 - only this module writes it
    return known


class FieldCipher:
    """Seals and opens one service's stored child data, per subject."""

    def __init__(self, keyring: Keyring, service: str) -> None:
        self._keyring = keyring
        self._service = service
        self._kek_name = f"{service}/at-rest"
        # Unwrapped keys of recent subjects (only keys already stored): a page of cases opens
        # many fields per complaint. A key shredded by another process stays usable here until
        # evicted or this process restarts; `shred` in this process forgets it at once.
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    async def seal(
        self, session: AsyncSession, subject: object, field: str, plaintext: str | None
    ) -> bytes | None:
        """`plaintext` sealed under `subject`'s key (created in this transaction if new)."""
        if plaintext is None:
            return None
        key = await self._key(session, str(subject), create=True)
        return aead.seal(key, plaintext.encode("utf-8"), self._bound(str(subject), field))

    async def open(
        self, session: AsyncSession, subject: object, field: str, sealed: bytes | None
    ) -> str | None:
        """The plaintext of a sealed field; SubjectShredded once the key is destroyed."""
        if sealed is None:
            return None
        key = await self._key(session, str(subject), create=False)
        return aead.open_sealed(key, sealed, self._bound(str(subject), field)).decode("utf-8")

    async def shred(self, session: AsyncSession, subject: object) -> None:
        """Destroy `subject`'s data key (in the caller's transaction)."""
        self._cache.pop(str(subject), None)
        _session_keys(session).created.pop(str(subject), None)
        await session.exec(delete(SubjectKey).where(col(SubjectKey.subject) == str(subject)))

    def _bound(self, subject: str, field: str) -> bytes:
        return f"heard-at-rest-v1\x00{self._service}\x00{field}\x00{subject}".encode()

    def _wrap_bound(self, subject: str) -> bytes:
        return f"heard-subject-key-v1\x00{self._service}\x00{subject}".encode()

    async def preload(self, session: AsyncSession, subjects: Collection[object]) -> None:
        """Read the data keys of `subjects` in one query (a consumer batch's prefetch), so
        sealing and opening their fields needs no round trip of its own."""
        wanted = {str(s) for s in subjects} - self._cache.keys()
        known = _session_keys(session)
        if not wanted:
            return
        rows = await session.exec(select(SubjectKey).where(col(SubjectKey.subject).in_(wanted)))
        for row in rows:
            self._remember(row.subject, self._unwrap(row, row.subject))
        known.absent.update(wanted - self._cache.keys())

    def new_subject(self, session: AsyncSession, subject: object) -> None:
        """Declare `subject` new (an id this transaction just made): its key is created at
        the first seal without looking for one."""
        _session_keys(session).absent.add(str(subject))

    async def _key(self, session: AsyncSession, subject: str, *, create: bool) -> bytes:
        cached = self._cache.get(subject)
        if cached is not None:
            self._cache.move_to_end(subject)
            return cached
        known = _session_keys(session)
        created = known.created.get(subject)
        # A key made earlier in this transaction; gone if its savepoint was rolled back.
        if created is not None and created[0] in session:
            return created[1]
        row = None if subject in known.absent else await session.get(SubjectKey, subject)
        if row is None:
            if not create:
                raise SubjectShredded("no data key for this subject")
            # Not cached: the transaction that adds it may still roll back.
            return self._new_key(session, subject, known)
        key = self._unwrap(row, subject)
        self._remember(subject, key)
        return key

    def _new_key(self, session: AsyncSession, subject: str, known: _SessionKeys) -> bytes:
        key = aead.new_data_key()
        kek = self._keyring.secret(self._kek_name)
        wrapped = aead.seal(kek.secret, key, self._wrap_bound(subject))
        row = SubjectKey(subject=subject, kek_id=kek.key_id, wrapped=wrapped)
        session.add(row)
        known.created[subject] = (row, key)
        known.absent.discard(subject)
        return key

    def _unwrap(self, row: SubjectKey, subject: str) -> bytes:
        kek = self._keyring.secret(self._kek_name, row.kek_id)
        try:
            return aead.open_sealed(kek.secret, row.wrapped, self._wrap_bound(subject))
        except DecryptionFailed:
            raise DecryptionFailed("a subject key does not unwrap") from None

    def _remember(self, subject: str, key: bytes) -> None:
        self._cache[subject] = key
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)


def normalised(value: str) -> str:
    """The form values are compared in: NFKC, case-folded, inner white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


class LookupHasher:
    """Keyed hashes for equality lookups on values that must not be stored readable."""

    def __init__(self, keyring: Keyring, service: str) -> None:
        self._name = f"{service}/lookup"
        self._key = keyring.secret(self._name).secret

    def digest(self, purpose: str, value: str) -> str:
        """Hex HMAC-SHA256 of the normalised `value`, separated by `purpose`."""
        message = f"{purpose}\x00{normalised(value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
