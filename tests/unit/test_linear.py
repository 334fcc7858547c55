"""The linear classifier's fast scoring path must give what scikit-learn itself computes.

``LinearModel.scores`` rebuilds the tf-idf features in plain Python for speed; if it ever
drifted from scikit-learn's own transform (a changed analyzer, normalisation or block
weight), the detector would silently score with a different model than the one trained.
"""

from __future__ import annotations

import numpy as np
import pytest

from sparring.evaluation import load_split
from sparring.linear import LinearModel, _stack
from sparring.trained import LABELS


@pytest.fixture(scope="module")
def fitted():
    examples = load_split("train")[::8]  # a spread of every label
    texts = [e.text.lower() for e in examples]
    tokens = [f"shared_{len(e.context) % 3} question" if "?" in e.text else "shared_0" for e in examples]
    targets = np.array([[label in e.moves | e.penalties for label in LABELS] for e in examples], dtype=float)
    return LinearModel.fit(texts, tokens, targets, LABELS)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("im so sorry ur parcel went to the wrong address, ill resend it tmrw", "shared_2 question"),
        ("That must be really worrying. I'll refund the £389.99 today.", "shared_1"),
        ("", ""),
        ("🙂 <b>ok</b> 好的", "shared_0"),
    ],
)
def test_fast_scores_match_scikit_learn(fitted, text, tokens):
    words, chars, rules = fitted.vectorizers
    features = _stack([words.transform([text]), chars.transform([text]), rules.transform([tokens])])
    expected = 1.0 / (1.0 + np.exp(-(np.asarray(features @ fitted.weights).ravel() + fitted.bias)))
    scores = fitted.scores(text, tokens)
    assert list(scores) == list(LABELS)
    assert np.allclose([scores[label] for label in LABELS], expected, atol=1e-9)


def test_saved_model_scores_the_same_after_loading(fitted, tmp_path):
    fitted.save(tmp_path / "linear.joblib")
    loaded = LinearModel.load(tmp_path / "linear.joblib")
    text = "so the engineer never turned up on tuesday?"
    assert loaded.scores(text, "question") == fitted.scores(text, "question")
