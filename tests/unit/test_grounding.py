"""Answering *this* customer: each family of issue 9, asserting the decision and its evidence.

Replies are judged against a scenario's case (its facts and what the customer said), the
way the simulator judges them, through the detector's public ``detect``. The replies are
written for these tests, not taken from the labelled data.
"""

from __future__ import annotations

import shutil

import pytest

from sparring import language as language_module
from sparring.detector import default_detector
from sparring.offers import ACCEPTED, GENERIC, REJECTED, WRONG_OBJECT
from sparring.scenarios import Catalogue
from sparring.specifics import SpecificsReader, reader

CATALOGUE = Catalogue()


def judge(text: str, scenario_id: str = "double-charge", context: str = ""):
    return default_detector().detect(text, context, CATALOGUE.get(scenario_id))


def evidence(found, label: str):
    item = found.evidence_for(label)
    assert item is not None, (found.moves, found.penalties)
    return item


def quote(found, text: str, label: str) -> str:
    item = evidence(found, label)
    return text[item.start : item.end]


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize("first, second", [
    ("£389.99", "389.99"), ("£1,000", "1000 pounds"), ("14 March", "14/03"), ("14 March", "the 14th"),
    ("March 14th", "14 Mar"), ("11:40pm", "23:40"), ("SPX-20931847", "spx20931847"), ("SPX-20931847", "20931847"),
    ("twice", "two"), ("Friday", "fridays"),
])
def test_the_same_specific_written_two_ways_matches(first, second):
    (a,), (b,) = reader().read(first), reader().read(second)
    assert a.matches(b) and b.matches(a)


@pytest.mark.parametrize("first, second", [("£389.99", "£31.50"), ("14 March", "4 March"), ("14 March", "14 May"),
                                           ("Friday", "Monday"), ("SPX-20931847", "KC-20817")])
def test_different_specifics_do_not_match(first, second):
    (a,), (b,) = reader().read(first), reader().read(second)
    assert not a.matches(b)


def test_another_language_changes_data_not_code(tmp_path, monkeypatch):
    """A language folder with month-first dates reads 03/14 as the 14th of March: the
    order lives in grounding.yml, not in the reader."""
    folder = tmp_path / "xx"
    shutil.copytree(language_module.LANGUAGES_DIR / "en", folder)
    data = (folder / "grounding.yml").read_text(encoding="utf-8").replace('"\\\\b{d}/{m}', '"\\\\b{m}/{d}')
    (folder / "grounding.yml").write_text(data.replace("code: en", "code: xx"), encoding="utf-8")
    (folder / "language.yml").write_text(
        (folder / "language.yml").read_text(encoding="utf-8").replace("code: en", "code: xx"), encoding="utf-8")
    monkeypatch.setattr(language_module, "LANGUAGES_DIR", tmp_path)
    language_module.load_language.cache_clear()
    try:
        (found,) = SpecificsReader("xx").read("on 03/14")
        assert found.key == "14/3"
    finally:
        language_module.load_language.cache_clear()


def test_an_unknown_language_is_a_clear_error():
    with pytest.raises(LookupError, match="unknown language 'zz'; available: en"):
        language_module.load_language("zz")


# --- listen -------------------------------------------------------------------------------


def test_restating_a_fact_in_other_words_is_listening_and_names_the_fact():
    text = "So the 389.99 went out of your account two times on the 14th?"
    found = judge(text)
    assert "listen" in found.moves
    listen = evidence(found, "listen")
    assert listen.fact == "the two payments" and listen.quality == "grounded"
    assert "389.99 went out" in quote(found, text, "listen")


def test_a_restatement_of_another_customers_problem_is_not_listening_but_wrong_facts():
    text = ("Kelly, I've got SPX-20931847 here: express delivery due on the 4th, "
            "and it's been stuck at the Northampton hub since the 5th.")
    found = judge(text)
    assert "listen" not in found.moves
    assert "wrong_facts" in found.penalties
    assert evidence(found, "wrong_facts").term in {"Kelly", "SPX-20931847", "the 4th", "Northampton", "hub"}


def test_the_same_reply_in_its_own_case_is_listening():
    text = "I've got SPX-20931847 here: express delivery due on the 4th, and it's been stuck at the Northampton hub since the 5th."
    found = judge(text, "late-parcel")
    assert "listen" in found.moves and "wrong_facts" not in found.penalties
    assert evidence(found, "listen").fact in {"tracking number", "tracking status", "order and delivery option"}


def test_a_content_free_recap_question_is_not_listening():
    found = judge("So if I've understood correctly, the issue is still happening and nobody has fixed it?")
    assert "listen" not in found.moves


def test_an_identifier_only_question_is_not_listening():
    found = judge("Could you give me your account number, please?")
    assert "listen" not in found.moves


# --- wrong facts --------------------------------------------------------------------------


@pytest.mark.parametrize("text, term", [
    ("I'm so sorry your food arrived cold and over an hour late.", "food"),
    ("I can see the £31.50 charge on your statement.", "£31.50"),
    ("Sorry, Priya, let me look at this for you.", "Priya"),
])
def test_details_of_another_case_are_wrong_facts_with_the_detail_as_evidence(text, term):
    found = judge(text)
    assert "wrong_facts" in found.penalties
    wrong = evidence(found, "wrong_facts")
    assert wrong.term == term and term in text[wrong.start : wrong.end]


@pytest.mark.parametrize("text", [
    "I'll call you back on Thursday by 4pm with an update.",
    "Your dispute reference is DS-55210, and I'll text it to you now.",
    "As a goodwill gesture I'm adding a £20 credit to your account today.",
    "You're welcome, Dana.",
])
def test_new_commitments_and_politeness_are_not_wrong_facts(text):
    assert "wrong_facts" not in judge(text).penalties


def test_an_apology_for_a_problem_the_customer_never_raised_earns_no_apology():
    found = judge("I'm so sorry your parcel is late.")
    assert "apologize" not in found.moves and "wrong_facts" in found.penalties


def test_classify_without_a_scenario_never_charges_wrong_facts():
    found = default_detector().detect("I'm so sorry your parcel is late.", "You charged me twice!")
    assert "wrong_facts" not in found.penalties


# --- empathy ------------------------------------------------------------------------------


def test_empathy_naming_this_customers_situation_is_grounded_and_stock_empathy_is_not():
    grounded = judge("With your rent going out on Friday, that must be really frightening.")
    stock = judge("I can hear how upsetting this has been for you.")
    assert evidence(grounded, "empathize").quality == "grounded"
    assert evidence(stock, "empathize").quality == "stock"


# --- offers -------------------------------------------------------------------------------


def offers(text: str, scenario_id: str = "double-charge"):
    return [(o.verdict, o.remedy) for o in judge(text, scenario_id).offers]


@pytest.mark.parametrize("text", [
    "I'm reversing the second £389.99 payment now.",
    "I've put the £389.99 back into your account this morning.",  # paraphrase: no listed phrase
    "Would a temporary credit of the £389.99 today help while we chase it?",  # an offer asked as a question
    "The duplicate £389.99 has been refunded to your card.",
])
def test_a_committed_offer_of_this_cases_remedy_is_accepted(text):
    assert (ACCEPTED, "refund the duplicate payment") in offers(text)
    found = judge(text)
    resolve = evidence(found, "resolve")
    assert resolve.quality == "fits" and "389.99" in text[resolve.start : resolve.end]


@pytest.mark.parametrize("text", [
    "I can't refund the £389.99.",
    "If you'd like a refund of the £389.99 you'd need to fill in a dispute form.",
    "I'll see if a refund of the £389.99 is possible.",
    "You were told the £389.99 would be refunded.",
    "I'm so sorry the £389.99 refund hasn't arrived.",
    "Your case reference is CR-55120.",
])
def test_negated_conditional_hypothetical_reported_offers_and_references_are_not_offers(text):
    assert not [o for o in offers(text) if o[0] == ACCEPTED]


def test_an_offer_with_the_wrong_object_is_not_accepted_and_the_customer_says_what_is_wrong():
    text = "I've refunded the full £31.50 to your card."
    found = judge(text)
    assert (WRONG_OBJECT, "refund the duplicate payment") in [(o.verdict, o.remedy) for o in found.offers]
    assert "resolve" not in found.moves


def test_a_content_free_offer_is_generic_and_earns_only_stock_credit():
    text = "I'm going to arrange a refund for you."
    found = judge(text)
    assert [o.verdict for o in found.offers] == [GENERIC]
    if "resolve" in found.moves:
        assert evidence(found, "resolve").quality == "stock"


def test_a_rejected_remedy_is_recognised_even_when_it_is_advice():
    assert (REJECTED, "wait for it to drop off") in offers("It should drop off your account in a few days.")


def test_a_scenario_phrase_is_recognised_in_another_form_of_its_words():
    assert (REJECTED, "wait for it to drop off") in offers("It's dropping off your account in a few days.")


# --- the customer -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim():
    from sparring.session import Simulator

    return Simulator(CATALOGUE)


def calm(sim, scenario_id="double-charge"):
    state, _ = sim.start(scenario_id, "calm")
    state = state.as_dict()
    for reply in ("I'm so sorry: £389.99 taken twice for one coffee machine, with your rent due on Friday. That must be terrifying.",
                  "Has the second payment caused any fees on your account?"):
        state = sim.reply(state, reply).state.as_dict()
    return state


def test_the_customer_answers_a_wrong_object_in_character_naming_it(sim):
    turn = sim.reply(calm(sim), "I've refunded the full £31.50 to your card.")
    assert not turn.state.ended
    assert any("£31.50" in line for line in turn.lines)
    assert "wrong_facts" in turn.record["penalties"]


def test_an_accepted_remedy_beside_a_rejected_one_gets_a_mixed_reaction(sim):
    turn = sim.reply(calm(sim), "I'm refunding the second £389.99 today, and the rest should drop off on its own in a few days.")
    assert "mixed" in turn.record["events"] and not turn.state.ended
    assert len(turn.lines) == 2


def test_a_partial_remedy_is_welcome_but_does_not_end_the_conversation(sim):
    turn = sim.reply(calm(sim), "I've waived the £25 overdraft fee for you.")
    assert "accepted:remove the overdraft fee" in turn.record["events"]
    assert not turn.state.ended


def test_a_first_reply_that_acknowledges_the_specifics_never_ends_the_conversation(sim):
    state, _ = sim.start("late-parcel", "kelly")
    text = ("Kelly, I want to sort this, and I can do that best if we keep it civil. I've got SPX-20931847 here: "
            "express delivery due on the 4th, and it's been stuck at the Northampton hub since the 5th.")
    turn = sim.reply(state.as_dict(), text)
    assert not turn.state.ended
    assert "listen" in turn.record["moves"]


def test_the_customer_hangs_up_only_after_repeated_failures(sim):
    state, _ = sim.start("double-charge", "strikes")
    state = state.as_dict()
    ended_at = None
    for turn_number, reply in enumerate(["That's not what happened, you should have checked your statement."] * 4, 1):
        turn = sim.reply(state, reply)
        state = turn.state.as_dict()
        if turn.state.ended:
            ended_at = turn_number
            break
    assert ended_at is not None and ended_at >= 2
    assert state["outcome"] == "hung_up"


def test_an_insult_at_the_edge_ends_the_conversation_at_once(sim):
    state, _ = sim.start("late-parcel", "insult")
    turn = sim.reply(state.as_dict(), "Oh shut up, you pathetic woman, nobody cares about your stupid parcel.")
    assert turn.state.ended and turn.state.outcome == "hung_up"


# --- the scorecard ------------------------------------------------------------------------


def test_stock_replies_cannot_reach_full_marks_and_the_tip_names_the_unnamed_worry(sim):
    state, _ = sim.start("double-charge", "stock")
    state, records = state.as_dict(), []
    for reply in ("I can hear how upsetting this has been for you.", "I sincerely apologise for the inconvenience.",
                  "I can hear how stressful this is, and I'm sorry.", "I'm going to arrange a refund for you today."):
        turn = sim.reply(state, reply)
        state = turn.state.as_dict()
        records.append(turn.record)
    card = sim.scorecard(state, records, "Ana")
    assert card["moves"]["empathize"]["score"] <= 50
    assert card["moves"]["resolve"]["score"] <= 30
    assert card["moves"]["listen"]["score"] == 0
    worry_tip = next(t for t in card["tips"] if t["finding"] == "stock_empathize")
    assert "rent" in worry_tip["text"] and "Dana" in worry_tip["text"]
