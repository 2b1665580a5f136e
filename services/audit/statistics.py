"""The oversight statistics: suppressed tables per dimension, and bars to draw them. Pure."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from services.audit.figures import Table, tabulate
from services.audit.statistics_db import FeedbackRow, ProfileRow

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
FEEDBACK_DIMENSIONS = (("felt_heard", "Felt heard"), ("helped", "Was helped"))
BAR_WIDTH = 300


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its count (None: suppressed) and its length."""

    label: str
    count: int | None
    length: int


def tables(profiles: list[ProfileRow], feedback: list[FeedbackRow]) -> list[tuple[str, Table]]:
    """(title, suppressed table) for every dimension of complaints and of feedback."""
    found = []
    for field, title in PROFILE_DIMENSIONS:
        values = [_value(row, field) for row in profiles]
        found.append((f"Complaints by {title.lower()}", tabulate(field, values, len(profiles))))
    for field, title in FEEDBACK_DIMENSIONS:
        values = [str(getattr(row, field)) for row in feedback]
        found.append(
            (f"Children's feedback: {title.lower()}", tabulate(field, values, len(feedback)))
        )
    return found


def _value(row: ProfileRow, field: str) -> str | list[str]:
    if field == "categories":
        categories: list[str] = json.loads(row.categories)
        return categories or ["uncategorised"]
    return str(getattr(row, field))


def bars(table: Table) -> list[Bar]:
    """Bars scaled to the largest shown count; suppressed cells get no bar."""
    largest = max((n for n in table.cells.values() if n is not None), default=0)
    return [
        Bar(label, count, (count * BAR_WIDTH // largest) if count and largest else 0)
        for label, count in table.rows()
    ]


def as_json(period: str | None, found: list[tuple[str, Table]]) -> str:
    """The tables for national reporting; suppressed counts are null."""
    document = {
        "period": period or "all",
        "suppression": "counts below 5 hidden (null), with secondary suppression",
        "tables": [
            {"title": t, "dimension": table.dimension, "total": table.total, "cells": table.cells}
            for t, table in found
        ],
    }
    return json.dumps(document, indent=2)


def as_csv(period: str | None, found: list[tuple[str, Table]]) -> str:
    """One row per cell: period, dimension, value, count ('suppressed' where hidden)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "dimension", "value", "count"])
    for _title, table in found:
        for value, count in [*table.rows(), ("total", table.total)]:
            shown = "suppressed" if count is None else str(count)
            writer.writerow([period or "all", table.dimension, value, shown])
    return out.getvalue()
