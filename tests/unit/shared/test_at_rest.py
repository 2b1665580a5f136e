"""Child data at rest: sealed per subject, bound to its field, unreadable once shredded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.crypto.at_rest import FieldCipher, LookupHasher, SubjectKey, SubjectShredded
from shared.crypto.keyring import FileKeyring
from shared.errors import DecryptionFailed, KeyringError


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'rest.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all, tables=[SubjectKey.__table__])  # type: ignore[attr-defined]
    async with AsyncSession(engine, expire_on_commit=False) as db:
        yield db
    await engine.dispose()


async def test_a_field_round_trips_and_its_ciphertext_holds_no_plaintext(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    cipher = FieldCipher(keyring, "intake")
    subject = uuid.uuid4()
    sealed = await cipher.seal(session, subject, "narrative", "MARKER-at-rest-1 he hurt me")
    await session.commit()
    assert sealed is not None
    assert b"MARKER" not in sealed
    fresh = FieldCipher(keyring, "intake")  # no cache: the key comes from the table
    assert await fresh.open(session, subject, "narrative", sealed) == "MARKER-at-rest-1 he hurt me"


async def test_a_ciphertext_moved_to_another_field_or_subject_does_not_open(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    cipher = FieldCipher(keyring, "intake")
    first, second = uuid.uuid4(), uuid.uuid4()
    sealed = await cipher.seal(session, first, "phone", "+15550100")
    await cipher.seal(session, second, "phone", "+15550199")
    with pytest.raises(DecryptionFailed):
        await cipher.open(session, first, "email", sealed)
    with pytest.raises(DecryptionFailed):
        await cipher.open(session, second, "phone", sealed)


async def test_shredding_makes_every_field_of_the_subject_unreadable(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    cipher = FieldCipher(keyring, "casework")
    subject = uuid.uuid4()
    name = await cipher.seal(session, subject, "name", "Amina")
    story = await cipher.seal(session, subject, "narrative", "what happened")
    await session.commit()
    await cipher.shred(session, subject)
    await session.commit()
    for field, sealed in (("name", name), ("narrative", story)):
        with pytest.raises(SubjectShredded):
            await FieldCipher(keyring, "casework").open(session, subject, field, sealed)
        with pytest.raises(SubjectShredded):
            await cipher.open(session, subject, field, sealed)


async def test_another_services_key_cannot_unwrap(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    subject = uuid.uuid4()
    sealed = await FieldCipher(keyring, "intake").seal(session, subject, "name", "Li")
    await session.commit()
    with pytest.raises((DecryptionFailed, KeyringError)):
        await FieldCipher(keyring, "casework").open(session, subject, "name", sealed)


async def test_absent_values_stay_absent(session: AsyncSession, keyring: FileKeyring) -> None:
    cipher = FieldCipher(keyring, "intake")
    assert await cipher.seal(session, uuid.uuid4(), "email", None) is None
    assert await cipher.open(session, uuid.uuid4(), "email", None) is None


def test_lookup_hashes_match_equal_values_only_and_differ_by_purpose(
    keyring: FileKeyring,
) -> None:
    hasher = LookupHasher(keyring, "triage")
    assert hasher.digest("institution", "St  Mary's School") == hasher.digest(
        "institution", "st mary's school"
    )
    assert hasher.digest("institution", "A") != hasher.digest("person", "A")
    assert hasher.digest("institution", "A") != LookupHasher(keyring, "intake").digest(
        "institution", "A"
    )


def test_an_unknown_secret_is_a_keyring_error(keyring: FileKeyring) -> None:
    with pytest.raises(KeyringError):
        keyring.secret("nobody/at-rest")


async def _opened_fresh(
    keyring: FileKeyring, session: AsyncSession, subject: object, sealed: dict[str, bytes | None]
) -> dict[str, str | None]:
    # Another session and a cipher without a cache: every key comes from the table.
    fresh = FieldCipher(keyring, "casework")
    async with AsyncSession(session.bind) as other:
        return {
            name: await fresh.open(other, subject, name, value) for name, value in sealed.items()
        }


async def test_fields_sealed_without_autoflush_share_one_stored_key(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    # A consumer batch runs its handlers without autoflush: the second field of a new subject
    # must reuse the key the first one created, not create (and fail to store) another.
    cipher = FieldCipher(keyring, "casework")
    subject = uuid.uuid4()
    with session.no_autoflush:
        sealed = {name: await cipher.seal(session, subject, name, name * 2) for name in ("a", "b")}
    await session.commit()
    assert await _opened_fresh(keyring, session, subject, sealed) == {"a": "aa", "b": "bb"}


async def test_a_key_made_in_a_rolled_back_savepoint_is_not_reused(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    cipher = FieldCipher(keyring, "casework")
    subject = uuid.uuid4()
    savepoint = await session.begin_nested()
    await cipher.seal(session, subject, "lost", "rolled back")
    await savepoint.rollback()
    kept = await cipher.seal(session, subject, "kept", "stays readable")
    await session.commit()
    assert await _opened_fresh(keyring, session, subject, {"kept": kept}) == {
        "kept": "stays readable"
    }


async def test_preloaded_subjects_seal_and_open_with_the_stored_keys(
    session: AsyncSession, keyring: FileKeyring
) -> None:
    writer = FieldCipher(keyring, "casework")
    known, new = uuid.uuid4(), uuid.uuid4()
    before = await writer.seal(session, known, "words", "said before")
    await session.commit()
    batch = FieldCipher(keyring, "casework")
    await batch.preload(session, [known, new])
    assert await batch.open(session, known, "words", before) == "said before"
    after = await batch.seal(session, new, "words", "said now")
    await session.commit()
    assert await _opened_fresh(keyring, session, new, {"words": after}) == {"words": "said now"}
