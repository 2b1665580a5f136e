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


Member = tuple[str, ...]
"""A published figure of a grid: ("cell", group, value), ("group", g), ("value", v), ("total",)."""


@dataclass(frozen=True)
class Grid:
    """One dimension's counts within each group of another (say, time to close by region).

    The groups' tables and the overall table are published side by side, so a count one
    of them hides must not follow from the others: each row, each column and both margins
    is a sum a reader can take, and each is suppressed as one table is (`suppress_grid`).
    """

    dimension: str
    counts: Mapping[str, Mapping[str, int]]
    group_totals: Mapping[str, int]
    value_totals: Mapping[str, int]
    total: int

    def lines(self) -> list[list[Member]]:
        """Every sum a reader can take: each group's row, each value's column, the margins."""
        values = list(self.value_totals)
        rows: list[list[Member]] = [
            [("cell", g, v) for v in values] + [("group", g)] for g in self.counts
        ]
        columns: list[list[Member]] = [
            [("cell", g, v) for g in self.counts] + [("value", v)] for v in values
        ]
        margins: list[list[Member]] = [
            [("value", v) for v in values] + [("total",)],
            [("group", g) for g in self.counts] + [("total",)],
        ]
        return rows + columns + margins

    def count(self, member: Member) -> int:
        """The true count behind a published figure."""
        kind, *keys = member
        if kind == "cell":
            return self.counts[keys[0]].get(keys[1], 0)
        if kind == "group":
            return self.group_totals[keys[0]]
        return self.value_totals[keys[0]] if kind == "value" else self.total


def _fix_line(grid: Grid, line: list[Member], hidden: set[Member]) -> bool:
    """Hide one more figure of `line` if its hidden figures could be worked out; True if so."""
    shown = [m for m in line if m in hidden and grid.count(m) > 0]
    if not shown or (len(shown) >= 2 and sum(grid.count(m) for m in shown) >= THRESHOLD):
        return False
    candidates = sorted(
        (grid.count(m), m[0] != "cell", m) for m in line if m not in hidden and grid.count(m) > 0
    )
    if not candidates:
        return False
    hidden.add(candidates[0][2])
    return True


def suppress_grid(grid: Grid) -> set[Member]:
    """The figures of `grid` to hide: every count from 1 to 4, then (smallest first) more,
    until in every row, column and margin the hidden figures are none, or at least two that
    together count at least 5."""
    lines = grid.lines()
    hidden = {m for line in lines for m in line if 0 < grid.count(m) < THRESHOLD}
    changed = True
    while changed:  # every pass tries every line; a hidden figure can unsettle another line
        changed = False
        for line in lines:
            changed = _fix_line(grid, line, hidden) or changed
    return hidden


def group_table(grid: Grid, hidden: set[Member], group: str) -> Table:
    """The published table of one group of `grid`."""
    counts = grid.counts.get(group, {})
    cells = {v: (HIDDEN if ("cell", group, v) in hidden else n) for v, n in counts.items()}
    total = grid.group_totals.get(group, 0)
    return Table(grid.dimension, cells, HIDDEN if ("group", group) in hidden else total)


def margin_table(grid: Grid, hidden: set[Member]) -> Table:
    """The published table over every group of `grid`."""
    cells = {v: (HIDDEN if ("value", v) in hidden else n) for v, n in grid.value_totals.items()}
    return Table(grid.dimension, cells, HIDDEN if ("total",) in hidden else grid.total)


def hide_also(table: Table, other: Table) -> Table:
    """`table` with every figure `other` hides hidden too (the same figures, two grids)."""
    cells = {v: (HIDDEN if other.cells.get(v, 0) is HIDDEN else n) for v, n in table.cells.items()}
    total = HIDDEN if other.total is HIDDEN else table.total
    return Table(table.dimension, cells, total)
