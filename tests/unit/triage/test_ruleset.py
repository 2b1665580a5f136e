"""Rule files are data: validated by a schema whose errors name the file and the line."""

from __future__ import annotations

import pytest

from services.triage.errors import RuleSetInvalid
from services.triage.model import RuleSet
from services.triage.ruleset import MAX_BYTES, content_hash
from tests.unit.triage.conftest import RULE_FILE

SHIPPED = RULE_FILE.read_text("utf-8")


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if needle in line)) + 1


def _refused(text: str | bytes) -> RuleSetInvalid:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(RuleSetInvalid) as caught:
        RuleSet.from_bytes(raw, "mine.yaml")
    return caught.value


def test_the_shipped_rule_set_loads_with_its_version_and_content_hash(rules: RuleSet) -> None:
    assert rules.version == "2026.11-1"
    assert rules.content_hash == content_hash(RULE_FILE.read_bytes())
    assert len(rules.content_hash) == 64
    codes = [c.code for c in rules.data.taxonomy]
    for code in ("violence.physical", "online.sextortion", "mental_health.self_harm", "other"):
        assert code in codes


def test_any_change_to_the_file_changes_the_content_hash(rules: RuleSet) -> None:
    edited = RuleSet.from_bytes((SHIPPED + "\n# a comment\n").encode(), "edited.yaml")
    assert edited.content_hash != rules.content_hash
    assert edited.version == rules.version


def test_an_unknown_category_in_a_rule_names_the_file_and_its_line() -> None:
    broken = SHIPPED.replace("categories: [violence.neglect]", "categories: [violence.neglekt]")
    error = _refused(broken)
    assert error.file == "mine.yaml"
    assert error.line == _line_of(broken, "violence.neglekt")
    assert "unknown category violence.neglekt" in str(error)


@pytest.mark.parametrize(
    ("find", "replace", "needle", "problem"),
    [
        ("urgency: P1}            # wants", "urgency: P0}  # wants", "urgency: P0", "urgency"),
        ("gap_words: 4", "gap_words: 40", "gap_words", "gap_words"),
        ('version: "2026.11-1"', 'version: "bad version!"', "bad version", "version"),
        ("    negatable: false\n", "    negatable: maybe\n", "negatable: maybe", "negatable"),
        ("      zh: [几年前", "      xx: [几年前", "xx: [几年前", "unknown language xx"),
        ("id: signal.long_ago", "id: signal.ongoing", "id: signal.ongoing", "same id"),
        ("  - {all: [self_harm, means]", "  - {all: [self_harm, meanz]", "meanz", "meanz"),
    ],
)
def test_schema_errors_name_the_line_and_the_problem(
    find: str, replace: str, needle: str, problem: str
) -> None:
    assert find in SHIPPED
    broken = SHIPPED.replace(find, replace, 1)
    error = _refused(broken)
    assert problem in error.problem
    if needle != "id: signal.ongoing":
        assert error.line == _line_of(broken, needle)


@pytest.mark.parametrize(
    ("raw", "problem", "line"),
    [
        (b"", "Input should be a valid dictionary", 1),
        (b"version: [unclosed\n", "not valid YAML", 2),
        (b"version: x\n  bad: indent: here\n", "not valid YAML", 2),
        (b"\xff\xfe not utf-8", "not UTF-8", 1),
        (b"version: x\n", "Field required", 1),
        (b"- a list\n- not a mapping\n", "valid dictionary", 1),
        (b"#" * (MAX_BYTES + 1), "larger than", 1),
    ],
)
def test_files_that_are_not_rule_sets_at_all_are_refused_precisely(
    raw: bytes, problem: str, line: int
) -> None:
    error = _refused(raw)
    assert problem in error.problem
    assert error.line == line
    assert str(error).startswith(f"mine.yaml, line {line}: ")
