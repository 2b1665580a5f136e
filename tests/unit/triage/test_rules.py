"""Decisions of the shipped rule set on narratives written for these tests (not the corpus):
danger in six languages, negation, reported speech, gaps, misspellings, age, the "in danger
now" answer, interim measures, the admissibility pre-screen, routing, reasons. Pure logic."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from services.triage.model import Targets
from tests.unit.triage.conftest import RECEIVED, Decide


@pytest.mark.parametrize(
    ("narrative", "language"),
    [
        ("i dont want to be alive anymore. i have the pills in my room", "en"),
        ("gonna end it all tmrw", "en"),
        ("je veux plus vivre, j'ai les medicaments", "fr"),
        ("me quiero suicidar hoy", "es"),
        ("жить не хочу, таблетки уже купила", "ru"),
        ("أُرِيدُ أَنْ أَمُوتَ", "ar"),
        ("我真的不想活了", "zh"),
        ("stepdad is home now and he beats me", "en"),
        ("il a dit qu'il va me tuer", "fr"),
        ("el man dice que si no le pago hoy publica mis fotos", "es"),
        ("he said hes gonna ... no he said he will kill me", "en"),
    ],
)
def test_danger_is_p1_in_every_language(triage: Decide, narrative: str, language: str) -> None:
    decision = triage(narrative, language)
    assert decision.urgency == "P1", decision.rules_fired
    assert decision.queue == "emergency"
    assert decision.respond_by == RECEIVED + timedelta(hours=1)


def test_a_negated_act_does_not_count_but_negated_danger_words_still_do(triage: Decide) -> None:
    never = triage("he never hits me")
    assert never.categories == ("other",)
    assert "rule violence.hitting negated, ignored" in never.reasons
    assert triage("mi papa no me pega").categories == ("other",)
    assert "violence.physical" not in triage("отчим меня не бьёт", "ru").categories
    assert triage("he hits me").categories == ("violence.physical",)
    # "I don't want to live" carries its negation inside the danger phrase.
    assert triage("i dont want to live").urgency == "P1"


def test_reported_speech_about_another_child_is_still_danger(triage: Decide) -> None:
    friend = triage("my friend says she wants to die")
    assert friend.urgency == "P1"
    assert "about_another_child" in friend.signals
    assert friend.category == "mental_health.self_harm"


def test_phrases_with_gaps_and_misspellings_match(triage: Decide) -> None:
    # "wants money ... photos" allows up to four words between.
    assert "online.sextortion" in triage("he wants money or he shares my photos").categories
    assert triage("kil myself").urgency == "P1"
    assert triage("he said he would come and kill me").urgency == "P1"


def test_signals_together_raise_urgency_that_each_alone_does_not(triage: Decide) -> None:
    assert triage("my uncle hits me").urgency == "P2"
    assert triage("my uncle hits me and he is home now").urgency == "P1"
    assert triage("sextortion").urgency == "P2"
    assert triage("sextortion, he gave me until midnight").urgency == "P1"


def test_younger_children_and_the_in_danger_now_answer_raise_urgency(triage: Decide) -> None:
    assert triage("my mum hits me", age_band="12_14").urgency == "P2"
    young = triage("my mum hits me", age_band="under_8")
    assert young.urgency == "P1"
    assert any("age band under_8" in r for r in young.reasons)
    answered = triage("i want to talk about school", in_danger_now=True)
    assert answered.urgency == "P1"
    assert "urgency P1: answered: in danger now" in answered.reasons


def test_interim_measures_are_suggested_only_for_imminent_grave_harm(triage: Decide) -> None:
    assert triage("he is going to kill me tonight").interim_measures
    assert not triage("my uncle hits me").interim_measures
    assert not triage("i want to talk about school", in_danger_now=True).interim_measures


def test_the_pre_screen_suggests_and_explains_never_rejects(triage: Decide) -> None:
    clear = triage("my teacher hits me at school every day")
    assert clear.admissibility.suggestion == "likely_admissible"
    adult = triage("my teacher hit me when i was little, years ago", age_band="adult")
    assert adult.admissibility.suggestion == "review"
    assert any(r.startswith("mandate:") for r in adult.admissibility.reasons)
    assert any(r.startswith("time limit:") for r in adult.admissibility.reasons)
    thin = triage("hello?")
    assert thin.admissibility.reasons == ("substance: little to act on; ask for more information",)
    duplicate = triage("my teacher hits me", likely_duplicate=True)
    assert any(r.startswith("same matter:") for r in duplicate.admissibility.reasons)


@pytest.mark.parametrize(
    ("narrative", "region", "queue"),
    [
        ("a stranger online asks for pics", "North", "online"),
        ("the school expelled me", "North Coast", "institutions-north_coast"),
        ("my uncle hits me", None, "protection"),
        ("my parents are getting a divorce", "Capital", "rights-capital"),
        ("he will kill me", "North", "emergency"),
    ],
)
def test_the_queue_follows_category_region_and_urgency(
    triage: Decide, narrative: str, region: str | None, queue: str
) -> None:
    assert triage(narrative, region=region).queue == queue


@pytest.mark.parametrize(
    ("region", "queue"),
    [
        ("Île-de-France", "rights-ile_de_france"),
        ("北京", "rights"),
        ("../../etc/passwd", "rights-etc_passwd"),
        ("ab" * 50, "rights-" + "ab" * 10),
    ],
)
def test_queue_names_are_safe_for_casework_whatever_the_region(
    triage: Decide, region: str, queue: str
) -> None:
    decided = triage("my parents are getting a divorce", region=region).queue
    assert decided == queue
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", decided)


def test_categories_are_multi_label_gravest_first(triage: Decide) -> None:
    decision = triage("my coach touched me and now they post memes about me in the group chat")
    assert decision.categories[0] == "violence.sexual"
    assert "online.cyberbullying" in decision.categories
    assert "institutions.school" in decision.categories


def test_response_targets_come_from_configuration(rules: object) -> None:
    targets = Targets(timedelta(minutes=30), timedelta(hours=12), timedelta(days=3))
    assert targets.due("P1", RECEIVED) == RECEIVED + timedelta(minutes=30)
    assert targets.due("P3", RECEIVED) == RECEIVED + timedelta(days=3)


def test_reasons_name_rules_never_the_childs_words(triage: Decide) -> None:
    decision = triage("My neighbour Piotr hits me and says he will kill me")
    assert decision.rule_set == "2026.11-1"
    assert len(decision.rule_set_hash) == 64
    assert "danger.threat_to_kill" in decision.rules_fired
    for word in ("Piotr", "neighbour", "hits", "says"):
        assert all(word not in reason for reason in decision.reasons)


@pytest.mark.parametrize(
    ("narrative", "language"),
    [
        ("", "en"),
        ("🙁🙁🙁💔", "en"),
        ("?!...", "fr"),
        ("hello مرحبا привет 你好 hola", "zh"),
        ("x" * 20000, "ru"),
        ("help " * 4000, "en"),
        ("something", "tlh"),
    ],
)
def test_odd_narratives_get_a_decision_that_asks_a_person_to_look(
    triage: Decide, narrative: str, language: str
) -> None:
    decision = triage(narrative, language)
    assert decision.urgency in ("P1", "P2", "P3")
    assert decision.categories
    assert decision.admissibility.suggestion == "review" or decision.rules_fired
