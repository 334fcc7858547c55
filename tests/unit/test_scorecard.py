"""Scorecard assembly from turn records: scores, quotes, order check, penalties, tips."""

from __future__ import annotations

import pytest

from sparring.scenarios import Catalogue
from sparring.scorecard import build_scorecard


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue().refresh()


def record(turn, moves=(), penalties=(), quotes=None, events=(), mood=5.0):
    quotes = quotes or {}
    evidence = [{"move": m, "start": 0, "end": 1, "quote": quotes.get(m, f"{m} words")} for m in moves]
    evidence += [{"penalty": p, "start": 0, "end": 1, "quote": quotes.get(p, f"{p} words")} for p in penalties]
    return {"turn": turn, "moves": list(moves), "penalties": list(penalties), "evidence": evidence,
            "events": list(events), "mood_before": mood, "mood_after": mood}


def card(catalogue, records, outcome):
    scenario = catalogue.scenarios["double-charge"]
    return build_scorecard(records, scenario, catalogue.rubric, trainee="Ana", outcome=outcome, opening_mood=8)


def test_a_complete_conversation_scores_full_marks_with_quotes(catalogue):
    records = [
        record(1, ["listen", "empathize", "apologize"], quotes={"apologize": "sorry about the double charge"}),
        record(2, ["listen"]),
        record(3, ["resolve"], quotes={"resolve": "I'm refunding it now"}),
    ]
    result = card(catalogue, records, "resolved")
    assert result["overall"] == 100 and result["grade"] == "A"
    assert result["moves"]["apologize"]["quotes"] == [{"turn": 1, "quote": "sorry about the double charge"}]
    assert result["moves"]["resolve"]["quotes"][0]["quote"] == "I'm refunding it now"
    assert result["order"]["acknowledged_before_resolve"] is True
    assert 2 <= len(result["tips"]) <= 4
    assert result["mood_trace"] == [8, 5.0, 5.0, 5.0]


def test_penalties_are_quoted_and_cost_points(catalogue):
    clean = card(catalogue, [record(1, ["apologize"])], None)
    blamed = card(catalogue, [record(1, ["apologize"], ["blame"], quotes={"blame": "you should have"})], None)
    assert blamed["penalties"] == [{"penalty": "blame", "turn": 1, "quote": "you should have",
                                    "points": catalogue.rubric.penalty_points["blame"]}]
    assert blamed["overall"] == clean["overall"] - catalogue.rubric.penalty_points["blame"]
    assert blamed["tips"][0]["finding"] == "penalty_blame" and blamed["tips"][0]["turn"] == 1


def test_fix_before_acknowledgement_breaks_the_order(catalogue):
    records = [record(1, ["resolve"], events=["early_resolve"]), record(2, ["apologize"])]
    result = card(catalogue, records, None)
    assert result["order"]["acknowledged_before_resolve"] is False
    assert result["moves"]["resolve"]["deductions"]
    assert any(t["finding"] == "early_resolve" and t["turn"] == 1 for t in result["tips"])


def test_missing_moves_score_zero_and_get_a_tip(catalogue):
    result = card(catalogue, [record(1, ["listen"])], "hung_up")
    assert result["moves"]["apologize"]["score"] == 0
    assert "missed_apologize" in {t["finding"] for t in result["tips"]}
    assert result["outcome"] == "hung_up"


def test_unaccepted_offer_is_capped(catalogue):
    result = card(catalogue, [record(1, ["listen", "empathize", "apologize"]), record(2, ["resolve"])], None)
    assert result["moves"]["resolve"]["score"] == 60


def test_scenario_tip_replaces_the_default(catalogue):
    scenario = catalogue.scenarios["double-charge"]
    specific = {t.when: t.text for t in scenario.tips}
    result = card(catalogue, [record(1, ["listen"])], None)
    for tip in result["tips"]:
        if tip["finding"] in specific:
            assert tip["text"] == specific[tip["finding"]]
