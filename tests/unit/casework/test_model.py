"""The procedure as a pure state machine: every action from every step, for every role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.casework.errors import ReasonRequired, RoleNotAllowed, StepNotAllowed
from services.casework.explanations import explain
from services.casework.model import (
    ACTIONS,
    ENDED,
    STEPS,
    TRANSITIONS,
    Clocks,
    allowed_actions,
    plan,
)
from shared.auth import ROLES
from shared.clock import utcnow

WORKER = frozenset({"caseworker"})
SUPERVISOR = frozenset({"supervisor"})

# The whole procedure, as the OPIC-mirroring path of one admissible, examined case.
HAPPY_PATH = [
    ("received", "acknowledge", "acknowledged"),
    ("acknowledged", "review", "admissibility_review"),
    ("admissibility_review", "declare_admissible", "admissible"),
    ("admissible", "transmit", "transmitted"),
    ("transmitted", "examine", "examination"),
    ("examination", "decide", "decision"),
    ("decision", "follow_up", "follow_up"),
    ("follow_up", "close", "closed"),
]


@pytest.mark.parametrize(("step", "action", "target"), HAPPY_PATH)
def test_the_procedure_runs_from_received_to_closed(step: str, action: str, target: str) -> None:
    assert plan(step, action, SUPERVISOR, "because").target == target


def test_every_step_and_action_is_either_allowed_or_refused_with_a_conflict() -> None:
    for step in STEPS:
        for action in ACTIONS:
            if step in TRANSITIONS[action].sources:
                assert plan(step, action, SUPERVISOR, "why").source == step
            else:
                with pytest.raises(StepNotAllowed):
                    plan(step, action, SUPERVISOR, "why")


@pytest.mark.parametrize("action", ["declare_inadmissible", "close", "reopen"])
def test_ending_or_reopening_a_case_is_a_supervisors_decision(action: str) -> None:
    step = next(iter(TRANSITIONS[action].sources))
    with pytest.raises(RoleNotAllowed):
        plan(step, action, WORKER, "I decided")
    assert plan(step, action, SUPERVISOR, "approved").target == TRANSITIONS[action].target


@pytest.mark.parametrize("role", sorted(ROLES - {"caseworker", "supervisor"}))
def test_roles_outside_casework_take_no_action(role: str) -> None:
    for step in STEPS:
        assert allowed_actions(step, frozenset({role})) == []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_decision_without_a_reason_is_refused(reason: str | None) -> None:
    with pytest.raises(ReasonRequired):
        plan("admissibility_review", "declare_admissible", WORKER, reason)


def test_acknowledging_needs_no_reason_but_starts_the_admissibility_clock() -> None:
    step = plan("received", "acknowledge", WORKER, None)
    assert step.deadline == "admissibility"


def test_withdrawal_is_open_from_every_open_step_and_no_ended_one() -> None:
    for step in STEPS:
        assert ("withdraw" in allowed_actions(step, WORKER)) == (step not in ENDED)


def test_reopening_from_every_ended_step_goes_back_to_admissibility_review() -> None:
    for step in ENDED:
        assert plan(step, "reopen", SUPERVISOR, "new facts").target == "admissibility_review"


def test_clocks_run_from_settings_and_acknowledgement_from_triage() -> None:
    now, respond_by = utcnow(), utcnow() + timedelta(hours=1)
    clocks = Clocks(timedelta(days=30), timedelta(days=90), timedelta(days=182))
    assert clocks.due("acknowledge", now, respond_by) == respond_by
    assert clocks.due("follow_up", now, respond_by) == now + timedelta(days=182)
    assert clocks.due("duty_bearer_response", now, respond_by) == now + timedelta(days=90)


LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_the_child_hears_of_is_explained_in_their_language(language: str) -> None:
    for step in STEPS:
        if step == "received":
            continue  # intake's own receipt says this
        text = explain(step, language, "12_14")
        assert text, (step, language)
        if language != "en":
            assert text != explain(step, "en", "12_14"), (step, language)


def test_younger_children_get_the_shorter_english_text() -> None:
    young, older = explain("acknowledged", "en", "8_11"), explain("acknowledged", "en", "15_17")
    assert young is not None
    assert older is not None
    assert len(young) < len(older)
