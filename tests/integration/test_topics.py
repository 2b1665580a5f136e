"""Topics on a real broker: created with `min.insync.replicas` from the settings, and
dead-letter topics keep their records until deleted (`retention.ms=-1`), also those made
before; topics that exist with fewer copies than the settings ask for are refused."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.bus.topics import Replication, TopicNamespace, ensure_topics
from shared.errors import ConfigurationError
from shared.ids import new_id
from tests.support.kafka_io import wait_for

pytestmark = pytest.mark.integration


async def _configs(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (response,) = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic)]
        )
    finally:
        await admin.close()
    (resource,) = response.resources
    return {entry[0]: entry[1] for entry in resource[4]}


async def _described(bootstrap: str, topic: str) -> bool:
    return "retention.ms" in await _configs(bootstrap, topic)


async def test_topics_get_their_replication_and_dead_letters_are_kept_forever(
    kafka_bootstrap: str,
) -> None:
    names = TopicNamespace(f"t{new_id().hex[-12:]}.")
    await ensure_topics(kafka_bootstrap, namespace=names, replication=Replication(1, 1))
    dead = await _configs(kafka_bootstrap, names.physical("complaints.dlq"))
    live = await _configs(kafka_bootstrap, names.physical("complaints"))
    assert dead["retention.ms"] == "-1"
    assert dead["min.insync.replicas"] == "1"
    assert live["retention.ms"] != "-1"  # ordinary topics keep the broker's retention
    assert live["min.insync.replicas"] == "1"


@pytest.mark.parametrize(
    ("asked", "complaint"),
    [(Replication(2, 1), "has 1 replica"), (Replication(1, 2), "min.insync.replicas 1")],
)
async def test_topics_made_with_fewer_copies_than_the_settings_ask_are_refused(
    kafka_bootstrap: str, asked: Replication, complaint: str
) -> None:
    names = TopicNamespace(f"t{new_id().hex[-12:]}.")
    await ensure_topics(kafka_bootstrap, namespace=names, replication=Replication(1, 1))
    await wait_for(lambda: _described(kafka_bootstrap, names.physical("audit.dlq")))
    with pytest.raises(ConfigurationError, match=complaint):
        await ensure_topics(kafka_bootstrap, namespace=names, replication=asked)


async def test_a_dead_letter_topic_made_before_keeps_its_records_from_now_on(
    kafka_bootstrap: str,
) -> None:
    names = TopicNamespace(f"t{new_id().hex[-12:]}.")
    dead = names.physical("complaints.dlq")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(dead, 3, 1)])  # as ensure_topics made them before
    finally:
        await admin.close()
    await wait_for(lambda: _described(kafka_bootstrap, dead))
    assert (await _configs(kafka_bootstrap, dead))["retention.ms"] != "-1"
    await ensure_topics(kafka_bootstrap, namespace=names)
    await wait_for(lambda: _kept_forever(kafka_bootstrap, dead))  # once the broker applied it


async def _kept_forever(bootstrap: str, topic: str) -> bool:
    return (await _configs(bootstrap, topic)).get("retention.ms") == "-1"
