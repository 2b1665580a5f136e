"""Sample events for tests."""

from __future__ import annotations

from shared.clock import utcnow
from shared.events.contracts import ComplaintSubmitted
from shared.events.contracts.intake import ContactDetails
from shared.ids import new_id

MARKER = "ZEBRA-MARKER-7731"


def submitted(narrative: str = f"my neighbour hits me {MARKER}") -> ComplaintSubmitted:
    """A complete ComplaintSubmitted with a marker in narrative and contact."""
    return ComplaintSubmitted(
        complaint_id=new_id(),
        submitted_at=utcnow(),
        channel="web",
        language="en",
        narrative=narrative,
        submitted_by="child",
        anonymous=False,
        age_band="12_14",
        contact=ContactDetails(name=f"Name {MARKER}", email="child@example.org"),
    )
