"""De-identified milestones for the oversight statistics (`CaseMilestone` on `statistics`).

How fast cases are acknowledged, found admissible or not, decided and ended, which deadlines
ran out and where children were referred: audit counts these without ever seeing a case.
Each milestone travels under a fresh random id, with coarse bands only (the month, the time
since the complaint was received, region, category, urgency), never the case's id.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from services.casework.db import Case, ComplaintRecord
from services.casework.model import Plan
from shared.db.uow import UnitOfWork
from shared.errors import KeyringError
from shared.events.contracts import CaseMilestone
from shared.events.contracts.casework import Elapsed, Milestone
from shared.ids import new_id

log = logging.getLogger("heard.casework")

_BANDS: tuple[tuple[timedelta, Elapsed], ...] = (
    (timedelta(hours=1), "under_1_hour"),
    (timedelta(days=1), "1_24_hours"),
    (timedelta(days=7), "1_7_days"),
    (timedelta(days=30), "7_30_days"),
    (timedelta(days=91), "1_3_months"),
    (timedelta(days=183), "3_6_months"),
)
# The end of a case, by the step it ended at (and, when closed, the step it came from).
_ENDINGS = {
    ("closed", "follow_up"): "closed_after_decision",
    ("closed", "friendly_settlement"): "closed_by_settlement",
}


def elapsed_band(elapsed: timedelta) -> Elapsed:
    """The coarse band `elapsed` falls in."""
    for limit, band in _BANDS:
        if elapsed < limit:
            return band
    return "over_6_months"


def of_step(step: Plan) -> list[tuple[Milestone, str | None]]:
    """The milestones (with outcomes) a move of the procedure reaches: often none."""
    if step.target == "acknowledged":
        return [("acknowledged", None)]
    if step.target == "admissible":
        return [("admissibility_decided", "admissible")]
    if step.target == "inadmissible":
        return [("admissibility_decided", "inadmissible"), ("ended", "inadmissible")]
    if step.target == "decision":
        return [("decided", None)]
    if step.target in ("closed", "withdrawn"):
        return [("ended", _ENDINGS.get((step.target, step.source), step.target))]
    return []


async def reach(
    uow: UnitOfWork, case: Case, milestone: Milestone, outcome: str | None, now: datetime
) -> None:
    """Emit the de-identified milestone of `case` reached at `now`."""
    child = await uow.session.get(ComplaintRecord, case.complaint_id)
    received = child.submitted_at if child is not None else case.opened_at
    event = CaseMilestone(
        milestone_id=new_id(),
        period=now.strftime("%Y-%m"),
        milestone=milestone,
        outcome=outcome,
        elapsed=elapsed_band(now - received),
        region=child.region if child is not None else None,
        category=case.category,
        urgency=case.urgency,
    )
    try:
        uow.emit(event, subject=str(event.milestone_id))
    except KeyringError:
        # A keyring made before casework emitted statistics: the case moves on regardless;
        # the figure is missing, which the log line says (`heard keys init` in a new folder).
        log.warning("case milestone not counted: no data key for the statistics topic")


async def reach_step(uow: UnitOfWork, case: Case, step: Plan, now: datetime) -> None:
    """Emit the milestones a move reached, if any."""
    for milestone, outcome in of_step(step):
        await reach(uow, case, milestone, outcome, now)
