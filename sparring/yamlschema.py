"""A small validator for trainer-written YAML that reports ``file:line: field: problem``.

Trainers edit scenarios by hand and review them in git; a bare "KeyError" or a message
without a line number sends them hunting. This module walks PyYAML's node tree (which
keeps line numbers) instead of the plain parsed data, so every error points at the exact
line, and collects every error of a file in one pass instead of stopping at the first.

Every spec also carries the JSON Schema of what it accepts (``schema_of``), so the schema
editors use to complete and check fields is generated from this one validator, never
written twice (``sparring.schemas``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import yaml

from sparring.limits import MAX_FILE_BYTES


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, located for a human."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field or '(file)'}: {self.message}"


class InvalidFile(Exception):
    """A file that cannot be used; carries every problem found in it."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Checker:
    """Collects problems while converting a YAML node tree into plain Python values."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def fail(self, node: yaml.Node | None, where: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(self.path, line, where, message))


Spec = Callable[[Checker, yaml.Node, str], Any]


def with_schema(check: Spec, schema: dict) -> Spec:
    """Attach the JSON Schema of what ``check`` accepts (for specs written by hand)."""
    check.json_schema = schema  # type: ignore[attr-defined]
    return check


def schema_of(spec: Spec) -> dict:
    """The JSON Schema of what ``spec`` accepts."""
    return dict(spec.json_schema)  # type: ignore[attr-defined]


def described(spec: Spec, description: str) -> Spec:
    """The same spec, with a description for editors (shown when completing the field)."""

    def check(checker: Checker, node: yaml.Node, where: str):
        return spec(checker, node, where)

    return with_schema(check, {**schema_of(spec), "description": description})

# Resolves scalar nodes with YAML's own typing rules; needs no stream of its own.
_CONSTRUCTOR = yaml.SafeLoader("")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}"


def _scalar(checker: Checker, node: yaml.Node, where: str) -> Any:
    """Resolve a scalar node with YAML's own typing rules (so `5` is int, `yes` is bool)."""
    if not isinstance(node, yaml.ScalarNode):
        checker.fail(node, where, f"expected a single value, found {_kind(node)}")
        return None
    return _CONSTRUCTOR.construct_object(node)


def text(min_length: int = 1) -> Spec:
    def check(checker: Checker, node: yaml.Node, where: str) -> str | None:
        value = _scalar(checker, node, where)
        if value is None and isinstance(node, yaml.ScalarNode):
            checker.fail(node, where, "is empty")
            return None
        if value is None:
            return None
        if isinstance(value, (bool, dict, list)):
            checker.fail(node, where, f"expected text, found {value!r}")
            return None
        result = str(value).strip()
        if len(result) < min_length:
            checker.fail(node, where, "is empty")
            return None
        return result

    # Numbers are accepted as text too (a trainer may write `mentions: [4417]`).
    return with_schema(check, {"type": ["string", "number"], "minLength": min_length, "pattern": r"\S"})


def number(low: float, high: float, integer: bool = False) -> Spec:
    def check(checker: Checker, node: yaml.Node, where: str) -> float | int | None:
        value = _scalar(checker, node, where)
        wanted = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            if isinstance(node, yaml.ScalarNode):
                checker.fail(node, where, f"expected {wanted} from {low:g} to {high:g}, found {node.value!r}")
            return None
        if not low <= value <= high:
            checker.fail(node, where, f"must be from {low:g} to {high:g}, found {value:g}")
            return None
        return value

    return with_schema(check, {"type": "integer" if integer else "number", "minimum": low, "maximum": high})


def boolean() -> Spec:
    def check(checker: Checker, node: yaml.Node, where: str) -> bool | None:
        value = _scalar(checker, node, where)
        if not isinstance(value, bool):
            if isinstance(node, yaml.ScalarNode):
                checker.fail(node, where, f"expected true or false, found {node.value!r}")
            return None
        return value

    return with_schema(check, {"type": "boolean"})


def one_of(choices: Sequence[str]) -> Spec:
    def check(checker: Checker, node: yaml.Node, where: str) -> str | None:
        value = text()(checker, node, where)
        if value is not None and value not in choices:
            checker.fail(node, where, f"must be one of {', '.join(choices)}; found {value!r}")
            return None
        return value

    return with_schema(check, {"enum": list(choices)})


def list_of(item: Spec, min_items: int = 1) -> Spec:
    def check(checker: Checker, node: yaml.Node, where: str) -> list | None:
        if not isinstance(node, yaml.SequenceNode):
            checker.fail(node, where, f"expected a list, found {_kind(node)}")
            return None
        if len(node.value) < min_items:
            checker.fail(node, where, f"needs at least {min_items} item(s), found {len(node.value)}")
        values = [item(checker, child, f"{where}[{i}]") for i, child in enumerate(node.value)]
        return [v for v in values if v is not None]

    return with_schema(check, {"type": "array", "items": schema_of(item), "minItems": min_items})


@dataclass(frozen=True)
class Key:
    spec: Spec
    required: bool = True
    default: Any = None


def mapping(keys: Mapping[str, Key]) -> Spec:
    """A mapping with a fixed set of keys: unknown keys are errors (they are usually typos)."""

    def check(checker: Checker, node: yaml.Node, where: str) -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            checker.fail(node, where, f"expected a mapping, found {_kind(node)}")
            return None
        result: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            field_name = f"{where}.{name}" if where else name
            if name in seen:
                checker.fail(key_node, field_name, "appears twice")
                continue
            seen.add(name)
            if name not in keys:
                checker.fail(key_node, field_name, f"unknown key; expected one of {', '.join(keys)}")
                continue
            result[name] = keys[name].spec(checker, value_node, field_name)
        for name, key in keys.items():
            if name not in seen:
                if key.required:
                    checker.fail(node, f"{where}.{name}" if where else name, "is missing")
                else:
                    result[name] = key.default
        return result

    return with_schema(check, {
        "type": "object",
        "properties": {name: schema_of(key.spec) for name, key in keys.items()},
        "required": [name for name, key in keys.items() if key.required],
        "additionalProperties": False,
    })


def dict_of(key_choices: Sequence[str], value: Spec) -> Spec:
    """A mapping whose keys come from a known vocabulary (e.g. move names), all optional."""

    def check(checker: Checker, node: yaml.Node, where: str) -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            checker.fail(node, where, f"expected a mapping, found {_kind(node)}")
            return None
        result = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            field_name = f"{where}.{name}"
            if name not in key_choices:
                checker.fail(key_node, field_name, f"unknown key; expected one of {', '.join(key_choices)}")
                continue
            checked = value(checker, value_node, field_name)
            if checked is not None:
                result[name] = checked
        return result

    return with_schema(check, {"type": "object", "properties": {name: schema_of(value) for name in key_choices},
                                "additionalProperties": False})


def named(value: Spec, what: str) -> Spec:
    """A mapping of free names (persona names, say) to values of one spec."""

    def check(checker: Checker, node: yaml.Node, where: str) -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            checker.fail(node, where, f"expected a mapping of {what}")
            return None
        return {str(k.value): value(checker, v, f"{where}.{k.value}") for k, v in node.value}

    return with_schema(check, {"type": "object", "additionalProperties": schema_of(value)})


def either(first: Spec, second: Spec, first_when: type) -> Spec:
    """Pick a spec by the node's shape (e.g. a plain list or a mapping of bands)."""

    def check(checker: Checker, node: yaml.Node, where: str) -> Any:
        return (first if isinstance(node, first_when) else second)(checker, node, where)

    return with_schema(check, {"anyOf": [schema_of(first), schema_of(second)]})


def refined(spec: Spec, rule: Callable[[Checker, yaml.Node, str, Any], None]) -> Spec:
    """The same spec plus a rule across its fields (``rule(checker, node, where, value)``,
    called once the value is read), reported at the line of the field it concerns."""

    def check(checker: Checker, node: yaml.Node, where: str) -> Any:
        value = spec(checker, node, where)
        if value is not None:
            rule(checker, node, where, value)
        return value

    return with_schema(check, schema_of(spec))


def value_node(node: yaml.Node, key: str) -> yaml.Node:
    """The node of ``key``'s value in a mapping node (the mapping itself when it is absent)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, child in node.value:
            if str(key_node.value) == key:
                return child
    return node


def _refuse_unsafe(path: Path, text: str) -> None:
    """Anchors and aliases (``&a`` / ``*a``) let a few kilobytes stand for gigabytes once
    expanded, so files trainers edit do without them; checked on the parser's events, before
    any node is built."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InvalidFile([Problem(str(path), event.start_mark.line + 1, "",
                                       "anchors and aliases (& and *) are not allowed: write the value out")])


def load(path: Path, spec: Spec) -> dict:
    """Parse and check one file; raise InvalidFile with every problem found."""
    checker = Checker(str(path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidFile([Problem(str(path), 1, "", f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")])
        text = path.read_text(encoding="utf-8")
        _refuse_unsafe(path, text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidFile([Problem(str(path), line, "", f"YAML syntax error: {error.problem}")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidFile([Problem(str(path), 1, "", f"cannot read file: {error}")]) from None
    if node is None:
        raise InvalidFile([Problem(str(path), 1, "", "file is empty")])
    value = spec(checker, node, "")
    if checker.problems:
        raise InvalidFile(checker.problems)
    return value
