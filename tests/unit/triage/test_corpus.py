"""The evaluation corpus and the shipped rules' figures on it: no P1 complaint missed, few P3
complaints raised to P1; `heard triage eval` prints the tables."""

from __future__ import annotations

from collections import Counter

import pytest

from deploy.cli import main
from services.triage.evaluation import Example, evaluate, load_corpus
from services.triage.model import RuleSet
from services.triage.text import LANGUAGES


@pytest.fixture(scope="module")
def corpus() -> list[Example]:
    return load_corpus()


def test_the_corpus_is_large_enough_in_every_language_and_a_third_p1(
    corpus: list[Example],
) -> None:
    assert len(corpus) >= 300
    per_language = Counter(e.language for e in corpus)
    assert set(per_language) == set(LANGUAGES)
    assert min(per_language.values()) >= 40
    assert sum(e.u == "P1" for e in corpus) * 3 >= len(corpus)
    assert {e.part for e in corpus} == {"dev", "held_out", "fresh"}


def test_every_p1_complaint_is_decided_p1_in_every_language(
    rules: RuleSet, corpus: list[Example]
) -> None:
    report = evaluate(rules, corpus)
    assert report.p1_recall == 1.0, report.p1_by_language
    assert all(found == total for found, total in report.p1_by_language.values())


def test_few_p3_complaints_are_raised_to_p1(rules: RuleSet, corpus: list[Example]) -> None:
    assert evaluate(rules, corpus).over_escalation < 0.15


def test_heard_triage_eval_prints_the_confusion_table_and_per_category_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["triage", "eval"]) == 0
    printed = capsys.readouterr().out
    for part in ("== dev", "== held_out", "== fresh", "== all", "confusion", "P1 recall zh:"):
        assert part in printed
    assert "mental_health.self_harm" in printed
