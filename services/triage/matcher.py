"""Finding a rule set's phrases in a narrative's tokens: stems, prefixes, gaps and negation.

Phrases are compiled once per rule set into an index from a phrase's first stem (or first
two letters, for a prefix) to the phrases starting with it, so a narrative costs one dict
look-up per token and language, however many rules there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.triage.ruleset import RuleSetData
from services.triage.text import Tokens, normalise, stems, words

STEM, PREFIX, GAP = 0, 1, 2
Element = tuple[int, str]


@dataclass(frozen=True)
class Pattern:
    """One phrase of one rule, compiled for one language."""

    rule: int
    elements: tuple[Element, ...]


@dataclass
class LanguageIndex:
    """A language's compiled phrases, by first stem and by the first two letters of a prefix."""

    by_stem: dict[str, list[Pattern]] = field(default_factory=lambda: defaultdict(list))
    by_prefix: dict[str, list[Pattern]] = field(default_factory=lambda: defaultdict(list))
    negators: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Matches:
    """Which rules fired, and which matched only under a negation (so did not fire)."""

    fired: tuple[int, ...]
    negated: tuple[int, ...]


def compile_phrase(phrase: str, language: str, gap: int) -> tuple[Element, ...]:
    """`phrase` as elements: stems, `*` prefixes and `...` gaps, folded like narratives are."""
    elements: list[Element] = []
    for part in phrase.split():
        if part == "...":
            elements.append((GAP, str(gap)))
        elif part.endswith("*") and len(part) > 2:
            elements.append((PREFIX, normalise(part[:-1], language)))
        else:
            found = words(normalise(part, language))
            elements.extend((STEM, s) for s in stems(found, language))
    return tuple(elements)


def build_index(data: RuleSetData) -> dict[str, LanguageIndex]:
    """Every rule's phrases compiled, per language."""
    index: dict[str, LanguageIndex] = {}
    for language, negators in data.negators.items():
        folded = frozenset(w for n in negators for w in words(normalise(n, language)))
        index[language] = LanguageIndex(negators=folded)
    for number, rule in enumerate(data.rules):
        for language, phrases in rule.phrases.items():
            target = index.setdefault(language, LanguageIndex())
            for phrase in phrases:
                _add(target, Pattern(number, compile_phrase(phrase, language, data.gap_words)))
    return index


def _add(index: LanguageIndex, pattern: Pattern) -> None:
    if not pattern.elements:
        return
    kind, value = pattern.elements[0]
    (index.by_stem if kind == STEM else index.by_prefix)[value[:2] if kind else value].append(
        pattern
    )


def _matches_at(
    elements: tuple[Element, ...], tokens: Sequence[str], st: Sequence[str], i: int
) -> bool:
    position, allowance = i, 0
    for kind, value in elements:
        if kind == GAP:
            allowance = int(value)
            continue
        last = min(position + allowance, len(st) - 1)
        for j in range(position, last + 1):
            if (st[j] == value) if kind == STEM else tokens[j].startswith(value):
                position = j + 1
                break
        else:
            return False
        allowance = 0
    return True


def _negated(tokens: Sequence[str], negators: frozenset[str], window: int) -> set[int]:
    """Positions that follow a negator closely enough for it to apply to them."""
    hit: set[int] = set()
    for position, token in enumerate(tokens):
        if token in negators:
            hit.update(range(position + 1, position + 1 + window))
    return hit


def find(
    index: dict[str, LanguageIndex], negatable: Sequence[bool], tokens: Tokens, window: int
) -> Matches:
    """The rules whose phrases occur in `tokens`, in any language lexicon that applies."""
    fired: dict[int, None] = {}
    negated: dict[int, None] = {}
    words_ = tokens.words
    for language, st in tokens.stems.items():
        lexicon = index.get(language)
        if lexicon is None:
            continue
        under_negation = _negated(words_, lexicon.negators, window)
        for i, stem in enumerate(st):
            candidates = lexicon.by_stem.get(stem, [])
            prefixed = lexicon.by_prefix.get(words_[i][:2])
            for pattern in candidates + prefixed if prefixed else candidates:
                if pattern.rule in fired or not _matches_at(pattern.elements, words_, st, i):
                    continue
                if negatable[pattern.rule] and i in under_negation:
                    negated[pattern.rule] = None
                else:
                    fired[pattern.rule] = None
    return Matches(tuple(fired), tuple(r for r in negated if r not in fired))
