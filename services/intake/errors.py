"""Intake's errors.

IntakeError
 +-- UnknownReceipt      no complaint matches the receipt code (404)
 +-- TooManyLookups      the client looked up too many receipt codes too fast (429)
 +-- TooManySubmissions  the client sent too many complaints too fast (429)
 +-- AlreadyFinished     the complaint is closed or withdrawn: nothing more can be added (409)
 +-- NotYetClosed        feedback before the case closed (409)
 +-- ReceiptNotReady     the log has not yet signed and witnessed the commitment (503)
 +-- ClientBlocked       the client is on the blocklist (403)
 +-- NotBlocked          no blocklist entry has that hash (404)
 +-- BadForm             a web form that cannot be read: no CSRF token, not UTF-8 (400)

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


class _Throttled(IntakeError):
    """Over a per-client limit; `retry_after` is in whole seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"over the limit; retry after {retry_after}s")
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """When the client may try again."""
        return {"Retry-After": str(self.retry_after)}


class TooManyLookups(_Throttled):
    """The client's lookups are over the limit."""

    public_detail = "too many receipt lookups; please wait and try again"


class TooManySubmissions(_Throttled):
    """The client's submissions are over the limit."""

    public_detail = "too many complaints sent from here; please wait and try again"


class AlreadyFinished(IntakeError):
    """The complaint is closed or withdrawn."""

    status_code = 409
    public_detail = "this complaint is closed or withdrawn"


class NotYetClosed(IntakeError):
    """Feedback is asked only once the case closed."""

    status_code = 409
    public_detail = "feedback is possible once the case is closed"


class BadForm(IntakeError):
    """A form post that cannot be read (no CSRF token, not UTF-8, not a form)."""

    status_code = 400
    public_detail = "the form could not be read; please go back and try again"


class ReceiptNotReady(IntakeError):
    """The log has not yet signed, or no witness has yet cosigned, a tree holding the commitment."""

    status_code = 503
    public_detail = "the receipt is not ready yet; please try again in a minute"


class ClientBlocked(IntakeError):
    """The client's address is on the blocklist (its reason stays with the administrators)."""

    status_code = 403
    public_detail = "submissions from this connection are refused; please call the helpline"


class NotBlocked(IntakeError):
    """No blocklist entry has that hash."""

    status_code = 404
    public_detail = "no blocklist entry has that hash"
