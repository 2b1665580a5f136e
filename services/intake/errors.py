"""Intake's errors.

IntakeError
 +-- UnknownReceipt      no complaint matches the receipt code (404)
 +-- TooManyLookups      the client looked up too many receipt codes too fast (429)

Messages never hold a receipt code or anything else a child sent.
"""

from __future__ import annotations

from shared.errors import HeardError


class IntakeError(HeardError):
    """Root of intake's domain errors."""


class UnknownReceipt(IntakeError):
    """No complaint matches the receipt code given."""


class TooManyLookups(IntakeError):
    """The client's lookups are over the limit; `retry_after` is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many lookups; retry after {retry_after}s")
        self.retry_after = retry_after
