"""The portal's six languages: gettext catalogs (Babel .po files) read at start-up.

The .po files under `locales/<lang>/LC_MESSAGES/messages.po` are the source; they are
compiled in memory when first needed, so a fresh clone runs without a build step.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
# Each language named in itself, for the chooser (never guessed from the address).
NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
}
RIGHT_TO_LEFT = frozenset({"ar"})


def catalog_path(language: str) -> Path:
    """Where `language`'s catalog lives."""
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> Translations:
    """`language`'s translations, compiled from its .po file once per process."""
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def direction(language: str) -> str:
    """`rtl` or `ltr`."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
