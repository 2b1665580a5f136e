"""Signed notes and checkpoints: the C2SP formats, and every way a note can fail to open."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.tlog import note
from shared.tlog.errors import BadCheckpoint

# golang.org/x/mod/sumdb/note's own example key (note_test.go), with the key id Go computes.
GO_PRIVATE = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ORIGIN = "example.org/log"


def _go_key() -> Ed25519PrivateKey:
    raw = base64.b64decode(GO_PRIVATE.split("+", 4)[4])  # base64 may hold a "+"
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def test_key_id_and_verifier_string_match_go() -> None:
    assert note.verifier_of("PeterNeumann", _go_key()).encode() == GO_VERIFIER
    assert note.parse_verifier(GO_VERIFIER).name == "PeterNeumann"


def test_a_signature_matches_gos_for_the_same_text() -> None:
    # From note_test.go (TestSign): Ed25519 is deterministic, so the bytes must agree.
    text = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
    )
    assert note.sign(text, "PeterNeumann", _go_key()) == (
        f"{text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
        "XgKvqf"
        "qdngotpRZb6KE6RyyBwJnAM=\n"
    )


def _signed(size: int = 5, key: Ed25519PrivateKey | None = None, name: str = ORIGIN) -> str:
    body = note.Checkpoint(ORIGIN, size, bytes(range(32))).body()
    return note.sign(body, name, key or _go_key())


def test_a_checkpoint_opens_with_its_logs_key() -> None:
    verifier = note.verifier_of(ORIGIN, _go_key())
    checkpoint = note.open_checkpoint(_signed(), verifier)
    assert checkpoint == note.Checkpoint(ORIGIN, 5, bytes(range(32)))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda n: n.replace("\n5\n", "\n6\n"),
        lambda n: n.replace(ORIGIN + "\n", "example.org/other\n", 1),
        lambda n: n.replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "A" * 43 + "="),
        lambda n: n[:-10] + "AAAAAAAAA\n",
        lambda n: n.split("\n\n")[0] + "\n",
        lambda n: n + "junk",
        lambda n: n.replace("— ", "- "),
        lambda n: _signed(key=Ed25519PrivateKey.generate()),
        lambda n: _signed(name="another"),
    ],
)
def test_a_tampered_or_foreign_note_does_not_open(tamper: object) -> None:
    verifier = note.verifier_of(ORIGIN, _go_key())
    with pytest.raises(BadCheckpoint):
        note.open_checkpoint(tamper(_signed()), verifier)  # type: ignore[operator]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "name+deadbeef",
        "name+zz+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ApcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+not base64",
    ],
)
def test_bad_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(BadCheckpoint):
        note.parse_verifier(bad)


@pytest.mark.parametrize(
    "text", ["o\n01\n" + "A" * 43 + "=\n", "o\n1\nAAAA\n", "o\n1\n", "\n1\n" + "A" * 43 + "=\n"]
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(BadCheckpoint):
        note.parse_checkpoint(text)
