"""Names a narrative gives (institutions, titled persons), and words that name nothing."""

from __future__ import annotations

import pytest

from services.triage.subjects import named_subjects


@pytest.mark.parametrize(
    ("narrative", "names"),
    [
        ("at St Anne's Children's Home the staff hit us", ["St Anne's Children's Home"]),
        ("in School No. 5 the teacher", ["School No. 5"]),
        ("Mr Dupont touched me", ["Mr Dupont"]),
        ("à l'École Jean Jaurès on nous frappe", ["École Jean Jaurès"]),
        ("в Школа №5 бьют", ["Школа №5"]),
        ("阳光福利院的阿姨打我们", ["阳光福利院"]),
        ("the school is bad", []),
        ("At School they hit me", []),
        ("i hate the Home", []),
        ("", []),
        ("🙁" * 50, []),
    ],
)
def test_only_proper_names_are_taken(narrative: str, names: list[str]) -> None:
    assert named_subjects(narrative) == names


def test_at_most_five_names_are_taken_from_one_narrative() -> None:
    many = " and ".join(f"Mr Name{chr(65 + i)}" for i in range(10))
    assert len(named_subjects(many)) == 5
