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
    """One phrase of one rule, compiled for one language: the index holds its first element,
    `rest` is what must follow."""

    rule: int
    first: Element
    rest: tuple[Element, ...]


@dataclass
class LanguageIndex:
    """A language's compiled phrases, by first stem and by the first two letters of a prefix."""

    by_stem: dict[str, list[Pattern]] = field(default_factory=lambda: defaultdict(list))
    by_pair: dict[tuple[str, str], list[Pattern]] = field(default_factory=lambda: defaultdict(list))
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
            # Spellings that stem alike ("hit me", "hits me") compile to one pattern.
            compiled = {compile_phrase(p, language, data.gap_words) for p in phrases}
            for elements in sorted(compiled):
                if elements:
                    _add(target, Pattern(number, elements[0], elements[1:]))
    return index


def _add(index: LanguageIndex, pattern: Pattern) -> None:
    kind, value = pattern.first
    if kind != STEM:
        index.by_prefix[value[:2]].append(pattern)
    elif pattern.rest and pattern.rest[0][0] == STEM:
        # Phrases opening with a common word ("my friend") are found by their first two stems,
        # so a narrative full of "my" costs a look-up, not a try per phrase.
        second = pattern.rest[0][1]
        index.by_pair[(value, second)].append(
            Pattern(pattern.rule, pattern.first, pattern.rest[1:])
        )
    else:
        index.by_stem[value].append(pattern)


def _follows(
    elements: tuple[Element, ...], tokens: Sequence[str], st: Sequence[str], i: int
) -> bool:
    """Whether `elements` occur from position `i` on (a gap allows words in between)."""
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


_NONE: list[tuple[Pattern, int]] = []


def _candidates(
    lexicon: LanguageIndex, words_: Sequence[str], st: Sequence[str], i: int, last: int
) -> list[tuple[Pattern, int]]:
    """Patterns that may start at `i`, each with where the rest of it must start."""
    stem = st[i]
    single = lexicon.by_stem.get(stem)
    pair = lexicon.by_pair.get((stem, st[i + 1])) if i < last else None
    prefixed = lexicon.by_prefix.get(words_[i][:2])
    if not (single or pair or prefixed):
        return _NONE  # most words start no phrase: three look-ups and out
    found = [(p, i + 1) for p in single or ()]
    found += [(p, i + 2) for p in pair or ()]
    found += [(p, i + 1) for p in prefixed or ()]
    return found


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
        last = len(st) - 1
        for i in range(last + 1):
            for pattern, start in _candidates(lexicon, words_, st, i, last):
                if pattern.rule in fired:
                    continue
                if pattern.first[0] == PREFIX and not words_[i].startswith(pattern.first[1]):
                    continue
                if pattern.rest and not _follows(pattern.rest, words_, st, start):
                    continue
                if negatable[pattern.rule] and i in under_negation:
                    negated[pattern.rule] = None
                else:
                    fired[pattern.rule] = None
    return Matches(tuple(fired), tuple(r for r in negated if r not in fired))
