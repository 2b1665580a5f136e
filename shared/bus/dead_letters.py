"""The dead-letter writer: a rejected record goes, unchanged, to `<topic>.dlq` with why.

The original headers and sealed value are kept (so an operator can re-drive the record
once the cause is fixed); the reason is a code plus a detail that never holds child data.
"""

from __future__ import annotations

import logging

from aiokafka.structs import ConsumerRecord

from shared.bus.producer import AcknowledgedSender
from shared.bus.topics import TopicNamespace, dlq_topic
from shared.errors import EventRejected

log = logging.getLogger("heard.dlq")

REASON_HEADER = "dlq_reason"
DETAIL_HEADER = "dlq_detail"
CONSUMER_HEADER = "dlq_consumer"
ORIGIN_HEADER = "dlq_origin"


class DeadLetterWriter:
    """Publishes rejected records and counts them by reason."""

    def __init__(
        self,
        producer: AcknowledgedSender,
        consumer_name: str,
        namespace: TopicNamespace | None = None,
    ) -> None:
        self._producer = producer
        self._names = namespace or TopicNamespace()
        self._consumer_name = consumer_name
        self.counts: dict[str, int] = {}

    async def send(self, record: ConsumerRecord, rejection: EventRejected) -> None:
        """Publish `record` (its topic logical) to its DLQ and wait for the acknowledgement."""
        headers = [
            *list(record.headers or ()),
            (REASON_HEADER, rejection.reason.encode()),
            (DETAIL_HEADER, rejection.detail[:500].encode()),
            (CONSUMER_HEADER, self._consumer_name.encode()),
            (ORIGIN_HEADER, f"{record.topic}/{record.partition}/{record.offset}".encode()),
        ]
        await self._producer.send_and_wait(
            self._names.physical(dlq_topic(record.topic)),
            value=record.value,
            key=record.key,
            headers=headers,
        )
        self.count(rejection.reason)
        log.warning(
            "dead-lettered record",
            extra={
                "reason": rejection.reason,
                "origin": f"{record.topic}/{record.partition}/{record.offset}",
            },
        )

    def count(self, reason: str) -> None:
        """Count one rejected record under `reason` (sent or, for dead letters, kept)."""
        self.counts[reason] = self.counts.get(reason, 0) + 1
