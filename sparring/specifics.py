"""Specifics of a text, normalised so that the same fact written two ways matches.

"£389.99" and "389.99", "14 March", "14/03" and "the 14th", "11:40pm" and "23:40",
"SPX-20931847" and "spx20931847" are each one specific. The patterns are built from the
language's data (``grounding.yml``: money symbols and words, number words, month names,
date and time forms), so another language changes data, not this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from sparring.language import DEFAULT_LANGUAGE, load_language

_IDENTIFIER = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]{1,12}(?:-[A-Za-z0-9]{1,12})+\b"
                         r"|\b[A-Za-z]{1,4}\d{4,}\b|\b\d{4,}[A-Za-z]{1,3}\b")


@dataclass(frozen=True)
class Specific:
    """One normalised specific and where the text says it.

    ``kind`` is "number" (amounts and counts), "money" (a number written as money, which
    matches the same number), "date", "weekday", "time" or "id"; ``key`` is comparable
    across spellings: "389.99", "14/3" (or "14/?" without a month), "friday", "23:40",
    "spx20931847"."""

    kind: str
    key: str
    start: int
    end: int
    text: str

    def matches(self, other: "Specific") -> bool:
        if self.kind in _NUMERIC and other.kind in _NUMERIC:
            if self.key != other.key:
                return False
            # £24 and "24 hours" are not the same specific; £389.99 and "389.99" are.
            return self.kind == other.kind or "." in self.key or float(self.key) >= 100
        if self.kind == "date" and other.kind == "date":
            return _same_date(self.key, other.key)
        if self.kind == "id" and other.kind in ("id", "number"):
            return self.key == other.key or _digits(self.key) == other.key or _digits(self.key) == _digits(other.key) != ""
        if other.kind == "id" and self.kind == "number":
            return other.matches(self)
        return self.kind == other.kind and self.key == other.key


_NUMERIC = ("number", "money")


def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


def _same_date(first: str, second: str) -> bool:
    day1, month1 = first.split("/")
    day2, month2 = second.split("/")
    return day1 == day2 and (month1 == month2 or "?" in (month1, month2))


class SpecificsReader:
    """Finds the specifics of a text in one language."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        data = load_language(language).grounding
        numbers, money, dates, times = data["numbers"], data["money"], data["dates"], data["times"]
        self.decimal, self.group = numbers["decimal_mark"], numbers["group_mark"]
        self.number_words = {word.lower(): value for word, value in numbers["words"].items()}
        self.months = {name.lower(): number for name, number in dates["months"].items()}
        self.weekdays = tuple(day.lower() for day in dates["weekdays"])
        number = (rf"\d{{1,3}}(?:{re.escape(self.group)}\d{{3}})+(?:{re.escape(self.decimal)}\d+)?"
                  rf"|\d+(?:{re.escape(self.decimal)}\d+)?")
        symbols = "|".join(re.escape(s) for s in money["symbols"])
        money_words = "|".join(re.escape(w) for w in money["words"])
        self.money = [re.compile(form.format(sym=f"(?:{symbols})", n=f"(?P<n>{number})", word=money_words), re.I)
                      for form in money["forms"]]
        month_names = "|".join(sorted((re.escape(m) for m in self.months), key=len, reverse=True))
        self.dates = [re.compile(form.format(d=r"(?P<d>\d{1,2})", m=r"(?P<m>\d{1,2})", mon=f"(?P<mon>{month_names})",
                                             ord=dates["ordinal"]), re.I)
                      for form in dates["forms"]]
        ampm = "|".join(re.escape(w) for w in times["am"] + times["pm"])
        self.pm_words = {w.lower() for w in times["pm"]}
        self.times = [re.compile(form.format(h=r"(?P<h>\d{1,2})", min=r"(?P<min>\d{2})", ampm=f"(?P<ampm>{ampm})"),
                                 re.I) for form in times["forms"]]
        self.number = re.compile(rf"(?<![\w.]){number}(?![\w])")
        words = "|".join(sorted((re.escape(w) for w in self.number_words), key=len, reverse=True))
        self.number_word = re.compile(rf"\b(?:{words})\b", re.I)
        self.weekday = re.compile(rf"\b(?:{'|'.join(self.weekdays)})s?\b", re.I)

    def read(self, text: str) -> list[Specific]:
        """Every specific in ``text``, earliest first; a stretch of text is read once, as
        the most telling kind (an id before a date before money before a bare number)."""
        found: list[Specific] = []
        taken: list[tuple[int, int]] = []

        def claim(kind: str, key: str, start: int, end: int) -> None:
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                return
            taken.append((start, end))
            found.append(Specific(kind, key, start, end, text[start:end]))

        for match in _IDENTIFIER.finditer(text):
            written = match.group()
            if any(ch.isupper() for ch in written) or sum(ch.isdigit() for ch in written) >= 4:  # not "12-month"
                claim("id", re.sub(r"[^a-z0-9]", "", written.lower()), match.start(), match.end())
        for pattern in self.times:
            for match in pattern.finditer(text):
                claim("time", self._time_key(match), match.start(), match.end())
        for pattern in self.dates:
            for match in pattern.finditer(text):
                key = self._date_key(match)
                if key:
                    claim("date", key, match.start(), match.end())
        for pattern in self.money:
            for match in pattern.finditer(text):
                claim("money", self._number_key(match.group("n")), match.start(), match.end())
        for match in self.weekday.finditer(text):
            claim("weekday", match.group().lower().rstrip("s"), match.start(), match.end())
        for match in self.number.finditer(text):
            claim("number", self._number_key(match.group()), match.start(), match.end())
        for match in self.number_word.finditer(text):
            claim("number", _plain(self.number_words[match.group().lower()]), match.start(), match.end())
        return sorted(found, key=lambda s: s.start)

    def _number_key(self, written: str) -> str:
        value = float(written.replace(self.group, "").replace(self.decimal, "."))
        return _plain(value)

    def _date_key(self, match: re.Match) -> str | None:
        groups = match.groupdict()
        day = int(groups["d"])
        if groups.get("mon"):
            month = str(self.months[groups["mon"].lower()])
        elif groups.get("m"):
            month = str(int(groups["m"]))
            if not 1 <= int(month) <= 12:
                return None
        else:
            month = "?"
        return f"{day}/{month}" if 1 <= day <= 31 else None

    def _time_key(self, match: re.Match) -> str:
        hour = int(match.group("h")) % 24
        minutes = match.groupdict().get("min") or "00"
        ampm = (match.groupdict().get("ampm") or "").lower()
        if ampm in self.pm_words and hour < 12:
            hour += 12
        elif ampm and ampm not in self.pm_words and hour == 12:
            hour = 0
        return f"{hour:02d}:{minutes}"


def _plain(value: float) -> str:
    """389.99 -> "389.99", 25.0 -> "25": one key per amount however it was written."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


@lru_cache(maxsize=None)
def reader(language: str = DEFAULT_LANGUAGE) -> SpecificsReader:
    return SpecificsReader(language)


def any_match(specific: Specific, others: Iterable[Specific]) -> Specific | None:
    return next((other for other in others if specific.matches(other)), None)
