"""The one error of the transparency-log formats."""

from __future__ import annotations

from shared.errors import HeardError


class BadCheckpoint(HeardError):
    """A signed note or checkpoint that does not parse or does not verify."""

    status_code = 502
    public_detail = "the log's checkpoint does not verify"


class ReceiptRefused(HeardError):
    """A receipt (tlog-proof) that does not prove what it claims; `reason` says why, plainly."""

    status_code = 400
    public_detail = "the receipt does not verify"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
