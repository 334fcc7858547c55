"""One practice conversation, turn by turn: the engine's single entry point for adapters.

Rasa's custom actions and the command line call this module and nothing deeper, so the
rules of a turn (detect, update the customer, record, hint) live in one place. State goes
in and comes out as plain dictionaries, because the Rasa tracker stores it in slots.
"""

from __future__ import annotations

from dataclasses import dataclass

from sparring.customer import Customer, CustomerState, Reaction
from sparring.detector import Detector, default_detector
from sparring.scenarios import Catalogue, Scenario
from sparring.scorecard import build_scorecard

# Longer replies are kept whole in the transcript but only this much is scored: nobody
# types more in a chat turn, and it bounds the time of one turn whatever is pasted.
MAX_SCORED_CHARS = 4000
MODES = ("practice", "assessment")


class UnknownScenario(LookupError):
    def __init__(self, scenario_id: str, known: list[str]):
        self.scenario_id = scenario_id
        self.known = known
        super().__init__(f"unknown scenario {scenario_id!r}; available: {', '.join(known) or 'none'}")


@dataclass
class Turn:
    """The result of one trainee reply (or of the customer running out of patience)."""

    state: CustomerState
    lines: list[str]
    record: dict  # kept in the tracker; the scorecard is rebuilt from these
    payload: dict  # the REST contract's "turn" message
    patience_seconds: int  # how long the customer waits for the next reply


class Simulator:
    def __init__(self, catalogue: Catalogue | None = None, detector: Detector | None = None):
        self.catalogue = catalogue or Catalogue()
        self._detector = detector

    @property
    def detector(self) -> Detector:
        if self._detector is None:
            self._detector = default_detector()
        return self._detector

    def scenarios(self) -> list[Scenario]:
        return sorted(self.catalogue.refresh().scenarios.values(), key=lambda s: (s.persona, s.id))

    def scenario(self, scenario_id: str) -> Scenario:
        scenario = self.catalogue.get(scenario_id)
        if scenario is None:
            raise UnknownScenario(scenario_id, sorted(self.catalogue.scenarios))
        return scenario

    def customer(self, scenario_id: str) -> Customer:
        scenario = self.scenario(scenario_id)
        return Customer(scenario, self.catalogue.persona_of(scenario), self.catalogue.rubric)

    def start(self, scenario_id: str, seed: str) -> tuple[CustomerState, str]:
        return self.customer(scenario_id).start(seed)

    def reply(self, state_data: dict, text: str, response_seconds: float | None = None) -> Turn:
        state = CustomerState.from_dict(state_data)
        customer = self.customer(state.scenario_id)
        scored = text[:MAX_SCORED_CHARS]
        context = " ".join(state.recent)
        detection = self.detector.detect(scored, context, customer.scenario)
        reaction = customer.respond(state, scored, detection)
        evidence = [{**e.as_dict(), "quote": scored[e.start : e.end]} for e in detection.evidence]
        record = {
            "turn": state.turn,
            "moves": detection.moves,
            "penalties": detection.penalties,
            "evidence": evidence,
            "facts": detection.grounding.facts() if detection.grounding else [],
            "offers": [{"verdict": o.verdict, "remedy": o.remedy} for o in detection.offers],
            "events": reaction.events,
            "mood_before": reaction.mood_before,
            "mood_after": reaction.mood_after,
            "reply": reaction.lines,
            "response_seconds": response_seconds,
            "truncated": len(text) > MAX_SCORED_CHARS,
        }
        payload = self._payload(state, record, reaction, customer)
        return Turn(state, reaction.lines, record, payload, customer.scenario.patience_seconds)

    def nudge(self, state_data: dict) -> Turn:
        state = CustomerState.from_dict(state_data)
        customer = self.customer(state.scenario_id)
        reaction = customer.nudge(state)
        record = {"turn": state.turn, "nudge": True, "events": reaction.events, "mood_before": reaction.mood_before,
                  "mood_after": reaction.mood_after, "reply": reaction.lines}
        payload = {"type": "nudge", "mood": state.mood, "ended": state.ended, "outcome": state.outcome}
        return Turn(state, reaction.lines, record, payload, customer.scenario.patience_seconds)

    def scorecard(self, state_data: dict, records: list[dict], trainee: str, mode: str = "practice") -> dict:
        state = CustomerState.from_dict(state_data)
        scenario = self.scenario(state.scenario_id)
        return build_scorecard(
            records,
            scenario,
            self.catalogue.rubric,
            trainee=trainee,
            outcome=state.outcome,
            mode=mode,
            opening_mood=scenario.mood_start,
        )

    def _payload(self, state: CustomerState, record: dict, reaction: Reaction, customer: Customer) -> dict:
        return {
            "type": "turn",
            "turn": state.turn,
            "mood": state.mood,
            "moves": record["moves"],
            "penalties": record["penalties"],
            "evidence": record["evidence"],
            "ended": state.ended,
            "outcome": state.outcome,
            "hint": self._hint(record, customer),
        }

    def _hint(self, record: dict, customer: Customer) -> str | None:
        """One line of coaching right after a reply that broke a rule (practice mode)."""
        tips = self.catalogue.rubric.tips
        if record["penalties"]:
            return tips[f"penalty_{record['penalties'][0]}"]
        if "early_resolve" in record["events"]:
            return tips["early_resolve"]
        return None

