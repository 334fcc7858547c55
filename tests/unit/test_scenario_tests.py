"""`sparring test-scenarios`: scripts play through the engine, misses fail, bad files name
their line, and the automatic checks cover every scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sparring.scenario_tests import (CROSS_MAX, TEMPLATE_MAX, Runner, Script, Suite, load_suite, missing_tests,
                                     report)
from sparring.scenarios import Catalogue

GOOD_REPLIES = (
    "I'm so sorry, Dana: £389.99 taken twice for one coffee machine on 14 March, and now you're overdrawn with "
    "your rent due on Friday. That must be frightening.",
    "Has the second payment caused any fees on your account?",
    "I've refunded the duplicate £389.99 to your account today so your rent goes out on Friday, and I've waived "
    "the £25 fee. I'll call you tomorrow by noon to confirm it has all cleared.",
)


@pytest.fixture(scope="module")
def runner() -> Runner:
    return Runner()


def script(replies, band=(85, 100), outcome="resolved", kind="good") -> Script:
    return Script("a test script", kind, tuple(replies), band, outcome)


def test_a_good_script_meets_its_band_and_a_wrong_band_is_a_miss(runner):
    played = runner.play("double-charge", script(GOOD_REPLIES), "own", "double-charge")
    assert played.passed and played.outcome == "resolved" and played.overall >= 85
    wrong = runner.play("double-charge", script(GOOD_REPLIES, band=(0, 30), outcome=None), "own", "double-charge")
    assert not wrong.passed
    assert "MISS own" in report([wrong])


def test_a_good_script_for_this_case_pasted_into_another_is_a_cross_miss_if_accepted(runner):
    played = runner.play("late-parcel", script(GOOD_REPLIES), "cross", "double-charge")
    assert played.overall <= CROSS_MAX and not played.accepted and played.passed


def test_every_template_and_cross_play_is_planned_for_every_scenario(runner):
    suite = load_suite(known=Catalogue().refresh().scenarios)
    plays = runner.run(suite, ["double-charge"])
    checks = {p.check for p in plays}
    assert checks == {"own", "cross", "template"}
    others_good = sum(1 for sid, scripts in suite.scripts.items() if sid != "double-charge"
                      for s in scripts if s.kind == "good")
    assert sum(p.check == "cross" for p in plays) == others_good
    assert sum(p.check == "template" for p in plays) == len(suite.templates) >= 8
    assert all(p.expected.startswith(f"<= {TEMPLATE_MAX}") for p in plays if p.check == "template")


def test_a_malformed_test_file_names_its_line(tmp_path):
    (tmp_path / "double-charge.yml").write_text(
        "scenario: double-charge\nscripts:\n  - name: x\n    kind: brilliant\n    expect: {score: [85, 100]}\n"
        "    replies: [hello]\n", encoding="utf-8")
    suite = load_suite(tmp_path)
    assert [str(p) for p in suite.problems] == [
        f"{tmp_path / 'double-charge.yml'}:4: scripts[0].kind: must be one of good, mediocre, bad; found 'brilliant'"]


@pytest.mark.parametrize("band, message", [
    ("[100, 85]", "the lowest score comes first: [85, 100], not [100, 85]"),
    ("[85, 90, 100]", "must be two scores, [lowest, highest]; found 3"),
])
def test_a_score_band_that_no_score_could_meet_is_refused(tmp_path, band, message):
    (tmp_path / "double-charge.yml").write_text(
        f"scenario: double-charge\nscripts:\n  - name: x\n    kind: good\n    expect: {{score: {band}}}\n"
        "    replies: [hello]\n", encoding="utf-8")
    suite = load_suite(tmp_path)
    assert [str(p) for p in suite.problems] == [f"{tmp_path / 'double-charge.yml'}:5: scripts[0].expect.score: {message}"]
    assert missing_tests(suite, ["double-charge"]) == [], "a broken file is reported once, not also as empty"


def test_a_scenario_without_its_three_kinds_is_reported():
    suite = Suite(scripts={"double-charge": [script(GOOD_REPLIES)]})
    [missing] = missing_tests(suite, ["double-charge"])
    assert "no mediocre, no bad" in missing


def test_the_command_exits_non_zero_on_a_miss(tmp_path):
    """Played as a trainer would: the CLI on a copy of the scenarios with an impossible band."""
    import shutil

    from sparring.scenarios import SCENARIO_DIR

    scenarios = tmp_path / "scenarios"
    shutil.copytree(SCENARIO_DIR, scenarios)
    tests = scenarios / "tests" / "double-charge.yml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("score: [85, 100]", "score: [0, 1]", 1), encoding="utf-8")
    env = {**os.environ, "SPARRING_SCENARIOS": str(scenarios)}
    run = subprocess.run([sys.executable, "-m", "sparring", "test-scenarios", "double-charge"], capture_output=True,
                         text=True, env=env, cwd=Path(__file__).resolve().parents[2], timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "MISS own: double-charge script" in run.stdout
