"""The trained half of the checklist detector: a spaCy ``textcat_multilabel`` that weighs
the rule cues together with the reply's own words.

Rules alone are brittle both ways (a cue fires in the wrong frame; a feeling is named
without a stock word), so the rules' findings are written into the model's input as
feature tokens (``cue_apology``, ``rule_listen``, ``shared_2`` ...) next to the reply's
words, and a bag-of-ngrams text classifier learns from the labelled replies in
``checklist/train.jsonl`` which combinations a team lead would count. Training is
deterministic (fixed seed, fixed order), takes seconds, and runs in the set-up whenever
its inputs change; the held-out test split is never seen here.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Sequence

from sparring.checklist import MOVES, PENALTIES
from sparring.rules import Detection, RuleDetector, _keep_tensorflow_out

LABELS: tuple[str, ...] = MOVES + PENALTIES
ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "models" / "checklist"
SEED = 7
EPOCHS = 40
DROPOUT = 0.1
# How the model and the rules combine, per label, as chosen by 5-fold cross-validation on
# the train split (`sparring eval --cv 5`): "model" = the model's score decides, "rule" =
# the rules decide (where they beat the model: apologies, jargon), "either" = a label
# counts when either finds it. The threshold applies to the model's score. Penalties use
# 0.5 (over-promising 0.7, which plain commitments like "I'll refund it today" can reach)
# even where CV preferred lower: a wrongly charged penalty costs a lead's trust more than a
# missed one.
COMBINE: dict[str, tuple[str, float]] = {
    "listen": ("model", 0.3),
    "empathize": ("either", 0.3),
    "apologize": ("rule", 0.5),
    "resolve": ("either", 0.4),
    "blame": ("either", 0.5),
    "argue": ("either", 0.5),
    "dismiss": ("either", 0.5),
    "insult": ("either", 0.5),
    "jargon": ("rule", 0.5),
    "overpromise": ("model", 0.7),
    "calm_down": ("either", 0.5),
}
SOURCES = (
    Path(__file__).with_name("lexicon.yml"),
    Path(__file__).with_name("rules.py"),
    Path(__file__),
)
MODEL_CONFIG = {
    "threshold": 0.5,
    "model": {
        "@architectures": "spacy.TextCatBOW.v2",
        "exclusive_classes": False,
        "ngram_size": 2,
        "no_output_layer": False,
    },
}


def model_text(text: str, rules: Detection) -> str:
    """The model's input: the reply, then what the rules found, as feature tokens."""
    found = {f"rule_{label}" for label in rules.moves + rules.penalties}
    return f"{text.lower()} {' '.join(sorted(rules.features | found))}"


def fingerprint() -> str:
    """Hash of everything the model is trained from: data, lexicon, and the code."""
    from sparring.evaluation import split_files

    digest = hashlib.sha256()
    for path in (*split_files("train"), *SOURCES):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _blank_textcat():
    _keep_tensorflow_out()
    import spacy

    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config=MODEL_CONFIG)
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def train(examples: Sequence, rules: RuleDetector, epochs: int = EPOCHS, seed: int = SEED):
    """Train on labelled examples (objects with text, context, moves, penalties)."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = _blank_textcat()
    data = []
    for item in examples:
        found = rules.detect(item.text, item.context)
        cats = {label: float(label in item.moves or label in item.penalties) for label in LABELS}
        data.append(Example.from_dict(nlp.make_doc(model_text(item.text, found)), {"cats": cats}))
    optimizer = nlp.initialize(lambda: data)
    order = random.Random(seed)
    for _ in range(epochs):
        batch_order = list(data)
        order.shuffle(batch_order)
        for batch in minibatch(batch_order, size=16):
            nlp.update(batch, sgd=optimizer, drop=DROPOUT)
    return nlp


def load_or_train(model_dir: Path = MODEL_DIR, rules: RuleDetector | None = None):
    """The trained model for the current inputs: loaded when its fingerprint matches,
    otherwise trained now (seconds) and saved, so a changed lexicon or data set can never
    be scored with a stale model."""
    _keep_tensorflow_out()
    import spacy

    stamp = model_dir / "inputs.sha256"
    wanted = fingerprint()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return spacy.load(model_dir)
    from sparring.evaluation import load_split

    nlp = train(load_split("train"), rules or RuleDetector())
    model_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model_dir)
    stamp.write_text(wanted)
    return nlp


if __name__ == "__main__":  # `python -m sparring.trained`: train now if the inputs changed (set-up)
    load_or_train()
