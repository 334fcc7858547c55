"""Plain cases of the checklist detector, each asserting the move and its evidence span."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sparring.detector import default_detector

CONTEXT = "You charged my card twice for the coffee machine, £389.99 each time, and now I'm overdrawn!"


def evidence(text: str, context: str = CONTEXT) -> dict[str, str]:
    found = default_detector().detect(text, context)
    return {e.label: text[e.start : e.end] for e in found.evidence}


@pytest.mark.parametrize(
    "text, label, quoted",
    [
        ("I'm so sorry about the double charge.", "apologize", "I'm so sorry about the double charge"),
        ("That must be really worrying.", "empathize", "That must be really worrying"),
        ("So you were charged twice for the coffee machine?", "listen", "So you were charged twice for the coffee machine"),
        ("I'll refund the second payment today.", "resolve", "I'll refund the second payment today"),
        ("Would a refund today help?", "resolve", "Would a refund today help"),
        ("You should have checked your statement.", "blame", "You should have"),
        ("That's not what happened.", "argue", "That's not what happened"),
        ("Calm down, please.", "calm_down", "Calm down"),
        ("It's only a few pounds.", "dismiss", "It's only"),
        ("The RMA is stuck in L2.", "jargon", "RMA"),
        ("I guarantee it will never happen again.", "overpromise", "I guarantee"),
    ],
)
def test_plain_cases_with_evidence(text, label, quoted):
    assert evidence(text).get(label) == quoted


@pytest.mark.parametrize(
    "text",
    ["I'm sorry you feel that way.", "Sorry, can you repeat that?", "I'm not going to apologise for the bank's rules.",
     "Well sorry for existing."],
)
def test_non_apologies_are_refused(text):
    assert "apologize" not in default_detector().detect(text, CONTEXT).moves


def test_bare_acknowledgement_is_no_move():
    for text in ["ok", "noted", "I see", "I understand."]:
        assert default_detector().detect(text, CONTEXT).moves == []


def test_identifier_only_question_is_not_listening():
    assert "listen" not in default_detector().detect("Can I have your order number?", CONTEXT).moves


def test_apology_naming_the_problem_also_shows_listening():
    assert {"apologize", "listen"} <= set(default_detector().detect("Sorry you were charged twice.", CONTEXT).moves)


def test_classify_cli_contract():
    lines = [
        {"text": "I'm so sorry about the double charge.", "context": CONTEXT},
        {"text": "ok"},
        {"text": "You should have checked."},
    ]
    result = subprocess.run(
        [sys.executable, "-m", "sparring", "classify"],
        input="\n".join(json.dumps(line) for line in lines) + "\n",
        capture_output=True, text=True, check=True,
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert "apologize" in out[0]["moves"] and out[1]["moves"] == [] and out[2]["penalties"] == ["blame"]
    first = out[0]["evidence"][0]
    assert set(first) >= {"start", "end"} and ("move" in first or "penalty" in first)


def test_restatement_view_masks_what_the_customer_said():
    found = default_detector().rules.detect("Sorry the £389.99 was charged twice. I'll refund the duplicate.", CONTEXT)
    assert found.restatement.split() == ["sorry", "the", "SHAREDNUM", "SHAREDNUM", "was", "SHARED", "SHAREDNUM", ".",
                                         "i", "'ll", "refund", "the", "duplicate", "."]
