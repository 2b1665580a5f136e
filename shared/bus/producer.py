"""An idempotent producer that replaces itself when a failure has left it unusable.

aiokafka's idempotent producer retries retriable errors for ever, so every failure that
reaches a caller is one the broker will not take back: a record too large for its topic, a
topic not authorised, an out-of-order sequence number, an unknown producer id, a fenced
epoch, a sender task that died. After any of them the producer's sequence numbers may no
longer match the broker's, and every later record to that partition would fail with
`OutOfOrderSequenceNumber` until the process restarts. So a failed send marks the producer
broken, and the next send first replaces it with a fresh one (a new producer id, sequences
from zero). A replacement that cannot start (broker down) is tried again on the next send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

log = logging.getLogger("heard.producer")

Headers = list[tuple[str, bytes]]


class AcknowledgedSender(Protocol):
    """What the dead-letter writer needs: send one record and wait for the broker."""

    async def send_and_wait(self, topic: str, **record: Any) -> object:
        """Send one record (`value`, `key`, `headers`) and wait for its acknowledgement."""
        ...


class Producer(Protocol):
    """What the relay needs from a producer."""

    async def send(
        self, topic: str, *, value: bytes, key: bytes | None, headers: Headers
    ) -> asyncio.Future[Any]:
        """Enqueue one record; the future resolves when the broker acknowledged it."""
        ...


class RenewableProducer:
    """An `AIOKafkaProducer` made by `make`, replaced after a failed send."""

    def __init__(self, make: Callable[[], AIOKafkaProducer], name: str) -> None:
        self._make = make
        self._name = name
        self._current: AIOKafkaProducer | None = None
        self._broken: BaseException | None = None
        self.renewals = 0

    async def start(self) -> None:
        """Start the first producer."""
        self._current = await self._started()

    async def stop(self) -> None:
        """Stop the current producer, flushing what it holds."""
        current, self._current = self._current, None
        if current is not None:
            await current.stop()

    @property
    def broken(self) -> bool:
        """Whether the next send replaces the producer first."""
        return self._broken is not None

    async def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, **more: Any
    ) -> asyncio.Future[RecordMetadata]:
        """Enqueue one record on a usable producer (replacing a broken one first)."""
        producer = await self._usable()
        future: asyncio.Future[RecordMetadata] = await producer.send(
            topic, value=value, key=key, **more
        )
        future.add_done_callback(self._watch)
        return future

    async def send_and_wait(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, **more: Any
    ) -> RecordMetadata:
        """Send one record and wait for the broker's acknowledgement."""
        return await (await self.send(topic, value=value, key=key, **more))

    def _watch(self, future: asyncio.Future[RecordMetadata]) -> None:
        if future.cancelled() or future.exception() is None:
            return
        if self._broken is None:
            self._broken = future.exception()
            log.warning(
                "%s producer unusable after %s; replacing it before the next send",
                self._name,
                type(self._broken).__name__,
            )

    async def _usable(self) -> AIOKafkaProducer:
        if self._current is None:
            raise RuntimeError(f"{self._name} producer is not started")
        if self._broken is None:
            return self._current
        old, self._current = self._current, None
        with contextlib.suppress(Exception):
            # What it still holds fails or is sent; either way it is not waited for long.
            await asyncio.wait_for(old.stop(), timeout=5)
        try:
            self._current = await self._started()
        except BaseException:
            self._current = old  # stays broken: the next send tries again
            raise
        cause, self._broken = self._broken, None
        self.renewals += 1
        log.warning("%s producer replaced (after %s)", self._name, type(cause).__name__)
        return self._current

    async def _started(self) -> AIOKafkaProducer:
        producer = self._make()
        try:
            await producer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await producer.stop()
            raise
        return producer
