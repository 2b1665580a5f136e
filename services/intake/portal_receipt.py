"""The portal's receipt pages: "I have saved my code", a card to print or save, the proof
of registration to download with the code, and a page that checks such a proof in the
browser (nothing is sent: the file is read and verified on the child's device).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.errors import ReceiptNotReady
from services.intake.i18n import translations
from services.intake.pages import N_, PortalProblem
from services.intake.portal import language, pages_of, read_form
from services.intake.portal_follow_up import CodePage, code_again, posted
from services.intake.receipt_proof import FILE_NAME, receipt_for
from services.intake.receipts import group, is_code
from services.intake.settings import IntakeSettings

router = APIRouter(include_in_schema=False)
# What the in-browser check says (verify.js fills in the %(...)s).
WORDS = {
    "genuine": N_("This receipt is genuine."),
    "refused": N_("This receipt is NOT valid."),
    "registered": N_("Registered on %(date)s."),
    "in_log": N_("In the log %(log)s, as entry %(index)s of %(size)s."),
    "witnessed": N_(
        "Witness %(name)s confirmed on %(date)s that the log showed it this same history: "
        "the log has not been rewritten since."
    ),
    "not_proof": N_("This is not a receipt file."),
    "no_opening": N_("The file does not say what was registered."),
    "bad_key": N_("One of the keys is not written correctly."),
    "bad_log_signature": N_("The log's key did not sign this file."),
    "no_witness": N_("No trusted witness confirmed this file."),
    "bad_inclusion": N_("The proof does not match the log: the file was changed."),
}


@router.post("/{lang}/saved", response_class=HTMLResponse)
async def saved(request: Request, lang: str) -> HTMLResponse:
    """The child says the code is saved: where to find this page next time."""
    lang = language(lang)
    fields = await read_form(request, lang)
    confirmed = fields.get("saved") == "yes"
    status = 200 if confirmed else 400
    return pages_of(request).render(request, lang, "saved.html", status, confirmed=confirmed)


@router.post("/{lang}/card", response_class=HTMLResponse)
async def card(request: Request, lang: str) -> HTMLResponse:
    """A card with the code, to print or save as a file (the code comes in the form body)."""
    lang = language(lang)
    code = (await read_form(request, lang)).get("code", "")
    if not is_code(code):
        raise PortalProblem("form", lang)
    address = f"{request.base_url}{lang}/follow-up"
    shown = group(code.replace(" ", "")) if len(code.replace(" ", "")) == 16 else code
    return pages_of(request).render(request, lang, "card.html", code=shown, address=address)


@router.post("/{lang}/follow-up/receipt")
async def download_receipt(request: Request, lang: str) -> Response:
    """The proof of registration, as a `.tlog-proof` file, for the holder of the code."""
    lang = language(lang)
    try:
        code, _, _status = await posted(request, lang)
    except CodePage as page:
        return code_again(request, lang, page)
    try:
        text = await receipt_for(request, code)
    except (ReceiptNotReady, ValueError):
        raise PortalProblem("receipt-not-ready", lang, 503) from None
    disposition = f'attachment; filename="{FILE_NAME}"'
    return Response(
        text, media_type="text/plain; charset=utf-8", headers={"Content-Disposition": disposition}
    )


@router.get("/{lang}/verify-receipt", response_class=HTMLResponse)
async def verify_page(request: Request, lang: str) -> HTMLResponse:
    """The page that checks a receipt in the browser, against the configured keys."""
    lang = language(lang)
    settings: IntakeSettings = pages_of(request).settings
    gettext = translations(lang).gettext
    words = {key: gettext(text) for key, text in WORDS.items()}
    return pages_of(request).render(
        request,
        lang,
        "verify.html",
        words=words,
        log_key=settings.log_key,
        witness_keys=settings.witness_keys,
    )
