"""Offers, understood rather than keyword-matched: which remedies a reply commits to.

A remedy counts only when the agent commits to it for this case. "I can't refund it",
"if you'd like a refund you'd need to fill in a form", "you were told to wait 48 hours",
"I'll see if a refund is possible" name a remedy without offering it; "I've refunded the
second £389.99" and "Would a refund of the £389.99 today help?" offer it. The *kind* of a
remedy is recognised in the language's own words (``remedy_kinds`` in ``grounding.yml``),
so an offer counts in words the scenario did not list, and it must be *about* this case's
object (the duplicate payment, not "a refund"); an offer whose object belongs to another
case (refund £31.50 for a £389.99 double charge) is a wrong object, which the customer
corrects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from sparring.grounding import Grounding
from sparring.words import find_words, is_word_char, rfind_words
from sparring.language import DEFAULT_LANGUAGE, load_language
from sparring.specifics import reader

GAP = "..."  # in a remedy phrase: where the object goes ("put ... back")
COMMITTED_FRAMES = ("committed", "question", "done")
# The agent promising something now, as opposed to saying it was done ("was repaired on the
# 2nd" restates the case's history as much as it reports a remedy).
PROMISES = ("committed", "question")
# Frames in which a remedy is put to the customer, whoever is to carry it out.
PROPOSALS = PROMISES + ("done", "customer_task", "suggested", "hedges", "conditional")
# Verdicts on an offer, as the customer and the scorecard read them.
ACCEPTED, REJECTED, WRONG_OBJECT, GENERIC = "accepted", "rejected", "wrong_object", "generic"
# How far (in characters) a commitment reaches forward: "I'll ... refund" within a clause.
COMMITMENT_REACH = 60
# How far (in characters) after a remedy "has been" or "will be" still says it is done:
# "the refund has been processed", not "... after two repairs, that must have been awful".
DONE_REACH = 15
# How far (in characters) after a remedy a negation still negates it ("the refund isn't possible"),
# and how far before its commitment ("I won't pretend I can refund it").
NEGATION_REACH = 25
NEGATION_BEFORE = 20


@dataclass(frozen=True)
class Mention:
    """A remedy named in a sentence, and how the sentence frames it."""

    kind: str  # a remedy kind, or "says:<remedy name>" for a scenario's own phrase
    start: int
    end: int
    frame: str  # committed, question, done, negated, conditional, hypothetical, hedges, reported, customer_task,
    # suggested, bare
    sentence: tuple[int, int]

    @property
    def committed(self) -> bool:
        return self.frame in COMMITTED_FRAMES


@dataclass(frozen=True)
class Offer:
    """What the reply does about one remedy (or about none: a generic offer)."""

    verdict: str  # accepted, rejected, wrong_object, generic
    remedy: str | None  # the scenario remedy's name
    start: int
    end: int
    term: str | None = None  # the wrong object, as written


class OfferReader:
    """Finds remedy mentions, judges their framing, and matches them to a scenario's remedies."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        data = load_language(language).grounding
        self.kinds = {kind: tuple(p.lower() for p in phrases) for kind, phrases in data["remedy_kinds"].items()}
        framing = data["framing"]
        self.markers = {name: tuple(framing[name]) for name in (
            "commitment", "done", "after", "negation", "conditional", "hypothetical", "hedges", "reported",
            "customer_task", "suggested", "offer_question")}
        self.apology = tuple(load_language(language).lexicon["phrases"]["apology"])
        self.not_actions = frozenset(framing["not_actions"])
        self.progressive = tuple(framing["progressive"])
        self.progressive_next = frozenset(framing["progressive_next"])
        self.reader = reader(language)

    # --- mentions -------------------------------------------------------------------------

    def mentions(self, doc, extra: Sequence[tuple[str, str]] = ()) -> list[Mention]:
        """Every remedy named in the reply, with its framing. ``extra`` adds a scenario's own
        phrases as (kind label, phrase) pairs."""
        found: list[Mention] = []
        for sentence in doc.sents:
            low = sentence.text.lower()
            spans: list[tuple[str, int, int]] = []
            for kind, phrases in self.kinds.items():
                spans.extend((kind, s, e) for s, e in self._phrase_spans(sentence, low, phrases))
            for label, phrase in extra:
                spans.extend((label, s, e) for s, e in self._phrase_spans(sentence, low, (phrase.lower(),)))
            for kind, start, end in spans:
                frame = self._frame(low, start, end, sentence.text.rstrip().endswith("?"))
                found.append(Mention(kind, sentence.start_char + start, sentence.start_char + end, frame,
                                     (sentence.start_char, sentence.end_char)))
        return found

    def _phrase_spans(self, sentence, low: str, phrases: Sequence[str]) -> list[tuple[int, int]]:
        """Single words match by lemma ("reversing" is "reverse"), phrases as written or
        word by word by lemma ("pressing the reset" says "press the reset")."""
        spans = []
        words = {p for p in phrases if " " not in p and "'" not in p}
        for token in sentence:
            if (token.lemma_ or token.lower_).lower() in words or token.lower_ in words:
                start = token.idx - sentence.start_char
                spans.append((start, start + len(token.text)))
        for phrase in phrases:
            if phrase in words:
                continue
            if GAP in phrase:  # "put ... back": a verb and its particle around the object
                match = _gapped(phrase).search(low)
                if match:
                    spans.append(match.span())
                continue
            start = find_words(low, phrase)
            if start >= 0:
                spans.append((start, start + len(phrase)))
            else:
                spans.extend(_lemma_phrase_spans(sentence, phrase.split()))
        return spans

    def _frame(self, low: str, start: int, end: int, is_question: bool) -> str:
        before = low[:start]
        if self._last(before, "reported") >= 0:
            return "reported"
        if is_question and self._first(before, "offer_question") >= 0:
            return "question"  # "Would it help if I booked ...?" is an offer, not a condition
        commit = self._last(before, "commitment")
        if commit >= 0 and (start - commit > COMMITMENT_REACH or not self._acts(low, commit)):
            commit = -1
        nearest = max(((self._last(before, name), name)
                       for name in ("conditional", "hypothetical", "hedges", "customer_task", "suggested")),
                      default=(-1, ""))
        window = low[max(0, (commit if commit >= 0 else start) - NEGATION_BEFORE):_word_end(low, end + NEGATION_REACH)]
        if self._last(window, "negation") >= 0:
            return "negated"
        if commit >= 0 and any(a in low[commit:start] for a in self.apology):
            commit = -1  # "I'm so sorry the refund ..." is the apology's "I'm", not a commitment
        if nearest[0] > commit:
            return nearest[1]
        if commit >= 0:
            return "committed"
        later = self._first(low[end:end + COMMITMENT_REACH], "commitment")
        if later >= 0 and self._acts(low, end + later):
            return "committed"  # "the first appointment I can offer is tomorrow"
        right_after = low[end:end + DONE_REACH]
        if self._last(before[-COMMITMENT_REACH:], "done") >= 0 or self._first(right_after, "after") >= 0 \
                or self._first(right_after, "done") >= 0:
            return "done"
        if is_question and (self._first(before, "offer_question") >= 0 or start < 3):
            return "question"
        return "bare"

    def commits(self, sentence_text: str) -> bool:
        """Does the sentence commit the agent to doing something ("I'm checking it now"),
        rather than seeing or saying ("I can see your account was blocked")?"""
        low = sentence_text.lower()
        return any(self._acts(low, at) for marker in self.markers["commitment"]
                   if (at := find_words(low, marker)) >= 0)

    def _acts(self, low: str, at: int) -> bool:
        """Does the commitment at ``at`` commit to doing something? "I can see ..." and "I'm
        sorry ..." do not; "I'm" commits only before an action ("I'm refunding")."""
        marker = max((m for m in self.markers["commitment"] if low.startswith(m, at)), key=len, default="")
        following = low[at + len(marker):].split()
        word = following[0].strip(".,!?;:") if following else ""
        if word in self.not_actions:
            return False
        return marker not in self.progressive or word.endswith("ing") or word in self.progressive_next

    def _last(self, text: str, name: str) -> int:
        return max((rfind_words(text, marker) for marker in self.markers[name]), default=-1)

    def _first(self, text: str, name: str) -> int:
        hits = [p for p in (find_words(text, marker) for marker in self.markers[name]) if p >= 0]
        return min(hits) if hits else -1

    # --- offers -----------------------------------------------------------------------------

    def offers(self, doc, grounding: Grounding, accept: Sequence, reject: Sequence) -> list[Offer]:
        """The reply's offers against a scenario's remedies (``accept`` and ``reject`` hold
        objects with ``name``, ``kinds``, ``about`` and ``says``)."""
        extra = [(f"says:{r.name}", phrase) for r in (*accept, *reject) for phrase in r.says]
        mentions = self.mentions(doc, extra)
        text = doc.text.lower()
        specifics = self.reader.read(doc.text)
        lemmas = {(t.lemma_ or t.lower_).lower() for t in doc}
        offers: list[Offer] = []
        refused: list[Mention] = []  # the words that proposed a rejected remedy
        for remedy in reject:
            hits = [m for m in mentions if self._names(m, remedy) and self._proposed(m, doc.text)]
            if hits:
                offers.append(Offer(REJECTED, remedy.name, *hits[0].sentence))
                refused.extend(hits)
        claimed: set[Mention] = set()
        for remedy in accept:
            # Words that proposed a refused remedy ("a discount voucher") cannot also offer an
            # accepted one of a broader kind (credit).
            hits = [m for m in mentions if m.committed and self._names(m, remedy)
                    and not any(m.start < r.end and r.start < m.end for r in refused)]
            if not hits:
                continue
            foreign = grounding.foreign_within(*hits[0].sentence)
            if foreign:
                offers.append(Offer(WRONG_OBJECT, remedy.name, *hits[0].sentence, foreign[0].text))
            elif self._about(remedy, text, specifics, lemmas):
                offers.append(Offer(ACCEPTED, remedy.name, *hits[0].sentence))
            else:
                continue
            claimed.update(hits)
        rejected_spans = {(o.start, o.end) for o in offers if o.verdict == REJECTED}
        for mention in mentions:
            if mention.committed and mention not in claimed and mention.kind in self.kinds \
                    and mention.sentence not in rejected_spans and not any(o.start == mention.sentence[0] for o in offers):
                foreign = grounding.foreign_within(*mention.sentence)
                verdict = WRONG_OBJECT if foreign else GENERIC
                offers.append(Offer(verdict, None, *mention.sentence, foreign[0].text if foreign else None))
                claimed.add(mention)
        return offers

    def _proposed(self, mention: Mention, text: str) -> bool:
        """Is a remedy the customer refuses being put to them? Offered, suggested, or set
        as their task; a phrase of several words ("drop off", "wait for it") even as bare
        advice ("it should drop off in a few days"); but not one word inside a restatement
        ("after five restarts") or a negated or reported one."""
        if mention.frame in PROPOSALS:
            return True
        return mention.frame == "bare" and " " in text[mention.start:mention.end].strip()

    def _names(self, mention: Mention, remedy) -> bool:
        return mention.kind in remedy.kinds or mention.kind == f"says:{remedy.name}"

    def _about(self, remedy, text: str, specifics, lemmas: set[str]) -> bool:
        """Does the reply name what this remedy must be about? (No ``about`` list: anything.)"""
        if not remedy.about:
            return True
        for term in remedy.about:
            lowered = term.lower()
            wanted = self.reader.read(term)
            if wanted and any(w.matches(s) for w in wanted for s in specifics):
                return True
            if " " in lowered and find_words(text, lowered) >= 0:
                return True
            if " " not in lowered and (lowered in lemmas or find_words(text, lowered) >= 0):
                return True
        return False


@lru_cache(maxsize=None)
def _gapped(phrase: str) -> re.Pattern:
    """A phrase with "..." as a pattern: up to four words may stand where the dots are."""
    parts = [re.escape(part.strip()) for part in phrase.split(GAP)]
    return re.compile(r"\b" + r"(?:\W+\S+){0,4}?\W+".join(parts) + r"\b")


def _word_end(text: str, at: int) -> int:
    """``at`` moved forward to the end of the word it falls in, so a window never cuts "now" to "no"."""
    while at < len(text) and is_word_char(text[at]):
        at += 1
    return min(at, len(text))


def _lemma_phrase_spans(sentence, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the tokens of ``sentence`` say ``words`` in order, each by its form or lemma
    (offsets within the sentence)."""
    tokens = list(sentence)
    said = {t.lower_ for t in tokens} | {(t.lemma_ or t.lower_).lower() for t in tokens}
    if not said.issuperset(words):  # the usual case, checked once: some word is not there at all
        return []
    spans = []
    for first in range(len(tokens) - len(words) + 1):
        run = tokens[first:first + len(words)]
        if all(word in (token.lower_, (token.lemma_ or token.lower_).lower()) for word, token in zip(words, run)):
            start = run[0].idx - sentence.start_char
            spans.append((start, run[-1].idx + len(run[-1].text) - sentence.start_char))
    return spans
