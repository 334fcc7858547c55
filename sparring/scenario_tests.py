"""Scenario tests: scripted trainees played through the engine, without Rasa, in seconds.

A trainer checks a scenario the way a trainee would meet it: ``scenarios/tests/<id>.yml``
holds scripts (a list of replies) with the score band and outcome each must get. Two
checks apply to every scenario without anyone writing them, because they are what makes a
score trustworthy: every *other* scenario's good scripts, pasted into this one, must score
low and never be accepted (a fix for somebody else's problem is no fix), and so must the
content-free polite templates of ``scenarios/tests/content-free.yml``.

Each play is seeded by its scenario and script, so a run is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from sparring import yamlschema as ys
from sparring.checklist import OUTCOMES
from sparring.scenarios import SCENARIO_DIR
from sparring.session import Simulator

TESTS_DIR = SCENARIO_DIR / "tests"
TEMPLATES_FILE = "content-free.yml"
KINDS = ("good", "mediocre", "bad")
# The automatic checks: the most another scenario's good script, or a content-free template,
# may score against a scenario (and neither may ever be accepted).
CROSS_MAX = 40
TEMPLATE_MAX = 55
NO_OUTCOME = "none"  # the trainee ended the conversation


@dataclass(frozen=True)
class Script:
    name: str
    kind: str
    replies: tuple[str, ...]
    score_band: tuple[int, int]
    outcome: str | None  # None: any outcome


@dataclass(frozen=True)
class Play:
    """One script played against one scenario, and whether it met what was expected."""

    check: str  # "own", "cross" (another scenario's good script) or "template"
    scenario_id: str
    source: str  # the scenario the script was written for, or "template"
    script: Script
    overall: int
    outcome: str | None
    accepted: list[str] = field(default_factory=list)  # remedies the customer took
    turns: int = 0

    @property
    def expected(self) -> str:
        if self.check == "own":
            low, high = self.script.score_band
            outcome = f", {self.script.outcome}" if self.script.outcome else ""
            return f"{low}-{high}{outcome}"
        return f"<= {CROSS_MAX if self.check == 'cross' else TEMPLATE_MAX}, never accepted"

    @property
    def passed(self) -> bool:
        if self.check == "own":
            low, high = self.script.score_band
            outcome = self.outcome or NO_OUTCOME
            return low <= self.overall <= high and self.script.outcome in (None, outcome)
        limit = CROSS_MAX if self.check == "cross" else TEMPLATE_MAX
        return self.overall <= limit and not self.accepted


def _score_band(checker: ys.Checker, node, where: str, band: list) -> None:
    if len(band) != 2:
        checker.fail(node, where, f"must be two scores, [lowest, highest]; found {len(band)}")
    elif band[0] > band[1]:
        checker.fail(node, where, f"the lowest score comes first: [{band[1]}, {band[0]}], not [{band[0]}, {band[1]}]")


def _script_spec() -> ys.Spec:
    scores = ys.list_of(ys.number(0, 100, integer=True), min_items=2)
    band = ys.with_schema(ys.refined(scores, _score_band), {**ys.schema_of(scores), "maxItems": 2})
    return ys.mapping({
        "name": ys.Key(ys.text()),
        "kind": ys.Key(ys.one_of(KINDS)),
        "expect": ys.Key(ys.mapping({
            "score": ys.Key(band),
            "outcome": ys.Key(ys.one_of(OUTCOMES + (NO_OUTCOME,)), required=False),
        })),
        "replies": ys.Key(ys.list_of(ys.text())),
    })


_FILE_SPEC = ys.mapping({"scenario": ys.Key(ys.text()), "scripts": ys.Key(ys.list_of(_script_spec()))})
_TEMPLATES_SPEC = ys.mapping({"templates": ys.Key(ys.list_of(ys.mapping({
    "name": ys.Key(ys.text()),
    "replies": ys.Key(ys.list_of(ys.text())),
})))})


def _script(item: dict) -> Script:
    low, high = item["expect"]["score"]
    return Script(item["name"], item["kind"], tuple(item["replies"]), (low, high), item["expect"]["outcome"])


@dataclass
class Suite:
    """Every scenario's scripts and the shared templates, or the problems found loading them."""

    scripts: dict[str, list[Script]] = field(default_factory=dict)
    templates: list[Script] = field(default_factory=list)
    problems: list[ys.Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # scenario ids whose test file has problems


def load_suite(directory: Path = TESTS_DIR, known: Iterable[str] = ()) -> Suite:
    suite = Suite()
    known = set(known)
    for path in sorted(directory.glob("*.yml")):
        try:
            if path.name == TEMPLATES_FILE:
                data = ys.load(path, _TEMPLATES_SPEC)
                suite.templates = [Script(t["name"], "template", tuple(t["replies"]), (0, TEMPLATE_MAX), None)
                                   for t in data["templates"]]
                continue
            data = ys.load(path, _FILE_SPEC)
        except ys.InvalidFile as invalid:
            suite.problems.extend(invalid.problems)
            suite.unreadable.add(path.stem)
            continue
        if data["scenario"] != path.stem or (known and data["scenario"] not in known):
            wanted = "an existing scenario id" if data["scenario"] == path.stem else f"the file name {path.stem!r}"
            suite.problems.append(ys.Problem(str(path), _scenario_line(path), "scenario",
                                             f"must be {wanted}, found {data['scenario']!r}"))
            suite.unreadable.add(path.stem)
            continue
        suite.scripts[data["scenario"]] = [_script(item) for item in data["scripts"]]
    return suite


def _scenario_line(path: Path) -> int:
    """The line of a test file's ``scenario:`` (the file has just been read whole)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, 1) if line.startswith("scenario:")), 1)


class Runner:
    """Plays scripts through the engine's simulator (the same turn code Rasa's actions call)."""

    def __init__(self, simulator: Simulator | None = None):
        self.simulator = simulator or Simulator()

    def play(self, scenario_id: str, script: Script, check: str, source: str) -> Play:
        state, _ = self.simulator.start(scenario_id, seed=f"scenario-test:{scenario_id}:{source}:{script.name}")
        data, records = state.as_dict(), []
        for reply in script.replies:
            if data.get("ended"):
                break
            turn = self.simulator.reply(data, reply)
            data = turn.state.as_dict()
            records.append(turn.record)
        card = self.simulator.scorecard(data, records, trainee="scenario test")
        accepted = [event.split(":", 1)[1] for r in records for event in r["events"] if event.startswith("accepted:")]
        return Play(check, scenario_id, source, script, card["overall"], card["outcome"], accepted, len(records))

    def run(self, suite: Suite, only: Sequence[str] | None = None) -> list[Play]:
        """Own scripts, other scenarios' good scripts and the templates, for each scenario
        (or for those of ``only``)."""
        plays: list[Play] = []
        targets = [sid for sid in suite.scripts if only is None or sid in only]
        for scenario_id in targets:
            plays.extend(self.play(scenario_id, s, "own", scenario_id) for s in suite.scripts[scenario_id])
            for other, scripts in suite.scripts.items():
                if other != scenario_id:
                    plays.extend(self.play(scenario_id, s, "cross", other) for s in scripts if s.kind == "good")
            plays.extend(self.play(scenario_id, t, "template", "template") for t in suite.templates)
        return plays


    def run_for(self, suite: Suite, scenario_ids: Sequence[str]) -> list[Play]:
        """Every play that concerns these scenarios, once: their own scripts, the checks
        played against them, and their good scripts played against every other scenario."""
        plays = self.run(suite, scenario_ids)
        for source in scenario_ids:
            for other in suite.scripts:
                if other != source and other not in scenario_ids:
                    plays.extend(self.play(other, s, "cross", source)
                                 for s in suite.scripts.get(source, ()) if s.kind == "good")
        return plays


def missing_tests(suite: Suite, scenario_ids: Iterable[str]) -> list[str]:
    """Scenarios without a good, a mediocre and a bad script of their own."""
    missing = []
    for scenario_id in sorted(set(scenario_ids) - suite.unreadable):
        kinds = {s.kind for s in suite.scripts.get(scenario_id, ())}
        lacking = [k for k in KINDS if k not in kinds]
        if lacking:
            missing.append(f"{scenario_id}: no {', no '.join(lacking)} script in scenarios/tests/{scenario_id}.yml")
    return missing


def report(plays: Sequence[Play]) -> str:
    """The table a trainer reads: own scripts one per line, the automatic checks summed up
    per scenario, and every miss spelled out."""
    lines = [f"{'scenario':<20} {'script':<58} {'kind':<8} {'expected':<20} {'score':>5}  {'outcome':<9} ok"]
    for play in plays:
        if play.check == "own":
            lines.append(f"{play.scenario_id:<20} {_short(play.script.name, 58):<58} {play.script.kind:<8} "
                         f"{play.expected:<20} {play.overall:>5}  {play.outcome or NO_OUTCOME:<9} "
                         f"{'ok' if play.passed else 'MISS'}")
    lines.append("")
    lines.append(f"{'scenario':<20} {'other scenarios good scripts':<38} {'content-free templates':<38}")
    for scenario_id in dict.fromkeys(p.scenario_id for p in plays):
        cells = []
        for check in ("cross", "template"):
            chosen = [p for p in plays if p.scenario_id == scenario_id and p.check == check]
            if chosen:
                accepted = sum(bool(p.accepted) for p in chosen)
                cells.append(f"max {max(p.overall for p in chosen):>3}, mean {sum(p.overall for p in chosen) / len(chosen):5.1f}, "
                             f"accepted {accepted}/{len(chosen)}")
            else:
                cells.append("-")
        lines.append(f"{scenario_id:<20} {cells[0]:<38} {cells[1]:<38}")
    misses = [p for p in plays if not p.passed]
    lines.append("")
    for play in misses:
        took = f", accepted {', '.join(play.accepted)}" if play.accepted else ""
        lines.append(f"MISS {play.check}: {play.source} script {play.script.name!r} against {play.scenario_id}: "
                     f"scored {play.overall}, outcome {play.outcome or NO_OUTCOME}{took}; expected {play.expected}")
    lines.append(f"{len(plays) - len(misses)} of {len(plays)} plays as expected")
    return "\n".join(lines)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
