"""`python -m services.<name> migrate|api|consume|relay|all`: a service's roles as processes.

`all` (the default deployment) runs the API, the consumer, the relay and the service's
background tasks as tasks on one event loop, sharing one runtime: one connection pool, and a
commit that emitted events wakes the relay in-process. Each role can also run alone to scale
out (Kafka consumer groups spread partitions over consumers; a relay started alone on
PostgreSQL is woken by `NOTIFY`). Every process stops cleanly on SIGTERM/SIGINT: the
consumer commits what it applied first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Generator
from typing import Any, Protocol, TypeVar

import uvicorn
import uvloop
from aiokafka.errors import KafkaError

from shared.bus.consumer import EventConsumer
from shared.bus.dead_letters import DeadLetterWriter
from shared.bus.kafka import make_consumer, make_producer
from shared.bus.relay import OutboxRelay, Retention
from shared.bus.topics import Replication, TopicNamespace, ensure_topics
from shared.bus.wakeup import listen_for_commits
from shared.db.engine import is_sqlite
from shared.db.migrations import upgrade
from shared.logs import setup_logging
from shared.runtime import Runtime, open_runtime
from shared.service import Service
from shared.settings import ServiceSettings
from shared.telemetry import JsonLinesSpanExporter, setup_tracing

log = logging.getLogger("heard.runner")

ROLES = ("migrate", "api", "consume", "relay", "all")


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


async def run_consumer(service: Service[Any], runtime: Runtime, stop: asyncio.Event) -> None:
    """Consume the service's topics as its group until `stop` is set."""
    processor = service.record_processor(runtime)
    if processor is None:
        return
    settings = runtime.settings
    bootstrap = settings.kafka_bootstrap_servers
    names = TopicNamespace(settings.topic_prefix)
    producer = await _started(
        lambda: make_producer(bootstrap, f"{service.name}-dlq"), stop, f"{service.name} dlq"
    )
    if producer is None:
        return
    try:
        # The group is namespaced like the topics, so deployments sharing a broker never
        # rebalance each other's consumers.
        consumer = await _started(
            lambda: make_consumer(bootstrap, names.group(service.name), []), stop, service.name
        )
        if consumer is None:
            return
        loop = EventConsumer(
            consumer,
            processor,
            runtime.uow,
            DeadLetterWriter(
                producer, service.name, names, signer=runtime.keyring.signing_key(service.name)
            ),
            name=service.name,
            namespace=names,
        )
        topics = [names.physical(t) for t in service.subscribes]
        consumer.subscribe(topics, listener=loop.rebalance_listener())
        try:
            await loop.run(stop)
        finally:
            await consumer.stop()
    finally:
        await producer.stop()


async def run_relay(
    service: Service[Any], runtime: Runtime, stop: asyncio.Event, *, listen: bool = False
) -> None:
    """Publish the service's outbox until `stop` is set.

    With `listen` (a relay in a process of its own, on PostgreSQL) commits made by other
    processes wake it through `NOTIFY`.
    """
    settings = runtime.settings
    if not service.produces:
        return
    bootstrap = settings.kafka_bootstrap_servers
    producer = await _started(
        lambda: make_producer(bootstrap, f"{service.name}-relay"), stop, f"{service.name} relay"
    )
    if producer is None:
        return
    listener = None
    if listen and not is_sqlite(settings.database_url):
        listener = asyncio.create_task(
            listen_for_commits(settings.database_url, runtime.outbox_signal, stop)
        )
    try:
        names = TopicNamespace(settings.topic_prefix)
        relay = OutboxRelay(
            runtime.sessions,
            producer,
            signal=runtime.outbox_signal,
            namespace=names,
            retention=Retention.of(settings),
        )
        await relay.run(stop)
    finally:
        await producer.stop()
        if listener is not None:
            await listener


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the process's stop event governs it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def run_api(service: Service[Any], runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve the service's API on its port until `stop` is set."""
    settings = runtime.settings
    app = service.create_app(settings)
    app.state.runtime = runtime  # shared with the consumer and relay of this process
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        timeout_keep_alive=settings.keep_alive_seconds,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = _QuietServer(config)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await serving
    if not stop.is_set():
        stop.set()  # the server failed to start or stopped by itself: stop the process


def _tasks(
    service: Service[Any], role: str, runtime: Runtime, stop: asyncio.Event
) -> list[Awaitable[None]]:
    tasks: list[Awaitable[None]] = []
    if role in ("api", "all"):
        tasks.append(run_api(service, runtime, stop))
    if role in ("relay", "all"):
        tasks.append(run_relay(service, runtime, stop, listen=role == "relay"))
    if role in ("consume", "all"):
        tasks.append(run_consumer(service, runtime, stop))
        tasks.extend(task(runtime, stop) for task in service.background)
    return tasks


async def run_role(
    service: Service[Any], role: str, settings: ServiceSettings, stop: asyncio.Event
) -> None:
    """Run `role` of `service` with `settings` in this process until `stop` is set."""
    names = TopicNamespace(settings.topic_prefix)
    bootstrap = settings.kafka_bootstrap_servers
    replication = Replication.of(settings)  # production refuses fewer than 3 copies, 2 in sync
    if role != "api":
        await _until_it_works(
            lambda: ensure_topics(bootstrap, namespace=names, replication=replication),
            stop,
            "topics",
        )
    async with open_runtime(service.name, settings, relay_elsewhere=role != "all") as runtime:
        await asyncio.gather(*_tasks(service, role, service.bind(runtime), stop))


async def _run_until_signalled(service: Service[Any], role: str, settings: ServiceSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_role(service, role, settings, stop)


def main(service: Service[Any], argv: list[str] | None = None) -> None:
    """Run one role of `service` in this process."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{service.name}")
    parser.add_argument("role", choices=ROLES, nargs="?", default="all")
    role = parser.parse_args(argv).role
    settings = service.settings()
    setup_logging(f"{service.name}-{role}")
    exporter = JsonLinesSpanExporter(settings.traces_file) if settings.traces_file else None
    tracing = setup_tracing(service.name, exporter)
    try:
        if role == "migrate":
            upgrade(settings.database_url, service.migrations)
        else:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(_run_until_signalled(service, role, settings))
    finally:
        tracing.shutdown()  # the batch exporter writes what it still holds
    log.info("%s %s stopped", service.name, role)
