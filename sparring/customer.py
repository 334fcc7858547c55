"""The simulated customer: a mood from 0 (calm) to 10 (gone) and a reply to every turn.

The customer reacts to what the detector found in the trainee's reply, never to raw
keywords of its own, so what the trainee sees (the customer cooling down or boiling over)
and what the scorecard says always agree. Lines come from the scenario first and from the
persona as a fallback; which variant is said is drawn from a generator seeded by the
session and the turn, so a session can be replayed exactly while two sessions differ.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from sparring.lines import choose, fill, variants
from sparring.offers import ACCEPTED, REJECTED, Offer
from sparring.playbook import Persona, Rubric
from sparring.rules import Detection
from sparring.scenarios import Remedy, Scenario

MOOD_MIN, MOOD_MAX = 0.0, 10.0
# Where a customer who has just boiled over, but was not pushed there repeatedly or abused,
# stays: at the edge, giving the trainee one last chance.
MOOD_EDGE = 9.5


@dataclass
class CustomerState:
    """Everything the customer remembers between turns; small and bounded by design,
    because Rasa ships it with every turn (it lives in a slot)."""

    scenario_id: str
    mood: float
    seed: str
    turn: int = 0
    last_line: str = ""
    recent: list[str] = field(default_factory=list)  # the customer's last few messages
    move_counts: dict[str, int] = field(default_factory=dict)
    boundary_set: bool = False
    strikes: int = 0  # failed replies in a row (a penalty, or nothing for the customer)
    ended: bool = False
    outcome: str | None = None
    ended_by: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "CustomerState":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Reaction:
    """What the customer does after one trainee reply."""

    lines: list[str]
    mood_before: float
    mood_after: float
    events: list[str] = field(default_factory=list)
    ended: bool = False
    outcome: str | None = None


class Customer:
    """Plays one scenario's customer. Stateless itself: the state travels in and out."""

    def __init__(self, scenario: Scenario, persona: Persona, rubric: Rubric):
        self.scenario = scenario
        self.persona = persona
        self.rubric = rubric
        self.effects = {**rubric.mood_effects, **persona.mood_effects}
        self.at_top = scenario.at_top or persona.at_top

    # --- public -----------------------------------------------------------------------------

    def start(self, seed: str) -> tuple[CustomerState, str]:
        state = CustomerState(scenario_id=self.scenario.id, mood=self.scenario.mood_start, seed=seed)
        line = self._say(state, list(self.scenario.opening))
        _remember(state, [line])
        return state, line

    def respond(self, state: CustomerState, text: str, detection: Detection) -> Reaction:
        state.turn += 1
        reaction = self._respond(state, text, detection)
        _remember(state, reaction.lines)
        return reaction

    def nudge(self, state: CustomerState) -> Reaction:
        """The trainee left the customer waiting: impatience, and the mood rises."""
        before = state.mood
        state.mood = _clamp(state.mood + self.effects["no_move"])
        if state.mood >= MOOD_MAX:
            reaction = self._end_at_top(state, before, ["waited"])
        else:
            reaction = Reaction([self._line(state, "impatient")], before, state.mood, ["waited"])
        _remember(state, reaction.lines)
        return reaction

    def _respond(self, state: CustomerState, text: str, detection: Detection) -> Reaction:
        before = state.mood
        if not text.strip():
            return Reaction([self._line(state, "empty")], before, before, ["empty"])
        events = self._update_mood(state, detection)
        failed = bool(detection.penalties) or not (detection.moves or "boundary" in events)
        state.strikes = state.strikes + 1 if failed else 0
        if state.mood >= MOOD_MAX:
            return self._at_the_edge(state, before, detection, events)
        lines = self._react(state, detection, events)
        if state.mood >= MOOD_MAX:
            return self._at_the_edge(state, before, detection, events)
        return Reaction(lines, before, state.mood, events, state.ended, state.outcome)

    def _at_the_edge(self, state: CustomerState, before: float, detection: Detection, events: list[str]) -> Reaction:
        """A customer ends the conversation only when pushed: abuse, a counter-threat, or
        failed replies in a row. Otherwise they say it is the last chance, and stay."""
        abused = "insult" in detection.penalties or "counter_threat" in events
        if abused or state.strikes >= self.rubric.strikes_to_end:
            return self._end_at_top(state, before, events)
        state.mood = MOOD_EDGE
        events.append("last_chance")
        return Reaction([self._line(state, "last_chance")], before, state.mood, events)

    # --- mood ---------------------------------------------------------------------------------

    def _update_mood(self, state: CustomerState, detection: Detection) -> list[str]:
        events: list[str] = []
        delta = 0.0
        for move in detection.moves:
            if move == "resolve":
                continue  # judged below: an offer helps only when it comes at the right time
            repeats = state.move_counts.get(move, 0)
            delta += self.effects[move] * (self.rubric.repeat_decay**repeats)
        for penalty in detection.penalties:
            delta += self.effects[penalty]
        for signal in ("counter_threat", "admission"):
            if signal in detection.signals:
                delta += self.effects[signal]
                events.append(signal)
        if "boundary" in detection.signals and not detection.penalties:
            delta += self.effects["boundary"]
            events.append("boundary")
        if not detection.moves and not detection.penalties and not events:
            delta += self.effects["no_move"]
        for move in detection.moves:
            state.move_counts[move] = state.move_counts.get(move, 0) + 1
        state.mood = _clamp(state.mood + delta)
        return events

    # --- what to say ----------------------------------------------------------------------------

    def _react(self, state: CustomerState, detection: Detection, events: list[str]) -> list[str]:
        if "counter_threat" in events:
            return [self._line(state, "counter_threat")]
        if "calm_down" in detection.penalties:
            return [self._line(state, "calm_down")]
        if detection.penalties == ["wrong_facts"]:
            term = next((e.term for e in detection.evidence if e.label == "wrong_facts"), None)
            return [self._line(state, "wrong_facts", term=term or "")]
        if detection.penalties:
            return [self._line(state, "penalty")]
        if "boundary" in events:
            first = not state.boundary_set
            state.boundary_set = True
            if "end_chat" in detection.signals and not first:
                return self._trainee_ends(state)
            return [self._line(state, "boundary_ack")]
        if "end_chat" in detection.signals and state.boundary_set:
            return self._trainee_ends(state)
        if "admission" in events:
            return [self._line(state, "admission")]
        # A remedy the customer refuses is refused whenever it is put to them, whether or not
        # the detector counts it as resolving ("just wait for it to drop off" is a deflection);
        # offered beside one they accept, it makes the reaction mixed.
        rejected = [o for o in detection.offers if o.verdict == REJECTED]
        if rejected:
            remedy = self._remedy(self.scenario.reject, rejected[0])
            events.append(f"rejected:{remedy.name}")
            refusal = self._say(state, list(remedy.lines)) if remedy.lines else self._line(state, "resolve_rejected")
            if any(o.verdict == ACCEPTED for o in detection.offers):
                events.append("mixed")
                return [self._line(state, "mixed"), refusal]
            return [refusal]
        if "resolve" in detection.moves:
            return self._judge_offer(state, detection, events)
        answers = self._answers(detection)
        for move in ("apologize", "empathize", "listen"):
            if move in detection.moves:
                return [self._line(state, move)] + answers
        if answers:
            return answers
        if "question" in detection.signals:
            return [self._line(state, "fact_unknown")]
        return [self._line(state, "neutral")]

    def _judge_offer(self, state: CustomerState, detection: Detection, events: list[str]) -> list[str]:
        """An offer is taken only when it fits this case and the customer is calm enough to
        hear it; a whole fix ends the conversation, a partial one is welcome but not enough."""
        if state.mood > self.scenario.calm_enough:
            events.append("early_resolve")
            state.mood = _clamp(state.mood + self.effects["early_resolve"])
            return [self._line(state, "resolve_too_early")]
        accepted = [self._remedy(self.scenario.accept, o) for o in detection.offers if o.verdict == ACCEPTED]
        if not accepted:
            events.append("vague_offer")
            return [self._line(state, "resolve_vague")]
        state.mood = _clamp(state.mood + self.effects["resolve"])
        events.extend(f"accepted:{remedy.name}" for remedy in accepted)
        whole = next((remedy for remedy in accepted if not remedy.partial), None)
        if whole is None:
            remedy = accepted[0]
            return [self._say(state, list(remedy.lines)) if remedy.lines else self._line(state, "resolve_partial")]
        state.ended, state.outcome = True, "resolved"
        return [self._say(state, list(whole.lines)) if whole.lines else self._line(state, "resolved")]

    def _remedy(self, remedies: tuple[Remedy, ...], offer: Offer) -> Remedy:
        return next(remedy for remedy in remedies if remedy.name == offer.remedy)

    def _answers(self, detection: Detection) -> list[str]:
        """Facts the trainee asked about: the customer answers clarifying questions."""
        if "question" not in detection.signals or detection.doc is None:
            return []
        lowered = detection.doc.text.lower()
        starts = [token.idx for token in detection.doc]  # "rent" is asked in "your rent", not in "current"
        return [fact.answer for fact in self.scenario.facts
                if any(lowered.startswith(word, start) for word in fact.asked_by for start in starts)]

    def _trainee_ends(self, state: CustomerState) -> list[str]:
        state.ended, state.ended_by = True, "trainee"
        return [self._line(state, "hang_up")]

    def _end_at_top(self, state: CustomerState, before: float, events: list[str]) -> Reaction:
        state.mood = MOOD_MAX
        state.ended, state.outcome = True, self.at_top
        kind = "escalate" if self.at_top == "escalated" else "hang_up"
        return Reaction([self._line(state, kind)], before, state.mood, events, True, state.outcome)

    # --- lines --------------------------------------------------------------------------------

    def _line(self, state: CustomerState, kind: str, term: str = "") -> str:
        band = self.rubric.band(state.mood)
        candidates = variants(self.scenario.lines, kind, band) or variants(self.persona.lines, kind, band)
        return self._say(state, candidates, fallback_kind=kind, term=term)

    def _say(self, state: CustomerState, candidates: list[str], fallback_kind: str = "neutral", term: str = "") -> str:
        rng = random.Random(f"{state.seed}:{state.turn}:{len(state.last_line)}")
        avoid = self.persona.abusive_words if state.boundary_set else None
        line = choose(candidates, state.last_line, rng, avoid)
        if line is None:  # the only variant was said just now: borrow the persona's
            band = self.rubric.band(state.mood)
            backup = variants(self.persona.lines, fallback_kind, band) + variants(self.persona.lines, "neutral", band)
            line = choose(backup, state.last_line, rng, avoid) or "..."
        state.last_line = line
        return fill(line, name=self.scenario.customer_name, problem=self.scenario.problem, term=term)


RECENT_MESSAGES = 3  # what a trainee's restatement is checked against, besides the facts


def _remember(state: CustomerState, lines: list[str]) -> None:
    state.recent = (state.recent + [" ".join(lines)])[-RECENT_MESSAGES:]


def _clamp(mood: float) -> float:
    return round(min(MOOD_MAX, max(MOOD_MIN, mood)), 2)

