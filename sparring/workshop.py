"""The trainers' workshop: drafts of scenarios, checked, tried and published.

A draft lives under ``var/drafts/`` (a scenario and its scripted trainees), never in
``scenarios/``, so trainees cannot meet it: the action server's catalogue only reads
``scenarios/``. A draft is linted with the same validator as ``sparring lint`` (problems
name the line of the draft), its scenario tests are played with the same runner as
``sparring test-scenarios`` against a copy of the published scenarios with the draft in
place (so the cross-scenario checks run both ways), and it is published only when both are
clean: the scenario and its tests are written atomically, and the previous and the new
text are archived as versions (``sparring.versions``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sparring import versions
from sparring import yamlschema as ys
from sparring.language import ROOT
from sparring.limits import MAX_FILE_BYTES
from sparring.playbook import load_personas
from sparring.scenario_tests import TEMPLATES_FILE, Play, Runner, load_suite, missing_tests
from sparring.scenarios import SCENARIO_DIR, Catalogue, load_scenario

DRAFTS_DIR = Path(os.environ.get("SPARRING_DRAFTS", ROOT / "var" / "drafts"))
SCENARIO_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")


class WorkshopError(ValueError):
    """A request the workshop refuses, with the reason a trainer can act on."""


@dataclass
class Check:
    """What a draft's checks found: lint problems, and the plays of its scenario tests."""

    problems: list[ys.Problem]
    plays: list[Play]
    test_problems: list[str]

    @property
    def lint_clean(self) -> bool:
        return not self.problems

    @property
    def tests_pass(self) -> bool:
        return bool(self.plays) and not self.test_problems and all(p.passed for p in self.plays)

    def as_dict(self) -> dict:
        return {
            "problems": [{"line": p.line, "field": p.field, "message": p.message, "text": str(p)} for p in self.problems],
            "test_problems": self.test_problems,
            "plays": [{"check": p.check, "scenario": p.scenario_id, "source": p.source, "script": p.script.name,
                       "kind": p.script.kind, "expected": p.expected, "overall": p.overall, "outcome": p.outcome,
                       "accepted": p.accepted, "passed": p.passed} for p in self.plays],
            "lint_clean": self.lint_clean,
            "tests_pass": self.tests_pass,
        }


def check_id(scenario_id: str) -> str:
    if not SCENARIO_ID.match(scenario_id or ""):
        raise WorkshopError("a scenario id is 2 to 60 lower-case letters, digits and dashes, e.g. late-parcel")
    return scenario_id


def _bounded(text: str, what: str) -> str:
    if not isinstance(text, str):
        raise WorkshopError(f"the {what} must be text")
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise WorkshopError(f"the {what} is longer than {MAX_FILE_BYTES:,} bytes")
    return text


class Workshop:
    """Drafts, checks and publishing, over a scenarios folder (its ``tests/`` beside it)."""

    def __init__(self, scenario_dir: Path = SCENARIO_DIR, drafts_dir: Path = DRAFTS_DIR):
        self.scenario_dir = scenario_dir
        self.drafts_dir = drafts_dir

    # --- what there is ---------------------------------------------------------------------

    def listing(self, tests: dict[str, dict] | None = None) -> list[dict]:
        """Every published scenario and every draft, with whether it lints clean, who last
        published it, and ``tests``' summary of its published tests (None while unknown)."""
        catalogue = Catalogue(self.scenario_dir).refresh()
        refused = {Path(p.path).stem for p in catalogue.problems}
        drafts = {path.stem for path in self.drafts_dir.glob("*.yml") if not path.name.endswith(".tests.yml")}
        rows = []
        for scenario_id in sorted(set(catalogue.scenarios) | refused | drafts):
            scenario = catalogue.scenarios.get(scenario_id)
            rows.append({
                "id": scenario_id,
                "title": scenario.title if scenario else "",
                "persona": scenario.persona if scenario else "",
                "published": scenario_id in catalogue.scenarios or scenario_id in refused,
                "published_valid": scenario is not None,
                "version": scenario.version if scenario else "",
                "draft": scenario_id in drafts,
                "draft_valid": not self.lint(scenario_id, self.draft(scenario_id)[0]) if scenario_id in drafts else None,
                "last_published": (versions.publications("scenarios", scenario_id) or [None])[-1],
                "tests": tests.get(scenario_id) if tests is not None else None,
            })
        return rows

    def draft(self, scenario_id: str) -> tuple[str, str]:
        """The scenario text and tests text a trainer is working on: their draft if they
        saved one, else the published files, else empty."""
        check_id(scenario_id)
        scenario, tests = self.drafts_dir / f"{scenario_id}.yml", self.drafts_dir / f"{scenario_id}.tests.yml"
        if not scenario.exists():
            scenario = self.scenario_dir / f"{scenario_id}.yml"
            tests = self.scenario_dir / "tests" / f"{scenario_id}.yml"
        return (scenario.read_text(encoding="utf-8") if scenario.exists() else "",
                tests.read_text(encoding="utf-8") if tests.exists() else "")

    def save(self, scenario_id: str, text: str, tests_text: str) -> None:
        check_id(scenario_id)
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        _write(self.drafts_dir / f"{scenario_id}.yml", _bounded(text, "scenario"))
        _write(self.drafts_dir / f"{scenario_id}.tests.yml", _bounded(tests_text, "scenario tests"))

    def discard(self, scenario_id: str) -> None:
        check_id(scenario_id)
        for name in (f"{scenario_id}.yml", f"{scenario_id}.tests.yml"):
            (self.drafts_dir / name).unlink(missing_ok=True)

    # --- checks ----------------------------------------------------------------------------

    def lint(self, scenario_id: str, text: str) -> list[ys.Problem]:
        """The validator's problems with the draft, located in ``scenarios/<id>.yml``."""
        check_id(scenario_id)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{scenario_id}.yml"
            path.write_text(_bounded(text, "scenario"), encoding="utf-8")
            try:
                load_scenario(path, load_personas())
            except ys.InvalidFile as invalid:
                shown = f"scenarios/{scenario_id}.yml"
                return [ys.Problem(shown, p.line, p.field, p.message) for p in invalid.problems]
        return []

    def check(self, scenario_id: str, text: str, tests_text: str) -> Check:
        """Lint the draft and, if it is clean, play the scenario tests with it in place."""
        problems = self.lint(scenario_id, text)
        if problems:
            return Check(problems, [], ["fix the problems above before the tests can run"])
        with self._staged(scenario_id, text, tests_text) as staged:
            catalogue = Catalogue(staged).refresh()
            suite = load_suite(staged / "tests", known=catalogue.scenarios)
            test_problems = [str(p).replace(str(staged), "scenarios") for p in suite.problems]
            test_problems += missing_tests(suite, [scenario_id])
            from sparring.session import Simulator

            plays = Runner(Simulator(catalogue)).run_for(suite, [scenario_id])
        return Check([], plays, test_problems)

    # --- publishing --------------------------------------------------------------------------

    def publish(self, scenario_id: str, who: str) -> dict:
        """Publish the saved draft: only when it lints clean and its tests pass. The previous
        published text stays in the version archive."""
        text, tests_text = self.draft(scenario_id)
        if not (self.drafts_dir / f"{scenario_id}.yml").exists():
            raise WorkshopError("there is no saved draft of this scenario to publish")
        result = self.check(scenario_id, text, tests_text)
        if not result.lint_clean:
            raise WorkshopError("the draft has problems: fix them before publishing")
        if not result.tests_pass:
            raise WorkshopError("the draft's scenario tests do not all pass: fix them before publishing")
        target, tests_target = self.scenario_dir / f"{scenario_id}.yml", self.scenario_dir / "tests" / f"{scenario_id}.yml"
        previous = versions.archive("scenarios", scenario_id, target.read_bytes()) if target.exists() else None
        _write(tests_target, tests_text)
        _write(target, text)
        version = versions.archive("scenarios", scenario_id, text.encode("utf-8"))
        self.discard(scenario_id)
        publication = {"id": scenario_id, "version": version, "previous_version": previous, "published_by": who,
                       "published_at": time.time()}
        versions.record_publication("scenarios", scenario_id, publication)
        return publication

    @contextmanager
    def _staged(self, scenario_id: str, text: str, tests_text: str) -> Iterator[Path]:
        """A copy of the published scenarios and their tests with the draft in place."""
        with tempfile.TemporaryDirectory() as folder:
            staged = Path(folder) / "scenarios"
            (staged / "tests").mkdir(parents=True)
            for path in self.scenario_dir.glob("*.yml"):
                shutil.copy(path, staged / path.name)
            for path in (self.scenario_dir / "tests").glob("*.yml"):
                shutil.copy(path, staged / "tests" / path.name)
            (staged / f"{scenario_id}.yml").write_text(text, encoding="utf-8")
            (staged / "tests" / f"{scenario_id}.yml").write_text(_bounded(tests_text, "scenario tests"),
                                                                 encoding="utf-8")
            if not (staged / "tests" / TEMPLATES_FILE).exists():
                raise WorkshopError(f"scenarios/tests/{TEMPLATES_FILE} is missing")
            yield staged


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: the action server may read the file at any moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class PublishedTests:
    """The published scenarios' tests, played again whenever a scenario or test file changes,
    so the trainers' list shows every scenario's result without anyone pressing a button.
    A whole run takes tens of seconds: callers run :meth:`play` on a worker thread and read
    :meth:`summary`, which is None until the run for the current files has finished."""

    def __init__(self, scenario_dir: Path = SCENARIO_DIR):
        self.scenario_dir = scenario_dir
        self._lock = threading.Lock()
        self._played: tuple[str, dict[str, dict]] | None = None

    def fingerprint(self) -> str:
        files = sorted(self.scenario_dir.glob("*.yml")) + sorted((self.scenario_dir / "tests").glob("*.yml"))
        return versions.content_version(*(path.name.encode() + b"\0" + path.read_bytes() for path in files))

    def summary(self) -> dict[str, dict] | None:
        played = self._played
        return played[1] if played and played[0] == self.fingerprint() else None

    def play(self) -> None:
        """Play every scenario's tests unless the current files' results are known."""
        with self._lock:
            fingerprint = self.fingerprint()
            if self._played and self._played[0] == fingerprint:
                return
            catalogue = Catalogue(self.scenario_dir).refresh()
            suite = load_suite(self.scenario_dir / "tests", known=catalogue.scenarios)
            from sparring.session import Simulator

            plays = Runner(Simulator(catalogue)).run(suite)
            incomplete = {problem.split(":", 1)[0] for problem in missing_tests(suite, catalogue.scenarios)}
            results = {}
            for scenario_id in catalogue.scenarios:
                concerned = [p for p in plays if scenario_id in (p.scenario_id, p.source)]
                results[scenario_id] = {"passed": sum(p.passed for p in concerned), "total": len(concerned),
                                        "complete": scenario_id not in incomplete}
            self._played = (fingerprint, results)
