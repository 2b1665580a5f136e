"""Staff tokens: valid ones name the caller; forged, expired or malformed ones do not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.auth import issue_token, verify_token
from shared.clock import utcnow
from shared.errors import InvalidToken

KEY = b"k" * 32


def test_valid_token_names_subject_and_roles() -> None:
    principal = verify_token(KEY, issue_token(KEY, "alice", {"caseworker"}))
    assert principal.subject == "alice"
    assert principal.has_any("caseworker", "supervisor")
    assert not principal.has_any("auditor")


def test_token_signed_with_another_key_is_refused() -> None:
    with pytest.raises(InvalidToken, match="signature"):
        verify_token(KEY, issue_token(b"x" * 32, "alice", {"caseworker"}))


def test_expired_token_is_refused() -> None:
    token = issue_token(KEY, "alice", {"caseworker"}, ttl=timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(KEY, token, now=utcnow() + timedelta(seconds=5))


@pytest.mark.parametrize("token", ["", "abc", "heard1.x", "other.a.b", "heard1..", "heard1.a.b.c"])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(KEY, token)


def test_role_tampering_breaks_the_signature() -> None:
    prefix, payload, mac = issue_token(KEY, "alice", {"auditor"}).split(".")
    with pytest.raises(InvalidToken):
        verify_token(KEY, f"{prefix}.{payload}A.{mac}")


def test_unknown_roles_cannot_be_issued() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        issue_token(KEY, "alice", {"god"})
