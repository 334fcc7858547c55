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

from sparring import versions
from sparring import yamlschema as ys
from sparring.checklist import MOVES
from sparring.language import DEFAULT_LANGUAGE, available_languages, load_language
from sparring.lines import LineBook
from sparring.playbook import (FINDINGS, PLAYBOOK_DIR, Persona, Rubric, customer_line, line_book_spec, load_personas,
                               load_rubric, tip_text, weights_spec)

SCENARIO_DIR = Path(os.environ.get("SPARRING_SCENARIOS", PLAYBOOK_DIR.parent / "scenarios"))
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Fact:
    """Something concrete the customer knows and says when asked (an amount, a date, an id)."""

    topic: str
    asked_by: tuple[str, ...]
    answer: str
    mentions: tuple[str, ...]
    worry: str | None = None  # what this fact means to the customer, when it is what worries them most


@dataclass(frozen=True)
class Remedy:
    """A resolution the trainee may offer, recognised by what it is, not by keywords.

    ``kinds`` are the language's remedy kinds (refund, replace, visit, callback ...), so an
    offer counts in any words of that kind; ``about`` is what the offer must name to be about
    this case (an amount, the item, the fee), so "I'll arrange a refund" is not enough;
    ``says`` are the scenario's own phrases for it ("temporary credit")."""

    name: str
    kinds: tuple[str, ...]
    about: tuple[str, ...]
    says: tuple[str, ...]
    lines: tuple[str, ...]
    partial: bool = False  # welcome, but not the whole fix: the customer says its line and goes on

    def texts(self) -> tuple[str, ...]:
        return (self.name, *self.about, *self.says)


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
    problem: str  # the problem in the customer's words, for their answer to a reply about something else
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
    language: str = DEFAULT_LANGUAGE
    source: str = ""
    version: str = ""  # hash of the file's content: which text of the scenario a session was played against

    def summary(self) -> dict:
        """What a start screen or `sparring scenarios` shows."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "persona": self.persona,
            "difficulty": self.difficulty,
            "setting": self.setting,
            "customer_name": self.customer_name,
            "situation": self.situation,
        }


def _scenario_spec(persona_names: tuple[str, ...], remedy_kinds: tuple[str, ...]) -> ys.Spec:
    words = ys.list_of(ys.text())
    customer_lines = ys.list_of(customer_line)
    optional_words = ys.list_of(ys.text(), min_items=0)
    refused_remedy = {
        "name": ys.Key(ys.text()),
        "kinds": ys.Key(ys.list_of(ys.one_of(remedy_kinds), min_items=0), required=False, default=[]),
        "says": ys.Key(optional_words, required=False, default=[]),
        "lines": ys.Key(customer_lines, required=False, default=[]),
    }
    # What an accepted remedy must be about, and whether it is the whole fix, mean nothing
    # for a refused one (refused whatever it names), so a refused remedy has neither.
    accepted_remedy = {**refused_remedy,
                       "about": ys.Key(optional_words, required=False, default=[]),
                       "partial": ys.Key(ys.boolean(), required=False, default=False)}
    return ys.mapping(
        {
            "id": ys.Key(ys.described(ys.refined(ys.text(), _named_after_file),
                                      "the file name without .yml (checked by sparring lint)")),
            "title": ys.Key(ys.text()),
            "persona": ys.Key(ys.one_of(persona_names)),
            "difficulty": ys.Key(ys.one_of(DIFFICULTIES)),
            "setting": ys.Key(ys.text()),
            "customer_name": ys.Key(ys.text()),
            "situation": ys.Key(ys.text()),
            "problem": ys.Key(ys.text()),
            "language": ys.Key(ys.one_of(available_languages()), required=False, default=DEFAULT_LANGUAGE),
            "mood": ys.Key(ys.refined(
                ys.mapping({"start": ys.Key(ys.number(0, 10)),
                            "calm_enough": ys.Key(ys.described(ys.number(0, 10),
                                                               "not above mood.start (checked by sparring lint)"))}),
                _calm_enough_below_start,
            )),
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
                            "worry": ys.Key(ys.text(), required=False),
                        }
                    )
                )
            ),
            "opening": ys.Key(customer_lines),
            "lines": ys.Key(line_book_spec(require_all=False), required=False, default={}),
            "resolutions": ys.Key(
                ys.mapping(
                    {
                        "accept": ys.Key(ys.list_of(_offerable(ys.mapping(accepted_remedy)))),
                        "reject": ys.Key(ys.list_of(_offerable(ys.mapping(refused_remedy)), min_items=0),
                                         required=False, default=[]),
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
                                ys.mapping({"when": ys.Key(ys.one_of(FINDINGS)), "text": ys.Key(tip_text)}),
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


def _named_after_file(checker: ys.Checker, node, where: str, scenario_id: str) -> None:
    """The catalogue finds a scenario by its file name, so the two must agree."""
    stem = Path(checker.path).stem
    if scenario_id != stem:
        checker.fail(node, where, f"must equal the file name {stem!r}, found {scenario_id!r}")


def _calm_enough_below_start(checker: ys.Checker, node, where: str, mood: dict) -> None:
    if None not in mood.values() and mood["calm_enough"] > mood["start"]:
        checker.fail(ys.value_node(node, "calm_enough"), f"{where}.calm_enough",
                     f"must not be above mood.start ({mood['start']:g}): the customer would accept a fix "
                     "in the first reply, before any listening or empathy")


def _offerable(spec: ys.Spec) -> ys.Spec:
    """A remedy nobody could ever offer (no kind and no phrase) is a mistake, not a choice."""

    def check(checker: ys.Checker, node, where: str):
        value = spec(checker, node, where)
        if value is not None and not value.get("kinds") and not value.get("says"):
            checker.fail(node, where, "needs kinds or says: how would a trainee offer it?")
        return value

    offerable = [{"required": [key], "properties": {key: {"minItems": 1}}} for key in ("kinds", "says")]
    return ys.with_schema(check, {**ys.schema_of(spec), "anyOf": offerable})


def remedy_kinds() -> tuple[str, ...]:
    """Remedy kinds are ids shared by every language; each language lists its own words for them."""
    kinds: list[str] = []
    for code in available_languages():
        kinds.extend(k for k in load_language(code).grounding["remedy_kinds"] if k not in kinds)
    return tuple(kinds)


def _remedies(items: list[dict]) -> tuple[Remedy, ...]:
    return tuple(
        Remedy(r["name"], tuple(r["kinds"] or ()), tuple(r.get("about") or ()),
               tuple(w.lower() for w in r["says"] or ()), tuple(r["lines"] or ()), bool(r.get("partial")))
        for r in items
    )


def load_scenario(path: Path, personas: Mapping[str, Persona]) -> Scenario:
    """Load one file, or raise InvalidFile listing every problem in it."""
    data = ys.load(path, _scenario_spec(tuple(personas), remedy_kinds()))
    rubric = data["rubric"]
    return Scenario(
        id=data["id"],
        title=data["title"],
        persona=data["persona"],
        difficulty=data["difficulty"],
        setting=data["setting"],
        customer_name=data["customer_name"],
        situation=data["situation"],
        problem=data["problem"],
        mood_start=float(data["mood"]["start"]),
        calm_enough=float(data["mood"]["calm_enough"]),
        at_top=data["at_top"],
        patience_seconds=data["patience_seconds"],
        facts=tuple(
            Fact(f["topic"], tuple(a.lower() for a in f["asked_by"]), f["answer"], tuple(f["mentions"] or ()),
                 f["worry"])
            for f in data["facts"]
        ),
        opening=tuple(data["opening"]),
        lines=data["lines"] or {},
        accept=_remedies(data["resolutions"]["accept"]),
        reject=_remedies(data["resolutions"]["reject"] or []),
        weights=rubric["weights"],
        order=tuple(rubric["order"] or ()),
        tips=tuple(Tip(t["when"], t["text"]) for t in rubric["tips"] or ()),
        language=data["language"],
        source=str(path),
        version=versions.content_version(path.read_bytes()),
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
    playbook_version: str = ""  # of rubric.yml and personas.yml together (sparring.versions)
    _signature: tuple = ()

    def refresh(self) -> "Catalogue":
        files = sorted(self.directory.glob("*.yml")) + sorted(self.directory.glob("*.yaml"))
        playbook_files = sorted(PLAYBOOK_DIR.glob("*.yml"))
        signature = tuple((str(p), p.stat().st_mtime_ns) for p in files + playbook_files)
        if signature == self._signature:
            return self
        self.personas = load_personas()
        self.rubric = load_rubric()
        self.playbook_version = versions.archive("playbook", "playbook", playbook_text())
        self.scenarios, self.problems = {}, []
        for path in files:
            try:
                scenario = load_scenario(path, self.personas)
            except ys.InvalidFile as invalid:
                self.problems.extend(invalid.problems)
                continue
            versions.archive("scenarios", scenario.id, path.read_bytes())
            self.scenarios[scenario.id] = scenario
        self._signature = signature
        return self

    def get(self, scenario_id: str) -> Scenario | None:
        return self.refresh().scenarios.get(scenario_id)

    def persona_of(self, scenario: Scenario) -> Persona:
        return self.personas[scenario.persona]


def playbook_text() -> bytes:
    """The playbook as one text (rubric, then personas): what a playbook version is of."""
    return b"".join(f"# playbook/{name}\n".encode() + (PLAYBOOK_DIR / name).read_bytes()
                    for name in ("rubric.yml", "personas.yml"))


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
