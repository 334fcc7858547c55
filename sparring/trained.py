"""The trained half of the checklist detector: two classifiers that weigh the rule cues
together with the reply's own words, averaged into one score per label.

Rules alone are brittle both ways (a cue fires in the wrong frame; a feeling is named
without a stock word), so the rules' findings are written into the models' input as
feature tokens (``cue_apology``, ``rule_listen``, ``shared_2`` ...) next to the reply's
words, and the models learn from the labelled replies in ``checklist/train*.jsonl`` which
combinations a team lead would count: a spaCy ``textcat_multilabel`` (bag of word n-grams)
and a logistic regression (``sparring.linear``) over word and character n-grams, which
tolerate chat-style misspellings, and over the reply with the customer's own words masked,
which shows whether a restated specific sits in an apology, a question or a remedy.
Averaging the two beat either alone in cross-validation on the train split. Training is
deterministic (fixed seed, fixed order), takes about a minute and a half, and runs in the
set-up whenever its inputs change; the held-out test split is never seen here.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from sparring.checklist import MODEL_LABELS
from sparring.language import load_language
from sparring.linear import LinearModel
from sparring.rules import Detection, RuleDetector, _keep_tensorflow_out

LABELS: tuple[str, ...] = MODEL_LABELS
ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "models" / "checklist"
SEED = 7
EPOCHS = 15  # matched 40 epochs in cross-validation, in well under half the training time
DROPOUT = 0.1
SOURCES = (
    Path(__file__).with_name("rules.py"),
    Path(__file__).with_name("grounding.py"),
    Path(__file__).with_name("specifics.py"),
    Path(__file__).with_name("linear.py"),
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


def rule_tokens(rules: Detection) -> str:
    """What the rules saw and found in a reply, as feature tokens for the models."""
    found = {f"rule_{label}" for label in rules.moves + rules.penalties}
    return " ".join(sorted(rules.features | found))


def model_text(text: str, rules: Detection) -> str:
    """The spaCy model's input: the reply, then the rules' feature tokens."""
    return f"{text.lower()} {rule_tokens(rules)}"


class ChecklistModel:
    """Both trained classifiers behind one call: a score in 0..1 for every label."""

    def __init__(self, textcat, linear: LinearModel):
        self.textcat = textcat
        self.linear = linear

    def scores(self, text: str, rules: Detection) -> dict[str, float]:
        cats = self.textcat(model_text(text, rules)).cats
        linear = self.linear.scores(text.lower(), rule_tokens(rules), rules.restatement)
        return {label: (cats[label] + linear[label]) / 2 for label in LABELS}

    def save(self, model_dir: Path) -> None:
        model_dir.mkdir(parents=True, exist_ok=True)
        self.textcat.to_disk(model_dir / "textcat")
        self.linear.save(model_dir / "linear.joblib")

    @classmethod
    def load(cls, model_dir: Path) -> "ChecklistModel":
        import spacy

        return cls(spacy.load(model_dir / "textcat"), LinearModel.load(model_dir / "linear.joblib"))


def fingerprint() -> str:
    """Hash of everything the model is trained from: data, the language data, and the code."""
    from sparring.evaluation import split_files

    digest = hashlib.sha256(load_language().model_inputs())
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


def train(examples: Sequence, rules: RuleDetector, epochs: int = EPOCHS, seed: int = SEED) -> ChecklistModel:
    """Train both classifiers on labelled examples (objects with text, context, moves, penalties)."""
    found = [rules.detect(item.text, item.context) for item in examples]
    targets = np.array([[label in item.moves or label in item.penalties for label in LABELS] for item in examples],
                       dtype=float)
    textcat = _train_textcat([model_text(item.text, seen) for item, seen in zip(examples, found)], targets,
                             epochs, seed)
    linear = LinearModel.fit([(item.text.lower(), rule_tokens(seen), seen.restatement)
                              for item, seen in zip(examples, found)], targets, LABELS)
    return ChecklistModel(textcat, linear)


def _train_textcat(texts: Sequence[str], targets: np.ndarray, epochs: int, seed: int):
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = _blank_textcat()
    data = [Example.from_dict(nlp.make_doc(text), {"cats": dict(zip(LABELS, map(float, row)))})
            for text, row in zip(texts, targets)]
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
    stamp = model_dir / "inputs.sha256"
    wanted = fingerprint()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return ChecklistModel.load(model_dir)
    from sparring.evaluation import load_split

    model = train(load_split("train"), rules or RuleDetector())
    _save_whole(model, model_dir, wanted)
    return model


def _save_whole(model: ChecklistModel, model_dir: Path, stamp: str) -> None:
    """Save beside the model folder, then swap it in: another process (the action server, a
    test run) never loads a half-written model, and two trainings never mix their files."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".checklist-", dir=model_dir.parent))
    staging.chmod(0o755)  # mkdtemp's folder is private; the model is not
    model.save(staging)
    (staging / "inputs.sha256").write_text(stamp)
    retired = model_dir.with_name(f".retired-{os.getpid()}-{model_dir.name}")
    if model_dir.exists():
        model_dir.rename(retired)
    staging.rename(model_dir)
    shutil.rmtree(retired, ignore_errors=True)


if __name__ == "__main__":  # `python -m sparring.trained`: train now if the inputs changed (set-up)
    load_or_train()
