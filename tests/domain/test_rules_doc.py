from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from acudesk.domain.contraindications import load_ruleset
from acudesk.domain.intake_schema import intake_schema_text
from acudesk.domain.rules_doc import describe, render
from acudesk.domain.triage import load_triage_rules
from acudesk.paths import resource

ROOT = Path(__file__).resolve().parents[2]


def test_clinical_rules_doc_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "clinical-rules.md").read_text(encoding="utf-8")
    assert committed == render(), "regenerate: python -m acudesk.domain.rules_doc > docs/clinical-rules.md"


def test_intake_schema_is_up_to_date() -> None:
    committed = resource("rules", "intake.schema.json").read_text(encoding="utf-8")
    assert committed == intake_schema_text(), (
        "regenerate: python -m acudesk.domain.intake_schema > resources/rules/intake.schema.json"
    )


def test_doc_lists_every_rule_with_its_source() -> None:
    text = render()
    for rule in load_triage_rules().rules:
        assert f"| {rule.id}" in text
        assert rule.source.split(";")[0] in text
    for rule in load_ruleset().rules:
        assert f"| {rule.id} |" in text
    assert "OUT-ODI" in text and "MIC-NRS" in text


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("fever", "`fever`"),
        (None, "always (every patient)"),
        ({"all": ["a", {"any": ["b", "c"]}]}, "`a` AND (`b` OR `c`)"),
        ({"count_at_least": 4, "of": ["a", "b"]}, "at least 4 of (`a`, `b`)"),
        ({"count_at_least": 3, "count_at_most": 3, "of": ["a"]}, "exactly 3 of (`a`)"),
        ({"count_at_most": 1, "of": ["a"]}, "at most 1 of (`a`)"),
    ],
)
def test_describe(condition: object, words: str) -> None:
    assert describe(condition) == words  # type: ignore[arg-type]


def test_module_prints_the_doc() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "acudesk.domain.rules_doc"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout == render()
