"""C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline proof that an entry is in a log. Pure.

c2sp.org/tlog-proof@v1
[extra <base64 opaque data>]
index <decimal, no leading zero>
*(<base64 SHA-256 hash>)            inclusion proof, leaf's sibling first
<empty line>
<checkpoint as a signed note, with any witness cosignature lines>
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from shared.tlog.errors import ReceiptRefused

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_TEXT = 1 << 16
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,18})")


@dataclass(frozen=True)
class TlogProof:
    """The parts of a tlog-proof: extra data, entry index, inclusion proof and checkpoint."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def encode(self) -> str:
        """The proof as text, as the spec lays it out."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.proof)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ReceiptRefused(f"the {what} is not base64") from None


def _hashes(lines: list[str]) -> tuple[bytes, ...]:
    hashes = tuple(_b64(line, "inclusion proof") for line in lines)
    if any(len(h) != 32 for h in hashes) or len(hashes) > 64:
        raise ReceiptRefused("the inclusion proof is not a list of SHA-256 hashes")
    return hashes


def parse(text: str) -> TlogProof:
    """Read a tlog-proof; ReceiptRefused naming what is wrong if it is not one."""
    if len(text) > MAX_PROOF_TEXT:
        raise ReceiptRefused("the file is too large to be a receipt")
    head, sep, checkpoint = text.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != HEADER:
        raise ReceiptRefused("this is not a c2sp.org/tlog-proof@v1 file")
    extra = None
    if len(lines) > 1 and lines[1].startswith("extra "):
        extra = _b64(lines.pop(1).removeprefix("extra "), "extra line")
    found = _INDEX.fullmatch(lines[1]) if len(lines) > 1 else None
    if found is None:
        raise ReceiptRefused("the proof has no valid index line")
    return TlogProof(int(found.group(1)), _hashes(lines[2:]), checkpoint, extra)
