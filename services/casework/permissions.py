"""Who may do what to which case: the one permission matrix of casework.

Parts of a case: `summary` (queue, step, deadlines: no child data), `words` (what the child
said: the complaint, added information, messages) and `identity` (name, contacts, the
representative of an on-behalf complaint). Scopes: `own` (assigned to the caller), `queue`
(not assigned to anyone yet, so it can be claimed), `region` (the caller's region; all when
the caller has none), `all`. Every read of `words` or `identity` is logged as `case accessed`;
where the matrix says so, the caller must also say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.casework.errors import AccessReasonRequired, CaseNotVisible
from shared.auth import StaffPrincipal

Part = Literal["summary", "words", "identity"]
Scope = Literal["own", "queue", "region", "all"]
PARTS: tuple[Part, ...] = ("summary", "words", "identity")


@dataclass(frozen=True)
class Grant:
    """Which cases a role reaches for one part, and whether it must give a reason."""

    scopes: frozenset[Scope]
    reason: bool = False


def _g(*scopes: Scope, reason: bool = False) -> Grant:
    return Grant(frozenset(scopes), reason)


NONE = _g()
# role -> part -> grant; "move" is taking procedure actions, claiming and messaging the child.
MATRIX: dict[str, dict[str, Grant]] = {
    "operator": {"summary": _g("queue"), "words": NONE, "identity": NONE, "move": NONE},
    "caseworker": {
        "summary": _g("own", "queue"),
        "words": _g("own"),
        "identity": _g("own"),
        "move": _g("own"),
    },
    "supervisor": {
        "summary": _g("region"),
        "words": _g("region", reason=True),
        "identity": _g("region", reason=True),
        "move": _g("region"),
    },
    "auditor": {
        "summary": _g("all"),
        "words": _g("all", reason=True),
        "identity": NONE,
        "move": NONE,
    },
    "administrator": {"summary": NONE, "words": NONE, "identity": NONE, "move": NONE},
}


@dataclass(frozen=True)
class CaseFacts:
    """What the matrix needs to know about a case."""

    assignee: str | None
    region: str | None


def _in_scope(scope: Scope, who: StaffPrincipal, case: CaseFacts) -> bool:
    if scope == "own":
        return case.assignee == who.subject
    if scope == "queue":
        return case.assignee is None
    if scope == "region":
        return who.region is None or who.region == case.region
    return True


def grants(who: StaffPrincipal, case: CaseFacts, part: str) -> list[Grant]:
    """The grants of `who`'s roles that reach `case` for `part`."""
    held = [MATRIX[role][part] for role in sorted(who.roles & MATRIX.keys())]
    return [g for g in held if any(_in_scope(s, who, case) for s in g.scopes)]


def may(who: StaffPrincipal, case: CaseFacts, part: str) -> bool:
    """Whether `who` reaches `case` for `part` at all."""
    return bool(grants(who, case, part))


def check_read(who: StaffPrincipal, case: CaseFacts, part: str, reason: str | None) -> None:
    """Raise unless `who` may read `part` of `case` (giving `reason` where one is needed)."""
    found = grants(who, case, part)
    if not found:
        raise CaseNotVisible(part)
    if all(g.reason for g in found) and not (reason or "").strip():
        raise AccessReasonRequired(part)


def check_move(who: StaffPrincipal, case: CaseFacts) -> None:
    """Raise unless `who` may act on `case` (procedure steps, messages, measures)."""
    if not may(who, case, "move"):
        raise CaseNotVisible("move")
