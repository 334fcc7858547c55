"""The customer's mood and replies, driven through the engine without a server."""

from __future__ import annotations

import pytest

from sparring.customer import CustomerState
from sparring.lines import is_abusive
from sparring.session import Simulator

APOLOGY = "I'm so sorry you were charged twice for the coffee machine, that must be really worrying."
ARGUE = "That's not what happened, you should have checked your statement."


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator()


def start(sim: Simulator, scenario_id: str = "double-charge", seed: str = "seed") -> dict:
    state, opening = sim.start(scenario_id, seed)
    assert opening
    return state.as_dict()


def test_opening_mood_comes_from_the_scenario(sim):
    assert start(sim)["mood"] == sim.scenario("double-charge").mood_start


def test_acknowledgement_lowers_the_mood_and_penalties_raise_it(sim):
    state = start(sim)
    calmer = sim.reply(state, APOLOGY)
    assert calmer.state.mood < state["mood"]
    angrier = sim.reply(state, ARGUE)
    assert angrier.state.mood > state["mood"]
    assert "blame" in angrier.record["penalties"]


def test_a_fix_offered_while_furious_is_rejected_in_character(sim):
    state = start(sim)
    turn = sim.reply(state, "I'll refund the duplicate payment today.")
    assert "early_resolve" in turn.record["events"]
    assert not turn.state.ended
    assert turn.state.mood >= state["mood"]
    assert turn.lines[0] in sim.catalogue.persona_of(sim.scenario("double-charge")).lines["resolve_too_early"] or \
        turn.lines[0] in sim.scenario("double-charge").lines.get("resolve_too_early", [])


def test_an_accepted_fix_once_calm_resolves_the_conversation(sim):
    state = start(sim)
    state = sim.reply(state, APOLOGY).state.as_dict()
    state = sim.reply(state, "That sounds awful with rent due Friday, I'm sorry.").state.as_dict()
    assert state["mood"] <= sim.scenario("double-charge").calm_enough
    turn = sim.reply(state, "I'm refunding the duplicate £389.99 now; you'll see it back within 3 working days.")
    assert turn.state.ended and turn.state.outcome == "resolved"


def test_a_rejected_remedy_is_refused_with_reasons(sim):
    state = start(sim)
    state = sim.reply(state, APOLOGY).state.as_dict()
    state = sim.reply(state, "That sounds awful with rent due Friday, I'm sorry.").state.as_dict()
    turn = sim.reply(state, "I'll check it for you: you just need to wait for it to drop off in a few days.")
    assert not turn.state.ended
    assert any(e.startswith("rejected:") for e in turn.record["events"])


@pytest.mark.parametrize("scenario_id, outcome", [("double-charge", "hung_up"), ("broken-dishwasher", "escalated")])
def test_reaching_the_top_ends_as_the_scenario_says(sim, scenario_id, outcome):
    state = start(sim, scenario_id)
    for _ in range(10):
        turn = sim.reply(state, ARGUE + " Calm down.")
        state = turn.state.as_dict()
        if turn.state.ended:
            break
    assert turn.state.outcome == outcome and turn.state.mood == 10


def test_the_customer_never_repeats_a_line_twice_in_a_row(sim):
    state = start(sim)
    previous = None
    for i in range(30):
        turn = sim.reply(state, "ok")
        assert turn.lines[0] != previous
        previous = turn.lines[0]
        state = {**turn.state.as_dict(), "mood": 5.0}  # keep the conversation going


def test_the_customer_answers_clarifying_questions_with_facts(sim):
    state = start(sim)
    turn = sim.reply(state, "Which card was it, the one ending in what?")
    facts = {fact.answer for fact in sim.scenario("double-charge").facts}
    assert any(line in facts for line in turn.lines)


def test_a_question_is_answered_only_for_words_it_asks_not_for_letters_inside_other_words(sim):
    card = next(f.answer for f in sim.scenario("double-charge").facts if f.topic == "card")
    assert card not in sim.reply(start(sim), "Has the duplicate been discarded yet?").lines  # "card" in "discarded"
    assert card in sim.reply(start(sim), "Which cards do you hold with us?").lines


def test_same_seed_replays_the_same_conversation_and_another_seed_differs(sim):
    def run(seed):
        state = start(sim, seed=seed)
        lines = []
        for reply in ["ok", APOLOGY, "Which card was it?", "ok", "fine"]:
            turn = sim.reply(state, reply)
            lines += turn.lines
            state = turn.state.as_dict()
        return lines
    assert run("a") == run("a")
    assert any(run("a") != run(seed) for seed in "bcdef")


def test_abusive_customer_calms_after_a_boundary_and_drops_masked_swearing(sim):
    state = start(sim, "late-parcel")
    turn = sim.reply(state, "I want to help, but I need you to stop swearing at me.")
    assert "boundary" in turn.record["events"]
    assert turn.state.mood < state["mood"] and turn.state.boundary_set
    persona = sim.catalogue.persona_of(sim.scenario("late-parcel"))
    state = turn.state.as_dict()
    for reply in ["ok", "I see.", "I'm sorry it's late.", "Right."]:
        later = sim.reply(state, reply)
        state = later.state.as_dict()
        assert not any(is_abusive(line, persona.abusive_words) for line in later.lines), later.lines


def test_trainee_may_end_an_abusive_chat_after_warning(sim):
    state = start(sim, "late-parcel")
    state = sim.reply(state, "I want to help, but I need you to stop swearing at me.").state.as_dict()
    turn = sim.reply(state, "As I warned you, I'm ending this chat now.")
    assert turn.state.ended and turn.state.ended_by == "trainee" and turn.state.outcome is None


def test_counter_threat_enrages_a_legal_threat_customer(sim):
    state = start(sim, "broken-dishwasher")
    turn = sim.reply(state, "Go ahead, we'll see you in court and our lawyers will win.")
    assert "counter_threat" in turn.record["events"]
    assert "insult" in turn.record["penalties"]
    assert turn.state.mood > state["mood"]


def test_empty_message_gets_an_in_character_reply_and_no_score(sim):
    state = start(sim)
    turn = sim.reply(state, "   ")
    assert turn.lines and turn.record["moves"] == [] and turn.state.mood == state["mood"]


def test_state_round_trips_through_a_plain_dict(sim):
    state = start(sim)
    turn = sim.reply(state, APOLOGY)
    assert CustomerState.from_dict(turn.state.as_dict()) == turn.state
