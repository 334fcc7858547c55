"""The trainer-editable playbook: scoring rubric and customer personas (``playbook/*.yml``).

Weights, mood effects, penalties, coaching tips and generic customer lines are data, so a
training team can tune them in review without touching Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from sparring import yamlschema as ys
from sparring.checklist import MOVES, OUTCOMES, PENALTIES, QUALITIES
from sparring.lines import (BANDED_KINDS, BANDS, LINE_PLACEHOLDERS, PLAIN_KINDS, TIP_PLACEHOLDERS, LineBook,
                            unknown_placeholders)

PLAYBOOK_DIR = Path(__file__).resolve().parent.parent / "playbook"

GRADED_MOVES: tuple[str, ...] = tuple(QUALITIES)
FINDINGS: tuple[str, ...] = (
    tuple(f"missed_{move}" for move in MOVES)
    + tuple(f"stock_{move}" for move in GRADED_MOVES)
    + ("early_resolve",)
    + tuple(f"penalty_{p}" for p in PENALTIES)
)
MOOD_EVENTS: tuple[str, ...] = MOVES + PENALTIES + (
    "no_move",
    "early_resolve",
    "admission",
    "counter_threat",
    "boundary",
)



def filled_text(known: tuple[str, ...]) -> ys.Spec:
    """Text whose ``{placeholders}`` are all ones ``lines.fill`` replaces: any other would be
    said to the trainee as written."""

    def rule(checker: ys.Checker, node, where: str, text: str) -> None:
        for name in unknown_placeholders(text, known):
            checker.fail(node, where, f"unknown placeholder {{{name}}}: use " + ", ".join(f"{{{k}}}" for k in known))

    named = "|".join(known)
    only_known = rf"^(?:[^{{]|\{{(?:{named})\}}|\{{(?![^{{}}\s]*\}}))*$"
    return ys.with_schema(ys.refined(ys.text(), rule), {**ys.schema_of(ys.text()), "allOf": [{"pattern": only_known}]})


customer_line = filled_text(LINE_PLACEHOLDERS)
tip_text = filled_text(TIP_PLACEHOLDERS)
_line_list = ys.list_of(customer_line, min_items=1)
_banded_lines = ys.mapping({band: ys.Key(_line_list) for band in BANDS})


def line_book_spec(require_all: bool) -> ys.Spec:
    """Spec of a book of customer lines; personas must give every kind, scenarios any."""
    keys = {kind: ys.Key(_banded_lines, required=require_all) for kind in BANDED_KINDS}
    keys.update({kind: ys.Key(_line_list, required=require_all) for kind in PLAIN_KINDS})
    return ys.mapping(keys)


def weights_spec() -> ys.Spec:
    """The four move weights, which must add up to 100 so an overall score reads as percent."""
    each = ys.mapping({move: ys.Key(ys.number(0, 100, integer=True)) for move in MOVES})

    def check(checker: ys.Checker, node, where: str):
        weights = each(checker, node, where)
        if weights and None not in weights.values() and sum(weights.values()) != 100:
            checker.fail(node, where, f"must add up to 100, they add up to {sum(weights.values())}")
        return weights

    return ys.with_schema(check, {**ys.schema_of(each), "description": "the four weights add up to 100"})


_RUBRIC_SPEC = ys.mapping(
    {
        "mood_bands": ys.Key(ys.mapping({"high": ys.Key(ys.number(0, 10)), "mid": ys.Key(ys.number(0, 10))})),
        "mood_effects": ys.Key(ys.mapping({event: ys.Key(ys.number(-10, 10)) for event in MOOD_EVENTS})),
        "repeat_decay": ys.Key(ys.number(0, 1)),
        "strikes_to_end": ys.Key(ys.number(1, 10, integer=True)),
        "quality_caps": ys.Key(ys.mapping({move: ys.Key(ys.dict_of(QUALITIES[move], ys.number(0, 100)))
                                           for move in GRADED_MOVES})),
        "unaccepted_resolve_cap": ys.Key(ys.number(0, 100)),
        "weights": ys.Key(weights_spec()),
        "targets": ys.Key(ys.mapping({move: ys.Key(ys.number(1, 10, integer=True)) for move in MOVES})),
        "penalty_points": ys.Key(ys.mapping({p: ys.Key(ys.number(0, 100)) for p in PENALTIES})),
        "order_deduction": ys.Key(ys.number(0, 100)),
        "outcome_points": ys.Key(
            ys.mapping({outcome: ys.Key(ys.number(-100, 100)) for outcome in OUTCOMES + ("none",)})
        ),
        "grades": ys.Key(
            ys.list_of(ys.mapping({"min": ys.Key(ys.number(0, 100)), "grade": ys.Key(ys.text())}))
        ),
        "tips": ys.Key(ys.mapping({finding: ys.Key(tip_text) for finding in FINDINGS})),
        "praise": ys.Key(ys.mapping({move: ys.Key(ys.text()) for move in MOVES})),
    }
)

_PERSONA_SPEC = ys.mapping(
    {
        "description": ys.Key(ys.text()),
        "at_top": ys.Key(ys.one_of(("hung_up", "escalated"))),
        "mood_effects": ys.Key(ys.dict_of(MOOD_EVENTS, ys.number(-10, 10)), required=False, default={}),
        "lines": ys.Key(line_book_spec(require_all=True)),
    }
)


_PERSONAS_SPEC = ys.mapping({
    "abusive_words": ys.Key(ys.list_of(ys.text()), required=False, default=[]),
    "personas": ys.Key(ys.named(_PERSONA_SPEC, "persona name to persona")),
})


@dataclass(frozen=True)
class Rubric:
    """Scoring and mood rules shared by every scenario (see playbook/rubric.yml)."""

    mood_bands: Mapping[str, float]
    mood_effects: Mapping[str, float]
    repeat_decay: float
    strikes_to_end: int
    quality_caps: Mapping[str, Mapping[str, float]]
    unaccepted_resolve_cap: float
    weights: Mapping[str, int]
    targets: Mapping[str, int]
    penalty_points: Mapping[str, float]
    order_deduction: float
    outcome_points: Mapping[str, float]
    grades: tuple[tuple[float, str], ...]
    tips: Mapping[str, str]
    praise: Mapping[str, str]

    def band(self, mood: float) -> str:
        if mood >= self.mood_bands["high"]:
            return "high"
        return "mid" if mood >= self.mood_bands["mid"] else "low"

    def grade(self, score: float) -> str:
        for minimum, grade in self.grades:
            if score >= minimum:
                return grade
        return self.grades[-1][1]


@dataclass(frozen=True)
class Persona:
    """How a kind of difficult customer behaves, with the generic lines it falls back on."""

    name: str
    description: str
    at_top: str
    mood_effects: Mapping[str, float]
    lines: LineBook
    abusive_words: frozenset[str] = frozenset()


def load_rubric(path: Path = PLAYBOOK_DIR / "rubric.yml") -> Rubric:
    data = ys.load(path, _RUBRIC_SPEC)
    grades = tuple(sorted(((g["min"], g["grade"]) for g in data["grades"]), reverse=True))
    return Rubric(
        mood_bands=data["mood_bands"],
        mood_effects=data["mood_effects"],
        repeat_decay=data["repeat_decay"],
        strikes_to_end=data["strikes_to_end"],
        quality_caps=data["quality_caps"],
        unaccepted_resolve_cap=data["unaccepted_resolve_cap"],
        weights=data["weights"],
        targets=data["targets"],
        penalty_points=data["penalty_points"],
        order_deduction=data["order_deduction"],
        outcome_points=data["outcome_points"],
        grades=grades,
        tips=data["tips"],
        praise=data["praise"],
    )


def load_personas(path: Path = PLAYBOOK_DIR / "personas.yml") -> dict[str, Persona]:
    data = ys.load(path, _PERSONAS_SPEC)
    abusive = frozenset(word.lower() for word in data["abusive_words"] or ())
    return {
        name: Persona(name, p["description"], p["at_top"], p["mood_effects"], p["lines"], abusive)
        for name, p in data["personas"].items()
    }

