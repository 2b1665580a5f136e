"""A Kafka record as Heard writes it to the outbox and reads it from the bus."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KafkaRecord:
    """Topic, key, headers and value: all a producer needs, nothing readable about a child."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)
