"""Triaging a submitted complaint: one decision per complaint; `complaint triaged` (with the
rule set's version, hash and the rules that fired) and a de-identified profile in the same
transaction; duplicates and systemic patterns found on keyed hashes, never plaintext."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import SQLModel, select

from services.triage.bootstrap import SERVICE as TRIAGE
from services.triage.db import Fingerprint, Mention, TriageDecision
from services.triage.handlers import TriageContext
from shared.bus.outbox import OutboxMessage
from shared.events.codec import EventCodec
from shared.events.contracts import (
    ComplaintProfiled,
    ComplaintSubmitted,
    ComplaintTriaged,
    EventData,
    SystemicPatternDetected,
)
from shared.events.record import KafkaRecord
from shared.runtime import Runtime
from tests.support.consumed import consumer_record, deliver, handle_record
from tests.support.events import MARKER, submitted


async def _deliver(runtime: Runtime, context: TriageContext, record: KafkaRecord) -> bool:
    assert runtime.context.state is context
    return await handle_record(runtime, TRIAGE, record)


def _encoded(codec: EventCodec, complaint: ComplaintSubmitted) -> KafkaRecord:
    return codec.encode(complaint, subject=str(complaint.complaint_id))


async def _count(runtime: Runtime, model: type[SQLModel]) -> int:
    async with runtime.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _emitted(runtime: Runtime) -> list[tuple[str, EventData]]:
    async with runtime.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    decoded = [runtime.codec.decode(r.topic, r.key, r.to_record().headers, r.value) for r in rows]
    return [(d.envelope.subject or "", d.data) for d in decoded]


async def test_a_complaint_is_decided_once_with_rule_set_hash_rules_fired_and_a_profile(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    complaint = submitted("he hits me and says he will kill me " + MARKER)
    assert await _deliver(runtime, context, _encoded(intake_codec, complaint))

    async with runtime.sessions() as session:
        stored = (await session.exec(select(TriageDecision))).one()
    assert (stored.category, stored.urgency, stored.priority, stored.queue) == (
        "violence.physical",
        "emergency",
        1,
        "emergency",
    )
    (subject, triaged), (profile_subject, profile) = await _emitted(runtime)
    assert isinstance(triaged, ComplaintTriaged)
    assert subject == str(complaint.complaint_id)
    assert triaged.rule_set == "2026.11-1"
    assert triaged.rule_set_hash == context.book._fallback.content_hash
    assert "danger.threat_to_kill" in triaged.rules_fired
    assert triaged.interim_measures
    assert triaged.categories[0] == triaged.category == "violence.physical"
    assert isinstance(profile, ComplaintProfiled)
    assert profile.profile_id != complaint.complaint_id
    assert profile_subject == str(profile.profile_id) != str(complaint.complaint_id)
    assert (profile.urgency, profile.age_band, profile.language) == ("P1", "12_14", "en")
    # Triage keeps and sends a decision, never the child's words.
    assert MARKER not in stored.model_dump_json()
    assert MARKER not in triaged.model_dump_json() + profile.model_dump_json()


async def test_a_redelivered_complaint_changes_nothing(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    record = _encoded(intake_codec, submitted())
    assert await _deliver(runtime, context, record)
    assert not await _deliver(runtime, context, record)
    assert await _count(runtime, TriageDecision) == 1
    assert await _count(runtime, OutboxMessage) == 2


async def test_a_complaint_sent_again_under_a_new_event_id_keeps_its_first_decision(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    first = submitted("my father hits me")
    again = first.model_copy(update={"narrative": "school exam"})
    assert await _deliver(runtime, context, _encoded(intake_codec, first))
    assert await _deliver(runtime, context, _encoded(intake_codec, again))
    async with runtime.sessions() as session:
        stored = (await session.exec(select(TriageDecision))).one()
    assert stored.category == "violence.physical"
    assert await _count(runtime, OutboxMessage) == 2


async def test_the_same_words_sent_again_are_suggested_as_a_likely_duplicate(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    first = submitted("My teacher HITS me at school")
    second = submitted("my teacher hits me at school!!")
    for complaint in (first, second):
        assert await _deliver(runtime, context, _encoded(intake_codec, complaint))
    decisions = [d for _, d in await _emitted(runtime) if isinstance(d, ComplaintTriaged)]
    by_id = {d.complaint_id: d for d in decisions}
    assert by_id[first.complaint_id].admissibility == "likely_admissible"
    assert by_id[second.complaint_id].admissibility == "review"
    assert any(
        r.startswith("same matter") for r in by_id[second.complaint_id].admissibility_reasons
    )


def _about(name: str, narrative: str = "the guards hit us") -> ComplaintSubmitted:
    return submitted(narrative).model_copy(update={"concerning": name})


async def test_complaints_about_one_institution_beyond_the_threshold_raise_one_alert(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    names = ["St Anne's Home", "st anne's home", "ST ANNE'S HOME", "Other Place", "St Anne's Home"]
    complaints = [_about(name, f"the guards hit us {i}") for i, name in enumerate(names)]
    for complaint in complaints:
        assert await _deliver(runtime, context, _encoded(intake_codec, complaint))

    alerts = [d for _, d in await _emitted(runtime) if isinstance(d, SystemicPatternDetected)]
    assert len(alerts) == 1  # the third complaint crossed the threshold; the fourth adds none
    assert alerts[0].complaints == sorted(c.complaint_id for c in complaints[:3])
    assert (alerts[0].threshold, alerts[0].window_days) == (3, 90)
    assert await _count(runtime, Mention) == 5


async def test_names_and_words_are_kept_only_as_keyed_hashes(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    complaint = _about(f"Home {MARKER}", f"my teacher hits me {MARKER}")
    assert await _deliver(runtime, context, _encoded(intake_codec, complaint))
    async with runtime.sessions() as session:
        dump: list[Any] = []
        for model in (TriageDecision, Fingerprint, Mention):
            dump += (await session.exec(select(model))).all()
    assert dump
    assert MARKER.casefold() not in repr(dump).casefold()
    assert await _count(runtime, Fingerprint) == 1


async def test_names_the_narrative_itself_gives_count_towards_a_pattern(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    narratives = [
        "at Riverside Academy the coach hits us",
        "the coach at Riverside Academy hits me every week",
        "Riverside Academy teachers slap the little ones",
    ]
    for narrative in narratives:
        assert await _deliver(runtime, context, _encoded(intake_codec, submitted(narrative)))
    alerts = [d for _, d in await _emitted(runtime) if isinstance(d, SystemicPatternDetected)]
    assert len(alerts) == 1
    assert len(alerts[0].complaints) == 3


async def test_a_complaint_sent_twice_within_one_batch_keeps_its_first_decision(
    runtime: Runtime, context: TriageContext, intake_codec: EventCodec
) -> None:
    # Within a batch handlers do not see each other's new rows; the conflict must send the
    # batch down the per-record path, where the second finds the first decision.
    first = submitted("my father hits me")
    again = first.model_copy(update={"narrative": "school exam"})
    records = [
        consumer_record(_encoded(intake_codec, first), offset=0),
        consumer_record(_encoded(intake_codec, again), offset=1),
    ]
    delivery = await deliver(runtime, TRIAGE, [records])
    assert not delivery.refused
    async with runtime.sessions() as session:
        stored = (await session.exec(select(TriageDecision))).one()
    assert stored.category.startswith("violence")
    triaged = [data for _, data in await _emitted(runtime) if isinstance(data, ComplaintTriaged)]
    assert len(triaged) == 1


async def test_the_same_words_twice_within_one_batch_are_a_likely_duplicate(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    # The batch's prefetch read the database before either was decided: the second must
    # still see the first through the batch's own view.
    first, second = submitted("my coach hurts me"), submitted("My coach HURTS me!")
    records = [
        consumer_record(_encoded(intake_codec, complaint), offset=i)
        for i, complaint in enumerate((first, second))
    ]
    assert not (await deliver(runtime, TRIAGE, [records])).refused
    decisions = {
        d.complaint_id: d for _, d in await _emitted(runtime) if isinstance(d, ComplaintTriaged)
    }
    assert decisions[first.complaint_id].admissibility == "likely_admissible"
    assert decisions[second.complaint_id].admissibility == "review"
    assert await _count(runtime, Fingerprint) == 2


async def test_a_pattern_crossed_within_one_batch_alerts_once_and_not_again_later(
    runtime: Runtime, intake_codec: EventCodec
) -> None:
    complaints = [_about("Hill House", f"the staff hit us {i}") for i in range(5)]
    encoded = [_encoded(intake_codec, complaint) for complaint in complaints]
    batch = [consumer_record(record, offset=i) for i, record in enumerate(encoded[:4])]
    later = [consumer_record(encoded[4], offset=4)]
    assert not (await deliver(runtime, TRIAGE, [batch, later])).refused
    alerts = [d for _, d in await _emitted(runtime) if isinstance(d, SystemicPatternDetected)]
    assert len(alerts) == 1
    assert alerts[0].complaints == sorted(c.complaint_id for c in complaints[:3])
    assert await _count(runtime, Mention) == 5
