"""The JSON Schemas editors use agree with `sparring lint`: generated from the same specs,
committed up to date, named by every file, and refusing the same broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from sparring.playbook import PLAYBOOK_DIR, load_personas
from sparring.scenario_tests import TEMPLATES_FILE, TESTS_DIR
from sparring.scenarios import SCENARIO_DIR, load_scenario
from sparring.schemas import SCHEMA_DIR, schemas, stale
from sparring.yamlschema import InvalidFile

SCENARIOS = sorted(SCENARIO_DIR.glob("*.yml"))
FILES = (
    [(path, "scenario.schema.json") for path in SCENARIOS]
    + [(path, "content-free.schema.json" if path.name == TEMPLATES_FILE else "scenario-tests.schema.json")
       for path in sorted(TESTS_DIR.glob("*.yml"))]
    + [(PLAYBOOK_DIR / "rubric.yml", "rubric.schema.json"), (PLAYBOOK_DIR / "personas.yml", "personas.schema.json")]
)


def schema_errors(data, name: str) -> list[str]:
    return [error.message for error in Draft7Validator(schemas()[name]).iter_errors(data)]


def test_the_committed_schemas_are_the_ones_the_validators_generate():
    assert stale() == [], "run `sparring schema` and commit schemas/"
    for name, schema in schemas().items():
        Draft7Validator.check_schema(schema)
        assert json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8")) == schema


@pytest.mark.parametrize("path, name", FILES, ids=[f"{p.parent.name}/{p.name}" for p, _ in FILES])
def test_every_shipped_file_names_its_schema_and_passes_it(path: Path, name: str):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=") and first.endswith(name)
    assert (path.parent / first.split("=", 1)[1]).resolve() == (SCHEMA_DIR / name).resolve()
    assert schema_errors(yaml.safe_load(path.read_text(encoding="utf-8")), name) == []


GOOD = SCENARIO_DIR / "double-charge.yml"
BROKEN = {
    "unknown key": ("difficulty: medium", "difficulty: medium\ndificulty: hard"),
    "wrong type": ("  start: 8", "  start: very angry"),
    "out of range": ("  start: 8", "  start: 14"),
    "not one of": ("persona: angry", "persona: grumpy"),
    "missing field": ("customer_name: Dana Whitfield\n", ""),
    "unknown remedy kind": ("      kinds: [refund, credit]", "      kinds: [refnd, credit]"),
    "remedy nobody could offer": ("      kinds: [waive, refund]\n", ""),
    "not true or false": ("      partial: true", "      partial: sometimes"),
    "empty text": ("title: Charged twice for one coffee machine", "title: '  '"),
    "list expected": ("    mentions: [\"4417\", \"debit\"]", "    mentions: 4417"),
    "unknown placeholder": ('  - "I\'ve just checked my app', '  - "{customer}, I\'ve just checked my app'),
}


@pytest.mark.parametrize("old, new", BROKEN.values(), ids=list(BROKEN))
def test_the_schema_and_lint_refuse_the_same_broken_file(tmp_path, old, new):
    text = GOOD.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / GOOD.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InvalidFile):
        load_scenario(path, load_personas())
    assert schema_errors(yaml.safe_load(path.read_text(encoding="utf-8")), "scenario.schema.json")
