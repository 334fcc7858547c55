"""JSON Schemas of the files trainers edit, generated from the validators that check them.

Editors (VS Code with the YAML extension, JetBrains IDEs, anything speaking the YAML
language server) complete and check fields from a schema named in a file's first line
(`# yaml-language-server: $schema=...`). The schemas are generated from the very specs
`sparring lint` runs (``sparring.yamlschema``), so they cannot drift from it:
`sparring schema` writes them under `schemas/`, `sparring schema --check` (part of the
tests) fails when a committed one is stale. What only lint can check (an id equal to the
file name, weights adding up to 100, calm_enough not above start) is said in descriptions.
"""

from __future__ import annotations

import json
from pathlib import Path

from sparring import yamlschema as ys
from sparring.language import ROOT

SCHEMA_DIR = ROOT / "schemas"
DRAFT = "http://json-schema.org/draft-07/schema#"


def schemas() -> dict[str, dict]:
    """File name -> schema, for every kind of file a trainer edits."""
    from sparring.playbook import _PERSONAS_SPEC, _RUBRIC_SPEC, load_personas
    from sparring.scenario_tests import _FILE_SPEC, _TEMPLATES_SPEC
    from sparring.scenarios import _scenario_spec, remedy_kinds

    specs = {
        "scenario.schema.json": ("A Sparring scenario (docs/scenario-format.md)",
                                 _scenario_spec(tuple(sorted(load_personas())), remedy_kinds())),
        "scenario-tests.schema.json": ("Scripted trainees of one scenario (scenarios/tests/README.md)", _FILE_SPEC),
        "content-free.schema.json": ("Content-free polite templates played against every scenario", _TEMPLATES_SPEC),
        "rubric.schema.json": ("How Sparring scores and how the customer's mood reacts (playbook/rubric.yml)",
                               _RUBRIC_SPEC),
        "personas.schema.json": ("The kinds of difficult customer (playbook/personas.yml)", _PERSONAS_SPEC),
    }
    return {name: {"$schema": DRAFT, "title": title, **ys.schema_of(spec)} for name, (title, spec) in specs.items()}


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def stale(directory: Path = SCHEMA_DIR) -> list[str]:
    """Committed schemas that differ from what the validators say now."""
    return [name for name, schema in schemas().items()
            if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != render(schema)]
