"""Grounding: what in a reply belongs to this customer's case, and what belongs to none.

A reply earns *listen* only by restating or asking about specifics of this case, and is
charged *wrong_facts* when it asserts details that are nobody's here (another amount, a
reference, a date, a product or a problem this customer never raised, another customer's
name). Both questions are answered here, against a :class:`Case`: everything the scenario's
facts hold and what the customer has said, reduced to normalised specifics (amounts,
dates, references ...), content lemmas and paraphrase concepts, each tied to the fact it
came from so the evidence can say *which* fact was restated.

A case built from one customer message (``sparring classify`` without a scenario) is
*partial*: it grounds listening, but never charges wrong facts, because a message alone
does not say what else is true of the case. All word lists come from the language's data
(``sparring/languages/<code>/grounding.yml`` and ``lexicon.yml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from sparring.language import DEFAULT_LANGUAGE, load_language
from sparring.names import name_like
from sparring.specifics import Specific, reader
from sparring.words import says_any

# What the restatement view shows for a token the case also holds (see rules.Detection.restatement).
SHARED_SPECIFIC, SHARED_WORD = "SHAREDNUM", "SHARED"
CUSTOMER_WORDS = "what the customer said"  # the "fact" of a term found only in the customer's messages
# Specifics that name the case when they are asserted; bare counts ("two hours") do not.
ASSERTED_KINDS = ("money", "id", "date", "weekday")
_SPECIFIC_TOKEN = re.compile(r"\d")
# Punctuation after a name used to address someone ("Kelly, ...", "I apologise, Priya: ...").
VOCATIVE_ENDS = (",", "!", ".", ":", "?")


@dataclass(frozen=True)
class Term:
    """A piece of the reply that matches the case (``fact`` says which fact), or that
    belongs to no fact of it (``kind`` says what it is: money, id, date, topic, name ...)."""

    text: str
    start: int
    end: int
    kind: str
    key: str
    fact: str | None = None

    @property
    def specific(self) -> bool:
        return self.kind in ("number", "money", "id", "date", "weekday", "time")

    @property
    def telling(self) -> bool:
        """A specific that on its own shows which case is meant: an amount, a reference, a
        full date, a time. A small count ("50 miles" and "about fifty times") or a day of the
        month without one ("the 6th") often matches by chance."""
        if self.kind == "number":
            return "." in self.key or float(self.key) >= 100
        if self.kind == "date":
            return not self.key.endswith("/?")
        return self.specific


@dataclass(frozen=True)
class CaseFact:
    topic: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """What is true of one customer's case, in comparable form."""

    specifics: tuple[tuple[Specific, str], ...]  # each with the fact (topic) it came from
    lemmas: Mapping[str, str]  # content lemma -> fact
    concepts: Mapping[str, str]  # paraphrase concept -> fact
    vocabulary: frozenset[str]  # every word and lemma of the case, remedies included
    names: frozenset[str]  # the customer's own names, lower case
    text: str  # everything, lower case (for "is this term the customer's own word")
    complete: bool  # built from a scenario: anything else asserted is a wrong fact

    def plus(self, other: "Case") -> "Case":
        """This case with more of what the customer said (their latest messages)."""
        return Case(
            specifics=self.specifics + other.specifics,
            lemmas={**other.lemmas, **self.lemmas},
            concepts={**other.concepts, **self.concepts},
            vocabulary=self.vocabulary | other.vocabulary,
            names=self.names | other.names,
            text=f"{self.text} {other.text}",
            complete=self.complete,
        )


@dataclass
class SentenceGrounding:
    start: int
    end: int
    shared: list[Term] = field(default_factory=list)
    foreign: list[Term] = field(default_factory=list)

    question: bool = False

    @property
    def grounded(self) -> bool:
        """Does this sentence stand on the case? A telling specific or a paraphrase of it in
        several words ("two payments"), or two of its words (one, in a question about it;
        small numbers and bare days of the month count half), and nothing of another case.
        One shared word alone is too often chance ("running" and "the run of units", "you
        feel stuck" and a parcel stuck at a hub)."""
        if not self.shared or self.foreign:
            return False
        strong = any(t.telling or (t.kind == "concept" and " " in t.text.strip()) for t in self.shared)
        weight = sum(0.5 if term.specific else 1.0 for term in {t.key: t for t in self.shared}.values())
        return strong or weight >= (1 if self.question else 2)

    def facts(self) -> list[str]:
        """The facts this sentence restates, the one it restates most first (then the one
        with a specific, then the earliest), each once."""
        by_fact: dict[str, list[Term]] = {}
        for term in self.shared:
            if term.fact:
                by_fact.setdefault(term.fact, []).append(term)
        ranked = sorted(by_fact.items(), key=lambda item: (-len({t.key for t in item[1]}),
                                                           not any(t.specific for t in item[1]),
                                                           min(t.start for t in item[1])))
        return [fact for fact, _ in ranked]


@dataclass
class Grounding:
    """How each sentence of a reply relates to the case; ``marks`` is the token-level view."""

    sentences: list[SentenceGrounding]
    marks: list[str]  # per token: SHARED_SPECIFIC, SHARED_WORD or the token in lower case

    def sentence_at(self, start: int, end: int) -> SentenceGrounding | None:
        return next((s for s in self.sentences if s.start <= start < s.end or (start <= s.start < end)), None)

    def foreign_within(self, start: int, end: int) -> list[Term]:
        return [t for s in self.sentences for t in s.foreign if start <= t.start < end]

    def shared_within(self, start: int, end: int) -> list[Term]:
        return [t for s in self.sentences for t in s.shared if start <= t.start < end]

    @property
    def foreign(self) -> list[Term]:
        return [t for s in self.sentences for t in s.foreign]

    def facts(self) -> list[str]:
        """Every fact of the case the reply touches, in order, each once."""
        named: list[str] = []
        for sentence in self.sentences:
            named.extend(f for f in sentence.facts() if f != CUSTOMER_WORDS and f not in named)
        return named


class Grounder:
    """Builds cases and grounds replies in one language, on the detector's spaCy pipeline."""

    def __init__(self, nlp, language: str = DEFAULT_LANGUAGE):
        lang = load_language(language)
        data = lang.grounding
        self.nlp = nlp
        self.reader = reader(language)
        self.stopwords = frozenset(lang.lexicon["stopwords"])
        self.generic = frozenset(lang.lexicon["words"]["generic_topics"]) | frozenset(lang.lexicon["words"]["unspecific"])
        self.topics = frozenset(t.lower() for t in data["topics"] if " " not in t)
        self.topic_phrases = tuple(t.lower() for t in data["topics"] if " " in t)
        self.concepts = {name: tuple(p.lower() for p in phrases) for name, phrases in data["concepts"].items()}
        framing = data["framing"]
        self.future = frozenset(framing["future"])
        self.new_reference = frozenset(framing["new_reference"])
        self.amount_limits = tuple(framing["amount_limits"])
        # A sentence with one of these reports or promises the agent's own doing: its names
        # and references are theirs ("I've escalated it to Ruth", "Mr Reilly will ring you").
        self.agents_doing = frozenset(framing["future"]) | frozenset(framing["agent_done"])
        # Goodwill amounts are the agent's in any commitment ("I'm adding a £20 credit").
        self.agents_own = self.agents_doing | frozenset(framing["commitment"])
        self.address = frozenset(framing["address"])
        self.titles = frozenset(framing["titles"])
        self.not_names = frozenset(framing["not_names"]) | frozenset(data["dates"]["months"]) | frozenset(
            data["dates"]["weekdays"])
        self.credit_words = frozenset(w for w in data["remedy_kinds"]["credit"] if " " not in w)
        self.refund_words = frozenset(w for w in data["remedy_kinds"]["refund"] if " " not in w)
        self.places = frozenset(framing["place_prepositions"])
        self.name_like = name_like(language)
        self._scenario_cases: dict[tuple[str, str], Case] = {}

    # --- cases ----------------------------------------------------------------------------

    def case_from_text(self, text: str) -> Case:
        """A partial case: one customer message (what ``sparring classify`` is given)."""
        return self._case_from_text(text or "")

    @lru_cache(maxsize=512)
    def _case_from_text(self, text: str) -> Case:
        return self._build([CaseFact(CUSTOMER_WORDS, (text,))], extra=(), names=(), complete=False)

    def case_from_scenario(self, scenario) -> Case:
        """The whole case of a scenario: its facts first (restating one names it), then the
        situation, the openings and the customer's own lines; remedies only widen the
        vocabulary (an engineer is not a wrong fact where an engineer visit is a remedy).
        Built once per version of the scenario file."""
        key = (scenario.id, scenario.version)
        if key not in self._scenario_cases:
            self._scenario_cases[key] = self._scenario_case(scenario)
        return self._scenario_cases[key]

    def _scenario_case(self, scenario) -> Case:
        facts = [CaseFact(f.topic, (f.answer, *f.mentions)) for f in scenario.facts]
        facts.append(CaseFact(CUSTOMER_WORDS, (scenario.situation, scenario.title, *scenario.opening)))
        said = CaseFact(CUSTOMER_WORDS, tuple(_lines(scenario.lines)))
        remedies = [text for remedy in scenario.accept + scenario.reject for text in remedy.texts()]
        return self._build(facts, extra=tuple(remedies), names=tuple(scenario.customer_name.lower().split()),
                           complete=True, lines=said)

    def _build(self, facts: Sequence[CaseFact], extra: Sequence[str], names: Sequence[str], complete: bool,
               lines: CaseFact | None = None) -> Case:
        """A case from its facts (specifics, salient lemmas and concepts, each tied to its
        fact); the customer's scripted ``lines`` add only their specifics, since most of
        their words are chatter; ``extra`` texts (remedies) only widen the vocabulary."""
        specifics: list[tuple[Specific, str]] = []
        lemmas: dict[str, str] = {}
        concepts: dict[str, str] = {}
        vocabulary: set[str] = set()
        texts: list[str] = []
        for fact in facts:
            for text in fact.texts:
                doc = self._doc(text)
                texts.append(text.lower())
                specifics.extend((s, fact.topic) for s in self.reader.read(text))
                for token in doc:
                    vocabulary.update((token.lower_, _lemma(token)))
                    if self._salient(token):
                        lemmas.setdefault(_lemma(token), fact.topic)
                for concept in self._concepts_in(text):
                    concepts.setdefault(concept, fact.topic)
        for text in lines.texts if lines else ():
            texts.append(text.lower())
            specifics.extend((s, lines.topic) for s in self.reader.read(text))
            vocabulary.update(w for t in self._doc(text) for w in (t.lower_, _lemma(t)))
        for text in extra:
            texts.append(text.lower())
            vocabulary.update(w for t in self._doc(text) for w in (t.lower_, _lemma(t)))
        return Case(tuple(specifics), lemmas, concepts, frozenset(vocabulary), frozenset(names), " ".join(texts),
                    complete)

    @lru_cache(maxsize=2048)
    def _doc(self, text: str):
        return self.nlp(text)

    def messages_case(self, messages: Sequence[str]) -> Case:
        """What the customer said in these messages, as a partial case to add to a scenario's."""
        return self._case_from_text(" ".join(messages))

    # --- replies --------------------------------------------------------------------------

    def ground(self, doc, case: Case) -> Grounding:
        marks = [t.lower_ for t in doc]
        sentences = [SentenceGrounding(s.start_char, s.end_char, question=s.text.rstrip().endswith("?"))
                     for s in doc.sents]

        def sentence_of(char: int) -> SentenceGrounding:
            return next((s for s in sentences if s.start <= char < s.end), sentences[-1])

        specific_tokens: set[int] = set()
        for specific in self.reader.read(doc.text):
            tokens = [t.i for t in doc if t.idx < specific.end and t.idx + len(t.text) > specific.start]
            specific_tokens.update(tokens)
            known = next(((known, topic) for known, topic in case.specifics if specific.matches(known)), None)
            where = sentence_of(specific.start)
            if known is not None:
                for i in tokens:
                    marks[i] = SHARED_SPECIFIC
                # "6 December" matched to the case's "the 6th" is only as telling as "the 6th".
                key = specific.key if known[0].key == specific.key else known[0].key
                where.shared.append(Term(specific.text, specific.start, specific.end, specific.kind, key, known[1]))
            elif case.complete and self._asserted(specific, doc, tokens):
                where.foreign.append(Term(specific.text, specific.start, specific.end, specific.kind, specific.key))
        for token in doc:
            if token.i in specific_tokens or not self._salient(token):
                continue
            fact = case.lemmas.get(_lemma(token))
            if fact is not None:
                marks[token.i] = SHARED_WORD
                sentence_of(token.idx).shared.append(
                    Term(token.text, token.idx, token.idx + len(token.text), "word", _lemma(token), fact))
        for concept, start, end in self._concept_spans(doc):
            fact = case.concepts.get(concept)
            if fact is not None:
                where = sentence_of(start)
                if not any(t.start < end and t.end > start for t in where.shared):
                    where.shared.append(Term(doc.text[start:end], start, end, "concept", concept, fact))
        if case.complete:
            for term in self._foreign_words(doc, case):
                sentence_of(term.start).foreign.append(term)
        return Grounding(sentences, marks)

    def names_something(self, doc, sentence: SentenceGrounding) -> bool:
        """Does the sentence name anything at all: a number, a reference, or a word that is
        not generic ("issue", "happening", "sorry")?"""
        span = doc.char_span(sentence.start, sentence.end, alignment_mode="expand")
        return span is not None and any(self._salient(t) or _SPECIFIC_TOKEN.search(t.text) for t in span)

    def _asserted(self, specific: Specific, doc, tokens: list[int]) -> bool:
        """Is this specific, unknown to the case, asserted as part of it? New commitments
        are not: a callback "by Friday", a reference issued now, a goodwill amount."""
        if specific.kind not in ASSERTED_KINDS or not tokens:
            return False
        sentence = doc[tokens[0]].sent
        words = {t.lower_ for t in sentence}
        if specific.kind in ("date", "weekday"):
            return not (words & self.future)
        before = [t.lower_ for t in doc[max(sentence.start, tokens[0] - 4): tokens[0]]]
        if specific.kind == "id":  # "your case reference is CR-55120", "I'll raise dispute DS-5521"
            doing = says_any(sentence.text, self.agents_doing)
            issued = bool(set(before) & self.new_reference) and (doing or before[-1:] in (["is"], ["'s"]))
            return not issued
        preceding = " ".join(t.lower_ for t in doc[max(sentence.start, tokens[0] - 4): tokens[0]])
        if any(f" {limit} " in f" {preceding} " for limit in self.amount_limits):
            return False  # "up to €300": a limit the agent sets
        lemmas = {_lemma(t) for t in sentence}
        committing = says_any(sentence.text, self.agents_own)
        goodwill = committing and bool(lemmas & self.credit_words) and not lemmas & self.refund_words
        return not goodwill  # "I'm adding a £20 credit": the agent's own; "£2,340 on your credit card": not

    def _foreign_words(self, doc, case: Case) -> Iterable[Term]:
        """Topic nouns, names and places the case knows nothing about."""
        for token in doc:
            if _lemma(token) in self.topics and not self._known(token, case):
                yield Term(token.text, token.idx, token.idx + len(token.text), "topic", _lemma(token))
        lowered = doc.text.lower()
        for phrase in self.topic_phrases:
            start = _find_word(lowered, phrase)
            if start >= 0 and phrase not in case.text:
                yield Term(doc.text[start:start + len(phrase)], start, start + len(phrase), "topic", phrase)
        for token in doc:
            kind = self._name_or_place(token, case)
            if kind:
                yield Term(token.text, token.idx, token.idx + len(token.text), kind, token.lower_)

    def _known(self, token, case: Case) -> bool:
        return token.lower_ in case.vocabulary or _lemma(token) in case.vocabulary

    def _name_or_place(self, token, case: Case) -> str | None:
        """A capitalised word used as a name ("Kelly, ...", "Hi Priya", "Mr Hale") or a place
        ("at Heathrow", "the Northampton hub") that is not this customer's."""
        text = token.text
        if not (text[:1].isupper() and text.isalpha() and len(text) > 1) or text.isupper():
            return None
        lowered = token.lower_
        if lowered in self.not_names or lowered in case.names or lowered in case.vocabulary:
            return None
        doc = token.doc
        previous = doc[token.i - 1] if token.i > token.sent.start else None
        following = doc[token.i + 1] if token.i + 1 < len(doc) else None
        if says_any(token.sent.text, self.agents_doing):
            return None  # "I've escalated it to Ruth Delaney", "Mr Reilly will ring you": the agent's own
        if previous is not None and previous.lower_.rstrip(".") in self.titles:
            return "name"
        if lowered not in self.name_like:
            return None  # "Instead, ...": a word that merely opens a sentence
        before_comma = doc[token.i - 2] if previous is not None and previous.text == "," and token.i >= 2 else None
        opener = previous is None or previous.lower_ in self.address or (
            before_comma is not None and before_comma.lower_ in self.address | self.not_names)
        vocative = following is not None and following.text in VOCATIVE_ENDS and (opener or previous.text == ",")
        if vocative:
            return "name"
        if previous is None:
            return None  # a capital at the start of a sentence says nothing
        if previous.lower_ in self.places or (following is not None and _lemma(following) in self.topics):
            return "place"
        return None

    def _salient(self, token) -> bool:
        """A word that can carry a specific of a case (not "issue", "sorry", "the" ...)."""
        return (token.is_alpha and len(token.text) > 2 and token.lower_ not in self.stopwords
                and _lemma(token) not in self.generic and token.lower_ not in self.generic)

    def _concepts_in(self, text: str) -> set[str]:
        lowered = f" {' '.join(text.lower().split())} "
        return {name for name, phrases in self.concepts.items() if any(f" {p} " in _spaced(lowered) for p in phrases)}

    def _concept_spans(self, doc) -> list[tuple[str, int, int]]:
        lowered = doc.text.lower()
        spans = []
        for name, phrases in self.concepts.items():
            for phrase in phrases:
                start = _find_word(lowered, phrase)
                if start >= 0:
                    spans.append((name, start, start + len(phrase)))
                    break
        return spans


def _lemma(token) -> str:
    return (token.lemma_ or token.lower_).lower()


def _lines(book) -> list[str]:
    lines: list[str] = []
    for entry in (book or {}).values():
        if isinstance(entry, Mapping):
            for variants in entry.values():
                lines.extend(variants or ())
        else:
            lines.extend(entry or ())
    return lines


def _spaced(lowered: str) -> str:
    """Punctuation as spaces, so phrases match between word boundaries."""
    return "".join(ch if ch.isalnum() or ch in " '-£$€" else " " for ch in lowered)


def _find_word(lowered: str, phrase: str) -> int:
    """Where ``phrase`` occurs as whole words in ``lowered`` (-1 when it does not)."""
    start = lowered.find(phrase)
    while start >= 0:
        before = lowered[start - 1] if start else " "
        after_index = start + len(phrase)
        after = lowered[after_index] if after_index < len(lowered) else " "
        if not before.isalnum() and not after.isalnum():
            return start
        start = lowered.find(phrase, start + 1)
    return -1

