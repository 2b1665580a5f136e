"""Triage decisions per second: rules only, no I/O, one core.

Runs the shipped rule set over the evaluation corpus (six languages, as children write) again
and again, and prints decisions per second overall and per language.

    python -m bench.triage [--seconds 5]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from services.triage.evaluation import Example, load_corpus, run
from services.triage.model import RuleSet
from services.triage.settings import TriageSettings


def rate(rules: RuleSet, examples: list[Example], seconds: float) -> float:
    """Decisions per CPU second over `examples`, for at least `seconds` of CPU.

    CPU time of this process, not wall time: the figure is what one core does, whatever else
    the machine is running.
    """
    done, started = 0, time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        for example in examples:
            run(rules, example)
        done += len(examples)
    return done / elapsed


def main() -> None:
    """Print decisions per second overall and per language."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    rules = RuleSet.load(TriageSettings.model_fields["rule_set"].default)
    examples = load_corpus()
    for example in examples:  # warm: jieba's dictionary, stemmer caches
        run(rules, example)
    by_language: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_language[example.language].append(example)
    print(f"rule set {rules.version}: {len(examples)} corpus complaints, one process, one core")
    print(f"all languages: {rate(rules, examples, args.seconds):,.0f} decisions per CPU second")
    for language, part in sorted(by_language.items()):
        print(f"  {language}: {rate(rules, part, args.seconds / 3):,.0f} decisions/s")


if __name__ == "__main__":
    main()
