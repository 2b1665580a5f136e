"""The dossier's PDF in Arabic and Chinese: Arabic shaped and right to left, Chinese with its
own glyphs (pypdf lists the fonts), and the text extracts (poppler's pdftotext) in logical
order."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from pypdf import PdfReader

from services.casework import dossier_pdf
from services.casework.dossier_pdf import Font, direction
from services.casework.errors import DossierFontsMissing
from shared.auth import TokenIssuer
from tests.unit.casework.support import Desk

ARABIC = {
    "findings": "لم تتصرف المدرسة بعد بلاغين",
    "child_views": "أريد أن أبقى في مدرستي مع صديقاتي",
    "views_weighed": "التوصيات تبقيها في المدرسة مع خطة أمان",
    "reason": "تمت متابعة التوصيات",
}
CHINESE = {
    "findings": "学校在两次报告后没有采取行动",
    "child_views": "我想留在我的学校和我的朋友在一起",
    "views_weighed": "建议让她留在学校并制定安全计划",
    "reason": "建议已经落实",
}
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


async def closed_with(desk: Desk, texts: dict[str, str]) -> None:
    """Take the case to a decision written in `texts`'s language, then to closed."""
    await desk.examine(texts["reason"])
    recommendation = {"duty_bearer": "School", "text": texts["findings"], "due_in_days": 90}
    await desk.decide(texts, recommendation)
    await desk.step("follow_up", None)
    asked = await desk.post("/approvals", {"kind": "close", "reason": texts["reason"]})
    verdict = {"approve": True, "reason": texts["reason"], "version": await desk.version()}
    assert (await desk.post(f"/approvals/{asked.json()['id']}", verdict, who="sam")).is_success


def _logical(text: str) -> str:
    return " ".join(text.translate(BIDI_CONTROLS).split())


def _pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "dossier.pdf"
    path.write_bytes(pdf)
    tool = shutil.which("pdftotext")
    assert tool is not None, "poppler-utils is missing: run scripts/bootstrap.sh"
    done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.parametrize(
    ("texts", "font"), [(ARABIC, "NotoNaskhArabic"), (CHINESE, "NotoSansCJKSC")], ids=["ar", "zh"]
)
async def test_the_dossier_pdf_reads_in_the_childs_script_in_logical_order(
    client: httpx.AsyncClient,
    issuer: TokenIssuer,
    case_id: str,
    tmp_path: Path,
    texts: dict[str, str],
    font: str,
) -> None:
    desk = Desk(client, issuer, case_id)
    await closed_with(desk, texts)
    answer = await client.get(f"{desk.case}/dossier.pdf", headers=desk.sam)
    assert answer.status_code == 200, answer.text
    reader = PdfReader(io.BytesIO(answer.content))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in cast(Any, page["/Resources"])["/Font"].values()
    }
    assert font in fonts
    # Poppler reorders right-to-left runs into reading order (pypdf does not: it gives the
    # words as drawn, and it splits CFF glyph codes), so it is the reader of record here.
    extracted = _logical(_pdftotext(answer.content, tmp_path))
    for text in texts.values():
        assert _logical(text) in extracted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا hello", "rtl"),
        ("hello مرحبا", "ltr"),
        ("123 مرحبا", "rtl"),
        ("你好", "ltr"),
        ("", "ltr"),
    ],
)
def test_a_paragraph_takes_the_direction_of_its_first_strong_letter(
    text: str, expected: str
) -> None:
    assert direction(text) == expected


def test_a_missing_font_is_named_not_drawn_as_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    absent = Font("NotoNaskhArabic", Path("/nonexistent/NotoNaskhArabic.ttf"), re.compile("[ء-ي]"))
    monkeypatch.setattr(dossier_pdf, "FONTS", (dossier_pdf.FONTS[0], absent))
    document = {
        "case_id": "c",
        "opened_at": "then",
        "generated_at": "now",
        "chronology": [{"at": "t", "by": "ana", "action": "note", "to": None, "reason": "مرحبا"}],
        "decisions": [],
        "signature": {"alg": "Ed25519", "signer": "casework", "value": "x"},
    }
    with pytest.raises(DossierFontsMissing) as raised:
        dossier_pdf.render_pdf(document)
    assert raised.value.status_code == 503
    assert "NotoNaskhArabic" in str(raised.value)
    plain = {**document, "chronology": []}
    assert dossier_pdf.render_pdf(plain).startswith(b"%PDF")  # no Arabic: that font not needed
