"""The permission matrix, cell by cell: each role, each part of a case, each kind of case."""

from __future__ import annotations

import pytest

from services.casework.errors import AccessReasonRequired, CaseNotVisible
from services.casework.permissions import CaseFacts, check_move, check_read, may
from shared.auth import StaffPrincipal

OWN = CaseFacts(assignee="ana", region="north")
UNASSIGNED = CaseFacts(assignee=None, region="north")
OTHERS = CaseFacts(assignee="bob", region="north")
OTHER_REGION = CaseFacts(assignee="bob", region="south")
KINDS = {"own": OWN, "queue": UNASSIGNED, "other": OTHERS, "other_region": OTHER_REGION}

# role -> part -> the kinds of case it reaches ("R": only with a reason)
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "operator": {
        "summary": {"queue": "Y"},
        "words": {},
        "identity": {},
        "move": {},
    },
    "caseworker": {
        "summary": {"own": "Y", "queue": "Y"},
        "words": {"own": "Y"},
        "identity": {"own": "Y"},
        "move": {"own": "Y"},
    },
    "supervisor": {
        "summary": {"own": "Y", "queue": "Y", "other": "Y"},
        "words": {"own": "R", "queue": "R", "other": "R"},
        "identity": {"own": "R", "queue": "R", "other": "R"},
        "move": {"own": "Y", "queue": "Y", "other": "Y"},
    },
    "auditor": {
        "summary": dict.fromkeys(KINDS, "Y"),
        "words": dict.fromkeys(KINDS, "R"),
        "identity": {},
        "move": {},
    },
    "administrator": {"summary": {}, "words": {}, "identity": {}, "move": {}},
}
CELLS = [
    (role, part, kind)
    for role, parts in EXPECTED.items()
    for part in ("summary", "words", "identity", "move")
    for kind in KINDS
]


def _ana(role: str) -> StaffPrincipal:
    return StaffPrincipal("ana", frozenset({role}), region="north")


@pytest.mark.parametrize(("role", "part", "kind"), CELLS)
def test_each_cell_of_the_matrix(role: str, part: str, kind: str) -> None:
    who, case, expected = _ana(role), KINDS[kind], EXPECTED[role][part].get(kind)
    if part == "move":
        if expected:
            check_move(who, case)
        else:
            with pytest.raises(CaseNotVisible):
                check_move(who, case)
        return
    if expected is None:
        with pytest.raises(CaseNotVisible):
            check_read(who, case, part, "a reason")
        return
    if expected == "R":
        with pytest.raises(AccessReasonRequired):
            check_read(who, case, part, " ")
    check_read(who, case, part, "checking the file for a complaint")


def test_a_supervisor_without_a_region_reaches_every_region() -> None:
    assert may(StaffPrincipal("sam", frozenset({"supervisor"})), OTHER_REGION, "move")


def test_roles_combine_to_the_widest_grant_and_drop_the_reason_when_one_needs_none() -> None:
    both = StaffPrincipal("ana", frozenset({"caseworker", "auditor"}))
    check_read(both, OWN, "words", None)  # as the case's worker, no reason needed
    with pytest.raises(AccessReasonRequired):
        check_read(both, OTHERS, "words", None)  # as an auditor only with one
