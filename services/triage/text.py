# ruff: noqa: RUF001, RUF002 - Arabic and Cyrillic letters that look Latin are the point here.
"""Turning a child's writing into comparable tokens: the same steps for rules and narratives.

Normalisation: NFKC, case folding, apostrophes, Arabic diacritics and letter variants, Cyrillic
ё/е, accents folded (children often type without them), letters stretched for emphasis
("pleeease") shortened. Tokens: words for alphabetic scripts, jieba's segmentation for Chinese.
Stems: Snowball (PyStemmer) for en/fr/es/ru/ar; Chinese words are their own stems.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jieba
import Stemmer

LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh")
_STEMMERS = {"ar": "arabic", "en": "english", "es": "spanish", "fr": "french", "ru": "russian"}

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ё": "е",
        "ß": "ss",
    }
)
_APOSTROPHES = re.compile("['\u2019\u2018`\u02bc\u00b4]")
_STRETCHED = re.compile(r"(\w)\1{2,}")
_WORD = re.compile(r"\w+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

jieba.setLogLevel(logging.WARNING)


def normalise(text: str, language: str = "en") -> str:
    """The folded form of `text` that rules and narratives are both compared in."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # English drops the apostrophe ("dont"); the others split on it ("j'ai" -> "j ai").
    text = _APOSTROPHES.sub("" if language == "en" else " ", text)
    text = _ARABIC_MARKS.sub("", text.translate(_FOLD))
    if not text.isascii():
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
        text = unicodedata.normalize("NFC", text)
    return _STRETCHED.sub(r"\1", text)


def words(normalised: str) -> list[str]:
    """The words of a normalised text; runs of Chinese characters segmented by jieba."""
    out: list[str] = []
    for word in _WORD.findall(normalised):
        if _HAN.search(word):
            out.extend(w for w in jieba.lcut(word, HMM=False) if w.strip())
        else:
            out.append(word)
    return out


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = _STEMMERS.get(language)
    return Stemmer.Stemmer(algorithm, 20000) if algorithm else None


def stems(tokens: list[str], language: str) -> list[str]:
    """Each token's stem in `language` (Chinese and unknown scripts: the token itself)."""
    stemmer = _stemmer(language)
    return list(stemmer.stemWords(tokens)) if stemmer else tokens


def scripts(tokens: list[str]) -> set[str]:
    """Which of the six languages' lexicons the tokens' scripts could belong to."""
    found: set[str] = set()
    for token in tokens:
        found |= _script_languages(token[0])
    return found


@lru_cache(maxsize=4096)
def _script_languages(ch: str) -> frozenset[str]:
    if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f":
        return frozenset({"ar"})
    if "\u0400" <= ch <= "\u04ff":
        return frozenset({"ru"})
    if _HAN.match(ch):
        return frozenset({"zh"})
    if ch.isascii() and ch.isalpha():
        return frozenset({"en", "fr", "es"})
    return frozenset()


@dataclass(frozen=True)
class Tokens:
    """A narrative's words, and their stems in each language whose lexicon applies."""

    words: tuple[str, ...]
    stems: dict[str, tuple[str, ...]]


def tokenise(text: str, language: str) -> Tokens:
    """Words and stems of `text`, for its declared language and any other its scripts suggest.

    Children switch languages mid-sentence ("mi papa me pega, he is home now"), so every lexicon
    whose script appears is applied, not only the declared one.
    """
    tokens = words(normalise(text, language))
    languages = scripts(tokens) | ({language} if language in LANGUAGES else set())
    return Tokens(tuple(tokens), {lang: tuple(stems(tokens, lang)) for lang in sorted(languages)})
