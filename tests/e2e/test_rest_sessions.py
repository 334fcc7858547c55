"""Scripted trainees playing whole conversations through the real Rasa server and action
server over the REST channel (the public contract in the README, "How to chat")."""

from __future__ import annotations

import json
import uuid

import pytest

# A good trainee listens, empathizes and apologizes first, then offers an accepted fix;
# replies are sent in order until the customer ends the conversation.
GOOD = {
    "double-charge": [
        "I'm so sorry you've been charged £389.99 twice for the coffee machine, that must be really worrying with rent due on Friday.",
        "So both payments went to KitchenCraft on 14 March and you're now overdrawn because of the second one, is that right?",
        "That's a horrible position to be put in, and I'm sorry we caused it.",
        "I'm refunding the duplicate £389.99 right now, and you'll see it back in your account by tomorrow.",
        "I've also put through the refund of the duplicate payment today, it will show by tomorrow.",
    ],
    "broken-dishwasher": [
        "I'm very sorry the dishwasher flooded your kitchen after two repairs, that must have been awful to come home to.",
        "So the DW-600 was repaired on 2 and 19 September and it still flooded on Sunday, is that right?",
        "I can see why you're this angry, it's been a long, stressful month for you, and I'm sorry.",
        "I'm escalating this now to our customer relations manager, who will call you back by 4pm tomorrow.",
        "I'm escalating it to the customer relations manager today and she will call you back by 4pm tomorrow.",
    ],
    "late-parcel": [
        "I want to help you, but I need you to stop swearing at me so we can sort this out.",
        "I'm really sorry the birthday present is six days late, that must be so upsetting for Maisie.",
        "So the parcel has been stuck at the Northampton hub since the 5th, is that right?",
        "I'm sorry, that's a horrible way for a birthday to go and no wonder you're fed up.",
        "I'm sending a replacement today by next-day delivery, so it will arrive tomorrow.",
        "I'll send a replacement out today by next-day delivery, it will be with you tomorrow.",
    ],
    "broadband-outage": [
        "I'm sorry your broadband has been down since Monday, three days with payroll due Friday is a real worry.",
        "So the hub shows a red light even after five restarts, is that right?",
        "I'm booking an engineer visit for tomorrow morning between 8 and 12, and I'll text you the confirmation now.",
        "I've booked the engineer visit for tomorrow morning, 8 to 12, and you'll get a text in the next five minutes.",
    ],
    "hotel-overbooked": [
        "I'm so sorry we gave away your sea-view room on your tenth anniversary, that must have been awful at midnight.",
        "So you'd paid £477 up front for three nights and were moved after 11:40pm, is that right?",
        "I can't offer a week in the suite or cash, and I know that's not what you hoped, but I'm truly sorry.",
        "I'm refunding the full £477 today plus your £96 taxi costs, and you'll see it within 3 working days.",
        "I'm refunding the full £477 and the £96 of taxis today; it will reach your card within 3 working days.",
    ],
}
# A bad trainee argues, blames and never apologizes.
BAD = [
    "That's not what happened, our records show everything is fine.",
    "You should have read the terms before you complained.",
    "That's not true. Calm down.",
    "It's your fault, you must have done something wrong.",
    "That's not how it works, you should have checked.",
]


def _custom(messages: list[dict], kind: str) -> dict | None:
    return next((m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind), None)


def _texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if "text" in m]


def play(servers, scenario_id: str, replies: list[str]) -> tuple[list[dict], dict]:
    sender = f"test-{uuid.uuid4().hex[:8]}"
    start = servers.send(sender, f'/start_scenario{{"scenario_id": "{scenario_id}", "trainee": "Ana"}}')
    assert _texts(start), "the customer opens the conversation"
    turns = []
    for reply in replies:
        turn = _custom(servers.send(sender, reply), "turn")
        assert turn is not None
        turns.append(turn)
        if turn["ended"]:
            break
    card = _custom(servers.send(sender, "/end_session"), "scorecard")["scorecard"]
    return turns, card


@pytest.mark.parametrize("scenario_id", sorted(GOOD))
def test_good_trainee_resolves_and_outscores_bad_trainee(servers, scenario_id):
    good_turns, good = play(servers, scenario_id, GOOD[scenario_id])
    bad_turns, bad = play(servers, scenario_id, BAD)

    assert good_turns[-1]["outcome"] == "resolved", good_turns
    assert good["outcome"] == "resolved"
    assert bad_turns[-1]["outcome"] in ("hung_up", "escalated"), bad_turns
    assert good["overall"] >= bad["overall"] + 40, (good["overall"], bad["overall"])
    assert good_turns[-1]["mood"] < bad_turns[-1]["mood"]
    # The scorecard quotes the trainee's own words.
    quotes = [q["quote"] for move in good["moves"].values() for q in move["quotes"]]
    assert quotes and all(any(q in reply for reply in GOOD[scenario_id]) for q in quotes)
    assert {p["penalty"] for p in bad["penalties"]} & {"argue", "blame"}
    assert all(any(p["quote"] in reply for reply in BAD) for p in bad["penalties"])
    assert 2 <= len(good["tips"]) <= 4 and 2 <= len(bad["tips"]) <= 4


def test_turn_payload_follows_the_contract(servers):
    turns, card = play(servers, "double-charge", GOOD["double-charge"][:1])
    turn = turns[0]
    assert set(turn) >= {"type", "mood", "moves", "penalties", "evidence", "ended", "outcome"}
    assert 0 <= turn["mood"] <= 10
    assert "apologize" in turn["moves"]
    for evidence in turn["evidence"]:
        assert evidence["end"] > evidence["start"]
    assert set(card["moves"]) == {"listen", "empathize", "apologize", "resolve"}
    assert card["scenario_id"] == "double-charge" and card["trainee"] == "Ana"
    assert 0 <= card["overall"] <= 100


def test_unknown_scenario_gets_a_clear_message_and_the_list(servers):
    messages = servers.send("test-unknown", '/start_scenario{"scenario_id": "no-such-thing", "trainee": "Ana"}')
    error = _custom(messages, "error")
    assert error["error"] == "unknown_scenario"
    assert "no-such-thing" in error["message"] and "double-charge" in error["message"]


def test_message_before_start_is_explained(servers):
    messages = servers.send(f"test-{uuid.uuid4().hex[:8]}", "hello, is this working?")
    assert _custom(messages, "error")["error"] == "no_scenario"
    messages = servers.send(f"test-{uuid.uuid4().hex[:8]}", "/end_session")
    assert _custom(messages, "error")["error"] == "no_scenario"


@pytest.mark.parametrize(
    "odd",
    [
        "",
        "   ",
        "x" * 2000,
        "<script>alert('x')</script><b>bold</b>",
        "I'm sorry 😡🙏 that must be awful 💸",
        "对不起，给您带来不便。我们马上退款。",
        "죄송합니다",
        '{"json": "in a message"} /not_an_intent',
    ],
    ids=["empty", "spaces", "longest-accepted", "html", "emoji", "chinese", "korean", "json"],
)
def test_odd_messages_keep_the_session_intact(servers, odd):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    servers.send(sender, '/start_scenario{"scenario_id": "double-charge", "trainee": "Ana"}')
    first = _custom(servers.send(sender, "I'm so sorry about the double charge."), "turn")
    reply = servers.send(sender, odd)
    assert _texts(reply), "the customer still answers, in character"
    after = _custom(servers.send(sender, "So you were charged twice on 14 March?"), "turn")
    assert after is not None and after["turn"] > first["turn"]
    card = _custom(servers.send(sender, "/end_session"), "scorecard")["scorecard"]
    assert card["moves"]["apologize"]["quotes"][0]["quote"] == "I'm so sorry about the double charge"
    json.dumps(card)  # serialisable whole


def test_a_failed_start_does_not_relabel_the_session_in_progress(servers):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    servers.send(sender, '/start_scenario{"scenario_id": "double-charge", "trainee": "Ana"}')
    servers.send(sender, "I'm so sorry about the double charge.")
    error = _custom(servers.send(sender, '/start_scenario{"scenario_id": "nope", "trainee": "Ben", "mode": "assessment"}'), "error")
    assert error["error"] == "unknown_scenario"
    card = _custom(servers.send(sender, "/end_session"), "scorecard")["scorecard"]
    assert card["trainee"] == "Ana" and card["scenario_id"] == "double-charge" and card["mode"] == "practice"
