"""Audit's errors.

AuditError
 +-- EntryNotFound   no log entry at that position (404)
"""

from __future__ import annotations

from shared.errors import HeardError


class AuditError(HeardError):
    """Root of audit's domain errors."""


class EntryNotFound(AuditError):
    """The log has no entry at that position (yet)."""

    status_code = 404
    public_detail = "the log has no entry at that position"
