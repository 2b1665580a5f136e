"""The dead-letter writer: a rejected record goes, unchanged, to `<topic>.dlq` with why.

The original headers and sealed value are kept (so an operator can re-drive the record
once the cause is fixed: `heard dlq redrive`); the reason is a code plus a detail that
never holds child data. The refusing consumer signs its refusal with its own key
(shared.bus.dlq_signing), so that audit logs as refusals only the dead letters a consumer
really wrote.
"""

from __future__ import annotations

import logging

from aiokafka.structs import ConsumerRecord
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.bus.dlq_signing import (
    CONSUMER_HEADER,
    DETAIL_HEADER,
    ORIGIN_HEADER,
    REASON_HEADER,
    SIGNATURE_HEADER,
    Refusal,
    record_digest,
)
from shared.bus.producer import AcknowledgedSender
from shared.bus.topics import TopicNamespace, dlq_topic
from shared.errors import EventRejected

__all__ = [
    "CONSUMER_HEADER",
    "DETAIL_HEADER",
    "ORIGIN_HEADER",
    "REASON_HEADER",
    "SIGNATURE_HEADER",
    "DeadLetterWriter",
]

log = logging.getLogger("heard.dlq")


class DeadLetterWriter:
    """Publishes rejected records, signed by the consumer, and counts them by reason."""

    def __init__(
        self,
        producer: AcknowledgedSender,
        consumer_name: str,
        namespace: TopicNamespace | None = None,
        *,
        signer: Ed25519PrivateKey,
    ) -> None:
        self._producer = producer
        self._names = namespace or TopicNamespace()
        self._consumer_name = consumer_name
        self._signer = signer
        self.counts: dict[str, int] = {}

    def refusal(self, record: ConsumerRecord, rejection: EventRejected) -> Refusal:
        """What this consumer states (and signs) about refusing `record` (topic logical)."""
        headers = list(record.headers or ())
        return Refusal(
            consumer=self._consumer_name,
            reason=rejection.reason,
            detail=rejection.detail[:500],
            origin=f"{record.topic}/{record.partition}/{record.offset}",
            record=record_digest(record.topic, record.key, headers, record.value),
        )

    async def send(self, record: ConsumerRecord, rejection: EventRejected) -> None:
        """Publish `record` (its topic logical) to its DLQ and wait for the acknowledgement."""
        refusal = self.refusal(record, rejection)
        await self._producer.send_and_wait(
            self._names.physical(dlq_topic(record.topic)),
            value=record.value,
            key=record.key,
            headers=[*list(record.headers or ()), *refusal.headers(self._signer)],
        )
        self.count(rejection.reason)
        log.warning(
            "dead-lettered record", extra={"reason": rejection.reason, "origin": refusal.origin}
        )

    def count(self, reason: str) -> None:
        """Count one rejected record under `reason` (sent or, for dead letters, kept)."""
        self.counts[reason] = self.counts.get(reason, 0) + 1
