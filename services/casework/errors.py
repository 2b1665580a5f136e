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

    status_code = 404
    public_detail = "no case with that id"


class InvalidCursor(CaseworkError):
    """The page cursor is not one casework issued."""

    status_code = 422
    public_detail = "cursor: the page cursor is not one this queue issued"
