"""Finding words and phrases as whole words in lower-cased text, the one way the offer
reader and the grounder both do it ("i can" is not in "i can't"; "'ll" attaches to the word
before it)."""

from __future__ import annotations

from typing import Iterable


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "'’"


def find_words(text: str, phrase: str) -> int:
    """First place ``phrase`` occurs as whole words ("i can" is not in "i can't")."""
    start = text.find(phrase)
    while start >= 0:
        if _bounded(text, phrase, start):
            return start
        start = text.find(phrase, start + 1)
    return -1


def rfind_words(text: str, phrase: str) -> int:
    start = text.rfind(phrase)
    while start >= 0:
        if _bounded(text, phrase, start):
            return start
        start = text.rfind(phrase, 0, start + len(phrase) - 1) if start else -1
    return -1


def _bounded(text: str, phrase: str, start: int) -> bool:
    """Whole words only; a clitic ("n't", "'ll be") attaches to the word before it."""
    end = start + len(phrase)
    clitic = phrase.startswith(("n't", "'"))
    before_ok = clitic or start == 0 or not is_word_char(text[start - 1]) or not is_word_char(phrase[0])
    after_ok = end >= len(text) or not is_word_char(text[end]) or not is_word_char(phrase[-1])
    return before_ok and after_ok


def says_any(text: str, phrases: Iterable[str]) -> bool:
    """Does ``text`` contain any of these words or phrases, as whole words ("i'm", "will")?"""
    lowered = text.lower()
    return any(find_words(lowered, phrase) >= 0 for phrase in phrases)
