"""One measurement window: complaints at a fixed rate for a fixed time against a running
Heard, and what the system made of them.

Latencies come from the services' own databases after the window (case `opened_at`, audit
`appended_at`) minus the client's send time, on one machine and one clock; only complaints
sent in the steady part (the middle 80% of the window) count. Consumer lag is sampled every
second: a backlog that keeps growing means the rate is not sustainable.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import psycopg

from bench.load import RawPoster, Sent, post_at_rate
from bench.stats import percentile, summary_ms
from deploy.client import sample_complaint
from deploy.status import read_status
from deploy.system import SystemConfig
from services.registry import SERVICES
from shared.bus.topics import TopicNamespace
from shared.bus.wakeup import libpq_url

TRAIL = ("heard.complaint.submitted.v1", "heard.complaint.triaged.v1", "heard.case.opened.v1")
SUBSCRIPTIONS = {s.name: s.subscribes for s in SERVICES}


@dataclass
class Window:
    """What one window measured."""

    rate: float
    seconds: float
    sent: list[Sent] = field(default_factory=list)
    lag: list[tuple[float, int]] = field(default_factory=list)
    to_case: list[float] = field(default_factory=list)
    to_audit: list[float] = field(default_factory=list)
    drained_after: float | None = None
    resident_mib: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def accepted(self) -> list[Sent]:
        """The submissions intake acknowledged."""
        return [s for s in self.sent if s.complaint_id]

    def steady(self) -> list[Sent]:
        """Accepted submissions sent in the middle 80% of the window."""
        first = min(s.sent_at for s in self.sent)
        lo, hi = first + 0.1 * self.seconds, first + 0.9 * self.seconds
        return [s for s in self.accepted if lo <= s.sent_at <= hi]

    def lag_grew(self) -> bool:
        """Whether the backlog at the end of sending is well above its level early on."""
        if len(self.lag) < 4:
            return False
        early = max(lag for _, lag in self.lag[: len(self.lag) // 4])
        late = self.lag[-1][1]
        return late > max(2 * early, self.rate)  # more than a second's worth, and growing

    def holds(self) -> bool:
        """Steady state: the rate accepted (within 5%), lag flat, submit -> case p99 < 1 s."""
        sent_at = [s.sent_at for s in self.sent]
        elapsed = max(sent_at) - min(sent_at) if sent_at else 0.0
        kept_up = len(self.accepted) >= 0.95 * self.rate * max(elapsed, 1e-9)
        return kept_up and not self.lag_grew() and percentile(self.to_case, 99) < 1.0

    def report(self) -> list[str]:
        """Printable lines."""
        elapsed = max(s.sent_at for s in self.sent) - min(s.sent_at for s in self.sent)
        steady = self.steady()
        lags = [lag for _, lag in self.lag]
        return [
            f"window: {self.rate:.0f}/s for {self.seconds:.0f} s; sent {len(self.sent)}, "
            f"accepted {len(self.accepted)}, steady part {len(steady)}",
            f"{'accepted per second':<38} {len(self.accepted) / max(elapsed, 1e-9):8.1f}",
            summary_ms("intake latency (HTTP 201)", [s.seconds for s in steady]),
            summary_ms("submit -> case in queue", self.to_case),
            summary_ms("submit -> audit (whole trail)", self.to_audit),
            f"{'consumer lag (records) max / at end':<38} {max(lags, default=0):8d} / "
            f"{lags[-1] if lags else 0:d}; backlog grew: {'yes' if self.lag_grew() else 'no'}; "
            f"drained {self.drained_after:.1f} s after sending"
            if self.drained_after is not None
            else "not drained",
            f"{'resident memory, whole system, loaded':<38} {self.resident_mib:8.0f} MiB",
            self.cpu_report(),
        ]

    def cpu_report(self) -> str:
        """CPU milliseconds per accepted complaint, by process, sending to drained."""
        count = max(len(self.accepted), 1)
        parts = sorted(self.cpu_seconds.items(), key=lambda item: -item[1])
        shares = ", ".join(f"{name} {1000 * used / count:.1f}" for name, used in parts)
        total = 1000 * sum(self.cpu_seconds.values()) / count
        return f"{'CPU ms per complaint':<38} {total:8.1f} ({shares})"


async def _sample_lag(config: SystemConfig, window: Window, stop: asyncio.Event) -> None:
    names = TopicNamespace(config.topic_prefix)
    started = time.monotonic()
    while not stop.is_set():
        status = await read_status(config.kafka_bootstrap_servers, SUBSCRIPTIONS, names)
        window.lag.append((time.monotonic() - started, sum(g.lag for g in status.lags)))
        await asyncio.sleep(1.0)


async def _opened(config: SystemConfig, ids: Sequence[str]) -> dict[str, float]:
    url = libpq_url(config.database_url("casework"))
    async with await psycopg.AsyncConnection.connect(url) as db, db.cursor() as cursor:
        await cursor.execute(
            "SELECT complaint_id::text, extract(epoch FROM opened_at) FROM casework_case "
            "WHERE complaint_id::text = ANY(%s)",
            (list(ids),),
        )
        return {row[0]: float(row[1]) for row in await cursor.fetchall()}


async def _audited(config: SystemConfig, ids: Sequence[str]) -> dict[str, float]:
    """When each complaint's whole trail (all three events) was in the log."""
    url = libpq_url(config.database_url("audit"))
    async with await psycopg.AsyncConnection.connect(url) as db, db.cursor() as cursor:
        await cursor.execute(
            "SELECT subject, max(extract(epoch FROM appended_at)), count(DISTINCT type) "
            "FROM audit_log_entry WHERE subject = ANY(%s) AND type = ANY(%s) GROUP BY subject",
            (list(ids), list(TRAIL)),
        )
        return {row[0]: float(row[1]) for row in await cursor.fetchall() if row[2] == len(TRAIL)}


async def _drained(config: SystemConfig, ids: list[str], within: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if len(await _audited(config, ids)) == len(ids) and len(await _opened(config, ids)) == len(
            ids
        ):
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    return None


async def run_window(
    config: SystemConfig,
    rate: float,
    seconds: float,
    *,
    start_number: int = 0,
    root_pid: int | None = None,
) -> Window:
    """Submit at `rate` for `seconds`, wait for the backlog to drain, measure."""
    window = Window(rate, seconds)
    count = int(rate * seconds)
    url = f"{config.url('intake')}/api/v1/complaints"
    connections = min(256, max(16, int(rate / 10)))
    async with RawPoster(url, connections) as poster:
        requests = [poster.encode(sample_complaint(start_number + n)) for n in range(count)]
        stop = asyncio.Event()
        sampler = asyncio.create_task(_sample_lag(config, window, stop))
        cpu_before = cpu_by_process(root_pid)
        window.sent = await post_at_rate(poster, requests, rate)
        window.resident_mib = resident_mib(root_pid)
        stop.set()
        await sampler
    ids = [s.complaint_id for s in window.accepted if s.complaint_id]
    window.drained_after = await _drained(config, ids, within=max(60.0, seconds))
    cpu_after = cpu_by_process(root_pid)
    window.cpu_seconds = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    steady = {s.complaint_id: s.sent_at for s in window.steady() if s.complaint_id}
    opened = await _opened(config, list(steady))
    audited = await _audited(config, list(steady))
    window.to_case = [opened[c] - t for c, t in steady.items() if c in opened]
    window.to_audit = [audited[c] - t for c, t in steady.items() if c in audited]
    return window


_TICK = os.sysconf("SC_CLK_TCK")


def _label(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as raw:
        command = raw.read().replace(b"\0", b" ").decode(errors="replace")
    for name in (*(s.name for s in SERVICES), "signin"):
        if f"services.{name}" in command or f"services.casework.{name}" in command:
            return name
    if "kafka.Kafka" in command:
        return "kafka"
    return "postgres" if "postgres" in command else "other"


def cpu_by_process(root_pid: int | None = None) -> dict[str, float]:
    """CPU seconds used so far by the processes below `root_pid`, by service (plus kafka,
    postgres): each process's own time and that of its ended children (PostgreSQL's
    backends come and go), so nothing is counted twice or lost."""
    totals: dict[str, float] = {}
    for pid in _descendants(root_pid or os.getpid()):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            label = _label(pid)
        except OSError:
            continue  # ended meanwhile: its time is in its parent's children's time
        used = sum(int(f) for f in fields[11:15]) / _TICK
        totals[label] = totals.get(label, 0.0) + used
    return totals


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def resident_mib(root_pid: int | None = None) -> float:
    """Memory of every process below `root_pid` (default: this one), in MiB: proportional set
    size, so pages several processes share (PostgreSQL's shared buffers, seen by each backend)
    count once in total, not once per process."""
    total = 0
    for pid in _descendants(root_pid or os.getpid()):
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                fields = dict(line.split(":", 1) for line in rollup if ":" in line)
        except OSError:
            continue
        total += int(fields.get("Pss", "0 kB").split()[0])
    return total / 1024
