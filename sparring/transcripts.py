"""Read practice sessions back from Rasa's SQL tracker store.

Rasa writes every event of every conversation to one ``events`` table (SQLite by default,
PostgreSQL by configuration). The engine's per-turn records and the final scorecard are
slot events in that same table, so a session's transcript *and* its scores are rebuilt
here with plain SQL, without importing Rasa and without a second copy of anything.

One sender id may hold several practice runs (a REST client can start scenarios again
and again); a run is identified by the ``seed`` the customer was started with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import sqlalchemy as sa

EVENT_COLUMNS = "id, sender_id, type_name, timestamp, data"


@dataclass
class Message:
    """One line of a transcript, as a reviewer reads it."""

    role: str  # "customer", "trainee", or "system" (an error explained to the trainee)
    text: str
    timestamp: float
    record: dict | None = None  # for a trainee reply: the engine's turn record (moves, evidence, mood)


@dataclass
class Session:
    """One practice run: who, what, when, how it went, and every line of it."""

    session_id: str  # "<sender_id>:<run number>" - stable, usable in URLs
    sender_id: str
    seed: str
    scenario_id: str
    trainee: str
    mode: str
    started_at: float
    ended_at: float
    outcome: str | None = None
    ended: bool = False
    overall: int | None = None
    scorecard: dict | None = None
    messages: list[Message] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float:
        return round(self.ended_at - self.started_at, 1)

    def summary(self) -> dict:
        return {
            "session_id": self.session_id,
            "sender_id": self.sender_id,
            "trainee": self.trainee,
            "scenario_id": self.scenario_id,
            "mode": self.mode,
            "started_at": self.started_at,
            "duration_seconds": self.duration_seconds,
            "turns": len([r for r in self.records if not r.get("nudge")]),
            "outcome": self.outcome,
            "ended": self.ended,
            "overall": self.overall,
        }

    def as_dict(self) -> dict:
        return {
            **self.summary(),
            "scorecard": self.scorecard,
            "messages": [m.__dict__ for m in self.messages],
        }


def engine_for(url: str) -> sa.engine.Engine:
    """An SQLAlchemy engine for a tracker store URL (``sqlite:///var/sparring.db``, ``postgresql://...``)."""
    return sa.create_engine(url, future=True, pool_pre_ping=True)


class TranscriptStore:
    """Read-only view of the tracker store, grouped into practice sessions."""

    def __init__(self, url: str):
        self.engine = engine_for(url)

    def _rows(self, sender_id: str | None = None) -> Iterator[tuple]:
        query = f"SELECT {EVENT_COLUMNS} FROM events"
        params: dict = {}
        if sender_id is not None:
            query += " WHERE sender_id = :sender_id"
            params["sender_id"] = sender_id
        query += " ORDER BY sender_id, id"
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return
            yield from connection.execute(sa.text(query), params)

    def sessions(self, sender_id: str | None = None) -> list[Session]:
        sessions: list[Session] = []
        current: dict[str, list[Session]] = {}
        for _, sender, type_name, timestamp, data in self._rows(sender_id):
            event = json.loads(data) if data else {}
            runs = current.setdefault(sender, [])
            _apply(runs, sender, type_name, timestamp or 0.0, event)
        for runs in current.values():
            sessions.extend(run for run in runs if run.seed)
        return sorted(sessions, key=lambda s: s.started_at, reverse=True)

    def session(self, session_id: str) -> Session | None:
        sender_id = session_id.rsplit(":", 1)[0]
        return next((s for s in self.sessions(sender_id) if s.session_id == session_id), None)


def _apply(runs: list[Session], sender: str, type_name: str, timestamp: float, event: dict) -> None:
    """Fold one tracker event into the sender's list of runs.

    A run opens provisionally when the start action runs (so the customer's opening line,
    which Rasa stores before the action's slot events, belongs to it) and is confirmed by
    the customer's first state; a start that failed (unknown scenario) is dropped.
    """
    if type_name == "action" and event.get("name") == "action_start_scenario":
        if runs and not runs[-1].seed:
            runs.pop()
        runs.append(Session(session_id=f"{sender}:{len(runs) + 1}", sender_id=sender, seed="", scenario_id="",
                            trainee="", mode="practice", started_at=timestamp, ended_at=timestamp))
        return
    if type_name == "slot" and event.get("name") == "customer_state":
        state = event.get("value") or {}
        if runs and not runs[-1].seed and state.get("turn") == 0:
            runs[-1].seed, runs[-1].scenario_id = state.get("seed", ""), state.get("scenario_id", "")
        if runs and state.get("seed") == runs[-1].seed:
            runs[-1].ended = bool(state.get("ended"))
            runs[-1].outcome = state.get("outcome")
        return
    if not runs:
        return
    run = runs[-1]
    if type_name == "slot":
        name, value = event.get("name"), event.get("value")
        if name == "trainee" and value:
            run.trainee = value
        elif name == "mode" and value:
            run.mode = value
        elif name == "turn_record" and isinstance(value, dict) and value.get("seed") == run.seed:
            run.records.append(value)
            trainee_lines = [m for m in run.messages if m.role == "trainee"]
            if trainee_lines and not value.get("nudge") and trainee_lines[-1].record is None:
                trainee_lines[-1].record = value
        elif name == "scorecard" and isinstance(value, dict):
            run.scorecard = value
            run.overall = value.get("overall")
    elif type_name == "user":
        text = event.get("text") or ""
        if not text.startswith("/"):
            run.messages.append(Message("trainee", text, timestamp))
    elif type_name == "bot" and event.get("text"):
        custom = (event.get("data") or {}).get("custom") or {}
        role = "system" if custom.get("type") == "error" else "customer"
        run.messages.append(Message(role, event["text"], timestamp))
    run.ended_at = max(run.ended_at, timestamp)


def filter_sessions(
    sessions: Iterable[Session],
    trainee: str | None = None,
    scenario_id: str | None = None,
    outcome: str | None = None,
    since: float | None = None,
    until: float | None = None,
) -> list[Session]:
    """The dashboard's and the report's filters, in one place."""
    result = []
    for session in sessions:
        if trainee and session.trainee.lower() != trainee.lower():
            continue
        if scenario_id and session.scenario_id != scenario_id:
            continue
        if outcome and (session.outcome or "none") != outcome:
            continue
        if since is not None and session.started_at < since:
            continue
        if until is not None and session.started_at > until:
            continue
        result.append(session)
    return result
