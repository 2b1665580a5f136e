"""The dossier as a PDF that reads right in every language a child may write in.

Arabic is shaped (joined letter forms, through HarfBuzz) and laid out right to left (the
Unicode bidirectional algorithm, fpdf2's own); Chinese has glyphs of its own. Fonts come
from Debian's Noto packages (`fonts-noto-core`, `fonts-noto-cjk`; scripts/bootstrap.sh
installs them), never from the repository. Only the fonts a dossier's text needs are loaded
(the CJK collection is large), and fpdf2 embeds the glyphs used, nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from services.casework.errors import DossierFontsMissing

NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@dataclass(frozen=True)
class Font:
    """A font file (and its face in a collection) and which text it is for."""

    family: str
    path: Path
    needed_for: re.Pattern[str] | None  # None: the main font, always loaded
    face: int = 0


FONTS = (
    Font("NotoSans", NOTO / "NotoSans-Regular.ttf", None),
    Font(
        "NotoNaskhArabic",
        NOTO / "NotoNaskhArabic-Regular.ttf",
        re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    ),
    # Face 2 of the collection is Simplified Chinese (0 JP, 1 KR, 3 TC, 4 HK).
    Font("NotoSansCJKsc", NOTO_CJK, re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"), 2),
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _load_fonts(pdf: FPDF, document: dict[str, Any]) -> None:
    text = "\n".join(_strings(document))
    wanted = [f for f in FONTS if f.needed_for is None or f.needed_for.search(text)]
    missing = [str(f.path) for f in wanted if not f.path.exists()]
    if missing:
        raise DossierFontsMissing(", ".join(missing))
    for font in wanted:
        pdf.add_font(font.family, fname=str(font.path), collection_font_number=font.face)
    pdf.set_font(FONTS[0].family)
    pdf.set_fallback_fonts([f.family for f in wanted[1:]])


def direction(text: str) -> str:
    """ "rtl" when the first strongly directional letter of `text` is right-to-left."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


class _Writer:
    """Paragraphs, each shaped and aligned in its own direction."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    def line(self, text: str, size: float = 10, indent: float = 0) -> None:
        ltr = direction(text) == "ltr"
        self.pdf.set_font_size(size)
        self.pdf.set_text_shaping(True, direction="ltr" if ltr else "rtl")
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(
            0, size * 0.6, text, align="L" if ltr else "R", new_x="LMARGIN", new_y="NEXT"
        )

    def labelled(self, label: str, text: str | None) -> None:
        if text:
            self.line(label, size=9)
            self.line(text, indent=6)


def _chronology(out: _Writer, entries: list[dict[str, Any]]) -> None:
    out.line("Chronology", size=13)
    for e in entries:
        step = f" ({e['from']} -> {e['to']})" if e["to"] else ""
        out.line(f"{e['at']}  {e['by']}  {e['action']}{step}")
        if e["reason"]:
            out.line(e["reason"], indent=6)


def _decisions(out: _Writer, decisions: list[dict[str, Any]]) -> None:
    for d in decisions:
        out.line(f"Decision of {d['decided_at']} by {d['decided_by']}", size=13)
        out.labelled("Findings", d["findings"])
        out.labelled("The child's views", d["child_views"])
        out.labelled("How they were weighed", d["views_weighed"])
        for r in d["recommendations"]:
            out.labelled(f"Recommendation to {r['to']} (due {r['due']}, {r['status']})", r["text"])


def render_pdf(document: dict[str, Any]) -> bytes:
    """The dossier as a PDF (fpdf2 with HarfBuzz shaping), ending with its signature."""
    pdf = FPDF()
    pdf.set_title(f"Heard dossier {document['case_id']}")
    pdf.add_page()
    _load_fonts(pdf, document)
    out = _Writer(pdf)
    out.line(f"Dossier of case {document['case_id']}", size=15)
    out.line(f"Opened {document['opened_at']}; generated {document['generated_at']}")
    _chronology(out, document["chronology"])
    _decisions(out, document["decisions"])
    signature = document["signature"]
    out.line(f"Signed ({signature['alg']}, {signature['signer']}): {signature['value']}", size=8)
    return bytes(pdf.output())
