"""Team-lead overrides of automatic scores, kept for audit beside the originals.

A lead may change any move's score (0-100) or any penalty's points (0 waives it), always
with a written reason. Overrides live in their own table, ``sparring_overrides``, in the
same database as Rasa's tracker store (created on first use); the tracker's events - the
automatic scorecard - are never touched. Every override is a new row: the latest one per
score wins, earlier ones stay as history, and each row keeps the automatic value, the
value before the change, the new value, who, why and when.

The effective scorecard is the automatic one with the overrides applied and the overall
score recomputed with the scorecard's own formula (weighted move scores, minus penalty
points, plus the outcome's points, clamped to 0-100).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

import sqlalchemy as sa

from sparring.checklist import MOVES

TABLE = "sparring_overrides"
KINDS = ("move", "penalty")
MAX_REASON = 2000
MAX_PENALTY_POINTS = 100

_metadata = sa.MetaData()
overrides_table = sa.Table(
    TABLE,
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(300), nullable=False, index=True),
    sa.Column("seed", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("automatic", sa.Float, nullable=True),
    sa.Column("previous", sa.Float, nullable=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("lead", sa.String(120), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


class InvalidOverride(ValueError):
    """A request the store refuses (unknown score, out-of-range value, no reason...)."""


@dataclass(frozen=True)
class Override:
    id: int
    session_id: str
    seed: str
    kind: str  # "move" or "penalty"
    target: str  # a move name, or a penalty key (see penalty_key)
    automatic: float | None  # the engine's score or points
    previous: float | None  # the effective value just before this change
    value: float
    reason: str
    lead: str
    created_at: float

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        what = self.target if self.kind == "move" else f"penalty {self.target}"
        return f"{what} {_num(self.previous)}->{_num(self.value)} by {self.lead}: {self.reason}"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def penalty_keys(penalties: Sequence[Mapping]) -> list[str]:
    """Stable keys of a scorecard's penalties: "<penalty>@<turn>#<n-th of that kind in that turn>"."""
    keys, seen = [], {}
    for penalty in penalties:
        base = f"{penalty.get('penalty')}@{penalty.get('turn')}"
        seen[base] = seen.get(base, -1) + 1
        keys.append(f"{base}#{seen[base]}")
    return keys


def latest(overrides: Iterable[Override]) -> dict[tuple[str, str], Override]:
    """The override in force for each (kind, target)."""
    current: dict[tuple[str, str], Override] = {}
    for override in sorted(overrides, key=lambda o: (o.created_at, o.id)):
        current[(override.kind, override.target)] = override
    return current


def apply(scorecard: Mapping | None, overrides: Sequence[Override]) -> dict | None:
    """The effective scorecard: a copy with the overrides in force applied.

    Every move gets ``score_auto`` and every penalty ``points_auto`` (the engine's values),
    and ``override`` (who, why, when) where a lead changed it; the card gets
    ``overall_auto``, ``overridden`` and ``overridden_by``.
    """
    if scorecard is None:
        return None
    # Only what changes is copied (a deep copy of every card made long listings slow); the
    # rest (quotes, tips, mood trace) is shared with the automatic card and never modified.
    card = dict(scorecard)
    card["moves"] = moves = {m: dict(d) for m, d in (scorecard.get("moves") or {}).items()}
    card["penalties"] = [dict(p) for p in scorecard.get("penalties") or ()]
    in_force = latest(overrides)
    for move, detail in moves.items():
        detail["score_auto"] = detail.get("score")
        change = in_force.get(("move", move))
        if change is not None:
            detail["score"] = _clean(change.value)
            detail["override"] = _summary(change)
    penalties = card.get("penalties") or []
    for key, penalty in zip(penalty_keys(penalties), penalties):
        penalty["key"] = key
        penalty["points_auto"] = penalty.get("points")
        change = in_force.get(("penalty", key))
        if change is not None:
            penalty["points"] = _clean(change.value)
            penalty["override"] = _summary(change)
    card["overall_auto"] = scorecard.get("overall")
    applied = [o for o in in_force.values() if o.kind == "move" and o.target in moves
               or o.kind == "penalty" and any(p.get("key") == o.target for p in penalties)]
    card["overridden"] = bool(applied)
    card["overridden_by"] = sorted({o.lead for o in applied})
    if applied:
        card["overall"] = overall(card)
        card["grade_auto"] = scorecard.get("grade")
        card["grade"] = _grade(card["overall"], scorecard.get("grade"))
    return card


def overall(card: Mapping) -> int:
    """The scorecard formula (sparring.scorecard.build_scorecard) over the card's current values."""
    weights = card.get("weights") or {}
    moves = card.get("moves") or {}
    weighted = sum(weights.get(m, 0) * (moves.get(m) or {}).get("score", 0) / 100 for m in MOVES)
    points = sum(p.get("points") or 0 for p in card.get("penalties") or ())
    return round(max(0.0, min(100.0, weighted - points + (card.get("outcome_points") or 0))))


_RUBRIC = None


def _grade(score: int, fallback: str | None) -> str | None:
    global _RUBRIC
    try:
        if _RUBRIC is None:
            from sparring.playbook import load_rubric

            _RUBRIC = load_rubric()
        return _RUBRIC.grade(score)
    except Exception:  # a broken playbook must not hide a review
        return fallback


def _clean(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _summary(change: Override) -> dict:
    return {"lead": change.lead, "reason": change.reason, "at": change.created_at, "id": change.id,
            "automatic": change.automatic, "previous": change.previous, "value": _clean(change.value)}


class OverrideStore:
    """Reads and writes ``sparring_overrides`` in the tracker store's database."""

    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine
        self._ready = False

    def _ensure(self) -> None:
        """Create the table the first time an override is written."""
        if not self._ready:
            _metadata.create_all(self.engine, checkfirst=True)
            self._ready = True

    def _exists(self) -> bool:
        if not self._ready:
            with self.engine.connect() as connection:
                self._ready = sa.inspect(connection).has_table(TABLE)
        return self._ready

    def for_sessions(self, session_ids: Iterable[str] | None = None) -> dict[str, list[Override]]:
        """Overrides grouped by session id (all sessions when ``session_ids`` is None)."""
        if not self._exists():
            return {}
        query = sa.select(overrides_table).order_by(overrides_table.c.created_at, overrides_table.c.id)
        if session_ids is not None:
            ids = list(session_ids)
            if not ids:
                return {}
            if len(ids) <= 500:
                query = query.where(overrides_table.c.session_id.in_(ids))
        grouped: dict[str, list[Override]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query):
                override = Override(**row._mapping)
                grouped.setdefault(override.session_id, []).append(override)
        if session_ids is not None:
            wanted = set(ids)
            grouped = {k: v for k, v in grouped.items() if k in wanted}
        return grouped

    def for_session(self, session_id: str, seed: str | None = None) -> list[Override]:
        """A session's overrides, oldest first; those of another run with the same id are ignored."""
        rows = self.for_sessions([session_id]).get(session_id, [])
        return [o for o in rows if seed is None or o.seed == seed]

    def add(self, session_id: str, seed: str, scorecard: Mapping, kind: str, target: str, value,
            reason: str, lead: str, now: float | None = None) -> Override:
        """Record a lead's change of one score of a session's automatic ``scorecard``."""
        reason = (reason or "").strip()
        lead = (lead or "").strip()
        if kind not in KINDS:
            raise InvalidOverride(f"kind must be one of {', '.join(KINDS)}")
        if not reason:
            raise InvalidOverride("a written reason is required")
        if len(reason) > MAX_REASON:
            raise InvalidOverride(f"the reason is longer than {MAX_REASON} characters")
        if not lead:
            raise InvalidOverride("the lead's name is required")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidOverride("the new value must be a number") from None
        if number != number:  # NaN
            raise InvalidOverride("the new value must be a number")
        if kind == "move":
            if target not in (scorecard.get("moves") or {}):
                raise InvalidOverride(f"unknown move {target!r}; moves: {', '.join(MOVES)}")
            if not 0 <= number <= 100:
                raise InvalidOverride("a move score is between 0 and 100")
            automatic = scorecard["moves"][target].get("score")
        else:
            penalties = scorecard.get("penalties") or []
            keys = penalty_keys(penalties)
            if target not in keys:
                raise InvalidOverride(f"no penalty {target!r} in this session")
            if not 0 <= number <= MAX_PENALTY_POINTS:
                raise InvalidOverride(f"penalty points are between 0 and {MAX_PENALTY_POINTS} (0 waives it)")
            automatic = penalties[keys.index(target)].get("points")
        self._ensure()
        previous_change = latest(self.for_session(session_id, seed)).get((kind, target))
        previous = previous_change.value if previous_change is not None else automatic
        row = {"session_id": session_id, "seed": seed, "kind": kind, "target": target,
               "automatic": automatic, "previous": previous, "value": round(number, 2), "reason": reason,
               "lead": lead[:120], "created_at": now if now is not None else time.time()}
        with self.engine.begin() as connection:
            result = connection.execute(overrides_table.insert().values(**row))
            new_id = result.inserted_primary_key[0]
        return Override(id=new_id, **row)
