"""Triage's errors.

TriageError
 +-- DecisionNotFound   no decision for that complaint (404)
"""

from __future__ import annotations

from shared.errors import HeardError


class TriageError(HeardError):
    """Root of triage's domain errors."""


class DecisionNotFound(TriageError):
    """Triage has made no decision for that complaint."""

    status_code = 404
    public_detail = "no triage decision for that complaint"
