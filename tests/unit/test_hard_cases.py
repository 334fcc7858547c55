"""Hard-case families of issue 3, each asserting the verdict and, where a move is found,
the evidence span quoted from the reply. Written for these tests, not taken from the
labelled data set, so they check the detector on replies it was not trained on."""

from __future__ import annotations

import pytest

from sparring.detector import default_detector

PARCEL = "My parcel with the birthday cake stand was due Tuesday and the tracking hasn't moved since Saturday!"
BILL = "You've billed me £212 for roaming in Spain when I had the travel add-on switched on the whole time."


def verdict(text: str, context: str):
    found = default_detector().detect(text, context)
    spans = {e.label: text[e.start : e.end] for e in found.evidence}
    return set(found.moves), set(found.penalties), spans


def assert_found(text, context, label, quote_part):
    moves, penalties, spans = verdict(text, context)
    assert label in moves | penalties, (moves, penalties)
    assert quote_part in spans[label], spans[label]


def assert_absent(text, context, label):
    moves, penalties, _ = verdict(text, context)
    assert label not in moves | penalties, (moves, penalties)


def test_multi_move_reply_gets_each_move_with_its_own_span():
    text = "I'm so sorry the cake stand hasn't arrived, that's a rotten way to spend a birthday week. I'm booking a courier redelivery for tomorrow morning."
    moves, _, spans = verdict(text, PARCEL)
    assert {"apologize", "empathize", "resolve"} <= moves
    assert "sorry the cake stand hasn't arrived" in spans["apologize"]
    assert "booking a courier redelivery" in spans["resolve"]


@pytest.mark.parametrize("text", ["ok", "Noted.", "I see.", "Right, one moment.", "I understand."])
def test_bare_acknowledgements_are_no_move(text):
    moves, penalties, _ = verdict(text, PARCEL)
    assert not moves and not penalties


@pytest.mark.parametrize(
    "text",
    ["I'm sorry you feel that way.", "Sorry, but that's our policy.", "Sorry, can you repeat the order number?",
     "I won't apologise for the courier's schedule.", "Oh, I'm SO sorry your precious parcel is late."],
    ids=["conditional", "policy", "repeat", "negated", "sarcastic"],
)
def test_non_apologies_are_not_apologies(text):
    assert_absent(text, PARCEL, "apologize")


def test_sorry_but_policy_is_not_an_apology():
    assert_absent("Sorry, but that's our policy.", PARCEL, "apologize")


def test_sarcastic_apology_is_an_insult():
    assert_found("Oh, I'm SO sorry your precious parcel is late.", PARCEL, "insult", "SO sorry")


def test_empathy_without_stock_words():
    assert_found("Of all the weeks for the tracking to freeze, it had to be her birthday one.", PARCEL, "empathize", "Of all the weeks")


def test_sympathy_for_a_misfortune_is_empathy_not_apology():
    text = "I'm sorry to hear about your mum, I hope she's feeling better."
    moves, _, spans = verdict(text, "My mum was in hospital so I couldn't pick up the parcel, and now it's gone back!")
    assert "empathize" in moves and "apologize" not in moves


def test_paraphrase_restating_a_specific_is_listening():
    assert_found("So the tracking has been stuck since Saturday and it was meant to be with you on Tuesday.", PARCEL,
                 "listen", "stuck since Saturday")


def test_clarifying_question_is_listening_but_identifier_request_is_not():
    assert_found("When did the tracking last update, was it Saturday morning?", PARCEL, "listen", "tracking last update")
    assert_absent("Can I take your order number please?", PARCEL, "listen")


def test_offer_as_a_question_is_resolve():
    assert_found("Would a free redelivery tomorrow morning work for you?", PARCEL, "resolve", "Would a free redelivery")


def test_vague_promise_is_not_resolve():
    assert_absent("We'll see what we can do and someone will be in touch.", PARCEL, "resolve")


def test_concrete_action_with_time_is_resolve():
    assert_found("I'm refunding the £212 roaming charge now; it'll show on your account within 3 working days.", BILL,
                 "resolve", "refunding the £212 roaming charge now")


def test_politeness_hiding_blame():
    assert_found("As clearly stated in the terms you accepted, the add-on only covers EU calls.", BILL, "blame", "As clearly stated")


def test_jargon_is_flagged_but_the_customers_own_words_are_not():
    assert_found("It's a known CDR rating fault on the TAP file.", BILL, "jargon", "CDR")
    assert_absent("Your roaming add-on was active in Spain.", BILL, "jargon")


def test_over_promise():
    assert_found("I guarantee you'll never be charged for roaming again.", BILL, "overpromise", "guarantee")


def test_telling_the_customer_to_calm_down():
    assert_found("Please calm down, shouting won't help.", BILL, "calm_down", "calm down")


def test_chat_style_with_typos_and_lower_case():
    moves, _, _ = verdict("soooo sorry abt the roaming charge, thats rly frustrating", BILL)
    assert "empathize" in moves


def test_a_polite_boundary_is_no_move_and_no_penalty():
    moves, penalties, _ = verdict("I want to help, but I won't accept that language. Please stop swearing at me.",
                                  "Are you f***ing deaf? Sort my bill out, you useless idiot.")
    assert not penalties
    assert "resolve" not in moves and "apologize" not in moves


def test_an_intensifier_does_not_cut_the_quoted_clause():
    assert_found("That must be so upsetting after waiting in all day.", PARCEL, "empathize", "That must be so upsetting")
