"""The local infrastructure itself: a real Kafka broker and a real PostgreSQL cluster.

A broker carries a message, keeps it (and a group's committed offset) across a restart, and
leaves no process behind when killed; a cluster creates a database that accepts connections
and leaves nothing running when stopped.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.kafka_broker import KafkaBroker
from deploy.kafka_jars import BrokerError
from deploy.postgres import PostgresCluster
from shared.events.record import KafkaRecord
from tests.support.kafka_io import produce, read_all

pytestmark = pytest.mark.integration

TOPIC = "deploy-check"


def _group_gone(pgid: int) -> bool:
    """No live process in group `pgid` (zombies of an init that reaps nothing do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            return False
    return True


async def _create_topic(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(TOPIC, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def _consume_and_commit(bootstrap: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id="deploy-check",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=20_000)
        await consumer.commit()
        return [record.value for records in batch.values() for record in records]
    finally:
        await consumer.stop()


async def _committed(bootstrap: str) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id="deploy-check")
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(TopicPartition(TOPIC, 0))
        return offset
    finally:
        await consumer.stop()


async def test_a_broker_keeps_committed_data_across_a_restart_and_dies_when_killed(
    kafka_broker: KafkaBroker,
) -> None:
    bootstrap = kafka_broker.bootstrap
    await _create_topic(bootstrap)
    await produce(bootstrap, TOPIC, [KafkaRecord(topic=TOPIC, key=b"k", value=b"kept")])
    assert await _consume_and_commit(bootstrap) == [b"kept"]

    await asyncio.to_thread(kafka_broker.restart)
    assert kafka_broker.bootstrap == bootstrap
    assert [record.value for record in await read_all(bootstrap, TOPIC)] == [b"kept"]
    assert await _committed(bootstrap) == 1

    pid = kafka_broker.pid
    assert pid is not None
    kafka_broker.kill()
    assert _group_gone(pid)
    assert kafka_broker.pid is None


def test_a_broker_that_cannot_start_says_why(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        broker = KafkaBroker(tmp_path, port=taken.getsockname()[1])
        with pytest.raises(BrokerError, match="exited with") as failure:
            broker.start()
    assert "Address already in use" in str(failure.value)
    assert broker.pid is None


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    with tempfile.TemporaryDirectory(prefix="heard-pg-test-") as scratch:
        cluster = PostgresCluster(Path(scratch))
        try:
            yield cluster
        finally:
            cluster.stop()


def test_a_postgres_cluster_serves_a_new_database_then_leaves_nothing_running(
    cluster: PostgresCluster,
) -> None:
    cluster.start()
    url = cluster.create_database("t_deploy_check")
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT current_database(), current_setting('listen_addresses')")
        assert row.fetchone() == ("t_deploy_check", "127.0.0.1")

    pid = cluster.pid
    assert pid is not None
    cluster.stop()
    assert _group_gone(pid)
    assert cluster.pid is None
