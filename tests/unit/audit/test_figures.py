"""Small-cell suppression: no published figure lets anyone work out a count below 5."""

from __future__ import annotations

import itertools
import random

from services.audit.figures import THRESHOLD, suppress, tabulate


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
