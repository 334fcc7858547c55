"""The second trained classifier: logistic regression over word and character n-grams.

Why a second model beside the spaCy text classifier: spaCy's bag-of-words model sees whole
words only, so the chat-style spellings trainees type ("apologise"/"apologize", "recieved",
"im sorry", "ill sort it") are strangers to it, and it is cautious on a small data set.
Character n-grams tolerate misspellings and share evidence between word forms ("refund",
"refunded", "refunding"); n-grams over the reply with the customer's own words masked
("sorry the SHARED was late" against "I'll refund the SHARED") carry what listening is
about whatever the specific is; and per-label logistic regression with balanced class
weights does not neglect the rarer penalties. The two models make different mistakes, so
the detector averages their scores (chosen by cross-validation on the train split; see
``sparring.trained``).

scikit-learn fits the model; scoring one reply does not go through its sparse-matrix
machinery, whose per-call overhead (about 1.3 ms) would dominate a turn. It uses the fitted
vectorizers' own analyzers, vocabularies and idf weights to build the same tf-idf features
in plain Python (a few tenths of a millisecond), which a unit test checks against
scikit-learn's output.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

# Inverse regularisation strength, and how much the rules' feature tokens weigh against the
# words: both chosen by 5-fold cross-validation on the train split.
REGULARISATION_C = 10.0
RULE_FEATURE_WEIGHT = 2.0
# The blocks of features, each from one view of the reply: its words, its characters, the
# rules' feature tokens, and the reply with the customer's own words masked (the frame a
# restated specific sits in: see ``Detection.restatement``).
BLOCK_WEIGHTS = (1.0, 1.0, RULE_FEATURE_WEIGHT, 1.0)


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        TfidfVectorizer(token_pattern=r"\S+", lowercase=False),
        TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True, token_pattern=r"\S+", lowercase=False),
    )


def _views(text: str, rule_tokens: str, restatement: str) -> tuple[str, str, str, str]:
    """The document each vectorizer reads, in block order."""
    return text, text, rule_tokens, restatement


@dataclass
class LinearModel:
    """One logistic regression per label over the same features, scored in one product."""

    labels: tuple[str, ...]
    vectorizers: tuple
    weights: np.ndarray  # features x labels
    bias: np.ndarray  # labels
    _blocks: list = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._blocks = _blocks(self.vectorizers)

    def __getstate__(self) -> dict:  # the analyzers are rebuilt on load, not pickled
        return {key: value for key, value in self.__dict__.items() if key != "_blocks"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    @classmethod
    def fit(cls, replies: Sequence[tuple[str, str, str]], targets: np.ndarray, labels: Sequence[str]) -> "LinearModel":
        """``replies``: per reply (lower-cased text, the rules' feature tokens, its
        restatement view); ``targets``: a replies x labels 0/1 matrix."""
        from sklearn.linear_model import LogisticRegression

        vectorizers = _vectorizers()
        documents = list(zip(*(_views(*reply) for reply in replies)))
        features = _stack([vectorizer.fit_transform(docs) for vectorizer, docs in zip(vectorizers, documents)])
        weights, bias = [], []
        for column in range(targets.shape[1]):
            model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=2000)
            model.fit(features, targets[:, column])
            weights.append(model.coef_[0])
            bias.append(model.intercept_[0])
        return cls(tuple(labels), vectorizers, np.array(weights).T, np.array(bias))

    def scores(self, text: str, rule_tokens: str, restatement: str) -> dict[str, float]:
        """The probability of each label for one reply."""
        columns, values = self.features(text, rule_tokens, restatement)
        logits = values @ self.weights[columns] + self.bias
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        return dict(zip(self.labels, probabilities.tolist()))

    def features(self, text: str, rule_tokens: str, restatement: str) -> tuple[list[int], np.ndarray]:
        """The reply's non-zero feature columns and values, exactly as the fitted vectorizers
        would compute them (sublinear tf x idf, L2-normalised per block, blocks weighted)."""
        columns: list[int] = []
        values: list[float] = []
        for (analyse, columns_and_idf, weight), document in zip(self._blocks, _views(text, rule_tokens, restatement)):
            block = [(entry[0], (1.0 + math.log(count)) * entry[1])
                     for term, count in Counter(analyse(document)).items() if (entry := columns_and_idf.get(term))]
            norm = math.sqrt(sum(value * value for _, value in block)) or 1.0
            columns.extend(column for column, _ in block)
            values.extend(weight * value / norm for _, value in block)
        return columns, np.array(values)

    def save(self, path: Path) -> None:
        import joblib

        joblib.dump(self, path)

    @staticmethod
    def load(path: Path) -> "LinearModel":
        import joblib

        return joblib.load(path)


def _blocks(vectorizers) -> list[tuple]:
    """Per vectorizer: its analyzer, each known term's (column in the stacked features, idf)
    as plain Python numbers (indexing numpy arrays term by term is slow), and the block weight."""
    blocks, offset = [], 0
    for vectorizer, weight in zip(vectorizers, BLOCK_WEIGHTS):
        idf = vectorizer.idf_.tolist()
        table = {term: (offset + column, idf[column]) for term, column in vectorizer.vocabulary_.items()}
        blocks.append((vectorizer.build_analyzer(), table, weight))
        offset += len(idf)
    return blocks


def _stack(parts):
    """The blocks side by side, each scaled by its weight (what scikit-learn fits on)."""
    from scipy.sparse import hstack

    return hstack([part * weight for part, weight in zip(parts, BLOCK_WEIGHTS)]).tocsr()
