"""Our Kafka records are CloudEvents 1.0 binary mode, as the official SDK reads them."""

from __future__ import annotations

from cloudevents.core.bindings import kafka

from shared.events.codec import EventCodec
from shared.events.envelope import SEALED_CONTENT_TYPE
from tests.support.events import submitted


def test_sdk_reads_our_record_and_writes_back_what_we_verify(
    intake_codec: EventCodec, triage_codec: EventCodec
) -> None:
    event = submitted()
    record = intake_codec.encode(event, subject=str(event.complaint_id))
    message = kafka.KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)

    parsed = kafka.from_binary_event(message)
    attributes = parsed.get_attributes()
    assert attributes["specversion"] == "1.0"
    assert attributes["type"] == "heard.complaint.submitted.v1"
    assert attributes["source"] == "/heard/intake"
    assert attributes["subject"] == str(event.complaint_id)
    assert attributes["datacontenttype"] == SEALED_CONTENT_TYPE
    assert parsed.get_data() == record.value

    again = kafka.to_binary_event(parsed, key_mapper=lambda _e: record.key)
    headers = list(again.headers.items())
    assert isinstance(again.key, bytes)
    inbound = triage_codec.decode(record.topic, again.key, headers, again.value)
    assert inbound.data == event
