"""The unit of work keeps state and events together; the relay marks only what was acked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from sqlmodel import col, select

from shared.bus.inbox import InboxRecords, already_processed
from shared.bus.outbox import OutboxMessage, OutboxRecords
from shared.bus.relay import OutboxRelay
from shared.bus.wakeup import OutboxSignal
from shared.crypto.at_rest import FieldCipher, LookupHasher
from shared.crypto.keyring import FileKeyring, new_keyring_document
from shared.db.engine import SessionFactory, make_session_factory
from shared.db.uow import ServiceContext, UnitOfWork
from shared.events.codec import EventCodec
from shared.settings import ServiceSettings
from tests.support.events import submitted
from tests.unit.shared.bus_db import bus_engine


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[SessionFactory]:
    engine = await bus_engine(tmp_path)
    yield make_session_factory(engine)
    await engine.dispose()


def _uow(
    sessions: SessionFactory, codec: EventCodec, signal: OutboxSignal | None = None
) -> UnitOfWork:
    keyring = FileKeyring(new_keyring_document())
    context = ServiceContext(
        ServiceSettings(), FieldCipher(keyring, "intake"), LookupHasher(keyring, "intake")
    )
    notify = signal.notify if signal is not None else (lambda: None)
    return UnitOfWork(sessions, codec, OutboxRecords(), context, notify)


class FakeProducer:
    """Records sends; can be told to fail the acknowledgement (I/O seam for the relay)."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, bytes | None]] = []
        self.fail = fail

    async def send(self, topic: str, *, value: bytes, key: bytes | None, headers: Any) -> Any:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail:
            future.set_exception(KafkaConnectionError("broker down"))
        else:
            self.sent.append((topic, key))
            future.set_result(None)
        return future


async def _outbox(sessions: SessionFactory) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.seq))
        return list((await session.exec(query)).all())


async def test_emit_without_commit_leaves_nothing(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    async with _uow(sessions, intake_codec) as uow:
        uow.emit(submitted(), subject="c1")
    assert await _outbox(sessions) == []


async def test_failure_inside_the_unit_rolls_back(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    async def failing_handler() -> None:
        async with _uow(sessions, intake_codec) as uow:
            uow.emit(submitted(), subject="c1")
            raise RuntimeError("handler bug")

    with pytest.raises(RuntimeError):
        await failing_handler()
    assert await _outbox(sessions) == []


async def test_committed_events_are_sealed_in_the_outbox(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    event = submitted()
    async with _uow(sessions, intake_codec) as uow:
        uow.emit(event, subject=str(event.complaint_id))
        await uow.commit()
    (row,) = await _outbox(sessions)
    record = row.to_record()
    assert record.topic == "complaints"
    assert intake_codec.decode(record.topic, record.key, record.headers, record.value).data == event
    assert row.published_at is None


async def test_relay_publishes_in_order_and_marks_sent(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    for subject in ("a", "b", "c"):
        async with _uow(sessions, intake_codec) as uow:
            uow.emit(submitted(), subject=subject)
            await uow.commit()
    producer = FakeProducer()
    relay = OutboxRelay(sessions, producer)
    assert await relay.publish_batch() == 3
    assert [key for _, key in producer.sent] == [b"a", b"b", b"c"]
    assert all(row.published_at is not None for row in await _outbox(sessions))
    assert await relay.publish_batch() == 0


async def test_relay_keeps_rows_when_the_broker_does_not_ack(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    async with _uow(sessions, intake_codec) as uow:
        uow.emit(submitted(), subject="a")
        await uow.commit()
    with pytest.raises(KafkaConnectionError):
        await OutboxRelay(sessions, FakeProducer(fail=True)).publish_batch()
    assert all(row.published_at is None for row in await _outbox(sessions))
    producer = FakeProducer()
    assert await OutboxRelay(sessions, producer).publish_batch() == 1


async def test_relay_run_survives_broker_outage(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    async with _uow(sessions, intake_codec) as uow:
        uow.emit(submitted(), subject="a")
        await uow.commit()
    producer = FakeProducer(fail=True)
    stop = asyncio.Event()
    relay = OutboxRelay(sessions, producer, retry_seconds=0.01)
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.05)
    producer.fail = False
    for _ in range(100):
        if producer.sent:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await task
    assert producer.sent == [("complaints", b"a")]


async def _published_within(producer: FakeProducer, seconds: float) -> bool:
    for _ in range(int(seconds / 0.01)):
        if producer.sent:
            return True
        await asyncio.sleep(0.01)
    return bool(producer.sent)


async def test_a_commit_wakes_the_relay_without_waiting_for_a_poll_and_a_rollback_never(
    sessions: SessionFactory, intake_codec: EventCodec
) -> None:
    producer = FakeProducer()
    signal = OutboxSignal()
    stop = asyncio.Event()
    relay = OutboxRelay(sessions, producer, signal=signal, poll_seconds=60)
    task = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.05)  # the relay found the outbox empty and sleeps for a minute
    async with _uow(sessions, intake_codec, signal) as uow:
        uow.emit(submitted(), subject="rolled-back")
    assert not await _published_within(producer, 0.2)
    async with _uow(sessions, intake_codec, signal) as uow:
        uow.emit(submitted(), subject="committed")
        await uow.commit()
    published = await _published_within(producer, 2.0)
    stop.set()
    await task
    assert published
    assert producer.sent == [("complaints", b"committed")]


async def test_inbox_records_and_recognises_processed_events(sessions: SessionFactory) -> None:
    keys = ["/heard/intake 1", "/heard/intake 2"]
    async with sessions() as session:
        assert await already_processed(session, "triage", keys) == set()
        await InboxRecords("triage").write(session, keys[:1])
        await session.commit()
    async with sessions() as session:
        assert await already_processed(session, "triage", keys) == {keys[0]}
        assert await already_processed(session, "casework", keys) == set()
