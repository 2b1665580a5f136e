"""Small-cell suppression: no published figure lets anyone work out a count below 5."""

from __future__ import annotations

import itertools
import random

from services.audit.figures import (
    THRESHOLD,
    Grid,
    Member,
    Table,
    group_table,
    hide_also,
    margin_table,
    suppress,
    suppress_grid,
    tabulate,
)


def _recoverable(cells: dict[str, int | None], total: int | None, truth: dict[str, int]) -> bool:
    """Can a reader work out any hidden count below 5 from what is shown?"""
    hidden = [k for k, v in cells.items() if v is None]
    if total is None or not hidden:
        return False
    rest = total - sum(v for v in cells.values() if v is not None)
    if len(hidden) == 1:
        return True
    # With several hidden cells, each is at most `rest`: small only if `rest` itself is.
    return rest < THRESHOLD and any(0 < truth[k] < THRESHOLD for k in hidden)


def test_cells_under_five_are_hidden_with_a_partner() -> None:
    table = suppress("region", {"north": 40, "south": 3, "east": 12, "west": 9}, 64)
    assert table.cells == {"north": 40, "south": None, "east": 12, "west": None}
    assert table.total == 64


def test_two_small_cells_that_sum_under_five_take_a_third() -> None:
    table = suppress("g", {"a": 1, "b": 2, "c": 30, "d": 8}, 41)
    assert table.cells == {"a": None, "b": None, "c": 30, "d": None}


def test_the_total_is_hidden_when_no_partner_is_left() -> None:
    assert suppress("g", {"a": 2}, 2).total is None
    assert suppress("g", {"a": 2, "b": 0}, 2).total is None
    table = suppress("g", {"a": 3, "b": 50}, 53)
    assert table.cells == {"a": None, "b": None}
    assert table.total == 53


def test_nothing_is_hidden_when_every_cell_is_large_or_zero() -> None:
    table = suppress("g", {"a": 5, "b": 0, "c": 7}, 12)
    assert table.cells == {"a": 5, "b": 0, "c": 7}
    assert table.total == 12


def test_no_random_table_reveals_a_small_cell() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        truth = {
            f"k{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 20]) for i in range(rng.randint(1, 6))
        }
        table = suppress("d", truth, sum(truth.values()))
        assert not _recoverable(table.cells, table.total, truth), truth
        assert all(v is None or v == truth[k] for k, v in table.cells.items())


def test_tabulate_counts_lists_once_per_member_and_orders_by_count() -> None:
    values = [["abuse", "school"], "abuse", ["abuse"], *itertools.repeat("school", 6)]
    table = tabulate("category", values, total=9)
    assert list(table.cells) == ["school", "abuse"]
    assert table.cells == {"school": None, "abuse": None}
    assert table.total == 9


def _attack(grid: Grid, hidden: set[Member]) -> dict[Member, int]:
    """What a reader works out from every published figure: each row, column and margin is a
    sum; any line with one unknown left gives it away; repeat until nothing more follows."""
    known = {m: grid.count(m) for line in grid.lines() for m in line if m not in hidden}
    progress = True
    while progress:
        progress = False
        for line in grid.lines():
            unknown = [m for m in line if m not in known]
            if len(unknown) != 1:
                continue
            total, *cells = line[-1:] + line[:-1]
            if unknown[0] == total:
                known[total] = sum(known[m] for m in cells)
            else:
                known[unknown[0]] = known[total] - sum(known[m] for m in cells if m in known)
            progress = True
    return known


def _random_grid(rng: random.Random) -> Grid:
    groups = [f"g{i}" for i in range(rng.randint(1, 5))]
    values = [f"v{i}" for i in range(rng.randint(1, 5))]
    counts = {g: {v: rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12]) for v in values} for g in groups}
    return Grid(
        "d",
        counts,
        {g: sum(counts[g].values()) for g in groups},
        {v: sum(counts[g][v] for g in groups) for v in values},
        sum(sum(c.values()) for c in counts.values()),
    )


def test_no_random_grid_gives_away_a_small_count_through_its_rows_and_columns() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        grid = _random_grid(rng)
        hidden = suppress_grid(grid)
        learned = _attack(grid, hidden)
        small = [m for m in hidden if m in learned and 0 < learned[m] < THRESHOLD]
        assert not small, (grid, small)
        assert all(
            not 0 < grid.count(m) < THRESHOLD
            for line in grid.lines()
            for m in line
            if m not in hidden
        )


def test_one_region_small_everywhere_is_not_given_away_by_the_others() -> None:
    # Time to close by region: the south's 3 would follow from all minus north minus east.
    counts = {
        "north": {"fast": 20, "slow": 9},
        "south": {"fast": 3, "slow": 0},
        "east": {"fast": 11, "slow": 6},
    }
    grid = Grid("time", counts, {"north": 29, "south": 3, "east": 17}, {"fast": 34, "slow": 15}, 49)
    hidden = suppress_grid(grid)
    overall = margin_table(grid, hidden)
    tables = {g: group_table(grid, hidden, g) for g in counts}
    assert tables["south"].cells["fast"] is None
    shown = [t.cells["fast"] for t in tables.values()] + [overall.cells["fast"]]
    assert shown.count(None) >= 2  # at least one partner in the column hides with it
    assert not [m for m, n in _attack(grid, hidden).items() if m in hidden and 0 < n < 5]


def test_hide_also_hides_what_either_grid_hides() -> None:
    one = Table("d", {"a": 7, "b": None}, 12)
    other = Table("d", {"a": None, "b": None}, None)
    assert hide_also(one, other) == Table("d", {"a": None, "b": None}, None)
