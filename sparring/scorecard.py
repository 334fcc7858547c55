"""Scorecard: turns the per-turn records of one conversation into scores, quotes and tips.

Every point is traceable: a move's score lists the replies that earned it (quoted from
the trainee's own words), every penalty quotes the reply that cost it, and every coaching
tip names the turn it is about. The formula is deliberately simple enough to explain to a
trainee in one sentence per line (see playbook/rubric.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from sparring.checklist import MOVES, QUALITIES
from sparring.lines import fill
from sparring.playbook import GRADED_MOVES, Rubric
from sparring.scenarios import Scenario

ACKNOWLEDGING = ("listen", "empathize", "apologize")


@dataclass(frozen=True)
class Finding:
    """Something to coach on, tied to a turn when there is one."""

    key: str  # a FINDINGS name, e.g. "missed_apologize" or "penalty_blame"
    turn: int | None
    quote: str
    severity: float


def _evidence(record: Mapping, label: str) -> list[Mapping]:
    return [e for e in record.get("evidence", ()) if e.get("move", e.get("penalty")) == label]


def _quotes(record: Mapping, label: str) -> list[str]:
    return [e["quote"] for e in _evidence(record, label)]


def build_scorecard(
    records: Sequence[Mapping],
    scenario: Scenario,
    rubric: Rubric,
    *,
    trainee: str,
    outcome: str | None,
    mode: str = "practice",
    opening_mood: float | None = None,
) -> dict:
    """The REST contract's ``scorecard`` object (docs/checklist.md) from a session's turn records.

    Records of the customer's impatience (``nudge``) count only in the mood trace."""
    mood_trace = ([opening_mood] if opening_mood is not None else []) + [r["mood_after"] for r in records]
    records = [r for r in records if not r.get("nudge")]
    weights = scenario.weights or rubric.weights
    first_turn = _first_turns(records)
    moves = {move: _move_score(move, records, rubric, outcome) for move in MOVES}
    worry = _unnamed_worry(records, scenario)
    order = _order_check(scenario, first_turn)
    for broken in order["violations"]:
        later = moves[broken["after"]]
        later["score"] = max(0, later["score"] - rubric.order_deduction)
        later["deductions"].append(f"{broken['after']} came before {broken['before']}")
    penalties = [
        {"penalty": e["penalty"], "turn": r["turn"], "quote": e["quote"], "points": rubric.penalty_points[e["penalty"]],
         **({"term": e["term"]} if e.get("term") else {})}
        for r in records
        for e in r.get("evidence", ())
        if "penalty" in e
    ]
    weighted = sum(weights[m] * moves[m]["score"] / 100 for m in MOVES)
    outcome_points = rubric.outcome_points[outcome or "none"]
    overall = round(max(0.0, min(100.0, weighted - sum(p["points"] for p in penalties) + outcome_points)))
    findings = _findings(records, moves, penalties, order, rubric, worry)
    return {
        "overall": overall,
        "grade": rubric.grade(overall),
        "moves": moves,
        "penalties": penalties,
        "order": order,
        "tips": _tips(findings, moves, scenario, rubric, worry),
        "outcome": outcome,
        "scenario_id": scenario.id,
        "scenario_title": scenario.title,
        "persona": scenario.persona,
        "trainee": trainee,
        "mode": mode,
        "turns": len(records),
        "mood_trace": mood_trace,
        "weights": dict(weights),
        "outcome_points": outcome_points,
    }


def _first_turns(records: Sequence[Mapping]) -> dict[str, int]:
    first: dict[str, int] = {}
    for record in records:
        for move in record.get("moves", ()):
            first.setdefault(move, record["turn"])
    return first


def _move_score(move: str, records: Sequence[Mapping], rubric: Rubric, outcome: str | None) -> dict:
    """Enough replies showing the move earn full marks, capped by the best fit to the case
    among them (a stock phrase cannot reach full marks) and, for resolve, by acceptance."""
    earned = [_earned(r["turn"], e) for r in records if move in r.get("moves", ()) for e in _evidence(r, move)[:1]]
    score = 100 * min(1.0, len(earned) / rubric.targets[move])
    caps = rubric.quality_caps.get(move, {})
    if earned and caps:  # records made before qualities existed carry none: no cap
        score = min(score, max(caps.get(e.get("quality"), 100) for e in earned))
    if move == "resolve" and earned and outcome != "resolved":
        score = min(score, rubric.unaccepted_resolve_cap)  # offered, but the customer never accepted it
    return {"score": round(score), "count": len(earned), "quotes": earned, "deductions": []}


def _earned(turn: int, evidence: Mapping) -> dict:
    """One quote that earned a move, with the fact it restated and how well it fits the case."""
    quote = {"turn": turn, "quote": evidence["quote"]}
    for detail in ("fact", "quality"):
        if evidence.get(detail):
            quote[detail] = evidence[detail]
    return quote


def _unnamed_worry(records: Sequence[Mapping], scenario: Scenario) -> str | None:
    """What worries this customer most, when no reply ever named it."""
    named = {fact for r in records for fact in r.get("facts", ())}
    return next((f.worry for f in scenario.facts if f.worry and f.topic not in named), None)


def _order_check(scenario: Scenario, first_turn: Mapping[str, int]) -> dict:
    """Was the customer acknowledged before the fix, and is the scenario's order kept?"""
    violations = []
    acknowledged = [first_turn[m] for m in ACKNOWLEDGING if m in first_turn]
    resolve_turn = first_turn.get("resolve")
    acknowledged_first = resolve_turn is None or (bool(acknowledged) and min(acknowledged) <= resolve_turn)
    if not acknowledged_first:
        violations.append({"before": "acknowledgement", "after": "resolve", "turn": resolve_turn})
    order = scenario.order
    for earlier, later in zip(order, order[1:]):
        if later in first_turn and (earlier not in first_turn or first_turn[earlier] > first_turn[later]):
            violations.append({"before": earlier, "after": later, "turn": first_turn[later]})
    return {"acknowledged_before_resolve": acknowledged_first, "required": list(order), "violations": violations}


def _findings(records, moves, penalties, order, rubric: Rubric, worry: str | None) -> list[Finding]:
    findings = [Finding(f"penalty_{p['penalty']}", p["turn"], p["quote"], 3 + p["points"] / 10) for p in penalties]
    for record in records:
        if "early_resolve" in record.get("events", ()):
            quote = next(iter(_quotes(record, "resolve")), "")
            findings.append(Finding("early_resolve", record["turn"], quote, 2.5))
    if not order["acknowledged_before_resolve"] and not any(f.key == "early_resolve" for f in findings):
        turn = order["violations"][0]["turn"]
        record = next((r for r in records if r["turn"] == turn), {})
        findings.append(Finding("early_resolve", turn, next(iter(_quotes(record, "resolve")), ""), 2.5))
    for move in MOVES:
        if moves[move]["count"] == 0:
            findings.append(Finding(f"missed_{move}", None, "", 1 + rubric.weights[move] / 100))
        elif move in GRADED_MOVES and _only_stock(moves[move], QUALITIES[move][-1]):
            if move != "empathize" or worry:
                first = moves[move]["quotes"][0]
                findings.append(Finding(f"stock_{move}", first["turn"], first["quote"], 1.5))
    return sorted(findings, key=lambda f: (-f.severity, f.turn or 0))


def _only_stock(score: Mapping, lowest: str) -> bool:
    """Every reply that earned the move did so at its lowest fit to the case (a stock
    phrase, an invitation without a specific, an offer naming nothing of the case)."""
    qualities = [q.get("quality") for q in score["quotes"]]
    return bool(qualities) and all(q == lowest for q in qualities)


def _tips(findings: Sequence[Finding], moves: Mapping[str, dict], scenario: Scenario, rubric: Rubric,
          worry: str | None) -> list[dict]:
    """Two to four tips: the most serious findings first, one tip per kind of finding, then
    praise for what worked when there was little to fix."""
    specific = {tip.when: tip.text for tip in scenario.tips}
    tips, seen = [], set()
    for finding in findings:
        if finding.key in seen:
            continue
        seen.add(finding.key)
        tips.append(
            {
                "finding": finding.key,
                "turn": finding.turn,
                "quote": finding.quote,
                "text": fill(specific.get(finding.key, rubric.tips[finding.key]),
                             name=scenario.customer_name.split()[0], worry=worry or ""),
            }
        )
        if len(tips) == 4:
            break
    for move in MOVES:
        if len(tips) >= 2:
            break
        if moves[move]["quotes"]:
            first = moves[move]["quotes"][0]
            tips.append({"finding": f"strength_{move}", "turn": first["turn"], "quote": first["quote"],
                         "text": rubric.praise[move]})
    return tips
