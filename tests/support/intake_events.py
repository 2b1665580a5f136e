"""Intake's events as intake emits them (its codec, its keys), for testing their consumers
without intake: later information, a message from the child, a withdrawal."""

from __future__ import annotations

import uuid

from shared.clock import utcnow
from shared.events.codec import EventCodec
from shared.events.contracts import (
    ComplaintSubmitted,
    ComplaintWithdrawn,
    EventData,
    InformationAdded,
    MessageFromChild,
)
from shared.events.record import KafkaRecord
from shared.ids import new_id
from tests.support.events import submitted

__all__ = ["as_intake", "information", "message_from_child", "submitted", "withdrawn"]


def as_intake(codec: EventCodec, event: EventData) -> KafkaRecord:
    """`event` sealed and signed as intake would put it on `complaints`."""
    assert isinstance(
        event, ComplaintSubmitted | InformationAdded | MessageFromChild | ComplaintWithdrawn
    )
    return codec.encode(event, subject=str(event.complaint_id))


def information(complaint_id: uuid.UUID, text: str) -> InformationAdded:
    """The child adds `text` to their complaint."""
    return InformationAdded(complaint_id=complaint_id, added_at=utcnow(), text=text)


def message_from_child(complaint_id: uuid.UUID, body: str) -> MessageFromChild:
    """The child writes `body` to their case worker."""
    return MessageFromChild(
        complaint_id=complaint_id, message_id=new_id(), sent_at=utcnow(), body=body
    )


def withdrawn(complaint_id: uuid.UUID) -> ComplaintWithdrawn:
    """The child withdraws their complaint."""
    return ComplaintWithdrawn(complaint_id=complaint_id, withdrawn_at=utcnow())
