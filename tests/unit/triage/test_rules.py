"""The default rule set: category from keywords, urgency from words of danger, reasons without
the child's words. Pure logic, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.triage.model import RuleSet, decide

RECEIVED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("narrative", "category", "queue"),
    [
        ("My stepfather hits me when he drinks", "violence", "protection"),
        ("a man online wants more nudes or he will leak my photos", "sextortion", "online"),
        ("my coach touched me and said it was a secret", "sexual_abuse", "protection"),
        ("someone made a fake account with my name", "online_harm", "online"),
        ("we have no food and I am left alone for days", "neglect", "protection"),
        ("the teacher expelled me from school", "education", "rights"),
        ("they laugh at me because of my religion", "discrimination", "rights"),
        ("I want to talk to someone about my parents' divorce", "other", "general"),
        ("Mon père me frappe", "violence", "protection"),
        ("Мне угрожает дискриминация", "discrimination", "rights"),
        ("老师打我", "violence", "protection"),
    ],
)
def test_the_category_and_queue_come_from_keywords(
    rules: RuleSet, narrative: str, category: str, queue: str
) -> None:
    decision = decide(rules, narrative, RECEIVED)
    assert (decision.category, decision.queue) == (category, queue)


def test_the_gravest_category_matched_wins_however_many_milder_words_match(
    rules: RuleSet,
) -> None:
    hit_at_school = decide(rules, "at school the teacher hit me before the exam", RECEIVED)
    assert (hit_at_school.category, hit_at_school.queue) == ("violence", "protection")
    assert hit_at_school.urgency == "priority"


def test_keywords_match_whole_words_and_stems_match_any_ending(rules: RuleSet) -> None:
    # "beat" must not fire inside "beautiful"; "threaten*" catches "threatening".
    assert decide(rules, "a beautiful day", RECEIVED).category == "other"
    threatening = decide(rules, "he keeps threatening my brother", RECEIVED)
    assert threatening.urgency == "urgent"


@pytest.mark.parametrize(
    ("narrative", "urgency", "priority", "hours"),
    [
        ("he said he will kill me", "emergency", 1, 4),
        ("someone is threatening to hurt me tonight", "emergency", 1, 4),
        ("J'ai peur de rentrer, il me menace", "urgent", 2, 48),
        ("I am scared to go home", "urgent", 2, 48),
        ("my uncle molested me last year", "priority", 3, 168),
        ("the school will not let me sit the exam", "standard", 4, 480),
    ],
)
def test_urgency_comes_from_words_of_danger_or_a_grave_category(
    rules: RuleSet, narrative: str, urgency: str, priority: int, hours: int
) -> None:
    decision = decide(rules, narrative, RECEIVED)
    assert (decision.urgency, decision.priority) == (urgency, priority)
    assert decision.respond_by == RECEIVED + timedelta(hours=hours)


def test_reasons_name_rules_never_the_childs_words(rules: RuleSet) -> None:
    narrative = "My neighbour Piotr hits me and says he will kill me"
    decision = decide(rules, narrative, RECEIVED)
    assert decision.rule_set == "default-v1"
    assert decision.reasons == (
        "category violence: 1 keyword match(es)",
        "urgency emergency: words of danger or threat",
    )
    for word in ("Piotr", "neighbour", "hits", "kill"):
        assert all(word not in reason for reason in decision.reasons)


def test_a_broken_rule_file_is_refused_at_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: x\ndefault_category: other\ncategories: []\n", "utf-8")
    with pytest.raises(ValidationError):
        RuleSet.load(broken)
