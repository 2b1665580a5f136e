"""Latency summaries for the benchmarks."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; NaN for no samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(name: str, seconds: Sequence[float]) -> str:
    """One line: count, p50, p99 and mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    mean = statistics.fmean(ms) if ms else float("nan")
    return (
        f"{name:<38} n={len(ms):<5} p50={percentile(ms, 50):8.2f} ms  "
        f"p99={percentile(ms, 99):8.2f} ms  mean={mean:8.2f} ms"
    )
