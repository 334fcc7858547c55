"""Rasa custom actions: a thin adapter between Rasa's tracker and the sparring engine.

All rules of the simulation live in ``sparring``; this module only reads slots and the
latest message, calls the engine, and turns its answer into bot messages and events.
The engine's per-turn record is stored as a ``turn_record`` slot event, so Rasa's SQL
tracker store holds the transcript and every score together.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ReminderCancelled, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from sparring.limits import echo, unmarked
from sparring.session import MODES, Simulator, UnknownScenario
from sparring.terminal import format_scorecard

SIMULATOR = Simulator()
SIMULATOR.detector  # build the spaCy pipeline at start-up, not during a trainee's first turn

WIDGET_HELP = "(Practice chat: answer the customer. Type /end_session when you are done to see your scorecard.)"
WIDGET_OVER = "(The customer has ended the conversation. Type /end_session to see your scorecard.)"
START_HELP = 'Start a conversation with /start_scenario{"scenario_id": "<id>", "trainee": "<your name>"}.'


def _impatience_name(tracker: Tracker) -> str:
    """One reminder per conversation: a shared name would let trainees cancel each other's."""
    return f"impatience-{tracker.sender_id}"


def _impatience_reminder(tracker: Tracker, seconds: int) -> ReminderScheduled:
    """The customer speaks up if the trainee leaves them waiting; any trainee message
    cancels it (kill_on_user_message) and the next turn schedules a fresh one."""
    return ReminderScheduled(
        "EXTERNAL_impatience",
        trigger_date_time=datetime.now() + timedelta(seconds=seconds),
        name=_impatience_name(tracker),
        kill_on_user_message=True,
    )


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def _text_only_client(tracker: Tracker) -> bool:
    """A standard chat widget on socket.io (rasa-webchat), not our page: it shows texts and
    drops custom payloads, so what a trainee must see also comes as text."""
    user = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    return user.get("input_channel") == "socketio" and not (user.get("metadata") or {}).get("sparring_page")


def _note(dispatcher: CollectingDispatcher, text: str) -> None:
    """A text for a standard widget; marked as a note so transcripts never show it as the
    customer's words."""
    dispatcher.utter_message(text=text, json_message={"type": "note"})


def _error(dispatcher: CollectingDispatcher, code: str, message: str) -> None:
    dispatcher.utter_message(text=message, json_message={"type": "error", "error": code, "message": message})


def _seconds_since_bot_spoke(tracker: Tracker) -> Optional[float]:
    """How long the trainee took to answer; scans back only to the last bot message."""
    user_time = None
    for event in reversed(tracker.events):
        if event.get("event") == "user" and user_time is None:
            user_time = event.get("timestamp")
        elif event.get("event") == "bot" and user_time is not None:
            return round(user_time - event.get("timestamp", user_time), 2)
    return None


class ActionStartScenario(Action):
    def name(self) -> Text:
        return "action_start_scenario"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        scenario_id = _entity(tracker, "scenario_id") or ""
        trainee = (_entity(tracker, "trainee") or "").strip()[:80]
        mode = _entity(tracker, "mode") or "practice"
        if mode not in MODES:
            _error(dispatcher, "bad_mode", f"Unknown mode {echo(mode)!r}; use one of: {', '.join(MODES)}.")
            return []
        try:
            scenario = SIMULATOR.scenario(scenario_id)
            state, opening = SIMULATOR.start(scenario_id, seed=f"{tracker.sender_id}:{time.time()}")
        except UnknownScenario as unknown:
            _error(dispatcher, "unknown_scenario", f"There is no scenario {echo(scenario_id)!r}. Available: "
                   f"{', '.join(unknown.known) or 'none'}. {START_HELP}")
            return []
        dispatcher.utter_message(text=opening)
        if _text_only_client(tracker):
            _note(dispatcher, WIDGET_HELP)
        dispatcher.utter_message(json_message={
            "type": "start",
            "scenario": scenario.summary(),
            "playbook_version": SIMULATOR.catalogue.playbook_version,
            "mode": mode,
            "mood": state.mood,
            "patience_seconds": scenario.patience_seconds,
        })
        return [
            SlotSet("scenario_id", scenario.id),
            SlotSet("trainee", trainee),
            SlotSet("mode", mode),
            SlotSet("customer_state", state.as_dict()),
            SlotSet("mood", state.mood),
            SlotSet("outcome", None),
            SlotSet("turn_record", None),
            SlotSet("scorecard", None),
            _impatience_reminder(tracker, scenario.patience_seconds),
        ]


class ActionCustomerTurn(Action):
    def name(self) -> Text:
        return "action_customer_turn"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        state = tracker.get_slot("customer_state")
        if not state:
            _error(dispatcher, "no_scenario", f"No conversation is running yet. {START_HELP}")
            return []
        if state.get("ended"):
            _error(dispatcher, "ended", "This conversation has ended. Send /end_session for your scorecard.")
            return []
        text = unmarked((tracker.latest_message or {}).get("text") or "")
        try:
            turn = SIMULATOR.reply(state, text, _seconds_since_bot_spoke(tracker))
        except UnknownScenario:
            _error(dispatcher, "scenario_gone", "This scenario is no longer available (it was removed or broken).")
            return []
        for line in turn.lines:
            dispatcher.utter_message(text=line)
        if turn.state.ended and _text_only_client(tracker):
            _note(dispatcher, WIDGET_OVER)
        payload = dict(turn.payload)
        if tracker.get_slot("mode") == "assessment":
            payload["hint"] = None
        dispatcher.utter_message(json_message=payload)
        return _turn_events(tracker, turn)


def _turn_events(tracker: Tracker, turn) -> List[Dict]:
    events = [
        SlotSet("customer_state", turn.state.as_dict()),
        SlotSet("mood", turn.state.mood),
        SlotSet("outcome", turn.state.outcome),
        SlotSet("turn_record", {**turn.record, "seed": turn.state.seed}),
    ]
    if not turn.state.ended:
        events.append(_impatience_reminder(tracker, turn.patience_seconds))
    return events


class ActionCustomerNudge(Action):
    """The trainee kept the customer waiting (a reminder fired): impatience, mood rises."""

    def name(self) -> Text:
        return "action_customer_nudge"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        state = tracker.get_slot("customer_state")
        if not state or state.get("ended"):
            return []
        try:
            turn = SIMULATOR.nudge(state)
        except UnknownScenario:
            return []
        for line in turn.lines:
            dispatcher.utter_message(text=line)
        dispatcher.utter_message(json_message=turn.payload)
        return _turn_events(tracker, turn)


class ActionEndSession(Action):
    def name(self) -> Text:
        return "action_end_session"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        state = tracker.get_slot("customer_state")
        if not state:
            _error(dispatcher, "no_scenario", f"There is no conversation to score. {START_HELP}")
            return []
        records: List[Dict] = []
        for event in tracker.events:
            value = event.get("value")
            if event.get("event") == "slot" and event.get("name") == "turn_record" and isinstance(value, dict) \
                    and value.get("seed") == state.get("seed") and not (records and records[-1] == value):
                records.append(value)  # (a slot carried over into a new Rasa session repeats the last turn)
        try:
            card = SIMULATOR.scorecard(state, records, tracker.get_slot("trainee") or "", tracker.get_slot("mode") or "practice")
        except UnknownScenario:
            _error(dispatcher, "scenario_gone", "This scenario is no longer available (it was removed or broken).")
            return []
        if _text_only_client(tracker):
            _note(dispatcher, format_scorecard(card))
        dispatcher.utter_message(json_message={"type": "scorecard", "scorecard": card})
        ended = {**state, "ended": True, "ended_by": state.get("ended_by") or ("customer" if state.get("outcome") else "trainee")}
        return [SlotSet("scorecard", card), SlotSet("customer_state", ended), ReminderCancelled(name=_impatience_name(tracker))]
