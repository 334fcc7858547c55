"""The rule half of the checklist detector: cues, judged sentence by sentence in context.

Built on ``spacy.blank("en")`` with a sentencizer, the lookup lemmatizer and a cue
component (PhraseMatchers over ``lexicon.yml``). A cue alone is never the verdict: each
sentence is judged in context — an apology cue is checked against how it is framed
(conditional, negated, sarcastic, a repeat request, policy used to dismiss, sympathy for
a misfortune the company did not cause), listening against the customer's previous
message and the scenario's facts, a resolution against commitment and vagueness.

Every detected move or penalty carries the character span that is its evidence, so the
scorecard can quote the trainee's own words. What the rules see is also handed, as feature
tokens, to the trained model (``sparring.trained``) that makes the final call
(``sparring.detector``).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import yaml

from sparring.checklist import MOVES, PENALTIES

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")
# Acronyms a customer understands: everything else in capitals is internal jargon.
PLAIN_ACRONYMS = frozenset(
    "OK ID PIN UK US USA EU TV PC ASAP SMS USB AM PM GPS VAT FAQ PDF DVD CD ATM IBAN ISBN MOT NHS BBC DIY PS I A "
    "SIM VIP HD GP CEO HR AC LED QR MP UN WIFI NYC LA DJ BBQ RSVP ETA FYI".split()
)
# Feeling words that, inside an apology, are its stock object rather than empathy.
STOCK_APOLOGY_WORDS = frozenset({"inconvenience", "hassle", "trouble", "confusion", "frustration", "disappointment"})
# Where a quoted clause ends. Not "so": it is as often an intensifier ("so upsetting") as a
# conjunction, and the conjunction mostly follows a comma anyway.
_CLAUSE_BREAK = re.compile(r"[,;:!?\u2014\u2013]|\s-\s|\.(?=\s)|\bbut\b|\band\b", re.IGNORECASE)
_SPECIFIC = re.compile(r"\d|[A-Z]{2,}-?\d")
# Placeholders in the restatement view for what the customer also said (see Detection.restatement).
SHARED_SPECIFIC, SHARED_WORD = "SHAREDNUM", "SHARED"
_QUESTION_OPENERS = frozenset(
    "what when where which who why how did do does is are was were can could would have has".split()
)


@dataclass(frozen=True)
class Evidence:
    """Why a move or penalty was detected: a span of the reply and a confidence."""

    label: str
    start: int
    end: int
    confidence: float
    kind: str  # "move" or "penalty"

    def as_dict(self) -> dict:
        return {"move" if self.kind == "move" else "penalty": self.label, "start": self.start, "end": self.end,
                "confidence": round(self.confidence, 2)}


@dataclass
class Detection:
    """All a reply shows. ``signals`` are facts about the reply the customer reacts to."""

    moves: list[str] = field(default_factory=list)
    penalties: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)
    features: set[str] = field(default_factory=set)  # what the rules saw, for the trained model
    # The reply with every word the customer also used replaced by a placeholder, so the
    # trained model sees the frame a restated specific sits in ("sorry the SHARED" is
    # listening, "refund the SHARED" only names the remedy), whatever the specific is.
    restatement: str = ""

    def add(self, label: str, kind: str, start: int, end: int, confidence: float) -> None:
        names = self.moves if kind == "move" else self.penalties
        if label in names:
            return
        names.append(label)
        self.evidence.append(Evidence(label, start, end, confidence, kind))

    def ordered(self) -> "Detection":
        """Moves and penalties in checklist order, so output is stable for the same input."""
        self.moves.sort(key=MOVES.index)
        self.penalties.sort(key=PENALTIES.index)
        self.evidence.sort(key=lambda e: (e.kind != "move", e.start, e.label))
        return self

    def as_dict(self) -> dict:
        return {
            "moves": list(self.moves),
            "penalties": list(self.penalties),
            "evidence": [e.as_dict() for e in self.evidence],
        }


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    return yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))


class CueMatcher:
    """spaCy component: marks every lexicon cue as a labelled span in ``doc.spans["cues"]``."""

    def __init__(self, nlp, name: str):
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, phrases in _lexicon()["phrases"].items():
            self.matcher.add(label, list(nlp.tokenizer.pipe(phrases)))

    def __call__(self, doc):
        from spacy.tokens import Span

        doc.spans["cues"] = [Span(doc, start, end, label=label) for label, start, end in self.matcher(doc)]
        return doc


def _keep_tensorflow_out() -> None:
    """thinc imports TensorFlow when it is installed (Rasa installs it): ~5 s and ~500 MB
    for nothing, since this pipeline never uses it. Marking it unavailable before spaCy is
    imported makes thinc skip it. Not done when TensorFlow is already loaded (Rasa itself)."""
    if "tensorflow" not in sys.modules and not os.environ.get("SPARRING_ALLOW_TENSORFLOW"):
        sys.modules["tensorflow"] = None  # type: ignore[assignment]


@lru_cache(maxsize=1)
def build_pipeline():
    """spaCy blank English + sentencizer + lookup lemmatizer + our cue matcher."""
    _keep_tensorflow_out()
    import spacy
    from spacy.language import Language

    if not Language.has_factory("checklist_cues"):
        Language.factory("checklist_cues", func=CueMatcher)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("checklist_cues")
    nlp.initialize()
    return nlp


class RuleDetector:
    """Detects checklist moves and penalties in one trainee reply with rules, in context."""

    def __init__(self) -> None:
        lexicon = _lexicon()
        self.nlp = build_pipeline()
        self.feelings = frozenset(lexicon["words"]["feelings"])
        self.remedy_verbs = frozenset(lexicon["words"]["remedy_verbs"])
        self.weak_remedy_verbs = frozenset(lexicon["words"]["weak_remedy_verbs"])
        self.remedy_nouns = frozenset(lexicon["words"]["remedy_nouns"])
        self.stopwords = frozenset(lexicon["stopwords"])
        self.generic_topics = frozenset(lexicon["words"]["generic_topics"])
        self.diligence_verbs = frozenset(lexicon["words"]["diligence_verbs"])
        self.evidence_nouns = frozenset(lexicon["words"]["evidence_nouns"])
        self.evidence_verbs = frozenset(lexicon["words"]["evidence_verbs"])
        self.quantity_words = frozenset(lexicon["words"]["quantity_words"])
        self.identifier_words = frozenset(
            word for phrase in lexicon["phrases"]["identifier_request"] for word in phrase.split()
        )

    def detect(self, text: str, context: str = "", mentions: Sequence[str] = ()) -> Detection:
        """Judge ``text`` (a trainee reply) against ``context`` (the customer's previous
        message) and ``mentions`` (the scenario's specifics: ids, amounts, product names)."""
        detection = Detection()
        if not text or not text.strip():
            return detection
        doc = self.nlp(text)
        known = self._context_terms(context, tuple(mentions))
        cues_by_sentence = self._cues_by_sentence(doc)
        restated = [self._restated(token, known) for token in doc]  # each token judged once
        for sentence in doc.sents:
            shared = self._shared_terms(sentence, restated)
            self._judge_sentence(sentence, cues_by_sentence.get(sentence.start, []), shared, known, context, detection)
        detection.restatement = " ".join(restated)
        return detection.ordered()

    @lru_cache(maxsize=256)
    def _context_terms(self, context: str, mentions: tuple[str, ...]) -> "ContextTerms":
        doc = self.nlp(context)
        lemmas = {self._lemma(t) for t in doc if self._is_content(t)}
        specifics = {t.lower_ for t in doc if _SPECIFIC.search(t.text)}
        mention_words = {m.lower() for m in mentions}
        lemmas |= {self._lemma_word(w) for m in mentions for w in m.lower().split() if w not in self.stopwords}
        return ContextTerms(frozenset(lemmas), frozenset(specifics | mention_words), context.lower())

    def _cues_by_sentence(self, doc) -> dict[int, list]:
        by_sentence: dict[int, list] = {}
        for span in doc.spans["cues"]:
            by_sentence.setdefault(span.sent.start, []).append(span)
        return by_sentence

    # --- one sentence -------------------------------------------------------------------

    def _judge_sentence(self, sentence, cues, shared: set[str], known: "ContextTerms", context: str,
                        detection: Detection) -> None:
        labels, all_cues = {}, {}
        for span in cues:  # the earliest cue of each label is the one quoted
            labels.setdefault(span.label_, span)
            all_cues.setdefault(span.label_, []).append(span)
        text = sentence.text
        is_question = text.rstrip().endswith("?") or (
            len(sentence) > 1 and sentence[0].lower_ in _QUESTION_OPENERS and not text.rstrip().endswith(".")
        )
        if is_question:
            detection.signals.add("question")
        detection.features.update(f"cue_{label}" for label in labels)
        detection.features.add(f"shared_{min(len(shared), 3)}")
        if any(_SPECIFIC.search(term) for term in shared):
            detection.features.add("shared_specific")
        if is_question:
            detection.features.add("question")
        if any(t.lower_ in self.feelings for t in sentence):
            detection.features.add("feeling")
        detection.features.update(self._shape_features(sentence, shared))

        before = len(detection.evidence)
        self._judge_penalties(sentence, labels, known, detection)
        apologized = self._judge_apology(sentence, labels, shared, detection)
        self._judge_empathy(sentence, labels, detection)
        self._judge_resolution(sentence, labels, all_cues, is_question, detection)
        # A sentence busy resolving, arguing or blaming restates facts for its own ends.
        busy = any(e.label == "resolve" or e.kind == "penalty" for e in detection.evidence[before:])
        self._judge_listening(sentence, labels, shared, is_question, apologized or busy, detection)
        for signal in ("boundary", "end_chat", "admission", "identifier_request"):
            if signal in labels:
                detection.signals.add(signal)

    def _shape_features(self, sentence, shared) -> set[str]:
        """Cheap facts about how a sentence is built, for the trained model to weigh."""
        words = [t.lower_ for t in sentence]
        features = set()
        if "you" in words or "your" in words:
            features.add("second_person")
        if words and words[0] in {"so", "just", "sounds", "it"}:
            features.add(f"starts_{words[0]}")
        if words and words[0] in _QUESTION_OPENERS:
            features.add(f"opens_{words[0]}")
        if any(t.like_num or _SPECIFIC.search(t.text) for t in sentence):
            features.add("has_number")
        content = [t for t in sentence if self._is_content(t)]
        if content and len(shared) / len(content) >= 0.3:
            features.add("shared_high")
        if self._evidence_claim(sentence):
            features.add("evidence_claim")
        if self._minimising(sentence):
            features.add("minimising")
        return features

    def _evidence_claim(self, sentence) -> bool:
        """"Our records show ...": the company's evidence set against the customer's word."""
        tokens = list(sentence)
        for i, token in enumerate(tokens):
            if token.lower_ in self.evidence_nouns:
                if any(t.lower_ in self.evidence_verbs for t in tokens[i + 1 : i + 4]):
                    return True
        return False

    def _minimising(self, sentence) -> bool:
        """"only two days", "just a few pounds": shrinking the customer's problem."""
        tokens = list(sentence)
        for i, token in enumerate(tokens):
            if token.lower_ in {"only", "just", "merely", "barely"}:
                following = tokens[i + 1 : i + 3]
                if any(t.lower_ in self.quantity_words or t.like_num or t.text in "£$€" for t in following):
                    return True
        return False

    def _careless_customer(self, sentence):
        """"you didn't read / check / tell us": the customer's own omission as the cause."""
        tokens = list(sentence)
        for i, token in enumerate(tokens[:-2]):
            if token.lower_ != "you":
                continue
            negation = [t.lower_ for t in tokens[i + 1 : i + 4]]
            if "to" in negation[:2] and "not" in negation[:1]:
                continue  # "I'm asking you not to ...": a request, not an omission
            if {"n't", "not", "never", "failed", "forgot", "neglected"} & set(negation):
                for later in tokens[i + 2 : i + 6]:
                    if self._lemma(later) in self.diligence_verbs:
                        return sentence.doc[i : later.i + 1]
        return None

    def _judge_apology(self, sentence, labels, shared, detection: Detection) -> bool:
        if "apology" not in labels:
            return False
        if "sympathy" in labels:
            span = labels["sympathy"]
            start, end = _clause(sentence, span)
            detection.add("empathize", "move", start, end, 0.85)
            return False
        not_apologies = ("non_apology", "repeat_request", "negated_apology", "sarcastic_apology", "policy_apology")
        if any(label in labels for label in not_apologies):
            if "policy_apology" in labels:
                span = labels["policy_apology"]
                detection.add("dismiss", "penalty", span.start_char, span.end_char, 0.8)
            if "sarcastic_apology" in labels:
                span = labels["sarcastic_apology"]
                detection.add("insult", "penalty", span.start_char, span.end_char, 0.7)
            return False
        if sentence.text.strip().lower().rstrip("?.!") in {"sorry", "sry", "soz"} and sentence.text.strip().endswith("?"):
            return False
        start, end = _clause(sentence, labels["apology"])
        detection.add("apologize", "move", start, end, 0.9)
        if shared - self.generic_topics:  # "sorry about the wait" names nothing specific
            detection.add("listen", "move", start, end, 0.7)
        return True

    def _judge_empathy(self, sentence, labels, detection: Detection) -> None:
        if "dismiss" in labels:
            return
        if "empathy_frame" in labels:
            span = labels["empathy_frame"]
            start, end = _clause(sentence, span)
            detection.add("empathize", "move", start, end, 0.8)
            return
        apology_clause = _clause(sentence, labels["apology"]) if "apology" in labels else None
        for token in sentence:
            if token.lower_ in self.feelings and not _negated(token):
                in_apology = apology_clause and apology_clause[0] <= token.idx < apology_clause[1]
                if in_apology and token.lower_ in STOCK_APOLOGY_WORDS:
                    continue  # "sorry for the inconvenience" is the apology, not empathy
                start, end = _clause(sentence, token)
                detection.add("empathize", "move", start, end, 0.7)
                return

    def _judge_listening(self, sentence, labels, shared, is_question, judged_elsewhere, detection: Detection) -> None:
        if judged_elsewhere:
            return  # an apology naming the problem is credited there; a fix or a penalty restates for its own ends
        if "invitation" in labels:  # a restatement or an invitation: the whole sentence is the quote
            start, end = _trimmed(sentence)
            detection.add("listen", "move", start, end, 0.8)
            return
        if is_question:
            if shared and "identifier_request" not in labels and "offer_question" not in labels:
                detection.add("listen", "move", *_trimmed(sentence), 0.7)
            return
        specific = any(_SPECIFIC.search(term) for term in shared)
        if specific or len(shared) >= 2:
            detection.add("listen", "move", *_trimmed(sentence), 0.6 if not specific else 0.75)

    def _judge_resolution(self, sentence, labels, all_cues, is_question, detection: Detection) -> None:
        vague = "vague" in labels and not _has_time(sentence)
        if vague or "boundary" in labels:
            return
        lemmas = [self._lemma(t) for t in sentence]
        concrete = any(lemma in self.remedy_nouns for lemma in lemmas) or _has_time(sentence)
        if "commitment" in labels and not (is_question and "identifier_request" in labels):
            for cue in all_cues["commitment"]:
                window = lemmas[cue.end - sentence.start : cue.end - sentence.start + 4]
                if any(l in self.remedy_verbs or (concrete and l in self.weak_remedy_verbs) for l in window):
                    start, end = _clause(sentence, cue)
                    detection.add("resolve", "move", start, end, 0.85 if _has_time(sentence) else 0.75)
                    return
        verbs = self.remedy_verbs | self.weak_remedy_verbs
        if "offer_question" in labels and any(l in self.remedy_nouns or l in verbs for l in lemmas):
            start, end = _clause(sentence, labels["offer_question"])
            detection.add("resolve", "move", start, end, 0.75)
            return
        if "handover" in labels:
            start, end = _clause(sentence, labels["handover"])
            detection.add("resolve", "move", start, end, 0.7)
            return
        if "escalation" in labels and ("commitment" in labels or _has_time(sentence)):
            start, end = _clause(sentence, labels["escalation"])
            detection.add("resolve", "move", start, end, 0.7)

    def _judge_penalties(self, sentence, labels, known: "ContextTerms", detection: Detection) -> None:
        for label in ("blame", "argue", "dismiss", "insult", "overpromise", "calm_down"):
            if label in labels:
                span = labels[label]
                detection.add(label, "penalty", span.start_char, span.end_char, 0.8)
        careless = self._careless_customer(sentence)
        if careless is not None:
            detection.add("blame", "penalty", careless.start_char, careless.end_char, 0.7)
        if "counter_threat" in labels:
            span = labels["counter_threat"]
            detection.add("insult", "penalty", span.start_char, span.end_char, 0.85)
            detection.signals.add("counter_threat")
        jargon = labels.get("jargon_terms")
        if jargon is not None and jargon.text.lower() not in known.text:
            detection.add("jargon", "penalty", jargon.start_char, jargon.end_char, 0.75)
            return
        if sentence.text.isupper():
            return
        for token in sentence:
            if (
                token.is_alpha
                and token.is_upper
                and 2 <= len(token.text) <= 5
                and token.text not in PLAIN_ACRONYMS
                and token.lower_ not in known.text
            ):
                detection.add("jargon", "penalty", token.idx, token.idx + len(token.text), 0.6)
                return

    # --- terms ----------------------------------------------------------------------------

    def _is_content(self, token) -> bool:
        if _SPECIFIC.search(token.text):
            return True
        return token.is_alpha and len(token.text) > 2 and token.lower_ not in self.stopwords

    def _lemma(self, token) -> str:
        return (token.lemma_ or token.lower_).lower()

    def _lemma_word(self, word: str) -> str:
        return self._lemma(self.nlp.make_doc(word)[0]) if word else word

    def _shared_terms(self, sentence, restated: list[str]) -> set[str]:
        """What the sentence shares with the customer: numbers and ids as written, words as lemmas."""
        shared = set()
        for token in sentence:
            if restated[token.i] == SHARED_SPECIFIC:
                shared.add(token.lower_)
            elif restated[token.i] == SHARED_WORD:
                shared.add(self._lemma(token))
        return shared

    def _shares_specific(self, token, known: "ContextTerms") -> bool:
        """A number or identifier the customer also gave."""
        return bool(_SPECIFIC.search(token.text)) and (
            token.lower_ in known.specifics or token.lower_.strip("£$€#") in known.text)

    def _shares_word(self, token, known: "ContextTerms") -> bool:
        """A content word whose lemma the customer also used."""
        return self._is_content(token) and not _SPECIFIC.search(token.text) and self._lemma(token) in known.lemmas

    def _restated(self, token, known: "ContextTerms") -> str:
        """The token as the restatement view shows it: a placeholder if the customer said it."""
        if self._shares_specific(token, known):
            return SHARED_SPECIFIC
        return SHARED_WORD if self._shares_word(token, known) else token.lower_


@dataclass(frozen=True)
class ContextTerms:
    """What the customer said, reduced to what a restatement would share with it."""

    lemmas: frozenset[str]
    specifics: frozenset[str]
    text: str


def _clause(sentence, cue) -> tuple[int, int]:
    """The clause of ``sentence`` around a cue: what a lead would highlight as the quote."""
    text = sentence.text
    cue_start = cue.idx - sentence.start_char if hasattr(cue, "idx") else cue.start_char - sentence.start_char
    cue_end = cue_start + len(cue.text)
    start, end = 0, len(text)
    for match in _CLAUSE_BREAK.finditer(text):
        if match.end() <= cue_start:
            start = match.end()
        elif match.start() >= cue_end:
            end = match.start()
            break
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".!?,;:"):
        end -= 1
    return sentence.start_char + start, sentence.start_char + end


def _trimmed(sentence) -> tuple[int, int]:
    """The sentence's span without surrounding spaces and final punctuation."""
    text = sentence.text.rstrip()
    end = len(text)
    while end > 0 and text[end - 1] in ".!?,;:":
        end -= 1
    start = len(text) - len(text.lstrip())
    return sentence.start_char + start, sentence.start_char + end


def _negated(token) -> bool:
    window = token.doc[max(token.i - 5, token.sent.start) : token.i]
    return any(t.lower_ in {"not", "n't", "no", "never", "nothing"} for t in window)


def _has_time(sentence) -> bool:
    times = {"today", "tomorrow", "tonight", "now", "monday", "tuesday", "wednesday", "thursday", "friday",
             "saturday", "sunday", "hour", "hours", "minutes", "days", "day", "week", "morning", "afternoon",
             "evening", "immediately", "pm", "am", "by", "within"}
    return any(t.lower_ in times for t in sentence) or bool(re.search(r"\d", sentence.text))
