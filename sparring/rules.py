"""The rule half of the checklist detector: cues, judged sentence by sentence in context.

Built on ``spacy.blank(<language>)`` with a sentencizer, the lookup lemmatizer and a cue
component (PhraseMatchers over the language's ``lexicon.yml``). A cue alone is never the
verdict: each sentence is judged in context — an apology cue is checked against how it is
framed (conditional, negated, sarcastic, a repeat request, policy used to dismiss, sympathy
for a misfortune the company did not cause), listening against what the case holds (the
terms ``sparring.grounding`` finds restated: this customer's words and the scenario's
facts, normalised), a resolution against commitment and vagueness.

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
from typing import Any

from sparring.checklist import MOVES, PENALTIES
from sparring.grounding import Case, Grounder, Grounding, Term
from sparring.language import DEFAULT_LANGUAGE, load_language
from sparring.offers import Offer

# Where a quoted clause ends. Not "so": it is as often an intensifier ("so upsetting") as a
# conjunction, and the conjunction mostly follows a comma anyway.
_CLAUSE_BREAK = re.compile(r"[,;:!?\u2014\u2013]|\s-\s|\.(?=\s)|\bbut\b|\band\b", re.IGNORECASE)
_SPECIFIC = re.compile(r"\d|[A-Z]{2,}-?\d")


@dataclass(frozen=True)
class Evidence:
    """Why a move or penalty was detected: a span of the reply and a confidence."""

    label: str
    start: int
    end: int
    confidence: float
    kind: str  # "move" or "penalty"
    fact: str | None = None  # listen: the fact of the case that was restated
    term: str | None = None  # wrong_facts: the detail that is not this customer's
    quality: str | None = None  # empathize, resolve: "grounded"/"stock", "accepted"/"specific"/"stock"

    def as_dict(self) -> dict:
        found = {"move" if self.kind == "move" else "penalty": self.label, "start": self.start, "end": self.end,
                 "confidence": round(self.confidence, 2)}
        for name in ("fact", "term", "quality"):
            if getattr(self, name) is not None:
                found[name] = getattr(self, name)
        return found


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
    grounding: Grounding | None = None  # how each sentence relates to the case
    doc: Any = None  # the spaCy Doc the rules read, reused by the detector
    offers: list[Offer] = field(default_factory=list)  # remedies offered, when a scenario is known

    def add(self, label: str, kind: str, start: int, end: int, confidence: float, **details) -> None:
        names = self.moves if kind == "move" else self.penalties
        if label in names:
            return
        names.append(label)
        self.evidence.append(Evidence(label, start, end, confidence, kind, **details))

    def drop(self, label: str) -> None:
        for names in (self.moves, self.penalties):
            if label in names:
                names.remove(label)
        self.evidence = [e for e in self.evidence if e.label != label]

    def evidence_for(self, label: str) -> Evidence | None:
        return next((e for e in self.evidence if e.label == label), None)

    def replace_evidence(self, evidence: Evidence) -> None:
        self.evidence = [e for e in self.evidence if e.label != evidence.label] + [evidence]

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


class CueMatcher:
    """spaCy component: marks every lexicon cue as a labelled span in ``doc.spans["cues"]``."""

    def __init__(self, nlp, name: str, language: str = DEFAULT_LANGUAGE):
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, phrases in load_language(language).lexicon["phrases"].items():
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


@lru_cache(maxsize=None)
def build_pipeline(language: str = DEFAULT_LANGUAGE):
    """spaCy blank pipeline of the language + sentencizer + its lemmatizer + our cue matcher."""
    _keep_tensorflow_out()
    import spacy
    from spacy.language import Language

    if not Language.has_factory("checklist_cues"):
        Language.factory("checklist_cues", default_config={"language": DEFAULT_LANGUAGE}, func=CueMatcher)
    settings = load_language(language)
    nlp = spacy.blank(settings.spacy_code)
    nlp.add_pipe("sentencizer")
    if settings.lemmatizer != "none":
        nlp.add_pipe("lemmatizer", config={"mode": settings.lemmatizer})
    nlp.add_pipe("checklist_cues", config={"language": language})
    nlp.initialize()
    return nlp


class RuleDetector:
    """Detects checklist moves and penalties in one trainee reply with rules, in context."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        lang = load_language(language)
        words = lang.words
        self.nlp = build_pipeline(language)
        self.grounder = Grounder(self.nlp, language)
        self.feelings = words("feelings")
        self.remedy_verbs = words("remedy_verbs")
        self.weak_remedy_verbs = words("weak_remedy_verbs")
        self.remedy_nouns = words("remedy_nouns")
        self.stopwords = frozenset(lang.lexicon["stopwords"])
        self.diligence_verbs = words("diligence_verbs")
        self.evidence_nouns = words("evidence_nouns")
        self.evidence_verbs = words("evidence_verbs")
        self.quantity_words = words("quantity_words")
        self.plain_acronyms = words("plain_acronyms")
        self.stock_apology_words = words("stock_apology_words")
        self.question_openers = words("question_openers")
        self.wh_words = words("wh_words")
        self.time_words = words("time_words")
        self.negations = words("negations")
        self.insult_negations = words("insult_negations")
        self.minimisers = words("minimisers")
        self.second_person = words("second_person")
        self.restating_openers = words("restating_openers")
        self.request_markers = words("request_markers")
        self.omission_words = words("omission_words")
        self.bare_apologies = words("bare_apologies")

    def detect(self, text: str, context: "str | Case" = "") -> Detection:
        """Judge ``text`` (a trainee reply) against ``context``: the customer's previous
        message, or the whole :class:`Case` of a scenario (its facts and what was said)."""
        detection = Detection()
        if not text or not text.strip():
            return detection
        case = context if isinstance(context, Case) else self.grounder.case_from_text(context)
        doc = self.nlp(text)
        grounding = self.grounder.ground(doc, case)
        cues_by_sentence = self._cues_by_sentence(doc)
        for sentence, where in zip(doc.sents, grounding.sentences):
            self._judge_sentence(sentence, cues_by_sentence.get(sentence.start, []), where.shared, case, detection)
        detection.restatement = " ".join(grounding.marks)
        detection.grounding, detection.doc = grounding, doc
        return detection.ordered()

    def _cues_by_sentence(self, doc) -> dict[int, list]:
        by_sentence: dict[int, list] = {}
        for span in doc.spans["cues"]:
            if span.label_ == "insult" and self._kindly_negated(span):
                continue
            by_sentence.setdefault(span.sent.start, []).append(span)
        return by_sentence

    def _kindly_negated(self, span) -> bool:
        """"You're not stupid at all", "there's no stupid question": the insult word negated."""
        window = span.doc[max(span.start - 3, span.sent.start) : span.start]
        return any(t.lower_ in self.insult_negations for t in window)

    # --- one sentence -------------------------------------------------------------------

    def _judge_sentence(self, sentence, cues, shared: list[Term], case: Case, detection: Detection) -> None:
        labels, all_cues = {}, {}
        for span in cues:  # the earliest cue of each label is the one quoted
            labels.setdefault(span.label_, span)
            all_cues.setdefault(span.label_, []).append(span)
        text = sentence.text
        is_question = text.rstrip().endswith("?") or (
            len(sentence) > 1 and sentence[0].lower_ in self.question_openers and not text.rstrip().endswith(".")
        )
        if is_question:
            detection.signals.add("question")
            asks = any(t.lower_ in self.wh_words for t in sentence)
            if asks and not {"identifier_request", "offer_question", "restatement_frame"} & labels.keys():
                detection.signals.add("clarifying_question")
        detection.features.update(f"cue_{label}" for label in labels)
        detection.features.add(f"shared_{min(len({t.key for t in shared}), 3)}")
        if any(term.specific for term in shared):
            detection.features.add("shared_specific")
        if is_question:
            detection.features.add("question")
        if any(t.lower_ in self.feelings for t in sentence):
            detection.features.add("feeling")
        detection.features.update(self._shape_features(sentence, shared))

        before = len(detection.evidence)
        self._judge_penalties(sentence, labels, case, detection)
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
        if self.second_person & set(words):
            features.add("second_person")
        if words and words[0] in self.restating_openers:
            features.add(f"starts_{words[0]}")
        if words and words[0] in self.question_openers:
            features.add(f"opens_{words[0]}")
        if any(t.like_num or _SPECIFIC.search(t.text) for t in sentence):
            features.add("has_number")
        content = [t for t in sentence if self._is_content(t)]
        if content and len({t.key for t in shared}) / len(content) >= 0.3:
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
            if token.lower_ in self.minimisers:
                following = tokens[i + 1 : i + 3]
                if any(t.lower_ in self.quantity_words or t.like_num or t.text in "£$€" for t in following):
                    return True
        return False

    def _careless_customer(self, sentence):
        """"you didn't read / check / tell us": the customer's own omission as the cause."""
        tokens = list(sentence)
        for i, token in enumerate(tokens[:-2]):
            if token.lower_ not in self.second_person:
                continue
            negation = [t.lower_ for t in tokens[i + 1 : i + 4]]
            if self.request_markers & set(negation[:2]) and self.negations & set(negation[:1]):
                continue  # "I'm asking you not to ...": a request, not an omission
            if (self.negations | self.omission_words) & set(negation):
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
        if sentence.text.strip().lower().rstrip("?.!") in self.bare_apologies and sentence.text.strip().endswith("?"):
            return False
        start, end = _clause(sentence, labels["apology"])
        detection.add("apologize", "move", start, end, 0.9)
        if shared:  # "sorry about the wait" names nothing specific
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
            if token.lower_ in self.feelings and not self._negated(token):
                in_apology = apology_clause and apology_clause[0] <= token.idx < apology_clause[1]
                if in_apology and token.lower_ in self.stock_apology_words:
                    continue  # "sorry for the inconvenience" is the apology, not empathy
                start, end = _clause(sentence, token)
                detection.add("empathize", "move", start, end, 0.7)
                return

    def _judge_listening(self, sentence, labels, shared, is_question, judged_elsewhere, detection: Detection) -> None:
        if judged_elsewhere:
            return  # an apology naming the problem is credited there; a fix or a penalty restates for its own ends
        if "invitation" in labels:  # an invitation to say more: the whole sentence is the quote
            start, end = _trimmed(sentence)
            detection.add("listen", "move", start, end, 0.8)
            return
        if "restatement_frame" in labels and shared:  # "so what you're saying" + a specific of the case
            detection.add("listen", "move", *_trimmed(sentence), 0.8)
            return
        if is_question:
            if shared and "identifier_request" not in labels and "offer_question" not in labels:
                detection.add("listen", "move", *_trimmed(sentence), 0.7)
            return
        specific = any(term.specific for term in shared)
        if specific or len({t.key for t in shared}) >= 2:
            detection.add("listen", "move", *_trimmed(sentence), 0.6 if not specific else 0.75)

    def _judge_resolution(self, sentence, labels, all_cues, is_question, detection: Detection) -> None:
        vague = "vague" in labels and not self._has_time(sentence)
        if vague or "boundary" in labels:
            return
        lemmas = [self._lemma(t) for t in sentence]
        concrete = any(lemma in self.remedy_nouns for lemma in lemmas) or self._has_time(sentence)
        if "commitment" in labels and not (is_question and "identifier_request" in labels):
            for cue in all_cues["commitment"]:
                window = lemmas[cue.end - sentence.start : cue.end - sentence.start + 4]
                if any(l in self.remedy_verbs or (concrete and l in self.weak_remedy_verbs) for l in window):
                    start, end = _clause(sentence, cue)
                    detection.add("resolve", "move", start, end, 0.85 if self._has_time(sentence) else 0.75)
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
        if "escalation" in labels and ("commitment" in labels or self._has_time(sentence)):
            start, end = _clause(sentence, labels["escalation"])
            detection.add("resolve", "move", start, end, 0.7)

    def _judge_penalties(self, sentence, labels, case: Case, detection: Detection) -> None:
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
        if jargon is not None and jargon.text.lower() not in case.text:
            detection.add("jargon", "penalty", jargon.start_char, jargon.end_char, 0.75)
            return
        if sentence.text.isupper():
            return
        for token in sentence:
            if (
                token.is_alpha
                and token.is_upper
                and 2 <= len(token.text) <= 5
                and token.text not in self.plain_acronyms
                and token.lower_ not in case.text
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

    def _negated(self, token) -> bool:
        window = token.doc[max(token.i - 5, token.sent.start) : token.i]
        return any(t.lower_ in self.negations for t in window)

    def _has_time(self, sentence) -> bool:
        return any(t.lower_ in self.time_words for t in sentence) or bool(re.search(r"\d", sentence.text))


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
