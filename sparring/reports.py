"""Reviews of practice sessions for team leads: listing, progress, team figures, exports.

Shared by the review dashboard (``sparring.web.review``) and ``sparring report``: a
:class:`Reviewer` reads sessions from the tracker store (``sparring.transcripts``), puts
the leads' overrides (``sparring.overrides``) on top of the automatic scorecards, and the
``to_csv`` / ``to_json`` / ``to_html`` functions turn the result into files.

Choices written down:

* A session that never got its scorecard (the trainee closed the window before
  ``/end_session``) is still listed and reviewable: its scorecard is computed from its turn
  records with the engine's own formula and marked ``provisional``.
* Progress and team figures count only finished sessions (ended, or scored) in which the
  trainee answered at least once; the "team" is everyone in the filtered set.
* Dates in filters are calendar days in the server's local time; ``until`` includes the
  whole day.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import statistics
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from sparring.checklist import MOVES, OUTCOMES
from sparring.overrides import InvalidOverride, Override, OverrideStore, apply
from sparring.transcripts import Session, TranscriptStore, filter_sessions, outcome_label

OUTCOME_FILTERS = OUTCOMES + ("none", "unfinished")
SORT_KEYS = ("started_at", "trainee", "scenario", "persona", "duration", "turns", "outcome", "overall")
FORMATS = ("csv", "json", "html")


# --------------------------------------------------------------------------- filters


def parse_date(text: str | None, end: bool = False) -> float | None:
    """``YYYY-MM-DD`` (local calendar day; with ``end`` the first instant after it) or an ISO
    date-time, as epoch seconds. Raises ValueError on anything else."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        moment = dt.datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.astimezone()).timestamp()
    if end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time()).astimezone().timestamp()


@dataclass(frozen=True)
class Filters:
    trainee: str | None = None
    scenario_id: str | None = None
    outcome: str | None = None
    since: str | None = None  # as given: a date or date-time
    until: str | None = None

    def __post_init__(self):
        if self.outcome and self.outcome not in OUTCOME_FILTERS:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOME_FILTERS)}")
        parse_date(self.since)
        parse_date(self.until, end=True)

    @classmethod
    def from_mapping(cls, query: Mapping[str, str]) -> "Filters":
        def get(name: str) -> str | None:
            value = (query.get(name) or "").strip()
            return value or None

        return cls(trainee=get("trainee"), scenario_id=get("scenario") or get("scenario_id"),
                   outcome=get("outcome"), since=get("since"), until=get("until"))

    def select(self, sessions: Iterable[Session]) -> list[Session]:
        return filter_sessions(sessions, trainee=self.trainee, scenario_id=self.scenario_id, outcome=self.outcome,
                               since=parse_date(self.since), until=parse_date(self.until, end=True))

    def as_dict(self) -> dict:
        return {k: v for k, v in (("trainee", self.trainee), ("scenario", self.scenario_id), ("outcome", self.outcome),
                                  ("since", self.since), ("until", self.until)) if v}


# --------------------------------------------------------------------------- reviews


@dataclass
class Review:
    """One session as a lead sees it: transcript, automatic scorecard, overrides, effective scorecard."""

    session: Session
    automatic: dict | None
    overrides: list[Override] = field(default_factory=list)
    provisional: bool = False

    def __post_init__(self):
        self.scorecard = apply(self.automatic, self.overrides)

    @property
    def persona(self) -> str:
        return self.session.persona or (self.automatic or {}).get("persona", "")

    @property
    def scenario_title(self) -> str:
        return self.session.scenario_title or (self.automatic or {}).get("scenario_title", "")

    @property
    def overall(self) -> int | None:
        return self.scorecard.get("overall") if self.scorecard else None

    @property
    def finished(self) -> bool:
        """Counts in progress and team figures: ended or scored, with at least one reply."""
        return bool(self.session.turns) and self.scorecard is not None and (
            self.session.ended or self.session.scorecard is not None)

    def move_scores(self, automatic: bool = False) -> dict[str, int | None]:
        card = self.automatic if automatic else self.scorecard
        return {m: ((card or {}).get("moves") or {}).get(m, {}).get("score") for m in MOVES}

    def penalty_points(self, automatic: bool = False) -> float | None:
        card = self.automatic if automatic else self.scorecard
        if card is None:
            return None
        return sum(p.get("points") or 0 for p in card.get("penalties") or ())

    def response_times(self) -> list[float]:
        return [r["response_seconds"] for r in self.session.turns if isinstance(r.get("response_seconds"), (int, float))]

    def row(self) -> dict:
        """The listing's columns."""
        s = self.session
        card = self.scorecard or {}
        times = self.response_times()
        return {
            "session_id": s.session_id,
            "trainee": s.trainee,
            "scenario_id": s.scenario_id,
            "scenario_title": self.scenario_title,
            "scenario_version": s.scenario_version,
            "playbook_version": s.playbook_version,
            "persona": self.persona,
            "mode": s.mode,
            "started_at": s.started_at,
            "ended_at": s.ended_at,
            "duration_seconds": s.duration_seconds,
            "turns": len(s.turns),
            "outcome": outcome_label(s),
            "ended": s.ended,
            "overall": self.overall,
            "overall_auto": (self.automatic or {}).get("overall"),
            "grade": card.get("grade"),
            "moves": self.move_scores(),
            "overridden": bool(card.get("overridden")),
            "overridden_by": card.get("overridden_by", []),
            "provisional": self.provisional,
            "mean_response_seconds": round(statistics.mean(times), 1) if times else None,
        }

    def detail(self) -> dict:
        """Everything the session page shows."""
        messages = []
        for message in self.session.messages:
            item = {"role": message.role, "text": message.text, "timestamp": message.timestamp, "nudge": message.nudge}
            record = message.record
            if message.role == "trainee":
                item["scored"] = record is not None
                item["segments"] = segments(message.text, record)
                if record is not None:
                    item.update(turn=record.get("turn"), moves=record.get("moves", []),
                                penalties=record.get("penalties", []), events=record.get("events", []),
                                response_seconds=record.get("response_seconds"),
                                mood_before=record.get("mood_before"), mood_after=record.get("mood_after"),
                                truncated=bool(record.get("truncated")))
            messages.append(item)
        return {
            **self.row(),
            "messages": messages,
            "mood_trace": self.session.mood_trace(),
            "scorecard": self.scorecard,
            "automatic": self.automatic,
            "overrides": [o.as_dict() for o in self.overrides],
        }

    def export(self) -> dict:
        """The JSON export of one session: the full transcript with every score."""
        return {
            **self.row(),
            "sender_id": self.session.sender_id,
            "scorecard": self.scorecard,
            "scorecard_automatic": self.automatic,
            "overrides": [o.as_dict() for o in self.overrides],
            "mood_trace": self.session.mood_trace(),
            "messages": [{k: v for k, v in m.__dict__.items() if k != "nudge" or v} for m in self.session.messages],
        }


def segments(text: str, record: Mapping | None) -> list[dict]:
    """The message cut where evidence starts and ends: ``[{"text", "labels": [...]}]``.

    Evidence offsets are Python string indices (code points) into the scored text (the
    message's first characters). A quote that is not where its offsets say is looked up by
    its text; one that cannot be found is left out of the highlighting.
    """
    spans = []
    for evidence in (record or {}).get("evidence") or ():
        label = evidence.get("move") or evidence.get("penalty")
        kind = "move" if evidence.get("move") else "penalty"
        start, end, quote = evidence.get("start"), evidence.get("end"), evidence.get("quote")
        if not isinstance(start, int) or not isinstance(end, int) or not (0 <= start < end <= len(text)) or (
                quote is not None and text[start:end] != quote):
            start = text.find(quote) if quote else -1
            if start < 0:
                continue
            end = start + len(quote)
        detail = evidence.get("fact") or evidence.get("term")  # the fact restated, the detail not the customer's
        spans.append((start, end, {"kind": kind, "name": str(label), **({"detail": str(detail)} if detail else {})}))
    if not spans:
        return [{"text": text, "labels": []}]
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        labels = [label for s, e, label in spans if s <= start and end <= e]
        unique = [dict(t) for t in dict.fromkeys(tuple(sorted(label.items())) for label in labels)]
        pieces.append({"text": text[start:end], "labels": unique})
    return pieces


class Reviewer:
    """Sessions with their overrides, from one database URL."""

    def __init__(self, database_url: str, store: TranscriptStore | None = None):
        self.store = store or TranscriptStore(database_url)
        self.overrides = OverrideStore(self.store.engine)
        self._catalogue = None

    def _review(self, session: Session, overrides: list[Override]) -> Review:
        overrides = [o for o in overrides if o.seed == session.seed]
        if session.scorecard is not None:
            return Review(session, session.scorecard, overrides)
        card = self._provisional_scorecard(session)
        return Review(session, card, overrides, provisional=card is not None)

    def _provisional_scorecard(self, session: Session) -> dict | None:
        if not session.turns:
            return None
        try:
            from sparring.scenarios import Catalogue
            from sparring.scorecard import build_scorecard

            if self._catalogue is None:
                self._catalogue = Catalogue()
            catalogue = self._catalogue.refresh()
            scenario = catalogue.scenarios.get(session.scenario_id)
            if scenario is None:
                return None
            card = build_scorecard(session.turns, scenario, catalogue.rubric, trainee=session.trainee,
                                   outcome=session.outcome, mode=session.mode, opening_mood=scenario.mood_start)
        except Exception:  # a broken scenario file must not hide the transcript
            return None
        card["provisional"] = True
        return card

    def reviews(self, filters: Filters = Filters(), sort: str | None = None, descending: bool = True) -> list[Review]:
        sessions = filters.select(self.store.sessions())
        overrides = self.overrides.for_sessions([s.session_id for s in sessions])
        reviews = [self._review(s, overrides.get(s.session_id, [])) for s in sessions]
        return sort_reviews(reviews, sort, descending) if sort else reviews

    def review(self, session_id: str) -> Review | None:
        session = self.store.session(session_id)
        if session is None:
            return None
        return self._review(session, self.overrides.for_session(session_id, session.seed))

    def override(self, session_id: str, kind: str, target: str, value, reason: str, lead: str) -> Override:
        review = self.review(session_id)
        if review is None:
            raise LookupError(f"no session {session_id!r}")
        if review.automatic is None:
            raise InvalidOverride("this session has no scores to change (no reply was scored)")
        return self.overrides.add(session_id, review.session.seed, review.automatic, kind, target, value, reason, lead)

    def options(self) -> dict:
        """Values for the dashboard's filter menus."""
        sessions = self.store.sessions()
        return {
            "trainees": sorted({s.trainee for s in sessions if s.trainee}, key=str.casefold),
            "scenarios": sorted({s.scenario_id for s in sessions if s.scenario_id}),
            "outcomes": list(OUTCOME_FILTERS),
        }


def sort_reviews(reviews: list[Review], key: str | None, descending: bool = True) -> list[Review]:
    if key not in SORT_KEYS:
        raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}")

    def value(review: Review):
        s = review.session
        return {
            "started_at": s.started_at,
            "trainee": s.trainee.casefold(),
            "scenario": s.scenario_id,
            "persona": review.persona,
            "duration": s.duration_seconds,
            "turns": len(s.turns),
            "outcome": outcome_label(s),
            "overall": review.overall,
        }[key]

    present = [r for r in reviews if value(r) is not None]
    missing = [r for r in reviews if value(r) is None]
    present.sort(key=lambda r: (value(r), r.session.started_at), reverse=descending)
    return present + missing  # sessions without a value go last either way


# --------------------------------------------------------------------------- progress


def _mean(values: Iterable[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.mean(values), 1) if values else None


def progress(reviews: Sequence[Review], trainee: str) -> dict:
    """One trainee's finished sessions over time: overall and per-move scores."""
    mine = [r for r in reviews if r.session.trainee.casefold() == trainee.casefold() and r.finished]
    mine.sort(key=lambda r: r.session.started_at)
    points = [{
        "session_id": r.session.session_id,
        "started_at": r.session.started_at,
        "scenario_id": r.session.scenario_id,
        "outcome": outcome_label(r.session),
        "overall": r.overall,
        "moves": r.move_scores(),
        "overridden": bool(r.scorecard.get("overridden")),
    } for r in mine]
    per_move = {m: _mean(p["moves"][m] for p in points) for m in MOVES}
    half = len(points) // 2
    return {
        "trainee": mine[0].session.trainee if mine else trainee,
        "sessions": len(points),
        "points": points,
        "mean_overall": _mean(p["overall"] for p in points),
        "per_move": per_move,
        "weakest_move": _weakest(per_move),
        "first_half_mean": _mean(p["overall"] for p in points[:half]) if half else None,
        "second_half_mean": _mean(p["overall"] for p in points[half:]) if half else None,
    }


def _weakest(per_move: Mapping[str, float | None]) -> str | None:
    known = {m: v for m, v in per_move.items() if v is not None}
    if len(set(known.values())) < 2:
        return None  # nothing, or every move alike: no move is the weakest
    return min(known, key=lambda m: (known[m], MOVES.index(m)))


def team(reviews: Sequence[Review]) -> dict:
    """The whole filtered set: weakest move, hardest scenarios, each trainee's standing."""
    done = [r for r in reviews if r.finished]
    per_move = {m: _mean(r.move_scores()[m] for r in done) for m in MOVES}
    scenarios: dict[str, list[Review]] = {}
    trainees: dict[str, list[Review]] = {}
    penalties: dict[str, int] = {}
    for review in done:
        scenarios.setdefault(review.session.scenario_id, []).append(review)
        trainees.setdefault(review.session.trainee.casefold(), []).append(review)
        for penalty in review.scorecard.get("penalties") or ():
            if penalty.get("points"):
                penalties[penalty["penalty"]] = penalties.get(penalty["penalty"], 0) + 1
    hardest = sorted(({
        "scenario_id": sid,
        "scenario_title": rs[0].scenario_title,
        "persona": rs[0].persona,
        "sessions": len(rs),
        "mean_overall": _mean(r.overall for r in rs),
        "resolved_rate": round(sum(r.session.outcome == "resolved" for r in rs) / len(rs), 2),
        "weakest_move": _weakest({m: _mean(r.move_scores()[m] for r in rs) for m in MOVES}),
    } for sid, rs in scenarios.items()), key=lambda s: (s["mean_overall"] if s["mean_overall"] is not None else 101,
                                                         s["resolved_rate"], s["scenario_id"]))
    people = sorted(({
        "trainee": rs[0].session.trainee,
        "sessions": len(rs),
        "mean_overall": _mean(r.overall for r in rs),
        "last_session": max(r.session.started_at for r in rs),
        "weakest_move": _weakest({m: _mean(r.move_scores()[m] for r in rs) for m in MOVES}),
    } for rs in trainees.values()), key=lambda t: t["trainee"].casefold())
    return {
        "sessions": len(done),
        "per_move": per_move,
        "weakest_move": _weakest(per_move),
        "hardest_scenarios": hardest,
        "trainees": people,
        "penalties": dict(sorted(penalties.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


# --------------------------------------------------------------------------- exports


def _local(ts: float | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _cell(value) -> object:
    """CSV cell; text that a spreadsheet would run as a formula is defused with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


CSV_COLUMNS = (
    ["session_id", "trainee", "scenario_id", "scenario_title", "scenario_version", "playbook_version", "persona", "mode",
     "started_at", "duration_seconds", "turns", "outcome", "overall", "overall_auto", "grade"]
    + list(MOVES)
    + [f"{m}_auto" for m in MOVES]
    + [f"{m}_overridden_by" for m in MOVES]
    + ["penalties", "penalty_points", "penalty_points_auto", "mean_response_seconds", "provisional", "overridden",
       "overridden_by", "overrides"]
)


def csv_row(review: Review) -> dict:
    row = review.row()
    card = review.scorecard or {}
    moves = card.get("moves") or {}
    out = {k: row.get(k) for k in ("session_id", "trainee", "scenario_id", "scenario_title", "scenario_version",
                                   "playbook_version", "persona", "mode", "duration_seconds", "turns", "outcome",
                                   "overall", "overall_auto", "grade", "mean_response_seconds", "provisional",
                                   "overridden")}
    out["started_at"] = _local(row["started_at"])
    automatic = review.move_scores(automatic=True)
    for move in MOVES:
        out[move] = row["moves"].get(move)
        out[f"{move}_auto"] = automatic.get(move)
        out[f"{move}_overridden_by"] = ((moves.get(move) or {}).get("override") or {}).get("lead")
    out["penalties"] = " ".join(p["penalty"] for p in card.get("penalties") or () if p.get("points"))
    out["penalty_points"] = review.penalty_points()
    out["penalty_points_auto"] = review.penalty_points(automatic=True)
    out["overridden_by"] = ", ".join(card.get("overridden_by") or ())
    in_force = [d.get("override") for d in moves.values()] + [p.get("override") for p in card.get("penalties") or ()]
    ids = {o["id"] for o in in_force if o}
    out["overrides"] = "; ".join(f"{o.describe()} ({_local(o.created_at)})" for o in review.overrides if o.id in ids)
    return out


def to_csv(reviews: Sequence[Review]) -> str:
    """One row per session, one column per move (final, automatic, and who changed it)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for review in reviews:
        writer.writerow({k: _cell(v) for k, v in csv_row(review).items()})
    return buffer.getvalue()


def to_json(reviews: Sequence[Review], filters: Filters | None = None) -> str:
    """Full transcripts with every score, the automatic scorecard beside the reviewed one."""
    return json.dumps({
        "generated_at": _local(dt.datetime.now().timestamp()),
        "filters": (filters or Filters()).as_dict(),
        "sessions": [r.export() for r in reviews],
    }, ensure_ascii=False, indent=2)


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


PRINT_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2330;margin:24px;max-width:900px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px;border-bottom:1px solid #ccd;padding-bottom:2px}
.meta{color:#4a5366;margin:0 0 8px}table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{border:1px solid #ccd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef1f6}
.num{text-align:right;white-space:nowrap}.changed{background:#fff4d6}.auto{color:#6b7385;text-decoration:line-through}
.msg{margin:4px 0;padding:4px 8px;border-left:3px solid #ccd}.msg.trainee{border-color:#2f6fde;background:#f5f8ff}
.who{font-weight:600;font-size:12px;color:#4a5366}.tags{font-size:12px;color:#4a5366}
mark{background:#e3ecff;padding:0 1px}mark.penalty{background:#ffe0dc;text-decoration:underline wavy #c0392b}
.session{page-break-after:always}.session:last-child{page-break-after:auto}
.overall{font-size:28px;font-weight:700}svg{max-width:100%}
@media print{body{margin:0}.noprint{display:none}}
"""


def _highlight_html(text: str, record: Mapping | None) -> str:
    out = []
    for piece in segments(text, record):
        if not piece["labels"]:
            out.append(_e(piece["text"]))
            continue
        names = " ".join(label["name"] for label in piece["labels"])
        kind = "penalty" if any(label["kind"] == "penalty" for label in piece["labels"]) else "move"
        out.append(f'<mark class="{kind}" title="{_e(names)}">{_e(piece["text"])}</mark>')
    return "".join(out)


def mood_svg(trace: Sequence[Mapping], width: int = 420, height: int = 140) -> str:
    """The mood trace as a small inline SVG line chart (0 calm - 10 furious)."""
    if not trace:
        return "<p>No mood recorded.</p>"
    left, top, right, bottom = 28, 8, 8, 20
    w, h = width - left - right, height - top - bottom
    n = max(1, len(trace) - 1)
    points = [(left + w * i / n, top + h * (1 - float(p["mood"]) / 10)) for i, p in enumerate(trace)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    grid = "".join(f'<line x1="{left}" x2="{left + w}" y1="{top + h * (1 - v / 10):.1f}" y2="{top + h * (1 - v / 10):.1f}" '
                   f'stroke="#dde" /><text x="{left - 4}" y="{top + h * (1 - v / 10) + 4:.1f}" font-size="10" '
                   f'text-anchor="end">{v}</text>' for v in (0, 5, 10))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{"#c77700" if p.get("nudge") else "#c0392b"}">'
                   f'<title>turn {_e(p.get("turn"))}: mood {_e(p["mood"])}</title></circle>'
                   for (x, y), p in zip(points, trace))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="customer mood by turn">{grid}<polyline points="{path}" fill="none" stroke="#c0392b" '
            f'stroke-width="2" />{dots}<text x="{left}" y="{height - 4}" font-size="10">opening</text>'
            f'<text x="{left + w}" y="{height - 4}" font-size="10" text-anchor="end">turn {_e(trace[-1].get("turn"))}'
            f'</text></svg>')


def scorecard_html(review: Review) -> str:
    """One session's printable scorecard (an HTML fragment; see to_html for a document)."""
    s, card = review.session, review.scorecard or {}
    row = review.row()
    parts = [f'<section class="session" id="{_e(s.session_id)}">',
             f"<h1>{_e(s.trainee or '(no name)')} &middot; {_e(review.scenario_title or s.scenario_id)}</h1>",
             f'<p class="meta">{_e(_local(s.started_at)[:16].replace("T", " "))} &middot; {_e(_duration(s.duration_seconds))} &middot; '
             f"{_e(len(s.turns))} replies &middot; persona {_e(review.persona)} &middot; {_e(s.mode)} &middot; "
             f"outcome <b>{_e(row['outcome'])}</b> &middot; session {_e(s.session_id)}</p>"]
    if not card:
        parts.append("<p>No scores: the trainee never answered.</p>")
    else:
        overall = f'<span class="overall">{_e(card.get("overall"))}</span>/100 grade {_e(card.get("grade"))}'
        if card.get("overridden"):
            overall += (f' <span class="auto">{_e(card.get("overall_auto"))}</span> (automatic score, changed by '
                        f'{_e(", ".join(card.get("overridden_by") or ()))})')
        if review.provisional:
            overall += " &middot; <i>provisional: the session was never closed with /end_session</i>"
        parts.append(f"<p>{overall}</p><h2>Checklist</h2><table><tr><th>move</th><th class=num>score</th>"
                     "<th class=num>automatic</th><th>evidence</th><th>review</th></tr>")
        for move in MOVES:
            detail = (card.get("moves") or {}).get(move) or {}
            change = detail.get("override")
            quotes = "<br>".join(f"turn {_e(q.get('turn'))}: &ldquo;{_e(q.get('quote'))}&rdquo;"
                                 for q in detail.get("quotes") or ())
            note = (f"changed by {_e(change['lead'])}: {_e(change['reason'])}" if change else "")
            deductions = "; ".join(_e(d) for d in detail.get("deductions") or ())
            parts.append(f'<tr class="{"changed" if change else ""}"><td>{_e(move)}</td>'
                         f'<td class=num>{_e(detail.get("score"))}</td><td class=num>{_e(detail.get("score_auto"))}</td>'
                         f"<td>{quotes}{'<br><i>' + deductions + '</i>' if deductions else ''}</td><td>{note}</td></tr>")
        parts.append("</table>")
        penalties = card.get("penalties") or []
        parts.append("<h2>Penalties</h2>")
        if penalties:
            parts.append("<table><tr><th>penalty</th><th class=num>turn</th><th>quote</th><th class=num>points</th>"
                         "<th class=num>automatic</th><th>review</th></tr>")
            for p in penalties:
                change = p.get("override")
                note = f"changed by {_e(change['lead'])}: {_e(change['reason'])}" if change else ""
                parts.append(f'<tr class="{"changed" if change else ""}"><td>{_e(p.get("penalty"))}</td>'
                             f'<td class=num>{_e(p.get("turn"))}</td><td>&ldquo;{_e(p.get("quote"))}&rdquo;</td>'
                             f'<td class=num>{_e(p.get("points"))}</td><td class=num>{_e(p.get("points_auto"))}</td>'
                             f"<td>{note}</td></tr>")
            parts.append("</table>")
        else:
            parts.append("<p>None.</p>")
        tips = card.get("tips") or []
        if tips:
            parts.append("<h2>Coaching tips</h2><ul>")
            for tip in tips:
                quote = f' &mdash; &ldquo;{_e(tip.get("quote"))}&rdquo;' if tip.get("quote") else ""
                parts.append(f"<li>{_e(tip.get('text'))}{quote}</li>")
            parts.append("</ul>")
    parts.append(f"<h2>Customer mood</h2>{mood_svg(s.mood_trace())}<h2>Transcript</h2>")
    for message in s.messages:
        who = {"trainee": s.trainee or "trainee", "customer": "customer"}.get(message.role, message.role)
        body = _highlight_html(message.text, message.record) if message.role == "trainee" else _e(message.text)
        tags = ""
        if message.role == "trainee":
            record = message.record
            if record is None:
                tags = "not scored"
            else:
                bits = [", ".join(record.get("moves") or ()) or "no move"]
                if record.get("penalties"):
                    bits.append("penalties: " + ", ".join(record["penalties"]))
                if isinstance(record.get("response_seconds"), (int, float)):
                    bits.append(f"answered in {record['response_seconds']:.1f} s")
                bits.append(f"mood {record.get('mood_before')} \u2192 {record.get('mood_after')}")
                tags = " &middot; ".join(_e(b) for b in bits)
        nudge = " (kept waiting)" if message.nudge else ""
        parts.append(f'<div class="msg {_e(message.role)}"><div class="who">{_e(who)}{nudge}</div><div>{body}</div>'
                     f'{"<div class=tags>" + tags + "</div>" if tags else ""}</div>')
    if review.overrides:
        parts.append("<h2>Review history</h2><ul>")
        for o in review.overrides:
            parts.append(f"<li>{_e(_local(o.created_at))}: {_e(o.describe())}</li>")
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)


def to_html(reviews: Sequence[Review], title: str = "Sparring scorecards") -> str:
    """A printable document: one scorecard per session, one per page."""
    body = "".join(scorecard_html(r) for r in reviews) or "<p>No sessions match.</p>"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{PRINT_CSS}</style></head><body>{body}</body></html>")


def render(reviews: Sequence[Review], fmt: str, filters: Filters | None = None) -> str:
    if fmt == "csv":
        return to_csv(reviews)
    if fmt == "json":
        return to_json(reviews, filters)
    if fmt == "html":
        return to_html(reviews)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
