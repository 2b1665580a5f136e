"""Topic names and their creation on the broker."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.events.contracts import TOPICS

DLQ_SUFFIX = ".dlq"


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return f"{topic}{DLQ_SUFFIX}"


def is_dlq_topic(topic: str) -> bool:
    """Whether `topic` (logical) is a dead-letter topic."""
    return topic.endswith(DLQ_SUFFIX)


@dataclass(frozen=True)
class TopicNamespace:
    """Maps logical topic names (what contracts and signatures use) to broker topics.

    A prefix lets several deployments, or several tests, share one broker; the logical
    name stays inside the sealed envelope, so a prefix never changes what is signed.
    """

    prefix: str = ""

    def physical(self, topic: str) -> str:
        """The broker's name for logical `topic`."""
        return f"{self.prefix}{topic}"

    def group(self, service: str) -> str:
        """The consumer group of `service` in this namespace."""
        return self.physical(service)

    def logical(self, physical: str) -> str:
        """The logical name of broker topic `physical`."""
        return physical.removeprefix(self.prefix)


def all_topics() -> list[str]:
    """Every topic Heard uses, dead-letter topics included."""
    return [*TOPICS, *(dlq_topic(t) for t in TOPICS)]


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str] | None = None,
    *,
    namespace: TopicNamespace | None = None,
    partitions: int = 3,
) -> None:
    """Create the (logical) topics that do not exist yet; safe to call from every process."""
    names = namespace or TopicNamespace()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="heard-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        physical = [names.physical(t) for t in (topics or all_topics())]
        wanted = [t for t in physical if t not in existing]
        new = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in wanted]
        if new:
            # Another process may create them between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
    finally:
        await admin.close()
