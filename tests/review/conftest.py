"""Fixtures of the team-lead review tests: a fresh database on each backend (SQLite file,
and a PostgreSQL database created on the loopback server for this run and dropped after),
the real servers on top of it, and conversations played through Rasa's REST channel."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers import running_servers

BACKENDS = ("sqlite", "postgresql")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", int(os.environ.get("SPARRING_TEST_PG_PORT", "5432")), \
    os.environ.get("SPARRING_TEST_PG_USER", "postgres")
LEAD_TOKEN = "review-tests-" + uuid.uuid4().hex


@dataclass
class Backend:
    name: str
    database_url: str
    tracker_store: dict
    drop: callable = None


def _pg_admin():
    import psycopg2

    try:
        connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5)
    except psycopg2.OperationalError as error:  # the acceptance tests need it: fail, never skip
        pytest.fail(f"PostgreSQL on {PG_HOST}:{PG_PORT} is needed by these tests and did not answer: {error}")
    connection.autocommit = True
    return connection


def create_backend(name: str, workdir: Path) -> Backend:
    """A fresh, empty tracker store database."""
    if name == "sqlite":
        path = workdir / "tracker.db"
        return Backend(name, f"sqlite:///{path}", {"type": "SQL", "dialect": "sqlite", "db": str(path)})
    database = f"sparring_review_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')

    def drop() -> None:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()

    return Backend(name, f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
                   {"type": "SQL", "dialect": "postgresql", "url": PG_HOST, "port": PG_PORT, "db": database,
                    "username": PG_USER}, drop)


@pytest.fixture(params=BACKENDS)
def empty_backend(request, tmp_path):
    """A fresh empty database per test (unit tests of the stores)."""
    backend = create_backend(request.param, tmp_path)
    yield backend
    if backend.drop:
        backend.drop()


@pytest.fixture(scope="session", params=BACKENDS)
def review_servers(request, tmp_path_factory):
    """Action server, Rasa server and web server on a fresh database of each backend."""
    workdir = tmp_path_factory.mktemp(f"review-{request.param}")
    backend = create_backend(request.param, workdir)
    try:
        with running_servers(workdir, tracker_store=backend.tracker_store, database_url=backend.database_url,
                             extra_env={"SPARRING_LEAD_TOKEN": LEAD_TOKEN}) as servers:
            servers.backend = backend
            yield servers
    finally:
        if backend.drop:
            backend.drop()


@dataclass
class Played:
    """One conversation played through the REST channel."""

    sender: str
    trainee: str
    scenario_id: str
    replies: list[str]
    turns: list[dict] = field(default_factory=list)
    scorecard: dict | None = None
    run: int = 1  # the how-many-th practice run on this sender id

    @property
    def session_id(self) -> str:
        return f"{self.sender}:{self.run}"


def custom(messages: list[dict], kind: str) -> dict | None:
    return next((m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind), None)


def play(servers, trainee: str, scenario_id: str, replies: list[str], *, sender: str | None = None,
         end: bool = True, pause: float = 0) -> Played:
    played = Played(sender or f"rv-{uuid.uuid4().hex[:10]}", trainee, scenario_id, [])
    start = servers.send(played.sender, f'/start_scenario{{"scenario_id": "{scenario_id}", "trainee": "{trainee}"}}')
    assert custom(start, "start"), start
    for reply in replies:
        time.sleep(pause)  # a trainee's time to answer
        turn = custom(servers.send(played.sender, reply), "turn")
        assert turn is not None, reply
        played.replies.append(reply)
        played.turns.append(turn)
        if turn["ended"]:
            break
    if end:
        played.scorecard = custom(servers.send(played.sender, "/end_session"), "scorecard")["scorecard"]
    return played


# Good moves and a penalty in one conversation (the session page's screenshot).
MIXED = [
    "I'm so sorry you've been charged twice, that must be really stressful with your rent due.",
    "That's not true, you should have checked your statement before calling.",
    "You're right, I'm sorry. So both payments of £389.99 went out on 14 March, is that right?",
    "I'm refunding the duplicate £389.99 right now, and you'll see it back in your account by tomorrow.",
    "I've put the refund of the duplicate payment through today, it will show by tomorrow.",
]
HOSTILE = "<script>alert('x')</script><b>bold</b> I'm sorry 😡 that must be awful, =HYPERLINK(\"http://x\")"


@pytest.fixture(scope="session")
def conversations(review_servers):
    """A small team's week: good and bad trainees, several scenarios, an unfinished session,
    a hostile message, and a second trainee starting on a sender id the first one used."""
    from tests.e2e.test_rest_sessions import BAD, GOOD

    s = review_servers
    played = {
        "ana_good": play(s, "Ana", "double-charge", GOOD["double-charge"]),
        "ben_bad": play(s, "Ben", "double-charge", BAD),
        "ana_dishwasher": play(s, "Ana", "broken-dishwasher", GOOD["broken-dishwasher"]),
        "ben_parcel": play(s, "Ben", "late-parcel", GOOD["late-parcel"]),
        "chen_bad": play(s, "Chen", "broken-dishwasher", BAD[:3]),
        "chen_unfinished": play(s, "Chen", "late-parcel", GOOD["late-parcel"][:2], end=False),
        "hostile": play(s, "Dee <i>x</i>", "double-charge", [HOSTILE, "So you were charged twice on 14 March?"]),
        # Real answer times for the session page's screenshot (docs/screenshots), only then.
        "chen_mixed": play(s, "Chen", "double-charge", MIXED, pause=3 if os.environ.get("SPARRING_SCREENSHOTS") else 0),
    }
    # Ana leaves a run open on a shared machine; Ben starts his own on the same sender id,
    # after a failed start attempt whose entity fills Rasa's trainee slot with his name.
    shared = play(s, "Ana", "double-charge", GOOD["double-charge"][:2], end=False)
    failed = s.send(shared.sender, '/start_scenario{"scenario_id": "no-such-thing", "trainee": "Ben"}')
    assert custom(failed, "error")["error"] == "unknown_scenario"
    more = custom(s.send(shared.sender, GOOD["double-charge"][2]), "turn")
    shared.replies.append(GOOD["double-charge"][2])
    shared.turns.append(more)
    bens = play(s, "Ben", "broken-dishwasher", GOOD["broken-dishwasher"][:2], sender=shared.sender)
    bens.run = 2
    played["shared_ana"], played["shared_ben"] = shared, bens
    return played


class Lead:
    """A team lead's HTTP client for the dashboard (cookie session, no automatic redirects)."""

    def __init__(self, base_url: str, name: str = "Lee Lead"):
        import requests

        self.base_url, self.name = base_url, name
        self.http = requests.Session()

    def login(self, token: str = LEAD_TOKEN):
        return self.http.post(f"{self.base_url}/review/login", data={"name": self.name, "token": token,
                                                                     "next": "/review/"},
                              headers={"Origin": self.base_url}, allow_redirects=False)

    def get(self, path: str, **kwargs):
        return self.http.get(self.base_url + path, allow_redirects=False, timeout=60, **kwargs)

    def post_json(self, path: str, body: dict, **kwargs):
        headers = {"Origin": self.base_url, **kwargs.pop("headers", {})}
        return self.http.post(self.base_url + path, json=body, headers=headers, allow_redirects=False, timeout=60,
                              **kwargs)


@pytest.fixture(scope="session")
def lead(review_servers):
    client = Lead(review_servers.web_url)
    response = client.login()
    assert response.status_code == 303, response.text
    return client
