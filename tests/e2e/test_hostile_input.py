"""Hostile and malformed input over the real channels (issue 10): limits, forged commands,
bodies that are not what a client sends. Each probe is replayed against the running Rasa
server and action server and checks that nothing in the tracker store was lost or added."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from sparring.auth import conversation_of
from sparring.limits import MAX_MESSAGE_CHARS
from tests.e2e.test_rest_sessions import _custom, _texts

START = '/start_scenario{"scenario_id": "double-charge", "trainee": "Ana"}'
APOLOGY = "I'm so sorry about the double charge."


def post(servers, body: bytes) -> tuple[int, object]:
    request = urllib.request.Request(f"{servers.rasa_url}/webhooks/rest/webhook", body,
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def user_texts(servers, sender: str) -> list[str]:
    """What the tracker store holds of the trainee's side of one conversation."""
    with sqlite3.connect(servers.tracker_store["db"]) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (sender,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def started(servers) -> str:
    sender = f"test-{uuid.uuid4().hex[:8]}"
    assert _texts(servers.send(sender, START))
    return sender


@pytest.mark.parametrize("typed", ["/restart", "/session_start", "/EXTERNAL_impatience", "/greet",
                                   '/start_scenario{"scenario_id": "late-parcel"}x', "/action_restart"])
def test_a_typed_command_is_a_reply_to_the_customer_and_changes_nothing_else(servers, typed):
    sender = started(servers)
    first = _custom(servers.send(sender, APOLOGY), "turn")
    answer = servers.send(sender, typed)
    turn = _custom(answer, "turn")
    assert turn is not None and turn["turn"] == first["turn"] + 1, "answered as the trainee's next reply"
    assert _texts(answer), "the customer answers it in character"
    card = _custom(servers.send(sender, "/end_session"), "scorecard")["scorecard"]
    assert card["scenario_id"] == "double-charge" and card["trainee"] == "Ana", "the run was not restarted"
    assert card["turns"] == 2, "no turn record duplicated or lost"
    assert card["moves"]["apologize"]["quotes"][0]["quote"] == "I'm so sorry about the double charge"


def test_a_reply_over_the_limit_is_refused_whole_and_nothing_is_stored(servers):
    sender = started(servers)
    servers.send(sender, APOLOGY)
    before = user_texts(servers, sender)
    answer = servers.send(sender, "x" * 100_000)
    error = _custom(answer, "error")
    assert error["error"] == "too_long" and str(MAX_MESSAGE_CHARS) in error["message"]
    assert user_texts(servers, sender) == before, "nothing of it reached the tracker store"
    turn = _custom(servers.send(sender, "So you were charged twice on 14 March?"), "turn")
    assert turn["turn"] == 2, "the conversation goes on where it was"


@pytest.mark.parametrize("body, field", [
    (b'{"message": "hello"}', "sender"),
    (b'{"sender": "", "message": "hello"}', "sender"),
    (json.dumps({"sender": "x" * 10_000, "message": "hello"}).encode(), "sender"),
    (b'{"sender": "s1", "message": 42}', "message"),
    (b'{"sender": "s1", "message": ["a", "b"]}', "message"),
    (b'{"sender": "s1", "message": null}', "message"),
    (b'["sender", "message"]', "JSON object"),
    (b"not json at all", "JSON object"),
], ids=["no-sender", "empty-sender", "huge-sender", "number", "list", "null", "array-body", "not-json"])
def test_a_body_no_client_of_ours_sends_is_refused_clearly_and_briefly(servers, body, field):
    status, answer = post(servers, body)
    assert status == 400
    assert field in answer["message"] and len(json.dumps(answer)) < 400, "a bounded, readable error"
    with sqlite3.connect(servers.tracker_store["db"]) as db:
        assert not db.execute("SELECT 1 FROM events WHERE sender_id IN ('default', 's1')").fetchall()


def test_socket_io_reads_what_a_trainee_types_as_text_and_only_the_pages_controls_as_commands(servers):
    session_id = f"test-{uuid.uuid4().hex[:8]}"
    received: list[dict] = []
    client = _socket(servers, received)
    try:
        client.emit("session_request", {"session_id": session_id})  # joins the conversation's room
        client.call("user_uttered", {"session_id": session_id, "message": START, "control": True}, timeout=60)
        client.call("user_uttered", {"session_id": session_id, "message": "/end_session", "control": False},
                    timeout=60)
        turns = [m["custom"] for m in received if (m.get("custom") or {}).get("type") == "turn"]
        assert len(turns) == 1 and turns[0]["turn"] == 1, "a typed /end_session is a reply"
        client.call("user_uttered", {"session_id": session_id, "message": "y" * (MAX_MESSAGE_CHARS + 1),
                                     "control": False}, timeout=60)
        assert received[-1]["custom"]["error"] == "too_long"
        client.call("user_uttered", {"session_id": session_id, "message": "/end_session", "control": True}, timeout=60)
        card = next(m["custom"]["scorecard"] for m in received if (m.get("custom") or {}).get("type") == "scorecard")
        assert card["turns"] == 1
    finally:
        client.disconnect()
    assert user_texts(servers, conversation_of(session_id))[1:2] == ["\u2060/end_session"], "stored as text, marked"


def _socket(servers, received: list) -> socketio.Client:
    client = socketio.Client()
    client.on("bot_uttered", received.append)
    client.connect(servers.rasa_url, transports=["polling"], socketio_path="/socket.io")
    return client


def _transcript(servers, secret: str) -> int:
    request = urllib.request.Request(f"{servers.web_url}/api/transcript", headers={"X-Sparring-Conversation": secret})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_conversation_belongs_to_the_browser_that_started_it(servers):
    secret = f"web-{uuid.uuid4().hex}"
    stored = conversation_of(secret)  # what a lead, a log or an export shows
    mine, theirs = [], []
    owner, intruder = _socket(servers, mine), _socket(servers, theirs)
    try:
        owner.emit("session_request", {"session_id": secret})
        owner.call("user_uttered", {"session_id": secret, "message": START, "control": True}, timeout=60)
        intruder.emit("session_request", {"session_id": stored})  # knows the id, not the secret
        intruder.call("user_uttered", {"session_id": stored, "message": "You idiot.", "control": False}, timeout=60)
        intruder.call("user_uttered", {"session_id": stored, "message": "/end_session", "control": True}, timeout=60)
        owner.call("user_uttered", {"session_id": secret, "message": APOLOGY}, timeout=60)
        owner.call("user_uttered", {"session_id": secret, "message": "/end_session", "control": True}, timeout=60)
    finally:
        owner.disconnect()
        intruder.disconnect()
    card = next(m["custom"]["scorecard"] for m in mine if (m.get("custom") or {}).get("type") == "scorecard")
    assert card["turns"] == 1 and not card["penalties"], "the intruder's insult never reached this conversation"
    assert theirs and not any((m.get("custom") or {}).get("type") in ("start", "turn", "scorecard") for m in theirs), \
        "they heard none of it: to them it is an empty conversation"
    assert user_texts(servers, stored) == [START, APOLOGY, "/end_session"]
    status, answer = post(servers, json.dumps({"sender": stored, "message": "You idiot."}).encode())
    assert status == 400 and "chat page" in answer["message"], "REST cannot write into it either"
    assert _transcript(servers, stored) == 404 and _transcript(servers, secret) == 200


def test_an_unknown_scenario_id_is_echoed_bounded(servers):
    sender = f"test-{uuid.uuid4().hex[:8]}"
    error = _custom(servers.send(sender, '/start_scenario{"scenario_id": "%s", "trainee": "Ana"}' % ("z" * 1900)),
                    "error")
    assert error["error"] == "unknown_scenario" and "1900 characters" in error["message"]
    assert len(error["message"]) < 1000, "the id is not repeated in full"


def test_a_standard_widget_gets_the_coaching_as_text_and_can_end_the_conversation(servers):
    """What rasa-webchat sends: no `control` key, and the trainee types the commands."""
    secret, received = f"widget-{uuid.uuid4().hex}", []
    client = _socket(servers, received)
    try:
        client.emit("session_request", {"session_id": secret})
        client.call("user_uttered", {"session_id": secret, "message": START}, timeout=60)
        client.call("user_uttered", {"session_id": secret, "message": APOLOGY}, timeout=60)
        client.call("user_uttered", {"session_id": secret, "message": "/end_session"}, timeout=60)
    finally:
        client.disconnect()
    texts = [m["text"] for m in received if m.get("text")]
    assert any("/end_session" in text for text in texts[:3]), "told how to end it, as text"
    card = texts[-1]
    assert "SCORECARD" in card and "overall:" in card and "apologize" in card and "coaching:" in card
    assert '"I\'m so sorry about the double charge"' in card, "quoting the trainee's own words"
    request = urllib.request.Request(f"{servers.web_url}/api/transcript", headers={"X-Sparring-Conversation": secret})
    with urllib.request.urlopen(request, timeout=30) as response:
        messages = json.loads(response.read())["messages"]
    customer = " ".join(m["text"] for m in messages if m["role"] == "customer")
    assert "SCORECARD" not in customer and "/end_session" not in customer, "the notes are not the customer's words"
