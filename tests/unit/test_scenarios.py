"""Scenario validation: every kind of error names file, line and field; a bad file is
refused whole while the others keep working."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sparring.playbook import load_personas
from sparring.scenarios import SCENARIO_DIR, Catalogue, load_scenario
from sparring.yamlschema import InvalidFile

GOOD_FILE = SCENARIO_DIR / "double-charge.yml"


def write_variant(tmp_path: Path, old: str, new: str, name: str = "double-charge") -> Path:
    text = GOOD_FILE.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in the scenario"
    path = tmp_path / f"{name}.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidFile) as raised:
        load_scenario(path, load_personas())
    return [str(p) for p in raised.value.problems]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_shipped_scenarios_load():
    catalogue = Catalogue().refresh()
    assert catalogue.problems == []
    personas = {s.persona for s in catalogue.scenarios.values()}
    assert {"angry", "legal_threat", "abusive"} <= personas


def test_unknown_key_is_named_with_its_line(tmp_path):
    path = write_variant(tmp_path, "difficulty: medium", "difficulty: medium\ndificulty: hard")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, 'dificulty')}: dificulty: unknown key")


def test_wrong_type_is_named_with_its_line(tmp_path):
    path = write_variant(tmp_path, "  start: 8", "  start: very angry")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, 'very angry')}: mood.start: expected a number")


def test_out_of_range_value(tmp_path):
    path = write_variant(tmp_path, "  start: 8", "  start: 14")
    [problem] = problems_of(path)
    assert "mood.start: must be from 0 to 10, found 14" in problem


def test_missing_field(tmp_path):
    path = write_variant(tmp_path, "customer_name: Dana Whitfield\n", "")
    [problem] = problems_of(path)
    assert "customer_name: is missing" in problem


def test_unknown_persona_lists_the_known_ones(tmp_path):
    path = write_variant(tmp_path, "persona: angry", "persona: grumpy")
    [problem] = problems_of(path)
    assert f":{line_of(path, 'grumpy')}: persona: must be one of" in problem and "legal_threat" in problem


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = write_variant(tmp_path, "difficulty: medium", "difficulty: [medium")
    [problem] = problems_of(path)
    assert "YAML syntax error" in problem and problem.startswith(f"{path}:")


def test_weights_must_add_up_to_100(tmp_path):
    path = write_variant(tmp_path, "weights: {listen: 25, empathize: 20, apologize: 25, resolve: 30}",
                         "weights: {listen: 25, empathize: 20, apologize: 25, resolve: 40}")
    [problem] = problems_of(path)
    assert "rubric.weights: must add up to 100, they add up to 110" in problem


def test_id_must_match_file_name(tmp_path):
    path = write_variant(tmp_path, "id: double-charge", "id: double-charge", name="renamed")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, 'id: double-charge')}: id: must equal the file name 'renamed'")


def test_calm_enough_above_start_is_named_at_its_line(tmp_path):
    path = write_variant(tmp_path, "  calm_enough: ", "  calm_enough: 9.5 #")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, 'calm_enough: 9.5')}: mood.calm_enough: must not be above")


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = write_variant(tmp_path, "difficulty: medium", "difficulty: extreme\nsetting_: bank")
    problems = problems_of(path)
    assert any("difficulty: must be one of easy, medium, hard" in p for p in problems)
    assert any("setting_: unknown key" in p for p in problems)


def test_a_broken_file_is_refused_and_the_others_keep_working(tmp_path):
    for path in SCENARIO_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "late-parcel.yml").write_text("id: late-parcel\ntitle: [unclosed\n")
    catalogue = Catalogue(directory=tmp_path).refresh()
    assert "late-parcel" not in catalogue.scenarios
    assert "double-charge" in catalogue.scenarios
    assert any("late-parcel.yml:" in str(p) and "YAML syntax error" in str(p) for p in catalogue.problems)


def test_an_edited_scenario_is_picked_up_without_restart(tmp_path):
    shutil.copy(GOOD_FILE, tmp_path / GOOD_FILE.name)
    catalogue = Catalogue(directory=tmp_path)
    assert catalogue.get("double-charge").title == "Charged twice for one coffee machine"
    edited = tmp_path / GOOD_FILE.name
    edited.write_text(edited.read_text().replace("title: Charged twice for one coffee machine", "title: Edited"))
    later = edited.stat().st_mtime + 10  # an edit within the clock's resolution still counts
    os.utime(edited, (later, later))
    assert catalogue.get("double-charge").title == "Edited"


def test_lint_cli_exits_non_zero_and_names_the_line(tmp_path):
    path = write_variant(tmp_path, "persona: angry", "persona: grumpy")
    result = subprocess.run([sys.executable, "-m", "sparring", "lint", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{path}:{line_of(path, 'grumpy')}: persona:" in result.stderr
    ok = subprocess.run([sys.executable, "-m", "sparring", "lint"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_lint_cli_checks_the_scenario_tests_beside_a_folder(tmp_path):
    scenarios = tmp_path / "scenarios"
    shutil.copytree(SCENARIO_DIR, scenarios)
    tests = scenarios / "tests" / "double-charge.yml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("kind: mediocre", "kind: so-so", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sparring", "lint", str(scenarios)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{tests}:{line_of(tests, 'so-so')}: scripts[" in result.stderr and "kind: must be one of" in result.stderr


def test_scenarios_cli_lists_json():
    import json
    result = subprocess.run([sys.executable, "-m", "sparring", "scenarios", "--json"], capture_output=True, text=True)
    rows = json.loads(result.stdout)
    assert {"id", "title", "persona", "difficulty"} <= set(rows[0])
    assert "double-charge" in {r["id"] for r in rows}


@pytest.mark.parametrize("old, new, marker, message", [
    ("      kinds: [refund, credit]", "      kinds: [refnd, credit]", "refnd",
     "resolutions.accept[0].kinds[0]: must be one of"),
    ("      kinds: [waive, refund]\n", "", "name: remove the overdraft fee",
     "resolutions.accept[1]: needs kinds or says"),
    ("      partial: true", "      partial: sometimes", "sometimes",
     "resolutions.accept[1].partial: expected true or false"),
    ('problem: "the £389.99 you took twice from my account"\n', "", "id: double-charge", "problem: is missing"),
    ('  - "I\'ve just checked my app', '  - "{customer}, I\'ve just checked my app', "{customer}",
     "opening[0]: unknown placeholder {customer}: use {name}, {problem}, {term}"),
    ("      says: [drop off", "      about: [fee]\n      says: [drop off", "about: [fee]",
     "resolutions.reject[0].about: unknown key"),
], ids=["unknown-kind", "remedy-nobody-could-offer", "partial-not-boolean", "problem-missing", "unknown-placeholder",
        "refused-remedy-needs-no-about"])
def test_remedy_and_case_fields_are_checked_at_their_line(tmp_path, old, new, marker, message):
    path = write_variant(tmp_path, old, new)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, marker)}: {message}"), problem


def test_the_version_changes_with_the_content(tmp_path):
    first = load_scenario(write_variant(tmp_path, "difficulty: medium", "difficulty: medium"), load_personas())
    second = load_scenario(write_variant(tmp_path, "patience_seconds: 45", "patience_seconds: 50"), load_personas())
    assert first.version and second.version and first.version != second.version


def test_an_alias_bomb_is_refused_at_its_line_before_it_is_expanded(tmp_path):
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    path = tmp_path / "double-charge.yml"
    path.write_text(GOOD_FILE.read_text(encoding="utf-8") + "\n".join(levels) + "\n", encoding="utf-8")
    [problem] = problems_of(path)
    assert problem == f"{path}:{line_of(path, 'a0: &a0')}: (file): anchors and aliases (& and *) are not allowed: write the value out"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    from sparring.limits import MAX_FILE_BYTES

    path = tmp_path / "double-charge.yml"
    path.write_text(GOOD_FILE.read_text(encoding="utf-8") + "#" * MAX_FILE_BYTES, encoding="utf-8")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:1: (file): the file is ") and f"the limit is {MAX_FILE_BYTES:,}" in problem
