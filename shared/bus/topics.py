"""Topic names and their creation on the broker.

Topics are created with the replication factor and `min.insync.replicas` of the settings
(1 and 1 on one machine; production refuses fewer than 3 and 2, so that an acknowledged
event survives the loss of a broker). Dead-letter topics keep their records until an
operator deletes them (`retention.ms=-1`): a dead letter is work not done yet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from shared.errors import ConfigurationError
from shared.events.contracts import TOPICS
from shared.settings import ServiceSettings

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


# What production needs at least: three copies of every record, two of them acknowledged.
PRODUCTION_REPLICATION = 3
PRODUCTION_MIN_INSYNC = 2
KEEP_FOREVER = "-1"


@dataclass(frozen=True)
class Replication:
    """How many copies of each partition the broker keeps, and how many must acknowledge."""

    factor: int = 1
    min_insync: int = 1

    @classmethod
    def of(cls, settings: ServiceSettings) -> Replication:
        """The settings' replication; ConfigurationError if production asks for less than 3/2."""
        wanted = cls(settings.topic_replication_factor, settings.topic_min_insync_replicas)
        if wanted.min_insync > wanted.factor:
            raise ConfigurationError("min.insync.replicas cannot exceed the replication factor")
        weak = wanted.factor < PRODUCTION_REPLICATION or wanted.min_insync < PRODUCTION_MIN_INSYNC
        if settings.environment == "production" and weak:
            raise ConfigurationError(
                f"production needs topics with {PRODUCTION_REPLICATION} replicas and "
                f"min.insync.replicas {PRODUCTION_MIN_INSYNC}; configured "
                f"{wanted.factor}/{wanted.min_insync} (HEARD_TOPIC_REPLICATION_FACTOR, "
                "HEARD_TOPIC_MIN_INSYNC_REPLICAS)"
            )
        return wanted

    def topic_configs(self, topic: str) -> dict[str, str]:
        """The per-topic settings of logical `topic`."""
        configs = {"min.insync.replicas": str(self.min_insync)}
        if is_dlq_topic(topic):
            configs["retention.ms"] = KEEP_FOREVER
        return configs


def all_topics() -> list[str]:
    """Every topic Heard uses, dead-letter topics included."""
    return [*TOPICS, *(dlq_topic(t) for t in TOPICS)]


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str] | None = None,
    *,
    namespace: TopicNamespace | None = None,
    partitions: int = 3,
    replication: Replication | None = None,
) -> None:
    """Create the (logical) topics that do not exist yet; safe to call from every process."""
    names = namespace or TopicNamespace()
    copies = replication or Replication()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="heard-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in (topics or all_topics()) if names.physical(t) not in existing]
        new = [
            NewTopic(
                names.physical(t),
                num_partitions=partitions,
                replication_factor=copies.factor,
                topic_configs=copies.topic_configs(t),
            )
            for t in wanted
        ]
        if new:
            # Another process may create them between our list and create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
        # Every topic, not only those listed before: another process may have made some.
        await _check_existing(admin, {names.physical(t): t for t in topics or all_topics()}, copies)
    finally:
        await admin.close()


async def _check_existing(
    admin: AIOKafkaAdminClient, topics: Mapping[str, str], copies: Replication
) -> None:
    """Refuse topics made with fewer copies than the settings ask for; make dead-letter
    topics made before `retention.ms=-1` keep their records (physical -> logical `topics`)."""
    for described in await admin.describe_topics(list(topics)):
        replicas = min((len(p["replicas"]) for p in described["partitions"]), default=0)
        if described["error_code"] == 0 and replicas < copies.factor:
            raise ConfigurationError(
                f"topic {described['topic']} has {replicas} replica(s); the settings ask for "
                f"{copies.factor}: add replicas (kafka-reassign-partitions) before starting"
            )
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in topics]
    for response in await admin.describe_configs(resources):
        for code, _message, _kind, name, entries in response.resources:
            configs = {entry[0]: entry[1] for entry in entries}
            if code != 0 or "min.insync.replicas" not in configs:
                continue  # just made, not yet described: made by us, as asked
            if int(configs["min.insync.replicas"]) < copies.min_insync:
                raise ConfigurationError(
                    f"topic {name} has min.insync.replicas {configs['min.insync.replicas']}; "
                    f"the settings ask for {copies.min_insync}"
                )
            wanted = copies.topic_configs(topics[name])
            if configs.get("retention.ms") != wanted.get(
                "retention.ms", configs.get("retention.ms")
            ):
                await admin.alter_configs(
                    [ConfigResource(ConfigResourceType.TOPIC, name, configs=wanted)]
                )
