"""The score each label needs, chosen by cross-validation; kept apart from the training code
so that changing a threshold never forces the models to be trained again."""

# The score a label needs to be detected, per label, from 5-fold cross-validation on the
# train split with folds grouped by customer message: the threshold nearest 0.5 whose F1 is
# within 0.01 of the best, penalties then raised until the benign training replies are
# charged a penalty at most 2% of the time (`sparring eval --cv 5` prints them; the held-out
# splits are never used).
# Listen stays at 0.45 where the models alone would take 0.50 (F1 0.878 there): with the rule
# floor below, the detector's cross-validated listen F1 is 0.889 at 0.45.
# The rules speak through their feature tokens: letting a rule finding count on its own
# never beat the averaged models there, except for listen below.
THRESHOLDS: dict[str, float] = {
    "listen": 0.45,
    "empathize": 0.45,
    "apologize": 0.5,
    "resolve": 0.5,
    "blame": 0.55,
    "argue": 0.45,
    "dismiss": 0.55,
    "insult": 0.5,
    "jargon": 0.55,
    "overpromise": 0.4,
    "calm_down": 0.4,
}
# A rule finding counts for its label from this lower model score: the rules' grounded
# restatement (a specific of the case in a restating sentence) is evidence the models
# under-weigh. Cross-validation on the train split: listen F1 0.888 -> 0.891; no other
# label gained from it.
RULE_FLOORS: dict[str, float] = {"listen": 0.3}
