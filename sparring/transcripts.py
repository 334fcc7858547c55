"""Read practice sessions back from Rasa's SQL tracker store.

Rasa writes every event of every conversation to one ``events`` table (SQLite by default,
PostgreSQL by configuration). The engine's per-turn records and the final scorecard are
slot events in that same table, so a session's transcript *and* its scores are rebuilt
here with plain SQL, without importing Rasa and without a second copy of anything.

One sender id may hold several practice runs (a REST client can start scenarios again
and again); a run is identified by the ``seed`` the customer was started with.

Listing every session re-reads only the senders whose events changed since the last
call (one ``GROUP BY sender_id`` query tells which), so the dashboard stays cheap as the
table grows while the tracker store remains the only source of truth.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import sqlalchemy as sa

from sparring.limits import unmarked

EVENT_COLUMNS = "id, sender_id, type_name, timestamp, data"
CONTROL_INTENTS = ("start_scenario", "end_session")
_BATCH = 200  # senders re-read per query when refreshing the listing


@dataclass
class Message:
    """One line of a transcript, as a reviewer reads it."""

    role: str  # "customer", "trainee", or "system" (an error explained to the trainee)
    text: str
    timestamp: float
    record: dict | None = None  # for a trainee reply: the engine's turn record (moves, evidence, mood)
    nudge: bool = False  # a customer line said because the trainee kept them waiting


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
    persona: str = ""
    scenario_title: str = ""
    opening_mood: float | None = None
    scenario_version: str = ""  # the scenario text and playbook played against (sparring.versions)
    playbook_version: str = ""

    @property
    def duration_seconds(self) -> float:
        return round(self.ended_at - self.started_at, 1)

    @property
    def turns(self) -> list[dict]:
        """The records of the trainee's replies (not the customer's impatience nudges)."""
        return [r for r in self.records if not r.get("nudge")]

    def mood_trace(self) -> list[dict]:
        """The customer's mood from the opening line to the last turn, nudges included."""
        trace = []
        opening = self.opening_mood
        if opening is None and self.records:
            opening = self.records[0].get("mood_before")
        if opening is not None:
            trace.append({"turn": 0, "mood": opening, "nudge": False})
        for record in self.records:
            if record.get("mood_after") is not None:
                trace.append({"turn": record.get("turn"), "mood": record["mood_after"], "nudge": bool(record.get("nudge"))})
        return trace

    def summary(self) -> dict:
        return {
            "session_id": self.session_id,
            "sender_id": self.sender_id,
            "trainee": self.trainee,
            "scenario_id": self.scenario_id,
            "scenario_title": self.scenario_title,
            "scenario_version": self.scenario_version,
            "playbook_version": self.playbook_version,
            "persona": self.persona,
            "mode": self.mode,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_seconds": self.duration_seconds,
            "turns": len(self.turns),
            "outcome": self.outcome,
            "ended": self.ended,
            "overall": self.overall,
        }

    def as_dict(self) -> dict:
        return {
            **self.summary(),
            "opening_mood": self.opening_mood,
            "scorecard": self.scorecard,
            "messages": [dict(m.__dict__) for m in self.messages],
        }


def engine_for(url: str) -> sa.engine.Engine:
    """An SQLAlchemy engine for a tracker store URL (``sqlite:///var/sparring.db``, ``postgresql://...``)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return sa.create_engine(url, future=True, pool_pre_ping=True)


class TranscriptStore:
    """Read-only view of the tracker store, grouped into practice sessions."""

    def __init__(self, url: str):
        self.url = url
        self.engine = engine_for(url)
        self._lock = threading.Lock()
        # sender_id -> ((event count, last event id), that sender's sessions)
        self._cache: dict[str, tuple[tuple[int, int], list[Session]]] = {}

    def _has_events(self, connection) -> bool:
        return sa.inspect(connection).has_table("events")

    def _rows(self, sender_id: str | None = None) -> Iterator[tuple]:
        query = f"SELECT {EVENT_COLUMNS} FROM events"
        params: dict = {}
        if sender_id is not None:
            query += " WHERE sender_id = :sender_id"
            params["sender_id"] = sender_id
        query += " ORDER BY sender_id, id"
        with self.engine.connect() as connection:
            if not self._has_events(connection):
                return
            yield from connection.execute(sa.text(query), params)

    def sessions(self, sender_id: str | None = None) -> list[Session]:
        """Every session (newest first), or one sender's, rebuilt from the events table."""
        if sender_id is not None:
            return _sorted(_fold(self._rows(sender_id)).get(sender_id, []))
        return _sorted(s for runs in self._refresh().values() for s in runs)

    def session(self, session_id: str) -> Session | None:
        sender_id = session_id.rsplit(":", 1)[0]
        return next((s for s in self.sessions(sender_id) if s.session_id == session_id), None)

    def _refresh(self) -> dict[str, list[Session]]:
        """Re-read only the senders whose events changed since the last listing."""
        with self._lock, self.engine.connect() as connection:
            if not self._has_events(connection):
                self._cache = {}
                return {}
            signatures = {
                sender: (count, last)
                for sender, count, last in connection.execute(
                    sa.text("SELECT sender_id, COUNT(*), MAX(id) FROM events GROUP BY sender_id"))
            }
            stale = [s for s, signature in signatures.items() if self._cache.get(s, ((-1, -1),))[0] != signature]
            fresh: dict[str, list[Session]] = {}
            for start in range(0, len(stale), _BATCH):
                batch = stale[start:start + _BATCH]
                query = sa.text(f"SELECT {EVENT_COLUMNS} FROM events WHERE sender_id IN :senders ORDER BY sender_id, id")
                query = query.bindparams(sa.bindparam("senders", expanding=True))
                fresh.update(_fold(connection.execute(query, {"senders": batch})))
            cache = {s: entry for s, entry in self._cache.items() if s in signatures and s not in fresh}
            for sender in stale:
                # A sender whose events changed after the GROUP BY is simply re-read next time.
                cache[sender] = (signatures[sender], fresh.get(sender, []))
            self._cache = cache
            return {s: runs for s, (_, runs) in cache.items()}


def _sorted(sessions: Iterable[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.started_at, s.session_id), reverse=True)


def _fold(rows: Iterable[tuple]) -> dict[str, list[Session]]:
    """Events ordered by (sender, id) -> each sender's confirmed runs."""
    folders: dict[str, _Folder] = {}
    for _, sender, type_name, timestamp, data in rows:
        event = json.loads(data) if data else {}
        folder = folders.get(sender)
        if folder is None:
            folder = folders[sender] = _Folder(sender)
        folder.apply(type_name, timestamp or 0.0, event)
    return {sender: [run for run in folder.runs if run.seed] for sender, folder in folders.items()}


class _Folder:
    """Folds one sender's tracker events, in order, into its practice runs.

    A run opens provisionally when the start action runs (so the customer's opening line,
    which Rasa stores before the action's slot events, belongs to it) and is confirmed by
    the customer's first state; a start that failed (unknown scenario) is dropped.

    Who the trainee is comes only from the start action's own slot events: Rasa also fills
    the ``trainee`` slot from the entity of a later ``/start_scenario`` message before that
    start is even attempted (and keeps it when the start fails), and such a value must never
    relabel the run in progress - sessions of different trainees never mix.
    """

    def __init__(self, sender: str):
        self.sender = sender
        self.runs: list[Session] = []
        self.mark = 0  # number of the current run's messages when its last turn was recorded

    def apply(self, type_name: str, timestamp: float, event: dict) -> None:
        runs = self.runs
        if type_name == "action" and runs and not runs[-1].seed:
            # The start action's events are done and no customer was started: the start
            # failed (unknown scenario, bad mode). Its error message belongs to the run the
            # trainee is still in, which goes on.
            failed = runs.pop()
            if runs:
                runs[-1].messages.extend(failed.messages)
                runs[-1].ended_at = max([runs[-1].ended_at] + [m.timestamp for m in failed.messages])
        if type_name == "action" and event.get("name") == "action_start_scenario":
            runs.append(Session(session_id=f"{self.sender}:{len(runs) + 1}", sender_id=self.sender, seed="",
                                scenario_id="", trainee="", mode="practice", started_at=timestamp, ended_at=timestamp))
            return
        if not runs:
            return
        run = runs[-1]
        if type_name == "slot":
            self._slot(run, event.get("name"), event.get("value"))
        elif type_name == "user":
            text = unmarked(event.get("text") or "")
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            external = (event.get("metadata") or {}).get("is_external") or text.startswith("EXTERNAL: ")
            control = intent in CONTROL_INTENTS and text.startswith("/")
            if external or control or not run.seed:
                return
            run.messages.append(Message("trainee", text, timestamp))
        elif type_name == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if custom.get("type") == "start" and not run.seed:
                scenario = custom.get("scenario") or {}
                run.persona = str(scenario.get("persona") or "")
                run.scenario_title = str(scenario.get("title") or "")
                run.scenario_version = str(scenario.get("version") or "")
                run.playbook_version = str(custom.get("playbook_version") or "")
                if isinstance(custom.get("mood"), (int, float)):
                    run.opening_mood = float(custom["mood"])
            if event.get("text"):
                role = "system" if custom.get("type") in ("error", "note") else "customer"
                run.messages.append(Message(role, event["text"], timestamp))
        else:
            return
        if run.seed:
            run.ended_at = max(run.ended_at, timestamp)

    def _slot(self, run: Session, name: str | None, value) -> None:
        if name == "customer_state":
            state = value or {}
            if not run.seed and state.get("turn") == 0 and state.get("seed"):
                run.seed, run.scenario_id = state["seed"], state.get("scenario_id", "")
                self.mark = len(run.messages)
            if run.seed and state.get("seed") == run.seed:
                run.ended = bool(state.get("ended"))
                run.outcome = state.get("outcome")
        elif run.seed:
            if name == "turn_record" and isinstance(value, dict) and value.get("seed") == run.seed:
                if run.records and run.records[-1] == value:
                    return  # the slot carried over into a new Rasa session: the same turn again
                run.records.append(value)
                since_last_turn, self.mark = run.messages[self.mark:], len(run.messages)
                if value.get("nudge"):
                    for message in since_last_turn:
                        message.nudge = message.role == "customer"
                    return
                trainee_lines = [m for m in run.messages if m.role == "trainee"]
                if trainee_lines and trainee_lines[-1].record is None:
                    trainee_lines[-1].record = value
            elif name == "scorecard" and isinstance(value, dict):
                run.scorecard = value
                run.overall = value.get("overall")
        elif name == "trainee" and value:
            run.trainee = str(value)
        elif name == "mode" and value:
            run.mode = str(value)


def filter_sessions(
    sessions: Iterable[Session],
    trainee: str | None = None,
    scenario_id: str | None = None,
    outcome: str | None = None,
    since: float | None = None,
    until: float | None = None,
) -> list[Session]:
    """The dashboard's and the report's filters, in one place.

    ``outcome`` is one of the engine's outcomes, ``"none"`` (ended without one) or
    ``"unfinished"`` (never ended); ``since``/``until`` bound the start time (epoch seconds,
    ``until`` exclusive).
    """
    result = []
    for session in sessions:
        if trainee and session.trainee.casefold() != trainee.casefold():
            continue
        if scenario_id and session.scenario_id != scenario_id:
            continue
        if outcome and outcome_label(session) != outcome:
            continue
        if since is not None and session.started_at < since:
            continue
        if until is not None and session.started_at >= until:
            continue
        result.append(session)
    return result


def outcome_label(session: Session) -> str:
    """resolved / hung_up / escalated, "none" when it ended without one, "unfinished" otherwise."""
    if session.outcome:
        return session.outcome
    return "none" if session.ended or session.scorecard is not None else "unfinished"
