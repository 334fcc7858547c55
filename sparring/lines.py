"""The kinds of customer line a persona or scenario provides, and how they are chosen.

Banded kinds depend on how upset the customer still is (high, mid, low mood); plain kinds
are reactions to one event. Lines may use {name} (the customer's name), {problem} (their
problem in their own words, from the scenario) and, in ``wrong_facts``, {term} (the detail
of the trainee's reply that belongs to somebody else's case). Personas must provide every kind, so a scenario only writes
the lines that are specific to its situation and falls back on its persona for the rest.
"""

from __future__ import annotations

import random
import re
from typing import AbstractSet, Mapping, Sequence, Union

BANDS: tuple[str, ...] = ("high", "mid", "low")
BANDED_KINDS: tuple[str, ...] = ("listen", "empathize", "apologize", "penalty", "neutral")
PLAIN_KINDS: tuple[str, ...] = (
    "calm_down",
    "resolve_too_early",
    "resolve_vague",
    "resolve_rejected",
    "resolve_partial",
    "resolved",
    "mixed",
    "wrong_facts",
    "last_chance",
    "fact_unknown",
    "hang_up",
    "escalate",
    "impatient",
    "empty",
    "boundary_ack",
    "admission",
    "counter_threat",
)
LINE_KINDS: tuple[str, ...] = BANDED_KINDS + PLAIN_KINDS
# What ``fill`` replaces in a customer line, and in a coaching tip ({worry}: the fact's worry).
LINE_PLACEHOLDERS: tuple[str, ...] = ("name", "problem", "term")
TIP_PLACEHOLDERS: tuple[str, ...] = ("name", "worry")
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


def unknown_placeholders(text: str, known: Sequence[str]) -> list[str]:
    """The ``{...}`` in ``text`` that ``fill`` would leave as they are (a customer would say them)."""
    return [name for name in _PLACEHOLDER.findall(text) if name not in known]

Variants = Sequence[str]
LineBook = Mapping[str, Union[Variants, Mapping[str, Variants]]]


def variants(book: LineBook, kind: str, band: str) -> list[str]:
    """The variants of one kind in one book (empty when the book does not have them)."""
    entry = book.get(kind)
    if entry is None:
        return []
    if isinstance(entry, Mapping):
        return list(entry.get(band, ()))
    return list(entry)


def fill(line: str, **values: str) -> str:
    """A line with its placeholders filled: {name} the customer's name, {problem} their
    problem in their own words, {term} the detail of a reply that was not theirs."""
    for key, value in values.items():
        line = line.replace("{" + key + "}", value)
    return line[:1].upper() + line[1:]


def is_abusive(line: str, abusive_words: AbstractSet[str]) -> bool:
    """Masked swearing ("f***") or a listed insult: dropped once the trainee sets a boundary."""
    return "*" in line or any(word.strip(".,!?;:'\"").lower() in abusive_words for word in line.split())


def choose(
    candidates: Sequence[str],
    last_line: str,
    rng: random.Random,
    avoid_abuse: AbstractSet[str] | None = None,
) -> str | None:
    """Pick one variant, never the line the customer just said; when ``avoid_abuse`` is
    given, prefer lines without masked swearing or those words."""
    fresh = [line for line in candidates if line != last_line]
    if avoid_abuse is not None:
        fresh = [line for line in fresh if not is_abusive(line, avoid_abuse)] or fresh
    return rng.choice(fresh) if fresh else None
