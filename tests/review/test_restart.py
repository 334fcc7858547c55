"""kill -9 of the Rasa server and of the action server in the middle of a conversation:
started again on the same tracker store, the conversation goes on and no turn is missing."""

from __future__ import annotations

import os
import signal

from sparring.transcripts import TranscriptStore
from tests.review.conftest import LEAD_TOKEN, custom, play
from tests.servers import _wait, start_action_server, start_rasa_server


def _env() -> dict:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
            "SPARRING_LEAD_TOKEN": LEAD_TOKEN}


def _kill(process) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_kill_9_of_both_servers_loses_no_turn(review_servers, lead):
    from tests.e2e.test_rest_sessions import GOOD

    servers = review_servers
    replies = GOOD["double-charge"]
    played = play(servers, "Kim", "double-charge", replies[:2], end=False)
    assert [t["turn"] for t in played.turns] == [1, 2]

    # The Rasa server dies without warning; a new one takes over the same port and store.
    _kill(servers.processes["rasa"])
    rasa_port = int(servers.rasa_url.rsplit(":", 1)[1])
    servers.processes["rasa"] = start_rasa_server(rasa_port, servers.workdir / "endpoints.yml",
                                                  servers.workdir / "rasa.log", _env())
    _wait(f"{servers.rasa_url}/", servers.processes["rasa"], servers.workdir / "rasa.log")
    turn = custom(servers.send(played.sender, replies[2]), "turn")
    assert turn["turn"] == 3, "the conversation goes on where it was"
    played.replies.append(replies[2])
    played.turns.append(turn)

    # Then the action server.
    _kill(servers.processes["actions"])
    actions_port = int(servers.actions_url.rsplit(":", 1)[1])
    servers.processes["actions"] = start_action_server(actions_port, servers.workdir / "actions.log", _env())
    _wait(f"{servers.actions_url}/health", servers.processes["actions"], servers.workdir / "actions.log")
    for reply in replies[3:]:
        turn = custom(servers.send(played.sender, reply), "turn")
        assert turn is not None
        played.replies.append(reply)
        played.turns.append(turn)
        if turn["ended"]:
            break
    card = custom(servers.send(played.sender, "/end_session"), "scorecard")["scorecard"]

    assert [t["turn"] for t in played.turns] == list(range(1, len(played.turns) + 1))
    assert played.turns[-1]["outcome"] == "resolved" and card["outcome"] == "resolved"
    assert card["turns"] == len(played.turns) and card["trainee"] == "Kim"

    # The store holds every line, and the dashboard shows them.
    session = TranscriptStore(servers.backend.database_url).session(played.session_id)
    trainee_lines = [m for m in session.messages if m.role == "trainee"]
    assert [m.text for m in trainee_lines] == played.replies
    assert [m.record["turn"] for m in trainee_lines] == [t["turn"] for t in played.turns]
    assert session.scorecard == card and session.trainee == "Kim"
    customer_lines = [m for m in session.messages if m.role == "customer"]
    assert len(customer_lines) >= len(played.turns) + 1
    detail = lead.get(f"/review/api/session?id={played.session_id}").json()
    assert detail["turns"] == len(played.turns) and detail["overall"] == card["overall"]
