"""Measuring a rule set on the evaluation corpus: urgency confusion, per-category precision and
recall, P1 recall per language, and P3 complaints wrongly raised to P1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from services.triage.model import LEVELS, Decision, Facts, RuleSet, Targets, decide
from services.triage.ruleset import Level
from services.triage.settings import CORPUS_DIR as CORPUS_DIR
from services.triage.settings import TriageSettings

_WHEN = datetime(2026, 1, 1, tzinfo=UTC)
# dev: written with the rules; held_out: written after them, measured, then its misses were
# used once to improve the rules; fresh: written after that, never used to change a rule.
PARTS = ("dev", "held_out", "fresh")


class Example(BaseModel):
    """One labelled complaint of the corpus."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    t: str = Field(min_length=1, max_length=20000, description="the narrative")
    u: Level = Field(description="the urgency a case worker would give")
    c: tuple[str, ...] = Field(min_length=1, description="the categories")
    age: str = "unknown"
    danger: bool | None = None
    language: str = "en"
    part: Literal["dev", "held_out", "fresh"] = "dev"


def load_corpus(folder: Path = CORPUS_DIR) -> list[Example]:
    """Every example of every language file in `folder` (`<language>.yaml`)."""
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yaml")):
        document = yaml.safe_load(path.read_text("utf-8"))
        for part in PARTS:
            for item in document.get(part) or ():
                extra = {"language": path.stem, "part": part}
                examples.append(Example.model_validate({**item, **extra}))
    return examples


def run(rules: RuleSet, example: Example) -> Decision:
    """The decision `rules` give one example."""
    facts = Facts(example.language, _WHEN, example.age, example.danger)
    return decide(rules, example.t, facts, Targets())


@dataclass
class Report:
    """Figures for one rule set on a set of examples."""

    confusion: Counter[tuple[Level, Level]] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    p1_by_language: dict[str, list[int]] = field(default_factory=dict)

    def add(self, example: Example, decision: Decision) -> None:
        """Count one example's decision."""
        self.confusion[(example.u, decision.urgency)] += 1
        self.expected.update(example.c)
        self.predicted.update(decision.categories)
        self.hits.update(set(example.c) & set(decision.categories))
        if example.u == "P1":
            found = self.p1_by_language.setdefault(example.language, [0, 0])
            found[0] += decision.urgency == "P1"
            found[1] += 1

    @property
    def p1_recall(self) -> float:
        """Share of P1 examples decided P1."""
        found = sum(f for f, _ in self.p1_by_language.values())
        total = sum(t for _, t in self.p1_by_language.values())
        return found / total if total else 1.0

    @property
    def over_escalation(self) -> float:
        """Share of P3 examples decided P1."""
        p3 = sum(self.confusion[("P3", level)] for level in LEVELS)
        return self.confusion[("P3", "P1")] / p3 if p3 else 0.0

    @property
    def urgency_accuracy(self) -> float:
        """Share of examples whose urgency was exactly right."""
        total = sum(self.confusion.values())
        return sum(self.confusion[(lv, lv)] for lv in LEVELS) / total if total else 1.0


def evaluate(rules: RuleSet, examples: Iterable[Example]) -> Report:
    """Run `rules` on every example and count."""
    report = Report()
    for example in examples:
        report.add(example, run(rules, example))
    return report


def render(title: str, report: Report) -> str:
    """The report as plain text for a terminal."""
    lines = [f"== {title}", "urgency confusion (rows expected, columns decided)"]
    lines.append("      " + "".join(f"{lv:>6}" for lv in LEVELS))
    for level in LEVELS:
        row = "".join(f"{report.confusion[(level, d)]:>6}" for d in LEVELS)
        lines.append(f"  {level}  {row}")
    lines.append(f"urgency exactly right: {report.urgency_accuracy:.1%}")
    lines.append(f"P1 recall: {report.p1_recall:.1%}")
    lines.append(f"P3 raised to P1: {report.over_escalation:.1%}")
    for language, (found, total) in sorted(report.p1_by_language.items()):
        lines.append(f"  P1 recall {language}: {found}/{total}")
    lines.append(f"{'category':<32}{'precision':>10}{'recall':>8}{'n':>5}")
    for code in sorted(report.expected | report.predicted):
        hits, predicted, expected = report.hits[code], report.predicted[code], report.expected[code]
        precision = f"{hits / predicted:.2f}" if predicted else "-"
        recall = f"{hits / expected:.2f}" if expected else "-"
        lines.append(f"{code:<32}{precision:>10}{recall:>8}{expected:>5}")
    return "\n".join(lines)


def main(rules_path: Path | None = None, corpus: Path = CORPUS_DIR) -> str:
    """`heard triage eval`: figures on each part of the corpus and on the whole."""
    rules = RuleSet.load(rules_path or TriageSettings.model_fields["rule_set"].default)
    examples = load_corpus(corpus)
    parts = {part: [e for e in examples if e.part == part] for part in PARTS}
    header = f"rule set {rules.version} ({rules.content_hash[:12]}), {len(examples)} complaints"
    tables = [render(name, evaluate(rules, part)) for name, part in parts.items()]
    return "\n\n".join([header, *tables, render("all", evaluate(rules, examples))])
