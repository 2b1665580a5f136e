"""Helpers for intake's unit tests: sample submissions, the database's contents, and
casework's events delivered through the real consumer loop with Kafka faked out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from aiokafka.structs import ConsumerRecord
from sqlmodel import SQLModel, select

from services.intake.bootstrap import SERVICE as SPEC
from services.intake.handlers import Keys
from services.intake.idempotency import IdempotencyKeys
from services.intake.receipts import ReceiptHasher
from shared.bus.outbox import OutboxMessage
from shared.clock import utcnow
from shared.crypto.keyring import Keyring
from shared.events.codec import EventCodec
from shared.events.contracts import CaseOpened, ComplaintSubmitted, EventData
from shared.events.contracts.casework import CaseStepChanged, MessageToChild, Step
from shared.ids import new_id
from shared.runtime import Runtime
from tests.support.consumed import Delivery, consumer_record, deliver
from tests.support.events import MARKER

MINIMAL: dict[str, Any] = {
    "channel": "web",
    "language": "en",
    "narrative": "My uncle hits me every day and I am scared to go home",
    "submitted_by": "child",
    "anonymous": True,
    "age_band": "12_14",
}


def complete(**changes: Any) -> dict[str, Any]:
    """A named submission on a child's behalf, every field filled, MARKER in the child's data."""
    body: dict[str, Any] = {
        "channel": "phone",
        "language": "fr",
        "narrative": f"  Mon voisin me frappe {MARKER}  ",
        "submitted_by": "on_behalf",
        "anonymous": False,
        "age_band": "8_11",
        "gender": "girl",
        "disability": True,
        "region": "North",
        "contact": {
            "name": f"Name {MARKER}",
            "phone": "+33 1 23 45 67 89",
            "email": "parent@example.org",
            "safe_to_contact": True,
        },
        "on_behalf": {"relationship": "mother", "child_consents": True},
    }
    return {**body, **changes}


def intake_keys(runtime: Runtime) -> Keys:
    """The keys intake's app builds at start-up, from the runtime's keyring."""
    return Keys(runtime.fields, ReceiptHasher(runtime.keyring), IdempotencyKeys(runtime.lookups))


async def rows(runtime: Runtime, table: type[SQLModel]) -> list[Any]:
    """Every row of `table`."""
    async with runtime.sessions() as session:
        return list((await session.exec(select(table))).all())


async def outbox_events(runtime: Runtime, keyring: Keyring) -> list[ComplaintSubmitted]:
    """The outbox's `ComplaintSubmitted` events, opened as a consumer of `complaints` would."""
    return [
        e for e in await all_outbox_events(runtime, keyring) if isinstance(e, ComplaintSubmitted)
    ]


async def all_outbox_events(runtime: Runtime, keyring: Keyring) -> list[EventData]:
    """Every event in the outbox, opened as their consumers would open them."""
    reader = EventCodec(keyring, "triage")
    events = []
    for row in await rows(runtime, OutboxMessage):
        record = row.to_record()
        events.append(reader.decode(record.topic, record.key, record.headers, record.value).data)
    return events


def case_opened(keyring: Keyring, complaint_id: uuid.UUID, offset: int = 0) -> ConsumerRecord:
    """A `CaseOpened` for `complaint_id`, sealed and signed by casework, as consumed."""
    event = CaseOpened(
        case_id=new_id(),
        complaint_id=complaint_id,
        opened_at=utcnow(),
        queue="protection",
        priority=2,
        respond_by=utcnow(),
    )
    record = EventCodec(keyring, "casework").encode(event, subject=str(complaint_id))
    return consumer_record(record, offset=offset)


def from_casework(keyring: Keyring, event: EventData, offset: int = 0) -> ConsumerRecord:
    """Any casework event, sealed and signed by casework, as intake's consumer receives it."""
    subject = str(getattr(event, "complaint_id", ""))
    record = EventCodec(keyring, "casework").encode(event, subject=subject)
    return consumer_record(record, offset=offset)


def step_changed(
    complaint_id: uuid.UUID, step: Step, explanation: str | None = None
) -> CaseStepChanged:
    """Casework's `CaseStepChanged` for `complaint_id`."""
    return CaseStepChanged(
        case_id=new_id(),
        complaint_id=complaint_id,
        step=step,
        previous_step="received",
        changed_at=utcnow(),
        explanation=explanation,
    )


def message_to_child(complaint_id: uuid.UUID, body: str) -> MessageToChild:
    """Casework's `MessageToChild` for `complaint_id`."""
    return MessageToChild(
        case_id=new_id(),
        complaint_id=complaint_id,
        message_id=new_id(),
        sent_at=utcnow(),
        body=body,
        asks_for_information=True,
    )


async def consume(runtime: Runtime, records: Sequence[ConsumerRecord]) -> Delivery:
    """Run intake's real consumer loop over `records` as one poll."""
    return await deliver(runtime, SPEC, [records])
