"""Demonstration data for screenshots: casework's events for the newest complaint, sealed
and signed with casework's key as casework would send them, decoded and verified by intake's
codec and applied by intake's own handlers (needs a single-machine keyring holding both)."""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from services.intake.db import Complaint
from services.intake.handlers import HANDLERS
from services.intake.settings import IntakeSettings
from shared.clock import utcnow
from shared.events.codec import EventCodec
from shared.events.contracts import EventData
from shared.events.contracts.casework import CaseStepChanged, MessageToChild
from shared.ids import new_id
from shared.runtime import open_runtime


def _events(complaint_id: uuid.UUID) -> list[EventData]:
    case_id = new_id()
    return [
        CaseStepChanged(
            case_id=case_id,
            complaint_id=complaint_id,
            step="admissibility_review",
            previous_step="received",
            changed_at=utcnow(),
        ),
        MessageToChild(
            case_id=case_id,
            complaint_id=complaint_id,
            message_id=new_id(),
            sent_at=utcnow(),
            body="Thank you for telling us. You did the right thing. Is the boy in your class?",
            asks_for_information=True,
        ),
    ]


async def deliver_demo_case_events(settings: IntakeSettings) -> None:
    """Apply a step change and a message from the case worker to the newest complaint."""
    async with open_runtime("intake", settings) as runtime:
        async with runtime.sessions() as session:
            query = select(Complaint).order_by(col(Complaint.submitted_at).desc())
            newest = (await session.exec(query)).first()
        if newest is None:
            return
        table = {c.type_name: h for c, h in HANDLERS.items()}
        casework = EventCodec(runtime.keyring, "casework")
        for event in _events(newest.complaint_id):
            record = casework.encode(event, subject=str(newest.complaint_id))
            inbound = runtime.codec.decode(record.topic, record.key, record.headers, record.value)
            async with runtime.uow() as uow:
                await table[inbound.envelope.type](inbound, uow)
                await uow.commit()
