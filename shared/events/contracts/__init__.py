"""Every event contract, and the registry the codec and the trust policy read.

One module per producing service; a contract's class says its type, topic and producer,
so the trust policy ("only triage may emit triaged") is derived, not written twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.events.contracts.audit import CheckpointSigned
from shared.events.contracts.base import EventData
from shared.events.contracts.casework import (
    CaseAccessed,
    CaseAssigned,
    CaseMilestone,
    CaseOpened,
    CaseStepChanged,
    DeadlineBreached,
    DecisionRecorded,
    InterimMeasuresTaken,
    MessageToChild,
    ReferralChanged,
)
from shared.events.contracts.intake import (
    ComplaintSubmitted,
    ComplaintWithdrawn,
    FeedbackGiven,
    InformationAdded,
    MessageFromChild,
)
from shared.events.contracts.triage import (
    ComplaintProfiled,
    ComplaintTriaged,
    RuleSetActivated,
    SystemicPatternDetected,
)

TOPICS: tuple[str, ...] = ("complaints", "triage", "cases", "statistics", "audit")

ALL_CONTRACTS: tuple[type[EventData], ...] = (
    ComplaintSubmitted,
    InformationAdded,
    MessageFromChild,
    ComplaintWithdrawn,
    FeedbackGiven,
    ComplaintTriaged,
    ComplaintProfiled,
    RuleSetActivated,
    SystemicPatternDetected,
    CaseOpened,
    CaseStepChanged,
    MessageToChild,
    CheckpointSigned,
    CaseAccessed,
    DeadlineBreached,
    InterimMeasuresTaken,
    ReferralChanged,
    DecisionRecorded,
    CaseAssigned,
    CaseMilestone,
)


def registry(contracts: Iterable[type[EventData]] = ALL_CONTRACTS) -> dict[str, type[EventData]]:
    """Map each CloudEvents type name to its payload model."""
    return {c.type_name: c for c in contracts}


__all__ = [
    "ALL_CONTRACTS",
    "TOPICS",
    "CaseAccessed",
    "CaseAssigned",
    "CaseMilestone",
    "CaseOpened",
    "CaseStepChanged",
    "CheckpointSigned",
    "ComplaintProfiled",
    "ComplaintSubmitted",
    "ComplaintTriaged",
    "ComplaintWithdrawn",
    "DeadlineBreached",
    "DecisionRecorded",
    "EventData",
    "FeedbackGiven",
    "InformationAdded",
    "InterimMeasuresTaken",
    "MessageFromChild",
    "MessageToChild",
    "ReferralChanged",
    "RuleSetActivated",
    "SystemicPatternDetected",
    "registry",
]
