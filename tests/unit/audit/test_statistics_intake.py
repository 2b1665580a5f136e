"""Audit opens `statistics` records, and only those: the figures are kept with the log entry,
in the same transaction; a statistics record it cannot open is still logged."""

from __future__ import annotations

import uuid

from sqlmodel import select

from services.audit.bootstrap import SERVICE as AUDIT
from services.audit.db import AuditLogEntry
from services.audit.processor import AuditProcessor
from services.audit.statistics_db import ProfileRow
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.events.contracts import ComplaintProfiled
from shared.runtime import Runtime
from tests.support.consumed import consumer_record, deliver
from tests.unit.audit.support import apply_record


def _profiled() -> ComplaintProfiled:
    return ComplaintProfiled(
        profile_id=uuid.uuid4(),
        period="2026-11",
        channel="web",
        language="fr",
        submitted_by="child",
        age_band="8_11",
        gender="boy",
        disability=True,
        region="north",
        categories=["education"],
        urgency="standard",
    )


async def _rows(runtime: Runtime) -> tuple[list[AuditLogEntry], list[ProfileRow]]:
    async with runtime.sessions() as session:
        entries = list((await session.exec(select(AuditLogEntry))).all())
        profiles = list((await session.exec(select(ProfileRow))).all())
    return entries, profiles


async def test_a_profile_is_counted_and_logged_once(
    processor: AuditProcessor, triage_codec: EventCodec, runtime: Runtime
) -> None:
    profile = _profiled()
    record = triage_codec.encode(profile, subject=str(profile.profile_id))
    assert await apply_record(runtime, consumer_record(record))
    assert not await apply_record(runtime, consumer_record(record))
    entries, profiles = await _rows(runtime)
    assert [e.type for e in entries] == ["heard.statistics.complaint-profiled.v1"]
    assert [(p.profile_id, p.region, p.disability) for p in profiles] == [
        (str(profile.profile_id), "north", "yes")
    ]


async def test_a_statistics_record_audit_cannot_open_is_still_logged(
    keyring: FileKeyring, triage_codec: EventCodec, runtime: Runtime
) -> None:
    document = {**keyring.document(), "data_keys": {}}
    blind = AuditProcessor(EventCodec(FileKeyring(document), "audit"))
    profile = _profiled()
    record = triage_codec.encode(profile, subject=str(profile.profile_id))
    delivery = await deliver(runtime, AUDIT, [[consumer_record(record)]], processor=blind)
    assert delivery.counts.applied == 1
    entries, profiles = await _rows(runtime)
    assert len(entries) == 1
    assert profiles == []
