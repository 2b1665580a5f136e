"""Events emitted by the audit service on the `audit` topic."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from shared.events.contracts.base import EventData


class CheckpointSigned(EventData):
    """The audit log signed a new checkpoint (a C2SP tlog-checkpoint in a signed note)."""

    type_name: ClassVar[str] = "heard.audit.checkpoint-signed.v1"
    topic: ClassVar[str] = "audit"
    producer: ClassVar[str] = "audit"

    origin: str = Field(min_length=1, max_length=256)
    size: int = Field(ge=1, le=(1 << 63) - 1)
    root_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    checkpoint: str = Field(min_length=1, max_length=8192, description="the signed note")
    signed_at: datetime
