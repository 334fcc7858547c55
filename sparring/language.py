"""A language the engine reads replies in: data in ``sparring/languages/<code>/``, no code.

Everything that differs between languages (the cue lexicon, how numbers, money and dates
are written, which nouns name a problem, paraphrase concepts, remedy words, offer framing,
spaCy's tokenizer and lemmatizer settings, the labelled replies) lives in that folder, so
Korean or Chinese is added by writing the same files, not by a new branch in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LANGUAGE = "en"
# Sections of grounding.yml that change the trained models' input (see Language.model_inputs).
MODEL_SECTIONS = ("numbers", "money", "dates", "times", "concepts")


@dataclass(frozen=True)
class Language:
    """One language's settings and word lists, as the engine's modules read them."""

    code: str
    name: str
    spacy_code: str
    lemmatizer: str  # "lookup" or "none"
    data_dir: Path  # labelled replies for training and evaluation
    lexicon: Mapping[str, Any]
    grounding: Mapping[str, Any]
    folder: Path
    names: Mapping[str, Any] | None = None  # how capitalised names are told apart (sparring.names)

    def words(self, name: str) -> frozenset[str]:
        """A single-word list of the lexicon, as a set (looked up by lower case or lemma)."""
        return frozenset(self.lexicon["words"][name])

    def model_inputs(self) -> bytes:
        """The data that shapes what the trained models see (cues, word lists, how specifics
        and paraphrases are recognised), for the fingerprint that decides retraining. Topic
        nouns, remedy kinds and offer framing are read only after the models' verdict, so
        editing them needs no retraining."""
        shaping = {key: self.grounding[key] for key in MODEL_SECTIONS}
        return json.dumps([self.spacy_code, self.lemmatizer, self.lexicon, shaping], sort_keys=True).encode("utf-8")


@lru_cache(maxsize=None)
def load_language(code: str = DEFAULT_LANGUAGE) -> Language:
    folder = LANGUAGES_DIR / code
    if not (folder / "language.yml").exists():
        known = sorted(p.name for p in LANGUAGES_DIR.iterdir() if (p / "language.yml").exists())
        raise LookupError(f"unknown language {code!r}; available: {', '.join(known)}")
    settings = _read(folder / "language.yml")
    return Language(
        code=settings["code"],
        name=settings["name"],
        spacy_code=settings["spacy_code"],
        lemmatizer=settings.get("lemmatizer", "none"),
        data_dir=ROOT / settings["data"],
        lexicon=_read(folder / "lexicon.yml"),
        grounding=_read(folder / "grounding.yml"),
        folder=folder,
        names=settings.get("names"),
    )


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in LANGUAGES_DIR.iterdir() if (p / "language.yml").exists()))


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
