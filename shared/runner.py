"""`python -m services.<name> migrate|api|consume|relay`: one process per role.

Each service describes itself with a `ServiceSpec`; this module turns it into processes
that stop cleanly on SIGTERM/SIGINT (the consumer commits what it applied first).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import uvicorn
from fastapi import FastAPI

from shared.bus.consumer import EventConsumer
from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.kafka import make_consumer, make_producer
from shared.bus.processing import RecordProcessor
from shared.bus.relay import OutboxRelay
from shared.bus.topics import TopicNamespace, ensure_topics
from shared.db.migrations import upgrade
from shared.errors import ConfigurationError
from shared.logs import setup_logging
from shared.runtime import Runtime, open_runtime
from shared.settings import ServiceSettings
from shared.telemetry import JsonLinesSpanExporter, setup_tracing

log = logging.getLogger("heard.runner")


S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class ServiceSpec(Generic[S]):
    """How a service runs: its settings, migrations, app and what it consumes.

    `processor` builds what the consumer applies records with, usually an
    `EventDispatcher` over the service's table from event type to handler.
    """

    name: str
    settings: Callable[[], S]
    migrations: Path
    create_app: Callable[[S], FastAPI]
    subscribes: tuple[str, ...] = ()
    processor: Callable[[Runtime, S], RecordProcessor] | None = None


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


async def run_consumer(
    spec: ServiceSpec[S], settings: S, runtime: Runtime, stop: asyncio.Event
) -> None:
    """Consume `spec.subscribes` as group `spec.name` until `stop` is set."""
    if spec.processor is None:
        raise ConfigurationError(f"{spec.name} consumes nothing")
    bootstrap = settings.kafka_bootstrap_servers
    names = TopicNamespace(settings.topic_prefix)
    # The group is namespaced like the topics, so deployments sharing a broker never rebalance
    # each other's consumers.
    consumer = make_consumer(bootstrap, names.group(spec.name), [])
    producer = make_producer(bootstrap, f"{spec.name}-dlq")
    await producer.start()
    loop = EventConsumer(
        consumer,
        spec.processor(runtime, settings),
        runtime.uow,
        DeadLetterWriter(producer, spec.name, names),
        name=spec.name,
        namespace=names,
    )
    topics = [names.physical(t) for t in spec.subscribes]
    consumer.subscribe(topics, listener=loop.rebalance_listener())
    await consumer.start()
    try:
        await loop.run(stop)
    finally:
        await consumer.stop()
        await producer.stop()


async def run_relay(
    spec: ServiceSpec[S], settings: S, runtime: Runtime, stop: asyncio.Event
) -> None:
    """Publish the service's outbox until `stop` is set."""
    producer = make_producer(settings.kafka_bootstrap_servers, f"{spec.name}-relay")
    await producer.start()
    try:
        names = TopicNamespace(settings.topic_prefix)
        await OutboxRelay(runtime.sessions, producer, namespace=names).run(stop)
    finally:
        await producer.stop()


async def _run_worker(spec: ServiceSpec[S], role: str, settings: S) -> None:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    names = TopicNamespace(settings.topic_prefix)
    await ensure_topics(settings.kafka_bootstrap_servers, namespace=names)
    async with open_runtime(spec.name, settings) as runtime:
        worker = run_consumer if role == "consume" else run_relay
        await worker(spec, settings, runtime, stop)


def main(spec: ServiceSpec[S], argv: list[str] | None = None) -> None:
    """Run one role of `spec` in this process."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{spec.name}")
    parser.add_argument("role", choices=["migrate", "api", "consume", "relay"])
    role = parser.parse_args(argv).role
    settings = spec.settings()
    setup_logging(f"{spec.name}-{role}")
    exporter = JsonLinesSpanExporter(settings.traces_file) if settings.traces_file else None
    setup_tracing(spec.name, exporter)
    if role == "migrate":
        upgrade(settings.database_url, spec.migrations)
    elif role == "api":
        uvicorn.run(
            spec.create_app(settings),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
    else:
        asyncio.run(_run_worker(spec, role, settings))
    log.info("%s %s stopped", spec.name, role)
