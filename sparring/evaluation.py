"""Measure the checklist detector against the labelled replies in ``checklist/``.

The test split is held out: nothing in the detector is tuned on it. ``sparring eval``
prints precision, recall and F1 per move and per penalty, "any penalty", and each move's
confusion counts, and writes the same figures as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from sparring.checklist import MOVES, PENALTIES

DATA_DIR = Path(__file__).resolve().parent.parent / "checklist"
ANY_PENALTY = "any_penalty"


@dataclass(frozen=True)
class Example:
    id: str
    context: str
    text: str
    moves: frozenset[str]
    penalties: frozenset[str]
    family: str


def split_files(split: str, directory: Path = DATA_DIR) -> list[Path]:
    """The files of a split: ``test.jsonl``, or every ``train*.jsonl`` (the training data
    grows in separate files; the test split never changes)."""
    names = ("train", "test") if split == "all" else (split,)
    files: list[Path] = []
    for name in names:
        files.extend(sorted(directory.glob("train*.jsonl")) if name == "train" else [directory / f"{name}.jsonl"])
    return files


def load_split(split: str, directory: Path = DATA_DIR) -> list[Example]:
    examples = []
    for path in split_files(split, directory):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            examples.append(Example(item["id"], item.get("context", ""), item["text"], frozenset(item["moves"]),
                                    frozenset(item["penalties"]), item.get("family", "")))
    return examples


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn, "support": self.tp + self.fn}


def evaluate(examples: Sequence[Example], detector=None) -> dict:
    from sparring.detector import default_detector

    detector = detector or default_detector()
    counts = {label: Counts() for label in MOVES + PENALTIES + (ANY_PENALTY,)}
    errors = []
    for example in examples:
        found = detector.detect(example.text, example.context)
        predicted = set(found.moves) | set(found.penalties)
        expected = example.moves | example.penalties
        for label in MOVES + PENALTIES:
            counts[label].add(label in expected, label in predicted)
        counts[ANY_PENALTY].add(bool(example.penalties), bool(found.penalties))
        if predicted != expected:
            errors.append({"id": example.id, "family": example.family, "text": example.text,
                           "missed": sorted(expected - predicted), "extra": sorted(predicted - expected)})
    return {"examples": len(examples), "labels": {k: v.as_dict() for k, v in counts.items()}, "errors": errors}


def cross_validate(examples: Sequence[Example], folds: int = 5) -> dict:
    """K-fold estimate on the training split: how rules and model are developed without
    ever looking at the test split. Folds are fixed (every k-th example), so runs repeat."""
    from sparring.detector import Detector
    from sparring.rules import RuleDetector
    from sparring.trained import train

    rules = RuleDetector()
    merged: dict | None = None
    for fold in range(folds):
        held = [e for i, e in enumerate(examples) if i % folds == fold]
        rest = [e for i, e in enumerate(examples) if i % folds != fold]
        result = evaluate(held, Detector(rules, train(rest, rules)))
        if merged is None:
            merged = result
            continue
        merged["examples"] += result["examples"]
        merged["errors"] += result["errors"]
        for label, row in result["labels"].items():
            total = merged["labels"][label]
            counts = Counts(*(total[k] + row[k] for k in ("tp", "fp", "fn", "tn")))
            merged["labels"][label] = counts.as_dict()
    return merged


def format_report(result: dict, split: str) -> str:
    lines = [f"split: {split}   replies: {result['examples']}", "",
             f"{'label':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}   confusion (tp fp fn tn)"]
    for label in MOVES + (ANY_PENALTY,) + PENALTIES:
        row = result["labels"][label]
        lines.append(f"{label:<14}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}{row['support']:>9}"
                     f"   {row['tp']} {row['fp']} {row['fn']} {row['tn']}")
        if label == ANY_PENALTY:
            lines.append("")
    return "\n".join(lines)


def markdown_table(result: dict) -> str:
    rows = ["| label | precision | recall | F1 | support | tp | fp | fn | tn |", "|---|---|---|---|---|---|---|---|---|"]
    for label in MOVES + (ANY_PENALTY,) + PENALTIES:
        r = result["labels"][label]
        rows.append(f"| {label} | {r['precision']:.3f} | {r['recall']:.3f} | **{r['f1']:.3f}** | {r['support']} "
                    f"| {r['tp']} | {r['fp']} | {r['fn']} | {r['tn']} |")
    return "\n".join(rows)


def run(split: str, json_path: Path | None, show_errors: bool, folds: int = 0) -> str:
    if folds:
        result = cross_validate(load_split("train"), folds)
        split = f"train, {folds}-fold cross-validation"
    else:
        result = evaluate(load_split(split))
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps({"split": split, **result}, indent=2, ensure_ascii=False) + "\n")
    report = format_report(result, split)
    if show_errors:
        report += "\n\nerrors:\n" + "\n".join(
            f"  {e['id']} [{e['family']}] missed={e['missed']} extra={e['extra']}: {e['text']}" for e in result["errors"])
    return report

