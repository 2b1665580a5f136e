"""Group commit on a real (SQLite) database: concurrent writes share commits, a failing write
fails alone, a failed commit is reported to every write of its group and never retried, and
each write's events continue its own request's trace.

Bad input tried: a write that raises, two writes that conflict on a primary key, a commit
that fails, a request that goes away while its write waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Field, SQLModel, select

from shared.bus.outbox import OutboxMessage
from shared.crypto.keyring import FileKeyring
from shared.db.group_commit import GroupCommitter
from shared.db.uow import UnitOfWork
from shared.events.contracts import ComplaintSubmitted
from shared.runtime import Runtime, open_runtime
from shared.settings import ServiceSettings
from shared.telemetry import current_traceparent
from tests.support.events import submitted

TABLE = "heard_test_written"


class Written(SQLModel, table=True):
    """One row per write that committed."""

    __tablename__ = TABLE

    name: str = Field(primary_key=True, max_length=64)


@pytest.fixture
async def runtime(tmp_path: Path, keyring: FileKeyring) -> AsyncIterator[Runtime]:
    settings = ServiceSettings(database_url=f"sqlite:///{tmp_path / 'group.db'}")
    async with open_runtime("intake", settings, keyring=keyring) as opened:
        tables = [SQLModel.metadata.tables[t] for t in (TABLE, "heard_outbox")]
        async with opened.engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all, tables=tables)
        yield opened


def _writing(
    name: str, calls: list[str] | None = None, complaint: ComplaintSubmitted | None = None
) -> Callable[[UnitOfWork], Awaitable[str]]:
    async def write(uow: UnitOfWork) -> str:
        if calls is not None:
            calls.append(name)
        if name.startswith("raise"):
            raise ValueError("this write is broken")
        uow.session.add(Written(name=name.split("#")[0]))
        if complaint is not None:
            uow.emit(complaint, subject=str(complaint.complaint_id))
        return name

    return write


async def _names(runtime: Runtime) -> list[str]:
    async with runtime.sessions() as session:
        return sorted((await session.exec(select(Written.name))).all())


def _commits(runtime: Runtime) -> list[object]:
    commits: list[object] = []
    event.listen(runtime.engine.sync_engine, "commit", commits.append)
    return commits


async def test_concurrent_writes_share_commits_and_each_gets_its_own_answer(
    runtime: Runtime,
) -> None:
    commits = _commits(runtime)
    names = [f"w{i}" for i in range(12)]
    answers = await asyncio.gather(*(runtime.writes.run(_writing(n)) for n in names))
    assert answers == names
    assert await _names(runtime) == sorted(names)
    assert 1 <= len(commits) < len(names)


async def test_a_failing_write_fails_alone(runtime: Runtime) -> None:
    names = ["a", "raise", "b", "c#1", "c#2"]  # c#2 collides with c#1 on the primary key
    results = await asyncio.gather(
        *(runtime.writes.run(_writing(n)) for n in names), return_exceptions=True
    )
    assert (results[0], results[2]) == ("a", "b")
    assert isinstance(results[1], ValueError)
    assert sorted(type(r).__name__ for r in results[3:]) == ["IntegrityError", "str"]
    assert await _names(runtime) == ["a", "b", "c"]


class _CommitFails(UnitOfWork):
    async def commit(self) -> None:
        raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))


async def test_a_failed_commit_reaches_every_write_and_nothing_is_retried(
    runtime: Runtime,
) -> None:
    def failing() -> UnitOfWork:
        plain = runtime.uow()
        failing_uow = _CommitFails.__new__(_CommitFails)
        failing_uow.__dict__.update(plain.__dict__)
        return failing_uow

    calls: list[str] = []
    writes = GroupCommitter(failing)
    results = await asyncio.gather(
        *(writes.run(_writing(n, calls)) for n in ("x", "y", "z")), return_exceptions=True
    )
    assert all(isinstance(r, OperationalError) for r in results)
    assert sorted(calls) == ["x", "y", "z"]  # each ran once: a retry could store it twice
    assert await _names(runtime) == []


async def test_each_write_emits_in_its_own_requests_trace(runtime: Runtime) -> None:
    tracer = TracerProvider().get_tracer("test")

    async def request(i: int) -> str | None:
        with tracer.start_as_current_span(f"request {i}"):
            complaint = submitted(f"complaint {i}")
            await runtime.writes.run(_writing(f"t{i}", complaint=complaint))
            return current_traceparent()

    parents = await asyncio.gather(*(request(i) for i in range(6)))
    async with runtime.sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    emitted = {dict(r.to_record().headers)["traceparent"].decode() for r in rows}
    assert emitted == set(parents)
    assert len(emitted) == 6


async def test_a_request_that_goes_away_still_has_its_write_stored(runtime: Runtime) -> None:
    started = [asyncio.create_task(runtime.writes.run(_writing(f"g{i}"))) for i in range(5)]
    await asyncio.sleep(0)  # every write is queued
    started[2].cancel()
    done = await asyncio.gather(*started, return_exceptions=True)
    assert isinstance(done[2], asyncio.CancelledError)
    await asyncio.sleep(0.2)  # the group it was in finishes without it waiting
    assert await _names(runtime) == ["g0", "g1", "g2", "g3", "g4"]


async def test_a_lone_conflict_is_the_callers_integrity_error(runtime: Runtime) -> None:
    await runtime.writes.run(_writing("once"))
    with pytest.raises(IntegrityError):
        await runtime.writes.run(_writing("once"))
