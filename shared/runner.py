"""`python -m services.<name> migrate|api|consume|relay`: one process per role.

Each service describes itself with a `ServiceSpec`; this module turns it into processes
that stop cleanly on SIGTERM/SIGINT (the consumer commits what it applied first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import uvicorn
from aiokafka.errors import KafkaError
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


class _Client(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


C = TypeVar("C", bound=_Client)
T = TypeVar("T")


async def _until_it_works(
    action: Callable[[], Awaitable[T]], stop: asyncio.Event, what: str
) -> T | None:
    """Run `action` until it succeeds; None if stopped first.

    A process may start while the broker is down or restarting: it waits for it
    instead of exiting, so nothing but an operator decides when it stops.
    """
    delay = 0.5
    while not stop.is_set():
        try:
            return await action()
        except (KafkaError, OSError) as error:
            log.warning("%s: broker not reachable yet (%s)", what, type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, 5.0)
    return None


async def _started(make: Callable[[], C], stop: asyncio.Event, what: str) -> C | None:
    """A started Kafka client (a fresh one per attempt: a failed start is not retried)."""

    async def attempt() -> C:
        client = make()
        try:
            await client.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await client.stop()
            raise
        return client

    return await _until_it_works(attempt, stop, what)


async def run_consumer(
    spec: ServiceSpec[S], settings: S, runtime: Runtime, stop: asyncio.Event
) -> None:
    """Consume `spec.subscribes` as group `spec.name` until `stop` is set."""
    if spec.processor is None:
        raise ConfigurationError(f"{spec.name} consumes nothing")
    bootstrap = settings.kafka_bootstrap_servers
    names = TopicNamespace(settings.topic_prefix)
    producer = await _started(
        lambda: make_producer(bootstrap, f"{spec.name}-dlq"), stop, f"{spec.name} dlq producer"
    )
    if producer is None:
        return
    try:
        # The group is namespaced like the topics, so deployments sharing a broker never
        # rebalance each other's consumers.
        consumer = await _started(
            lambda: make_consumer(bootstrap, names.group(spec.name), []), stop, spec.name
        )
        if consumer is None:
            return
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
        try:
            await loop.run(stop)
        finally:
            await consumer.stop()
    finally:
        await producer.stop()


async def run_relay(
    spec: ServiceSpec[S], settings: S, runtime: Runtime, stop: asyncio.Event
) -> None:
    """Publish the service's outbox until `stop` is set."""
    bootstrap = settings.kafka_bootstrap_servers
    producer = await _started(
        lambda: make_producer(bootstrap, f"{spec.name}-relay"), stop, f"{spec.name} relay"
    )
    if producer is None:
        return
    try:
        names = TopicNamespace(settings.topic_prefix)
        await OutboxRelay(runtime.sessions, producer, namespace=names).run(stop)
    finally:
        await producer.stop()


async def _run_worker(spec: ServiceSpec[S], role: str, settings: S) -> None:
    stop = asyncio.Event()
    _stop_on_signals(stop)
    names = TopicNamespace(settings.topic_prefix)
    bootstrap = settings.kafka_bootstrap_servers
    await _until_it_works(lambda: ensure_topics(bootstrap, namespace=names), stop, "topics")
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
            timeout_keep_alive=settings.keep_alive_seconds,
            log_config=None,
            access_log=False,
        )
    else:
        asyncio.run(_run_worker(spec, role, settings))
    log.info("%s %s stopped", spec.name, role)
