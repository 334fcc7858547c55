"""The linear classifier's fast scoring path must give what scikit-learn itself computes.

``LinearModel.scores`` rebuilds the tf-idf features in plain Python for speed; if it ever
drifted from scikit-learn's own transform (a changed analyzer, normalisation or block
weight), the detector would silently score with a different model than the one trained.
"""

from __future__ import annotations

import numpy as np
import pytest

from sparring.evaluation import load_split
from sparring.linear import LinearModel, _stack, _views
from sparring.rules import RuleDetector
from sparring.trained import LABELS, rule_tokens


@pytest.fixture(scope="module")
def fitted():
    rules = RuleDetector()
    examples = load_split("train")[::8]  # a spread of every label
    found = [rules.detect(e.text, e.context) for e in examples]
    replies = [(e.text.lower(), rule_tokens(seen), seen.restatement) for e, seen in zip(examples, found)]
    targets = np.array([[label in e.moves | e.penalties for label in LABELS] for e in examples], dtype=float)
    return LinearModel.fit(replies, targets, LABELS)


@pytest.mark.parametrize(
    "text, tokens, restatement",
    [
        ("im so sorry ur parcel went to the wrong address, ill resend it tmrw", "shared_2 question",
         "im so sorry ur SHARED went to the SHARED SHARED , ill resend it tmrw"),
        ("That must be really worrying. I'll refund the £389.99 today.", "shared_1",
         "that must be really worrying . i 'll refund the £ SHAREDNUM today ."),
        ("", "", ""),
        ("🙂 <b>ok</b> 好的", "shared_0", "🙂 < b > ok</b > 好的"),
    ],
)
def test_fast_scores_match_scikit_learn(fitted, text, tokens, restatement):
    features = _stack([vectorizer.transform([document])
                       for vectorizer, document in zip(fitted.vectorizers, _views(text, tokens, restatement))])
    expected = 1.0 / (1.0 + np.exp(-(np.asarray(features @ fitted.weights).ravel() + fitted.bias)))
    scores = fitted.scores(text, tokens, restatement)
    assert list(scores) == list(LABELS)
    assert np.allclose([scores[label] for label in LABELS], expected, atol=1e-9)


def test_saved_model_scores_the_same_after_loading(fitted, tmp_path):
    fitted.save(tmp_path / "linear.joblib")
    loaded = LinearModel.load(tmp_path / "linear.joblib")
    reply = ("so the engineer never turned up on tuesday?", "question", "so the SHARED never turned up on SHARED ?")
    assert loaded.scores(*reply) == fitted.scores(*reply)
