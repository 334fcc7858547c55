"""Scenario files: load, validate, and keep a live catalogue of ``scenarios/*.yml``.

Scenarios are read at run time, never trained into the Rasa model, so a trainer can add or
edit one and use it in the next conversation. A file with any problem is refused whole
(never half-loaded) and reported as ``file:line: field: problem``; the others keep working.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from sparring import yamlschema as ys
from sparring.checklist import MOVES
from sparring.lines import LineBook
from sparring.playbook import FINDINGS, PLAYBOOK_DIR, Persona, Rubric, line_book_spec, load_personas, load_rubric, weights_spec

SCENARIO_DIR = Path(os.environ.get("SPARRING_SCENARIOS", PLAYBOOK_DIR.parent / "scenarios"))
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Fact:
    """Something concrete the customer knows and says when asked (an amount, a date, an id)."""

    topic: str
    asked_by: tuple[str, ...]
    answer: str
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Remedy:
    """A resolution the trainee may offer, recognised by its words."""

    name: str
    offer_words: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Tip:
    when: str
    text: str


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    persona: str
    difficulty: str
    setting: str
    customer_name: str
    situation: str
    mood_start: float
    calm_enough: float
    at_top: str | None
    patience_seconds: int
    facts: tuple[Fact, ...]
    opening: tuple[str, ...]
    lines: LineBook
    accept: tuple[Remedy, ...]
    reject: tuple[Remedy, ...]
    weights: Mapping[str, int] | None
    order: tuple[str, ...]
    tips: tuple[Tip, ...]
    source: str = ""

    def summary(self) -> dict:
        """What a start screen or `sparring scenarios` shows."""
        return {
            "id": self.id,
            "title": self.title,
            "persona": self.persona,
            "difficulty": self.difficulty,
            "setting": self.setting,
            "customer_name": self.customer_name,
            "situation": self.situation,
        }


def _scenario_spec(persona_names: tuple[str, ...]) -> ys.Spec:
    words = ys.list_of(ys.text())
    remedy = ys.mapping(
        {
            "name": ys.Key(ys.text()),
            "offer_words": ys.Key(words),
            "lines": ys.Key(words, required=False, default=[]),
        }
    )
    return ys.mapping(
        {
            "id": ys.Key(ys.text()),
            "title": ys.Key(ys.text()),
            "persona": ys.Key(ys.one_of(persona_names)),
            "difficulty": ys.Key(ys.one_of(DIFFICULTIES)),
            "setting": ys.Key(ys.text()),
            "customer_name": ys.Key(ys.text()),
            "situation": ys.Key(ys.text()),
            "mood": ys.Key(
                ys.mapping({"start": ys.Key(ys.number(0, 10)), "calm_enough": ys.Key(ys.number(0, 10))})
            ),
            "at_top": ys.Key(ys.one_of(("hung_up", "escalated")), required=False),
            "patience_seconds": ys.Key(ys.number(5, 3600, integer=True), required=False, default=45),
            "facts": ys.Key(
                ys.list_of(
                    ys.mapping(
                        {
                            "topic": ys.Key(ys.text()),
                            "asked_by": ys.Key(words),
                            "answer": ys.Key(ys.text()),
                            "mentions": ys.Key(words, required=False, default=[]),
                        }
                    )
                )
            ),
            "opening": ys.Key(words),
            "lines": ys.Key(line_book_spec(require_all=False), required=False, default={}),
            "resolutions": ys.Key(
                ys.mapping(
                    {
                        "accept": ys.Key(ys.list_of(remedy)),
                        "reject": ys.Key(ys.list_of(remedy, min_items=0), required=False, default=[]),
                    }
                )
            ),
            "rubric": ys.Key(
                ys.mapping(
                    {
                        "weights": ys.Key(weights_spec(), required=False),
                        "order": ys.Key(ys.list_of(ys.one_of(MOVES), min_items=2), required=False, default=[]),
                        "tips": ys.Key(
                            ys.list_of(
                                ys.mapping({"when": ys.Key(ys.one_of(FINDINGS)), "text": ys.Key(ys.text())}),
                                min_items=0,
                            ),
                            required=False,
                            default=[],
                        ),
                    }
                ),
                required=False,
                default={"weights": None, "order": [], "tips": []},
            ),
        }
    )


def _remedies(items: list[dict]) -> tuple[Remedy, ...]:
    return tuple(
        Remedy(r["name"], tuple(w.lower() for w in r["offer_words"]), tuple(r["lines"] or ())) for r in items
    )


def load_scenario(path: Path, personas: Mapping[str, Persona]) -> Scenario:
    """Load one file, or raise InvalidFile listing every problem in it."""
    data = ys.load(path, _scenario_spec(tuple(personas)))
    problems = []
    if data["id"] != path.stem:
        problems.append(ys.Problem(str(path), 1, "id", f"must equal the file name {path.stem!r}, found {data['id']!r}"))
    if data["mood"]["calm_enough"] > data["mood"]["start"]:
        problems.append(ys.Problem(str(path), 1, "mood.calm_enough", "must not be above mood.start"))
    if problems:
        raise ys.InvalidFile(problems)
    rubric = data["rubric"]
    return Scenario(
        id=data["id"],
        title=data["title"],
        persona=data["persona"],
        difficulty=data["difficulty"],
        setting=data["setting"],
        customer_name=data["customer_name"],
        situation=data["situation"],
        mood_start=float(data["mood"]["start"]),
        calm_enough=float(data["mood"]["calm_enough"]),
        at_top=data["at_top"],
        patience_seconds=data["patience_seconds"],
        facts=tuple(
            Fact(f["topic"], tuple(a.lower() for a in f["asked_by"]), f["answer"], tuple(f["mentions"] or ()))
            for f in data["facts"]
        ),
        opening=tuple(data["opening"]),
        lines=data["lines"] or {},
        accept=_remedies(data["resolutions"]["accept"]),
        reject=_remedies(data["resolutions"]["reject"] or []),
        weights=rubric["weights"],
        order=tuple(rubric["order"] or ()),
        tips=tuple(Tip(t["when"], t["text"]) for t in rubric["tips"] or ()),
        source=str(path),
    )


@dataclass
class Catalogue:
    """Every valid scenario in a folder, reloaded when a file changes, plus the refused ones.

    Reloading is keyed on the files' modification times, so it costs one directory listing
    per call and a trainer's edit shows up in the next conversation without a restart.
    """

    directory: Path = SCENARIO_DIR
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    problems: list[ys.Problem] = field(default_factory=list)
    personas: dict[str, Persona] = field(default_factory=dict)
    rubric: Rubric | None = None
    _signature: tuple = ()

    def refresh(self) -> "Catalogue":
        files = sorted(self.directory.glob("*.yml")) + sorted(self.directory.glob("*.yaml"))
        playbook_files = sorted(PLAYBOOK_DIR.glob("*.yml"))
        signature = tuple((str(p), p.stat().st_mtime_ns) for p in files + playbook_files)
        if signature == self._signature:
            return self
        self.personas = load_personas()
        self.rubric = load_rubric()
        self.scenarios, self.problems = {}, []
        for path in files:
            try:
                scenario = load_scenario(path, self.personas)
            except ys.InvalidFile as invalid:
                self.problems.extend(invalid.problems)
                continue
            self.scenarios[scenario.id] = scenario
        self._signature = signature
        return self

    def get(self, scenario_id: str) -> Scenario | None:
        return self.refresh().scenarios.get(scenario_id)

    def persona_of(self, scenario: Scenario) -> Persona:
        return self.personas[scenario.persona]


def lint(paths: list[Path]) -> list[ys.Problem]:
    """Every problem in the playbook and in the given scenario files or folders."""
    problems: list[ys.Problem] = []
    try:
        load_rubric()
    except ys.InvalidFile as invalid:
        problems.extend(invalid.problems)
    try:
        personas = load_personas()
    except ys.InvalidFile as invalid:
        return problems + invalid.problems
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.y*ml")) if path.is_dir() else [path])
    for path in files:
        try:
            load_scenario(path, personas)
        except ys.InvalidFile as invalid:
            problems.extend(invalid.problems)
    return problems
