"""Topics on a real broker: created with `min.insync.replicas` from the settings, and
dead-letter topics keep their records until deleted (`retention.ms=-1`)."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.bus.topics import Replication, TopicNamespace, ensure_topics
from shared.ids import new_id

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
