"""Casework's errors.

CaseworkError
 +-- CaseNotFound    no case with that id (404)
 +-- InvalidCursor   a queue page cursor that casework did not issue (422)
"""

from __future__ import annotations

from shared.errors import HeardError


class CaseworkError(HeardError):
    """Root of casework's domain errors."""


class CaseNotFound(CaseworkError):
    """No case has that id."""


class InvalidCursor(CaseworkError):
    """The page cursor is not one casework issued."""
