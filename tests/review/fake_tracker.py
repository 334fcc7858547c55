"""Write Rasa-shaped tracker events straight into an ``events`` table, for fast unit tests
of the readers (the integration tests check the same things against the real servers).

The shapes follow what Rasa 3.6 and actions/actions.py store: the entity-filled slots
before the start action, the opening line before the action's slot events, external
reminder messages, nudges, the scorecard slot."""

from __future__ import annotations

import json

import sqlalchemy as sa

from sparring.scenarios import Catalogue
from sparring.scorecard import build_scorecard

_metadata = sa.MetaData()
EVENTS = sa.Table(
    "events", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
CATALOGUE = Catalogue()


class FakeTracker:
    def __init__(self, engine: sa.engine.Engine, sender: str, clock: float = 1_700_000_000.0):
        _metadata.create_all(engine, checkfirst=True)
        self.engine, self.sender, self.clock = engine, sender, clock
        self.state: dict | None = None
        self.records: list[dict] = []
        self.trainee = ""

    def _write(self, type_name: str, data: dict, intent: str | None = None, action: str | None = None,
               seconds: float = 0.01) -> None:
        self.clock += seconds
        event = {"event": type_name, "timestamp": self.clock, "metadata": {}, **data}
        with self.engine.begin() as connection:
            connection.execute(EVENTS.insert().values(sender_id=self.sender, type_name=type_name, timestamp=self.clock,
                                                      intent_name=intent, action_name=action, data=json.dumps(event)))

    def user(self, text: str, intent: str = "apologize", seconds: float = 1.0, external: bool = False) -> None:
        data = {"text": text, "parse_data": {"intent": {"name": intent}, "entities": [], "text": text}}
        if external:
            data["metadata"] = {"is_external": True}
        self._write("user", data, intent=intent, seconds=seconds)

    def action(self, name: str) -> None:
        self._write("action", {"name": name}, action=name)

    def bot(self, text: str | None, custom: dict | None = None) -> None:
        self._write("bot", {"text": text, "data": {"custom": custom}})

    def slot(self, name: str, value) -> None:
        self._write("slot", {"name": name, "value": value}, action=name)

    def start(self, trainee: str, scenario_id: str = "double-charge", ok: bool = True, mood: float = 8.0) -> None:
        self.user(f'/start_scenario{{"scenario_id": "{scenario_id}", "trainee": "{trainee}"}}', "start_scenario")
        self.slot("scenario_id", scenario_id)  # Rasa fills these from the entities first
        self.slot("trainee", trainee)
        self.action("action_start_scenario")
        if not ok:
            self.bot(f"There is no scenario {scenario_id!r}.", {"type": "error", "error": "unknown_scenario"})
            self.action("action_listen")
            return
        scenario = CATALOGUE.get(scenario_id)
        self.bot(f"Opening line of {scenario_id}")
        self.bot(None, {"type": "start", "scenario": scenario.summary(), "mode": "practice", "mood": mood})
        self.trainee, self.records = trainee, []
        self.state = {"scenario_id": scenario_id, "mood": mood, "seed": f"{self.sender}:{self.clock}", "turn": 0,
                      "ended": False, "outcome": None}
        for name, value in (("scenario_id", scenario_id), ("trainee", trainee), ("mode", "practice"),
                            ("customer_state", dict(self.state)), ("mood", mood), ("outcome", None),
                            ("turn_record", None), ("scorecard", None)):
            self.slot(name, value)
        self.action("action_listen")

    def reply(self, text: str, evidence: list[dict] = (), mood_after: float | None = None, outcome: str | None = None,
              response_seconds: float = 2.5, answer: str = "Customer answers.") -> dict:
        self.user(text, seconds=response_seconds)
        self.action("action_customer_turn")
        state = self.state
        mood_before = state["mood"]
        mood_after = mood_before - 1 if mood_after is None else mood_after
        state.update(turn=state["turn"] + 1, mood=mood_after, outcome=outcome, ended=outcome is not None)
        evidence = [{**e, "quote": e.get("quote", text[e["start"]:e["end"]])} for e in evidence]
        record = {"turn": state["turn"], "moves": [e["move"] for e in evidence if "move" in e],
                  "penalties": [e["penalty"] for e in evidence if "penalty" in e], "evidence": evidence,
                  "events": [], "mood_before": mood_before, "mood_after": mood_after, "reply": [answer],
                  "response_seconds": response_seconds, "truncated": False, "seed": state["seed"]}
        self.bot(answer)
        self.bot(None, {"type": "turn", "turn": state["turn"]})
        self.slot("customer_state", dict(state))
        self.slot("turn_record", record)
        self.action("action_listen")
        self.records.append(record)
        return record

    def nudge(self, answer: str = "Hello? Are you still there?") -> None:
        self.user("EXTERNAL: EXTERNAL_impatience", "EXTERNAL_impatience", seconds=45, external=True)
        self.action("action_customer_nudge")
        self.bot(answer)
        mood_before = self.state["mood"]
        self.state["mood"] = min(10.0, mood_before + 0.5)
        record = {"turn": self.state["turn"], "nudge": True, "events": ["impatience"], "mood_before": mood_before,
                  "mood_after": self.state["mood"], "reply": [answer], "seed": self.state["seed"]}
        self.slot("customer_state", dict(self.state))
        self.slot("turn_record", record)
        self.records.append(record)
        self.action("action_listen")

    def end(self) -> dict:
        self.user("/end_session", "end_session")
        self.action("action_end_session")
        scenario = CATALOGUE.get(self.state["scenario_id"])
        card = build_scorecard([r for r in self.records if not r.get("nudge")], scenario, CATALOGUE.rubric,
                               trainee=self.trainee, outcome=self.state["outcome"], opening_mood=scenario.mood_start)
        self.bot(None, {"type": "scorecard", "scorecard": card})
        self.slot("scorecard", card)
        self.state["ended"] = True
        self.slot("customer_state", dict(self.state))
        self.action("action_listen")
        return card
