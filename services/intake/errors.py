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

    status_code = 404
    # One answer for every unknown code, so a guess learns nothing but "no".
    public_detail = "no complaint matches that receipt code"


class TooManyLookups(IntakeError):
    """The client's lookups are over the limit; `retry_after` is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many lookups; retry after {retry_after}s")
        self.retry_after = retry_after

    status_code = 429
    public_detail = "too many receipt lookups; please wait and try again"

    @property
    def headers(self) -> dict[str, str]:
        """When the client may try again."""
        return {"Retry-After": str(self.retry_after)}
