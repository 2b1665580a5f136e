"""The one error of the transparency-log formats."""

from __future__ import annotations

from shared.errors import HeardError


class BadCheckpoint(HeardError):
    """A signed note or checkpoint that does not parse or does not verify."""

    status_code = 502
    public_detail = "the log's checkpoint does not verify"
