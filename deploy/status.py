"""`heard status`: each consumer group's lag and each dead-letter topic's count, read from
the broker only (committed group offsets against the log end), so it works while the
services run, after they stopped, and against a broker somewhere else; and each service's
parked outbox rows (rows the broker will never take), read from its database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from shared.bus.outbox import count_parked
from shared.bus.topics import TopicNamespace, dlq_topic
from shared.db.engine import is_sqlite, make_engine
from shared.events.contracts import TOPICS


@dataclass(frozen=True)
class GroupLag:
    """How far one consumer group is behind on one topic."""

    group: str
    topic: str
    lag: int
    committed: int
    end: int


@dataclass(frozen=True)
class BusStatus:
    """Lag per consumer group and topic; records waiting in each dead-letter topic."""

    lags: list[GroupLag]
    dead_letters: dict[str, int]

    def render(self) -> str:
        """A plain-text table for the terminal."""
        lines = [f"{'consumer group':<16}{'topic':<18}{'lag':>8}{'committed':>12}{'end':>10}"]
        lines += [
            f"{g.group:<16}{g.topic:<18}{g.lag:>8}{g.committed:>12}{g.end:>10}" for g in self.lags
        ]
        lines += ["", f"{'dead-letter topic':<34}{'records':>8}"]
        lines += [f"{topic:<34}{count:>8}" for topic, count in self.dead_letters.items()]
        return "\n".join(lines)


async def read_status(
    bootstrap_servers: str,
    subscriptions: Mapping[str, Sequence[str]],
    namespace: TopicNamespace | None = None,
) -> BusStatus:
    """Lag of each group in `subscriptions` (group -> logical topics) and DLQ counts."""
    names = namespace or TopicNamespace()
    async with contextlib.AsyncExitStack() as clients:
        # Registered before starting, so a broker that does not answer leaves nothing open.
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="heard-status")
        clients.push_async_callback(admin.close)
        await admin.start()
        offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, client_id="heard-status")
        clients.push_async_callback(offsets.stop)
        await offsets.start()
        wanted = [names.physical(t) for t in (*TOPICS, *(dlq_topic(t) for t in TOPICS))]
        described = await admin.describe_topics(wanted)
        partitions = {
            names.logical(topic["topic"]): [
                TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"]
            ]
            for topic in described
            if topic["error_code"] == 0
        }
        everything = [tp for tps in partitions.values() for tp in tps]
        ends = await offsets.end_offsets(everything) if everything else {}
        starts = await offsets.beginning_offsets(everything) if everything else {}
        lags = []
        for group, topics in subscriptions.items():
            committed = await admin.list_consumer_group_offsets(names.group(group))
            for topic in topics:
                tps = partitions.get(topic, [])
                done = sum(committed[tp].offset if tp in committed else starts[tp] for tp in tps)
                end = sum(ends[tp] for tp in tps)
                lags.append(GroupLag(group, topic, end - done, done, end))
        dead = {
            topic: sum(ends[tp] - starts[tp] for tp in partitions.get(dlq_topic(topic), []))
            for topic in TOPICS
        }
        return BusStatus(lags, {dlq_topic(t): n for t, n in dead.items()})


async def read_parked(database_urls: Mapping[str, str]) -> dict[str, int | None]:
    """Parked outbox rows per service (None: its database cannot be read or is not there)."""
    return {
        service: None if _missing(url) else await _parked(url)
        for service, url in database_urls.items()
    }


def _missing(url: str) -> bool:
    """A SQLite file not made yet (reading it would create an empty one)."""
    return is_sqlite(url) and not Path(make_url(url).database or "").exists()


async def _parked(url: str) -> int | None:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return await count_parked(connection)
    except (OperationalError, DBAPIError, OSError):
        return None
    finally:
        await engine.dispose()


def render_parked(parked: Mapping[str, int | None]) -> str:
    """A table of parked outbox rows per service, with a warning when any is parked."""
    lines = [f"{'service':<16}{'parked outbox rows':>20}"]
    lines += [f"{s:<16}{'-' if n is None else n:>20}" for s, n in parked.items()]
    if any(parked.values()):
        lines.append("parked rows never reach the broker: see the relay's log for why")
    return "\n".join(lines)
