"""Oversight figures that expose no child: counts with small cells suppressed. Pure.

Primary suppression hides every count from 1 to 4 (fewer than 5 children). Secondary
suppression then hides more cells, smallest first, until the hidden cells are at least two
and together count at least 5, so the published total minus the shown cells cannot reveal
a hidden one; if the table runs out of cells, the total is hidden too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5
HIDDEN = None


@dataclass(frozen=True)
class Table:
    """One dimension's counts as published: None where suppressed."""

    dimension: str
    cells: dict[str, int | None]
    total: int | None

    def rows(self) -> list[tuple[str, int | None]]:
        """(value, count or None), in the table's order."""
        return list(self.cells.items())


def _hidden_ok(counts: Mapping[str, int], hidden: set[str]) -> bool:
    if not hidden:
        return True
    return len(hidden) >= 2 and sum(counts[k] for k in hidden) >= THRESHOLD


def suppress(dimension: str, counts: Mapping[str, int], total: int) -> Table:
    """`counts` (value -> count) and their `total`, with small cells and their keys hidden."""
    hidden = {k for k, n in counts.items() if 0 < n < THRESHOLD}
    candidates = sorted((n, k) for k, n in counts.items() if n > 0 and k not in hidden)
    while not _hidden_ok(counts, hidden) and candidates:
        hidden.add(candidates.pop(0)[1])
    total_shown: int | None = total
    if not _hidden_ok(counts, hidden) or 0 < total < THRESHOLD:
        total_shown = HIDDEN
    cells = {k: (HIDDEN if k in hidden else n) for k, n in counts.items()}
    return Table(dimension, cells, total_shown)


def tabulate(dimension: str, values: Iterable[str | Iterable[str]], total: int) -> Table:
    """Count each value (a list counts once per member), then suppress."""
    counts: Counter[str] = Counter()
    for value in values:
        counts.update([value] if isinstance(value, str) else value)
    ordered = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return suppress(dimension, ordered, total)
