"""aiokafka clients configured so that nothing is lost: idempotent acks=all producers
(replaced when a failure leaves them unusable), consumers that never auto-commit."""

from __future__ import annotations

from functools import partial

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.bus.producer import RenewableProducer


def make_producer(bootstrap_servers: str, client_id: str) -> RenewableProducer:
    """An idempotent producer that waits for every in-sync replica, renewed when broken."""
    make = partial(
        AIOKafkaProducer,
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        request_timeout_ms=30000,
    )
    return RenewableProducer(make, client_id)


def make_consumer(bootstrap_servers: str, group_id: str, topics: list[str]) -> AIOKafkaConsumer:
    """A group consumer whose offsets are committed by hand, after the database commit."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=f"heard-{group_id}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=1000,
        # Under load the broker answers a fetch once 16 KiB (about ten events) are there or
        # 10 ms passed: batches grow, and with them what each transaction carries, for at
        # most 10 ms more per hop when the bus is quiet.
        fetch_min_bytes=16384,
        fetch_max_wait_ms=10,
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
    )
