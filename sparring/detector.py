"""The checklist detector: which moves and penalties a trainee reply shows, and where.

Three steps, one verdict. The rules (``sparring.rules``) find cues and judge them in
context; the trained classifiers (``sparring.trained``) weigh the rules' findings with the
reply's words and make the call on each label; then the verdict is *grounded* in the case
(``sparring.grounding``, ``sparring.offers``), because the models judge the shape of a
reply and only the case can say whether it answers this customer:

- listen stands only on a sentence that restates or asks about something of this case (or
  invites the customer to say more), and its evidence names the fact restated;
- an apology or empathy about a problem this customer never raised earns nothing, and
  empathy that names the customer's own situation is marked grounded, stock empathy not;
- with a scenario, an offer of one of its remedies counts only when committed (not negated,
  conditional, hypothetical or reported) and about this case's object; resolve is marked by
  how well it fits, and a remedy the scenario rejects or an offer about another case earns
  nothing;
- details that belong to no fact of a scenario are the penalty ``wrong_facts``.

Evidence spans come from the rules when they found the same label, otherwise from the
sentence the models score highest for it.
"""

from __future__ import annotations

import json
import re
from typing import Iterable

from sparring.grounding import Case, Grounding
from sparring.offers import ACCEPTED, PROMISES, REJECTED, OfferReader
from sparring.rules import Detection, Evidence, RuleDetector
from sparring.thresholds import RULE_FLOORS, THRESHOLDS
from sparring.trained import LABELS, load_or_train
from sparring.checklist import MOVES, QUALITIES

# Moves a sentence can show on its own, whatever the rest of the reply says (an apology;
# chosen by cross-validation: apologize F1 0.949 -> 0.955, no other label changed).
SENTENCE_MOVES = ("apologize",)
_SENTENCE_EDGE = re.compile(r"\S.*?(?:[.!?]+(?=\s|$)|$)", re.S)
# How well a move fits the case (sparring.checklist.QUALITIES; caps in playbook/rubric.yml).
GROUNDED, INVITED = QUALITIES["listen"]
STOCK = QUALITIES["empathize"][1]
FITS, SPECIFIC = QUALITIES["resolve"][:2]


class Detector:
    """Rules plus trained model plus grounding; ``detect`` is the one call the engine uses."""

    def __init__(self, rules: RuleDetector | None = None, model=None):
        self.rules = rules or RuleDetector()
        self.model = model or load_or_train(rules=self.rules)
        self.offers = OfferReader()

    def case(self, context: str = "", scenario=None) -> Case:
        """The case a reply is judged against: a scenario's (with what the customer said
        lately), or only the customer's message when no scenario is known."""
        if scenario is None:
            return self.rules.grounder.case_from_text(context)
        case = self.rules.grounder.case_from_scenario(scenario)
        return case.plus(self.rules.grounder.messages_case([context])) if context else case

    def detect(self, text: str, context: str = "", scenario=None) -> Detection:
        if not text or not text.strip():
            return Detection()
        case = self.case(context, scenario)
        found = self.rules.detect(text, case)
        scores = self.model.scores(text, found)
        verdict = Detection(signals=set(found.signals), features=set(found.features), grounding=found.grounding,
                            doc=found.doc)
        rule_evidence = {e.label: e for e in found.evidence}
        sentences: list[tuple[int, int, dict[str, float]]] | None = None  # scored once, if needed
        for label in LABELS:
            evidence = rule_evidence.get(label)
            floor = RULE_FLOORS.get(label, 1.0) if evidence is not None else 1.0
            if scores[label] < min(THRESHOLDS[label], floor) and not self._holds_alone(label, evidence, text, case):
                continue
            if evidence is None:
                sentences = sentences if sentences is not None else self._scored_sentences(text, case)
                evidence = _best_sentence(sentences, label)
            verdict.add(label, "move" if label in MOVES else "penalty", evidence.start, evidence.end, scores[label])
        self._ground(verdict, found, case, scenario)
        return verdict.ordered()

    def _holds_alone(self, label: str, evidence: Evidence | None, text: str, case: Case) -> bool:
        """A move the rules found in one sentence of a long reply, which the models confirm
        for that sentence on its own: "I'm sorry, Mr Tully." opening four sentences about
        something else is still an apology, though it is a small part of the reply's words."""
        if label not in SENTENCE_MOVES or evidence is None:
            return False
        spans = [(m.start(), m.start() + len(m.group().rstrip(" .!?"))) for m in _SENTENCE_EDGE.finditer(text)]
        sentence = next(((start, end) for start, end in spans if start <= evidence.start < end), None)
        if sentence is None or sentence == (0, len(text.rstrip(" .!?"))):
            return False
        alone = text[sentence[0]:sentence[1]]
        return self.model.scores(alone, self.rules.detect(alone, case))[label] >= THRESHOLDS[label]

    def _scored_sentences(self, text: str, case: Case) -> list[tuple[int, int, dict]]:
        """Each sentence's span and the models' scores for it alone (no scores needed when
        the reply is one sentence: it is its own evidence)."""
        spans = [(m.start(), m.start() + len(m.group().rstrip(" .!?"))) for m in _SENTENCE_EDGE.finditer(text)]
        spans = [(start, end) for start, end in spans if end > start] or [(0, len(text))]
        if len(spans) == 1:
            return [(*spans[0], {})]
        return [(start, end, self.model.scores(text[start:end], self.rules.detect(text[start:end], case)))
                for start, end in spans]

    # --- grounding ----------------------------------------------------------------------------

    def _ground(self, verdict: Detection, found: Detection, case: Case, scenario) -> None:
        grounding = found.grounding
        if case.complete:
            foreign = grounding.foreign
            if foreign:
                start, end = _sentence_span(found.doc, foreign[0].start)
                verdict.add("wrong_facts", "penalty", start, end, 0.9, term=foreign[0].text)
            for label in ("apologize", "empathize"):
                evidence = verdict.evidence_for(label)
                if evidence and grounding.foreign_within(*_sentence_span(found.doc, evidence.start)):
                    verdict.drop(label)  # sorry for, or feeling for, somebody else's problem
        if scenario is not None:
            verdict.offers = self.offers.offers(found.doc, grounding, scenario.accept, scenario.reject)
        self._ground_listen(verdict, found, case)
        self._ground_empathy(verdict, grounding, case)
        self._ground_resolve(verdict, found, scenario)

    def _ground_listen(self, verdict: Detection, found: Detection, case: Case) -> None:
        """Listen must stand on this case. With a scenario's whole case known, the sentence
        must restate or ask about its specifics (a specific, a paraphrase concept, or two of
        its words; evidence names the fact); one shared word, an invitation to say more or a
        clarifying question earns the lesser "invited" credit; nothing of the case, nothing.
        Against one customer message (``classify``) a paraphrase may share no word with it,
        so there a sentence only has to name something: a reply of generic words alone
        ("the issue is still happening?") is the shape of a restatement, not one. Details
        quoted to mock the customer show they were read, not heard (the data set's ruling on
        details used to argue; cross-validation on the train split: listen F1 0.881 -> 0.885)."""
        if "insult" in verdict.penalties:
            verdict.drop("listen")
            return
        evidence = verdict.evidence_for("listen")
        if evidence is None:
            return
        sentences = found.grounding.sentences
        # A sentence that offers something restates the case for its own ends (its object is
        # not listening), and one that proposes a remedy the customer refuses ("have you tried
        # restarting it?") shows the opposite of listening.
        offering = {m.sentence for m in self.offers.mentions(found.doc) if m.frame in PROMISES}
        offering |= {(o.start, o.end) for o in verdict.offers}
        usable = [s for s in sentences if not s.foreign and (s.start, s.end) not in offering]
        asked = "cue_invitation" in found.features or "clarifying_question" in found.signals
        if case.complete:
            grounded = [s for s in usable if s.grounded]
            partial = [s for s in usable if s.shared]
        else:
            grounded = [s for s in sentences if s.grounded]
            partial = [s for s in sentences if s.shared or self.rules.grounder.names_something(found.doc, s)]
        chosen = _containing(grounded, evidence.start) or (grounded or [None])[0]
        quality = GROUNDED
        if chosen is None:
            chosen = _containing(partial, evidence.start) or (partial or [None])[0]
            quality = INVITED
        if chosen is None:
            if asked and not (case.complete and found.grounding.foreign):
                verdict.replace_evidence(_with(evidence, quality=INVITED))
            else:
                verdict.drop("listen")
            return
        inside = chosen.start <= evidence.start < chosen.end
        start, end = (evidence.start, evidence.end) if inside else _trim(found.doc.text, chosen.start, chosen.end)
        facts = chosen.facts()
        fact = facts[0] if facts and case.complete else None
        verdict.replace_evidence(Evidence("listen", start, end, evidence.confidence, "move", fact=fact,
                                          quality=quality))

    def _ground_empathy(self, verdict: Detection, grounding: Grounding, case: Case) -> None:
        """Empathy that names this customer's situation is grounded; "I can hear how
        upsetting this is" is stock, worth less on the scorecard."""
        evidence = verdict.evidence_for("empathize")
        if evidence is None or not case.complete:
            return
        at = next((i for i, s in enumerate(grounding.sentences) if s.start <= evidence.start < s.end), None)
        # "That's awful" right after a restatement is about what was restated.
        near = grounding.sentences[max(at - 1, 0):at + 1] if at is not None else []
        quality = GROUNDED if any(s.grounded for s in near) else STOCK
        verdict.replace_evidence(_with(evidence, quality=quality))

    def _ground_resolve(self, verdict: Detection, found: Detection, scenario) -> None:
        """With a scenario, an offer is judged against its remedies: one it accepts is
        resolve at full credit (even where the models hesitate); one it rejects, or one
        about somebody else's problem, earns nothing; any other is graded by whether it
        names this case. Whether an offer is committed (not negated, conditional ...) is
        the models' call for the score, trained on those families, and the offer reader's
        for the customer's acceptance."""
        if scenario is None:
            return
        accepted = next((o for o in verdict.offers if o.verdict == ACCEPTED), None)
        evidence = verdict.evidence_for("resolve")
        if accepted is not None:
            start, end = _trim(found.doc.text, accepted.start, accepted.end)
            verdict.drop("resolve")
            verdict.add("resolve", "move", start, end, evidence.confidence if evidence else 0.8, quality=FITS)
            return
        if evidence is None:
            return
        where = found.grounding.sentence_at(evidence.start, evidence.end)
        rejected = any(o.verdict == REJECTED and o.start <= evidence.start < o.end for o in verdict.offers)
        if rejected or (where is not None and where.foreign):
            verdict.drop("resolve")  # a remedy the customer refuses, or an offer about somebody else's problem
            return
        if where is not None and where.grounded and not self._does_something(found, where):
            verdict.drop("resolve")  # "I can see your account was blocked on 2 October": a restatement
            return
        verdict.replace_evidence(_with(evidence, quality=SPECIFIC if where is not None and where.grounded else STOCK))

    def _does_something(self, found: Detection, sentence) -> bool:
        """A remedy named, or the agent committing to an action, in this sentence."""
        text = found.doc.text[sentence.start:sentence.end]
        named = any(sentence.start <= m.start < sentence.end for m in self.offers.mentions(found.doc))
        return named or self.offers.commits(text)

def _containing(sentences, char: int):
    return next((s for s in sentences if s.start <= char < s.end), None)


def _with(evidence: Evidence, **details) -> Evidence:
    fields = {**evidence.__dict__, **details}
    return Evidence(**fields)


def _sentence_span(doc, char: int) -> tuple[int, int]:
    sentence = next((s for s in doc.sents if s.start_char <= char < s.end_char), doc[:])
    return _trim(doc.text, sentence.start_char, sentence.end_char)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without surrounding spaces and final punctuation: what a lead sees quoted."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".!?,;:"):
        end -= 1
    return start, end


def _best_sentence(sentences: list[tuple[int, int, dict]], label: str) -> Evidence:
    """The sentence the models find most telling for ``label``; the earliest of equals."""
    start, end, scores = max(sentences, key=lambda item: (item[2].get(label, 1.0), -item[0]))
    return Evidence(label, start, end, scores.get(label, 1.0), "move" if label in MOVES else "penalty")


_DEFAULT: Detector | None = None


def default_detector() -> Detector:
    """One detector per process: loading the spaCy pipelines takes about a second."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Detector()
    return _DEFAULT


def classify_lines(lines: Iterable[str], scenarios=None) -> Iterable[dict]:
    """The ``sparring classify`` contract: JSON objects in, one result per input, in order.
    An input may name a ``scenario_id`` to be judged against that scenario's facts (which
    is what adds ``wrong_facts``); ``scenarios`` is the catalogue to look it up in."""
    detector = default_detector()
    for line in lines:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = str(item.get("text") or "")
            context = str(item.get("context") or "")
            scenario_id = item.get("scenario_id")
        except (ValueError, AttributeError) as error:
            yield {"error": f"not a JSON object with a text field: {error}"}
            continue
        scenario = scenarios.get(str(scenario_id)) if scenario_id and scenarios is not None else None
        if scenario_id and scenario is None:
            yield {"error": f"unknown scenario {str(scenario_id)[:80]!r}"}
            continue
        yield detector.detect(text, context, scenario).as_dict()
