"""The oversight statistics: suppressed tables per dimension, and bars to draw them. Pure.

Complaints (triage's profiles), how fast and how cases went (casework's milestones),
systemic-pattern alerts (counted off the log) and children's feedback. A table may be asked
for one region or one category: it is then one group of a grid whose every row, column and
margin is suppressed together (`figures.suppress_grid`), and the overall table hides what
any of its grids hides, so no figure follows from the others.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from services.audit.figures import (
    Grid,
    Table,
    group_table,
    hide_also,
    margin_table,
    suppress_grid,
)
from services.audit.statistics_db import FeedbackRow, MilestoneRow, ProfileRow
from shared.events.contracts.casework import Elapsed

PROFILE_DIMENSIONS = (
    ("categories", "Category"),
    ("age_band", "Age band"),
    ("gender", "Gender"),
    ("disability", "Disability"),
    ("region", "Region"),
    ("channel", "Channel"),
    ("urgency", "Urgency"),
    ("submitted_by", "Submitted by"),
)
# (milestone, field counted, dimension name, title)
MILESTONE_MEASURES = (
    ("acknowledged", "elapsed", "time_to_acknowledge", "Time to acknowledge"),
    ("admissibility_decided", "elapsed", "time_to_admissibility", "Time to admissibility decision"),
    ("admissibility_decided", "outcome", "admissibility", "Admissibility decisions"),
    ("decided", "elapsed", "time_to_decision", "Time to decision"),
    ("ended", "elapsed", "time_to_close", "Time to close"),
    ("ended", "outcome", "outcome", "How cases ended"),
    ("deadline_breached", "outcome", "deadlines_breached", "Deadlines breached, by clock"),
    ("referred", "outcome", "referrals", "Referrals, by service"),
)
FEEDBACK_DIMENSIONS = (("felt_heard", "Felt heard"), ("helped", "Was helped"))
BREAKDOWNS = ("region", "category")
BAR_WIDTH = 300
_BAND_ORDER = {band: n for n, band in enumerate(get_args(Elapsed))}

Values = Callable[[Any], list[str]]
Breakdown = tuple[str, str] | None
"""(breakdown, value): one region's or one category's figures; None: all."""


@dataclass(frozen=True)
class Figures:
    """What the statistics are made of: the rows of every month, the alerts of the one shown."""

    profiles: Sequence[ProfileRow]
    feedback: Sequence[FeedbackRow]
    milestones: Sequence[MilestoneRow]
    alerts: int


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its count (None: suppressed) and its length."""

    label: str
    count: int | None
    length: int


def _categories(row: ProfileRow) -> list[str]:
    categories: list[str] = json.loads(row.categories)
    return categories or ["uncategorised"]


def _field(name: str) -> Values:
    if name == "categories":
        return _categories
    return lambda row: [str(getattr(row, name))]


_PROFILE_GROUPS: dict[str, Values] = {"region": _field("region"), "category": _categories}
_MILESTONE_GROUPS: dict[str, Values] = {"region": _field("region"), "category": _field("category")}


def _order(dimension: str, counts: Counter[str]) -> list[str]:
    if dimension.startswith("time_to_"):
        return sorted(counts, key=lambda band: _BAND_ORDER.get(band, len(_BAND_ORDER)))
    return sorted(counts, key=lambda value: (-counts[value], value))


def grid(dimension: str, rows: Sequence[Any], values: Values, groups: Values) -> Grid:
    """Counts of `values` within each group of `groups` (a row may count in several)."""
    counts: dict[str, Counter[str]] = {}
    group_totals: Counter[str] = Counter()
    value_totals: Counter[str] = Counter()
    for row in rows:
        found = set(values(row))
        value_totals.update(found)
        for group in set(groups(row)):
            group_totals[group] += 1
            counts.setdefault(group, Counter()).update(found)
    order = _order(dimension, value_totals)
    cells = {g: {v: c[v] for v in order if c[v]} for g, c in sorted(counts.items())}
    return Grid(dimension, cells, group_totals, {v: value_totals[v] for v in order}, len(rows))


def measure(
    dimension: str,
    rows: Sequence[Any],
    values: Values,
    groups: dict[str, Values],
    scope: tuple[str | None, Breakdown],
) -> Table:
    """One table of `rows` (of every month) for one month or all, and one group or all.

    Months are a grid too: a month's table is one row of it, the all-months table its
    margin, so no month's small cell is all months minus the others. The table of a month
    (or all) also hides what its region and category grids hide in their margin.
    """
    period, by = scope
    in_month = [row for row in rows if period is None or row.period == period]
    if by is not None:
        found = grid(dimension, in_month, values, groups[by[0]])
        return group_table(found, suppress_grid(found), by[1])
    months = grid(dimension, rows, values, _field("period"))
    hidden = suppress_grid(months)
    table = margin_table(months, hidden) if period is None else group_table(months, hidden, period)
    for of in groups.values():
        other = grid(dimension, in_month, values, of)
        table = hide_also(table, margin_table(other, suppress_grid(other)))
    return table


def _alerts(figures: Figures) -> Table:
    # Alerts are about institutions, places or people named in complaints, not children.
    return Table("systemic_pattern_alerts", {"alerts": figures.alerts}, figures.alerts)


def tables(
    figures: Figures, period: str | None = None, by: Breakdown = None
) -> list[tuple[str, Table]]:
    """(title, suppressed table) for every dimension in one month (or all), one region or
    category (or all: then also alerts and feedback, which do not break down)."""
    scope = (period, by)
    found = []
    for field, title in PROFILE_DIMENSIONS:
        table = measure(field, figures.profiles, _field(field), _PROFILE_GROUPS, scope)
        found.append((f"Complaints by {title.lower()}", table))
    for milestone, field, dimension, title in MILESTONE_MEASURES:
        rows = [row for row in figures.milestones if row.milestone == milestone]
        found.append((title, measure(dimension, rows, _field(field), _MILESTONE_GROUPS, scope)))
    if by is not None:
        return found
    found.append(("Systemic-pattern alerts (about institutions, not children)", _alerts(figures)))
    for field, title in FEEDBACK_DIMENSIONS:
        table = measure(field, figures.feedback, _field(field), {}, scope)
        found.append((f"Children's feedback: {title.lower()}", table))
    return found


_BAND_LABELS = {
    "under_1_hour": "under 1 hour",
    "1_24_hours": "1 to 24 hours",
    "1_7_days": "1 to 7 days",
    "7_30_days": "7 to 30 days",
    "1_3_months": "1 to 3 months",
    "3_6_months": "3 to 6 months",
    "over_6_months": "over 6 months",
}


def label(value: str) -> str:
    """A value as the page shows it (the exports keep the codes)."""
    return _BAND_LABELS.get(value) or value.replace("_", " ")


def bars(table: Table) -> list[Bar]:
    """Bars scaled to the largest shown count; suppressed cells get no bar."""
    largest = max((n for n in table.cells.values() if n is not None), default=0)
    return [
        Bar(label, count, (count * BAR_WIDTH // largest) if count and largest else 0)
        for label, count in table.rows()
    ]


def as_json(period: str | None, by: Breakdown, found: list[tuple[str, Table]]) -> str:
    """The tables for national reporting; suppressed counts are null."""
    document = {
        "period": period or "all",
        "breakdown": {by[0]: by[1]} if by else None,
        "suppression": "counts below 5 hidden (null), with secondary suppression",
        "tables": [
            {"title": t, "dimension": table.dimension, "total": table.total, "cells": table.cells}
            for t, table in found
        ],
    }
    return json.dumps(document, indent=2)


def _cell(text: str) -> str:
    # A region typed at intake lands in a spreadsheet: never let it start a formula there.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(period: str | None, by: Breakdown, found: list[tuple[str, Table]]) -> str:
    """One row per cell: period, breakdown, dimension, value, count ('suppressed' if hidden)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "breakdown", "dimension", "value", "count"])
    scope = f"{by[0]}={by[1]}" if by else "all"
    for _title, table in found:
        for value, count in [*table.rows(), ("total", table.total)]:
            shown = "suppressed" if count is None else str(count)
            writer.writerow([period or "all", _cell(scope), table.dimension, _cell(value), shown])
    return out.getvalue()
