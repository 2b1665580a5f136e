"""Our Kafka records are CloudEvents 1.0 binary mode, as the official SDK reads them.

What the SDK writes back is the same event in another form (its `ce_time` ends in `Z`, it
adds `ce_partitionkey`): refused as not canonical, since it would be a second audit leaf of
one signed event.
"""

from __future__ import annotations

import pytest
from cloudevents.core.bindings import kafka

from shared.errors import MalformedEnvelope
from shared.events.codec import EventCodec
from shared.events.envelope import SEALED_CONTENT_TYPE
from tests.support.events import submitted


def test_sdk_reads_our_record_and_what_it_writes_back_is_not_canonical(
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
    assert dict(headers)["ce_time"].endswith(b"Z")
    with pytest.raises(MalformedEnvelope):
        triage_codec.decode(record.topic, again.key, headers, again.value)
