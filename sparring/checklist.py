"""The checklist vocabulary: the one source of truth for move and penalty names.

These names are part of the public REST and CLI contract (DESIGN.md), so they are
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
)
OUTCOMES: tuple[str, ...] = ("resolved", "hung_up", "escalated")
