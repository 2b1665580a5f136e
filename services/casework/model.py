"""The procedure as a pure state machine (mirroring OPIC): steps, actions, who may take them.

No I/O: `plan(case, action, role, reason)` says which step an action leads to and which
deadline it sets, or raises the domain error that explains why not. The handlers apply the
plan in one transaction, with the event and the timeline entry.

received -> acknowledged -> admissibility_review -> inadmissible | admissible -> transmitted
-> friendly_settlement | examination -> decision -> follow_up -> closed; withdrawal from any
open step; reopening (with a reason, by a supervisor) from closed, inadmissible or withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from services.casework.errors import (
    ReasonRequired,
    RoleNotAllowed,
    StepNotAllowed,
)
from shared.events.contracts.casework import Step

# The steps are the `cases` contract's own vocabulary (casework produces it).
STEPS: tuple[str, ...] = get_args(Step)
ENDED: frozenset[str] = frozenset({"closed", "inadmissible", "withdrawn"})
OPEN_STEPS: tuple[str, ...] = tuple(s for s in STEPS if s not in ENDED)

Action = Literal[
    "acknowledge",
    "review",
    "declare_admissible",
    "declare_inadmissible",
    "transmit",
    "settle",
    "examine",
    "decide",
    "follow_up",
    "close",
    "withdraw",
    "reopen",
]
ACTIONS: tuple[str, ...] = get_args(Action)
DeadlineKind = Literal["acknowledge", "admissibility", "duty_bearer_response", "follow_up"]

WORKERS = frozenset({"caseworker", "supervisor"})
SUPERVISORS = frozenset({"supervisor"})


@dataclass(frozen=True)
class Transition:
    """What one action does: from which steps, to which step, by whom, with what clock."""

    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool
    deadline: DeadlineKind | None = None


def _t(
    sources: set[str] | frozenset[str] | tuple[str, ...],
    target: str,
    roles: frozenset[str] = WORKERS,
    *,
    reason: bool = False,
    deadline: DeadlineKind | None = None,
) -> Transition:
    return Transition(frozenset(sources), target, roles, reason, deadline)


# The one table of the procedure. A reason is required wherever a person decides something
# about the child's complaint; ending or reopening a case is a supervisor's decision.
TRANSITIONS: dict[str, Transition] = {
    "acknowledge": _t({"received"}, "acknowledged", deadline="admissibility"),
    "review": _t({"acknowledged"}, "admissibility_review", deadline="admissibility"),
    "declare_admissible": _t({"admissibility_review"}, "admissible", reason=True),
    "declare_inadmissible": _t({"admissibility_review"}, "inadmissible", SUPERVISORS, reason=True),
    "transmit": _t({"admissible"}, "transmitted", reason=True, deadline="duty_bearer_response"),
    "settle": _t({"transmitted", "examination"}, "friendly_settlement", reason=True),
    "examine": _t({"transmitted"}, "examination", reason=True),
    "decide": _t({"examination", "friendly_settlement"}, "decision", reason=True),
    "follow_up": _t({"decision"}, "follow_up", deadline="follow_up"),
    "close": _t({"follow_up", "friendly_settlement"}, "closed", SUPERVISORS, reason=True),
    "withdraw": _t(OPEN_STEPS, "withdrawn", reason=True),
    "reopen": _t(ENDED, "admissibility_review", SUPERVISORS, reason=True, deadline="admissibility"),
}


@dataclass(frozen=True)
class Plan:
    """An allowed move: from `source` to `target`, and the deadline that now runs (if any)."""

    action: str
    source: str
    target: str
    deadline: DeadlineKind | None


def plan(step: str, action: str, roles: frozenset[str], reason: str | None) -> Plan:
    """The move `action` makes from `step` for a caller holding `roles`; raises why not."""
    transition = TRANSITIONS[action]
    if not roles & transition.roles:
        raise RoleNotAllowed(action)
    if step not in transition.sources:
        raise StepNotAllowed(action)
    if transition.needs_reason and not (reason or "").strip():
        raise ReasonRequired(action)
    return Plan(action, step, transition.target, transition.deadline)


def allowed_actions(step: str, roles: frozenset[str]) -> list[str]:
    """The actions a caller holding `roles` may take on a case at `step` now."""
    return [name for name, t in TRANSITIONS.items() if step in t.sources and roles & t.roles]


@dataclass(frozen=True)
class Clocks:
    """How long each legal clock runs (from settings)."""

    admissibility: timedelta
    duty_bearer_response: timedelta
    follow_up: timedelta

    def due(self, kind: DeadlineKind, now: datetime, respond_by: datetime) -> datetime:
        """When a deadline of `kind` started at `now` falls due."""
        if kind == "acknowledge":
            return respond_by
        length: timedelta = getattr(self, kind)
        return now + length


def urgency_rank(priority: int, due: datetime | None, now: datetime) -> tuple[int, int, float]:
    """Sort key for a queue: overdue first, then priority, then the nearest deadline."""
    if due is None:
        return (1, priority, float("inf"))
    return (0 if due < now else 1, priority, due.timestamp())
