"""Audit's errors.

AuditError
 +-- EntryNotFound      no log entry at that position (404)
 +-- BadTilePath        a tile path that is not in tlog-tiles' encoding (400)
 +-- TileNotFound       the tree has no such tile yet (404)
 +-- TreeTooSmall       a proof asked of a size or entry the signed tree does not hold (404)
 +-- EventNotLogged     no log entry carries that event id (404)
 +-- CommitmentNotLogged  no leaf of the signed tree records that commitment (404)
 +-- BadProofRange      a consistency proof from a larger tree to a smaller (400)
 +-- BadSearch          a console search field that does not parse (400)

A note or checkpoint that does not parse or verify raises `shared.tlog.errors.BadCheckpoint`.
"""

from __future__ import annotations

from shared.errors import HeardError


class AuditError(HeardError):
    """Root of audit's domain errors."""


class EntryNotFound(AuditError):
    """The log has no entry at that position (yet)."""

    status_code = 404
    public_detail = "the log has no entry at that position"


class BadTilePath(AuditError):
    """The path is not `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]` as tlog-tiles encodes it."""

    status_code = 400
    public_detail = "not a tile path: expected <L>/<N>[.p/<W>] with N as x001/x234/067"


class TileNotFound(AuditError):
    """The tile lies beyond the latest checkpoint's tree."""

    status_code = 404
    public_detail = "the log's signed tree has no such tile"


class TreeTooSmall(AuditError):
    """A proof was asked for a size larger than the signed tree, or an entry beyond it."""

    status_code = 404
    public_detail = "the log's signed tree is not that large yet"


class EventNotLogged(AuditError):
    """No entry in the log carries that event id."""

    status_code = 404
    public_detail = "no log entry carries that event id"


class CommitmentNotLogged(AuditError):
    """No leaf of the signed tree records that commitment (not yet, or never)."""

    status_code = 404
    public_detail = "no entry of the signed tree records that commitment (yet)"


class BadProofRange(AuditError):
    """A consistency proof was asked from a larger tree to a smaller one."""

    status_code = 400
    public_detail = "old must not be larger than new"


class BadSearch(AuditError):
    """A console search field that does not parse; the field is named, its value never echoed."""

    status_code = 400
    public_detail = "a search field is not valid"

    def __init__(self, field: str, hint: str = "case: a complaint id; dates: YYYY-MM-DD") -> None:
        super().__init__(field)
        self.public_detail = f"{field}: not valid ({hint})"
