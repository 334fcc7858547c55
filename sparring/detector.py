"""The checklist detector: which moves and penalties a trainee reply shows, and where.

Two halves, one verdict: the rules (``sparring.rules``) find cues and judge them in
context, and a trained spaCy text classifier (``sparring.trained``) weighs the rules'
findings with the reply's words and makes the call. Evidence spans come from the rules
when they agree; when only the model sees a move, the evidence is the sentence the model
scores highest for it. Signals the customer reacts to (a question, a boundary, a
counter-threat) always come from the rules.
"""

from __future__ import annotations

import json
import re
from typing import Iterable, Sequence

from sparring.rules import Detection, Evidence, RuleDetector
from sparring.trained import COMBINE, LABELS, load_or_train, model_text
from sparring.checklist import MOVES

_SENTENCE_EDGE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|$)", re.S)


class Detector:
    """Rules plus trained model; ``detect`` is the one call the rest of the engine uses."""

    def __init__(self, rules: RuleDetector | None = None, model=None):
        self.rules = rules or RuleDetector()
        self.model = model or load_or_train(rules=self.rules)

    def detect(self, text: str, context: str = "", mentions: Sequence[str] = ()) -> Detection:
        if not text or not text.strip():
            return Detection()
        found = self.rules.detect(text, context, mentions)
        scores = self.model(model_text(text, found)).cats
        verdict = Detection(signals=set(found.signals), features=set(found.features))
        rule_evidence = {e.label: e for e in found.evidence}
        for label in LABELS:
            mode, threshold = COMBINE[label]
            by_model, by_rule = scores[label] >= threshold, label in rule_evidence
            if not {"model": by_model, "rule": by_rule, "either": by_model or by_rule}[mode]:
                continue
            kind = "move" if label in MOVES else "penalty"
            evidence = rule_evidence.get(label) or self._best_sentence(text, context, mentions, label)
            confidence = scores[label] if mode == "model" else max(scores[label], evidence.confidence)
            verdict.add(label, kind, evidence.start, evidence.end, confidence)
        return verdict.ordered()

    def _best_sentence(self, text: str, context: str, mentions: Sequence[str], label: str) -> Evidence:
        """The sentence the model finds most telling for ``label`` (the reply if it has one)."""
        best, best_score = None, -1.0
        for match in _SENTENCE_EDGE.finditer(text):
            sentence = match.group().rstrip(" .!?")
            if not sentence:
                continue
            found = self.rules.detect(sentence, context, mentions)
            score = self.model(model_text(sentence, found)).cats[label]
            if score > best_score:
                best, best_score = (match.start(), match.start() + len(sentence)), score
        start, end = best or (0, len(text))
        return Evidence(label, start, end, best_score, "move" if label in MOVES else "penalty")


_DEFAULT: Detector | None = None


def default_detector() -> Detector:
    """One detector per process: loading the spaCy pipelines takes about a second."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Detector()
    return _DEFAULT


def classify_lines(lines: Iterable[str]) -> Iterable[dict]:
    """The ``sparring classify`` contract: JSON objects in, one result per input, in order."""
    detector = default_detector()
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = str(item.get("text") or "")
            context = str(item.get("context") or "")
        except (ValueError, AttributeError) as error:
            yield {"error": f"not a JSON object with a text field: {error}"}
            continue
        yield detector.detect(text, context).as_dict()
