"""How thresholds are chosen from cross-validated scores (``sparring eval --cv``)."""

from __future__ import annotations

from sparring.checklist import MOVES, PENALTIES
from sparring.evaluation import Example, best_thresholds


def example(has_listen: bool) -> Example:
    return Example("x", "", "", frozenset({"listen"} if has_listen else set()), frozenset(), "")


def scored(pairs):
    """(has the label?, listen score) pairs; every other label absent and scored 0."""
    return [(example(has), {label: (score if label == "listen" else 0.0) for label in MOVES + PENALTIES})
            for has, score in pairs]


def test_a_clear_separation_is_cut_at_the_neutral_threshold():
    chosen = best_thresholds(scored([(True, 0.9), (True, 0.7), (False, 0.1), (False, 0.15)]))["listen"]
    assert chosen["threshold"] == 0.5 and chosen["f1"] == 1.0


def test_a_threshold_far_from_neutral_must_earn_more_than_noise():
    # Positives scored 0.22-0.3 are only caught by a low threshold: it wins by far more than
    # the tolerance, so it is chosen despite being far from 0.5.
    pairs = [(True, 0.25)] * 8 + [(True, 0.9)] * 2 + [(False, 0.05)] * 10
    assert best_thresholds(scored(pairs))["listen"]["threshold"] == 0.25
    # One negative in a hundred between 0.2 and 0.5 makes the low threshold gain nothing:
    # the neutral one is kept.
    pairs = [(True, 0.9)] * 99 + [(True, 0.22)] + [(False, 0.3)] + [(False, 0.05)] * 99
    assert best_thresholds(scored(pairs))["listen"]["threshold"] == 0.5
