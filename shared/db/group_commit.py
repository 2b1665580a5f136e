"""Group commit: the writes of concurrent requests share one transaction and one commit.

A request hands its write (a function that adds rows and emits events through a unit of
work, without committing) to the process's `GroupCommitter` and waits. While a commit is in
flight, the writes that arrive queue up; the next transaction applies them all, flushes each
table's rows together and commits once, so a busy API pays for one BEGIN, one INSERT per
table and one COMMIT per group instead of per request. A quiet API commits each write alone,
as soon as it arrives: nothing waits for a group to fill.

A write that fails before the commit (its own error, or a conflict in the group's flush) sends
the group down the slow path: rolled back, then each write in a transaction of its own, so
only the failing one fails. A failure of the COMMIT itself reaches every write of the group
unchanged: its outcome is unknown, and retrying here could store a complaint twice (the
caller tells the child exactly that). Each write runs in its own request's trace context,
so the events it emits continue its request's trace. A request that goes away while its
write waits does not withdraw it: a complaint handed over is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from opentelemetry import context as otel_context

from shared.db.uow import UnitOfWork

T = TypeVar("T")
Write = Callable[[UnitOfWork], Awaitable[T]]


@dataclass
class _Waiting(Generic[T]):
    write: Write[T]
    trace: otel_context.Context
    answer: asyncio.Future[T]


class GroupCommitter:
    """Applies concurrent writes in shared transactions (see the module docstring)."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], *, max_group: int = 64) -> None:
        self._unit_of_work = unit_of_work
        self._max_group = max_group
        self._queue: list[_Waiting[Any]] = []
        self._draining: asyncio.Task[None] | None = None

    async def run(self, write: Write[T]) -> T:
        """Apply `write` in a committed transaction (shared or not); return what it returned."""
        answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(write, otel_context.get_current(), answer))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        # Shielded: a request that goes away neither cancels the group its write is in nor
        # its own write, which still commits (a retry under its idempotency key finds it).
        return await asyncio.shield(answer)

    async def _drain(self) -> None:
        while self._queue:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
            await self._apply(group)

    async def _apply(self, group: list[_Waiting[Any]]) -> None:
        results: list[Any] = []
        try:
            async with self._unit_of_work() as uow:
                try:
                    results = [await _traced(w, uow) for w in group]
                    await uow.flush()
                except Exception:  # some write failed before the commit: find which, alone
                    failed_early = True
                else:
                    failed_early = False
                    await uow.commit()
        except BaseException as error:  # the commit (or the database) failed: outcome unknown
            for waiting in group:
                _settle(waiting, error=error)
            if not isinstance(error, Exception):
                raise
            return
        if failed_early:
            for waiting in group:
                await self._alone(waiting)
            return
        for waiting, result in zip(group, results, strict=True):
            _settle(waiting, result=result)

    async def _alone(self, waiting: _Waiting[Any]) -> None:
        try:
            async with self._unit_of_work() as uow:
                result = await _traced(waiting, uow)
                await uow.commit()
        except Exception as error:
            _settle(waiting, error=error)
        else:
            _settle(waiting, result=result)


async def _traced(waiting: _Waiting[T], uow: UnitOfWork) -> T:
    token = otel_context.attach(waiting.trace)
    try:
        return await waiting.write(uow)
    finally:
        otel_context.detach(token)


def _settle(
    waiting: _Waiting[Any], *, result: Any = None, error: BaseException | None = None
) -> None:
    if waiting.answer.done():
        return
    if error is not None:
        waiting.answer.set_exception(error)
    else:
        waiting.answer.set_result(result)
