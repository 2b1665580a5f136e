"""The base of every event payload model."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventPart(BaseModel):
    """A nested part of an event payload: immutable, tolerant of unknown fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class EventData(EventPart):
    """A versioned event payload.

    `type_name` is the CloudEvents `type`, `topic` where it travels and `producer` the one
    service allowed to emit it. Readers are tolerant: unknown fields are ignored.
    """

    type_name: ClassVar[str]
    topic: ClassVar[str]
    producer: ClassVar[str]
