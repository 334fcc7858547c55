"""The checklist vocabulary: the one source of truth for move and penalty names.

These names are part of the public REST and CLI contract (docs/checklist.md), so they are
lower-case and never renamed; YAML files (rubric, scenarios) are validated against them.
"""

MOVES: tuple[str, ...] = ("listen", "empathize", "apologize", "resolve")
PENALTIES: tuple[str, ...] = (
    "blame",
    "argue",
    "dismiss",
    "insult",
    "jargon",
    "overpromise",
    "calm_down",
    "wrong_facts",
)
# Penalties judged against the facts of a scenario (sparring.grounding), not by the trained
# models: a reply alone cannot show that a detail belongs to somebody else's case.
CASE_PENALTIES: tuple[str, ...] = ("wrong_facts",)
# What the trained models judge, and what the labelled replies are labelled with.
MODEL_LABELS: tuple[str, ...] = MOVES + tuple(p for p in PENALTIES if p not in CASE_PENALTIES)
OUTCOMES: tuple[str, ...] = ("resolved", "hung_up", "escalated")
# How well a move fits the case (docs/checklist.md), per move whose credit depends on it:
# listen restates a specific of the case or only invites/asks; empathy names this customer's
# situation or is stock; an offer is a remedy the scenario accepts, a concrete step that
# names the case, or one that names nothing of it. The first of each is the full-credit one.
QUALITIES: dict[str, tuple[str, ...]] = {
    "listen": ("grounded", "invited"),
    "empathize": ("grounded", "stock"),
    "resolve": ("fits", "specific", "stock"),
}
