"""The readers and the override store over a real database of each backend (SQLite file and
PostgreSQL on loopback), fed with Rasa-shaped events (see fake_tracker.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from sparring.cli import main as cli
from sparring.overrides import TABLE, InvalidOverride
from sparring.reports import Filters, Reviewer, progress, team
from sparring.transcripts import TranscriptStore
from tests.review.fake_tracker import FakeTracker

DAY = 86400.0


def _apology(text: str, quote: str) -> dict:
    return {"move": "apologize", "start": text.index(quote), "end": text.index(quote) + len(quote)}


def _good(tracker: FakeTracker, trainee: str, scenario: str = "double-charge") -> None:
    tracker.start(trainee, scenario)
    text = "I'm so sorry about the double charge."
    tracker.reply(text, [_apology(text, "I'm so sorry"), {"move": "listen", "start": 13, "end": 36}], mood_after=5)
    text = "I'm refunding it right now, you'll have it by tomorrow."
    tracker.reply(text, [{"move": "resolve", "start": 0, "end": 26}], mood_after=2, outcome="resolved")
    tracker.end()


def _bad(tracker: FakeTracker, trainee: str, scenario: str = "double-charge") -> None:
    tracker.start(trainee, scenario)
    text = "It's your fault, you should have checked."
    tracker.reply(text, [{"penalty": "blame", "start": 0, "end": 15}], mood_after=9.5)
    tracker.reply("Calm down.", [{"penalty": "calm_down", "start": 0, "end": 9}], mood_after=10, outcome="hung_up")
    tracker.end()


def test_sessions_are_rebuilt_with_every_line_and_score(empty_backend):
    store = TranscriptStore(empty_backend.database_url)
    assert store.sessions() == []  # no events table yet
    tracker = FakeTracker(store.engine, "web-1")
    tracker.start("Ana")
    text = "I'm so sorry 😡 about the double charge."
    tracker.reply(text, [_apology(text, "I'm so sorry")], response_seconds=7.5)
    tracker.nudge()
    tracker.reply("<b>So it was 14 March?</b>", [{"move": "listen", "start": 3, "end": 22}])
    card = tracker.end()

    [session] = store.sessions()
    assert (session.session_id, session.trainee, session.scenario_id, session.persona) == \
        ("web-1:1", "Ana", "double-charge", "angry")
    assert session.ended and session.scorecard == card and session.overall == card["overall"]
    assert [m.role for m in session.messages] == ["customer", "trainee", "customer", "customer", "trainee", "customer"]
    assert not any("EXTERNAL" in m.text for m in session.messages), "reminders are not the trainee's words"
    assert [m.nudge for m in session.messages] == [False, False, False, True, False, False]
    trainee_lines = [m for m in session.messages if m.role == "trainee"]
    assert [m.text for m in trainee_lines] == [text, "<b>So it was 14 March?</b>"]
    assert [m.record["turn"] for m in trainee_lines] == [1, 2]
    assert trainee_lines[0].record["response_seconds"] == 7.5
    assert [p["mood"] for p in session.mood_trace()] == [8.0, 7.0, 7.5, 6.5]
    assert session.summary()["turns"] == 2
    as_dict = session.as_dict()  # the trainee page's contract
    assert {"session_id", "trainee", "scenario_id", "messages", "scorecard", "overall"} <= set(as_dict)
    assert as_dict["messages"][1]["record"]["moves"] == ["apologize"]


def test_trainees_sharing_a_sender_id_never_mix(empty_backend):
    store = TranscriptStore(empty_backend.database_url)
    tracker = FakeTracker(store.engine, "kiosk")
    tracker.start("Ana")
    tracker.reply("Sorry for the wait.", [{"move": "apologize", "start": 0, "end": 18}])
    # A failed start: Rasa fills the trainee slot with "Ben" although no run starts.
    tracker.start("Ben", "no-such-scenario", ok=False)
    tracker.reply("Let me check that for you.", [{"move": "resolve", "start": 0, "end": 25}])
    tracker.start("Ben", "late-parcel")
    tracker.reply("Please stop swearing.", [])
    tracker.end()

    ana, ben = sorted(store.sessions("kiosk"), key=lambda s: s.session_id)
    assert (ana.session_id, ana.trainee, ana.scenario_id) == ("kiosk:1", "Ana", "double-charge")
    assert (ben.session_id, ben.trainee, ben.scenario_id) == ("kiosk:2", "Ben", "late-parcel")
    assert [m.text for m in ana.messages if m.role == "trainee"] == ["Sorry for the wait.", "Let me check that for you."]
    assert all(m.record for m in ana.messages if m.role == "trainee"), "no turn lost after the failed start"
    assert any(m.role == "system" and "no-such-scenario" in m.text for m in ana.messages)
    assert [m.text for m in ben.messages if m.role == "trainee"] == ["Please stop swearing."]
    assert not ana.ended and ben.ended
    reviewer = Reviewer(empty_backend.database_url)
    assert [r.session.session_id for r in reviewer.reviews(Filters(trainee="ana"))] == ["kiosk:1"]
    assert [r.session.session_id for r in reviewer.reviews(Filters(trainee="Ben"))] == ["kiosk:2"]


def test_listing_rereads_only_changed_senders(empty_backend):
    store = TranscriptStore(empty_backend.database_url)
    first, second = FakeTracker(store.engine, "a"), FakeTracker(store.engine, "b", clock=1_700_000_500.0)
    _good(first, "Ana")
    first_listing = store.sessions()
    second.start("Ben")
    listing = store.sessions()
    assert [s.trainee for s in listing] == ["Ben", "Ana"]
    assert listing[1] is first_listing[0], "an unchanged sender is not re-read"
    second.reply("Sorry.", [{"move": "apologize", "start": 0, "end": 5}])
    assert store.sessions()[0].turns[0]["turn"] == 1
    with store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'a'"))
    assert [s.trainee for s in store.sessions()] == ["Ben"]


def test_overrides_keep_the_original_who_why_and_when(empty_backend):
    reviewer = Reviewer(empty_backend.database_url)
    _bad(FakeTracker(reviewer.store.engine, "w"), "Ben")
    with reviewer.store.engine.connect() as connection:
        reviewer.reviews()
        assert not sa.inspect(connection).has_table(TABLE), "reading creates nothing"
    [review] = reviewer.reviews()
    automatic = review.automatic
    for bad in [dict(kind="move", target="listen", value=50, reason="  "),
                dict(kind="move", target="listen", value=101, reason="r"),
                dict(kind="move", target="charm", value=10, reason="r"),
                dict(kind="penalty", target="blame@7#0", value=0, reason="r"),
                dict(kind="penalty", target="blame@1#0", value="lots", reason="r"),
                dict(kind="overall", target="overall", value=1, reason="r")]:
        with pytest.raises(InvalidOverride):
            reviewer.override("w:1", lead="Lee", **bad)
    with pytest.raises(LookupError):
        reviewer.override("nobody:1", "move", "listen", 50, "r", "Lee")

    first = reviewer.override("w:1", "penalty", "blame@1#0", 0, "The customer had in fact not checked.", "Lee")
    reviewer.override("w:1", "move", "listen", 40, "Asked about the date.", "Mo")
    third = reviewer.override("w:1", "move", "listen", 100, "Second look: restated it too.", "Lee")
    assert (first.automatic, first.previous, first.value) == (automatic["penalties"][0]["points"],
                                                              automatic["penalties"][0]["points"], 0)
    assert (third.automatic, third.previous, third.value) == (0, 40, 100)

    fresh = Reviewer(empty_backend.database_url).review("w:1")  # read back from the table
    assert [(o.lead, o.reason) for o in fresh.overrides] == [
        ("Lee", "The customer had in fact not checked."), ("Mo", "Asked about the date."),
        ("Lee", "Second look: restated it too.")]
    assert fresh.automatic == automatic, "the automatic scorecard is never changed"
    assert fresh.scorecard["moves"]["listen"]["score"] == 100
    assert fresh.scorecard["moves"]["listen"]["score_auto"] == 0
    assert fresh.scorecard["penalties"][0]["points"] == 0
    assert fresh.scorecard["overall"] > automatic["overall"] == fresh.scorecard["overall_auto"]
    assert fresh.scorecard["overridden_by"] == ["Lee"]  # Mo's change was superseded
    with reviewer.store.engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT lead, reason, automatic, value, created_at FROM {TABLE}")).all()
    assert len(rows) == 3 and all(r.created_at > 0 for r in rows)


def test_unfinished_sessions_get_a_provisional_scorecard_and_filters_work(empty_backend):
    reviewer = Reviewer(empty_backend.database_url)
    engine = reviewer.store.engine
    _good(FakeTracker(engine, "a1", clock=1_700_000_000.0), "Ana")
    _bad(FakeTracker(engine, "b1", clock=1_700_000_000.0 + 2 * DAY), "Ben")
    _good(FakeTracker(engine, "b2", clock=1_700_000_000.0 + 3 * DAY), "Ben", "late-parcel")
    open_run = FakeTracker(engine, "c1", clock=1_700_000_000.0 + 4 * DAY)
    open_run.start("Chen")
    open_run.reply("It's your fault.", [{"penalty": "blame", "start": 0, "end": 15}])

    reviews = reviewer.reviews()
    assert [r.session.trainee for r in reviews] == ["Chen", "Ben", "Ben", "Ana"]
    chen = reviews[0]
    assert chen.provisional and chen.automatic["provisional"] and chen.row()["outcome"] == "unfinished"
    assert chen.scorecard["penalties"][0]["penalty"] == "blame"
    assert not chen.finished, "unfinished sessions stay out of progress figures"

    def ids(**filters):
        return [r.session.sender_id for r in reviewer.reviews(Filters(**filters), sort="started_at", descending=False)]

    assert ids(outcome="resolved") == ["a1", "b2"]
    assert ids(outcome="hung_up") == ["b1"]
    assert ids(outcome="unfinished") == ["c1"]
    assert ids(scenario_id="late-parcel") == ["b2"]
    day = lambda n: __import__("datetime").date.fromtimestamp(1_700_000_000.0 + n * DAY).isoformat()  # noqa: E731
    assert ids(since=day(2), until=day(3)) == ["b1", "b2"]
    assert ids(until=day(0)) == ["a1"]

    figures = team(reviews)
    assert figures["sessions"] == 3
    assert figures["hardest_scenarios"][0]["scenario_id"] == "double-charge"
    assert figures["weakest_move"] == "empathize"  # nobody named a feeling
    assert [t["trainee"] for t in figures["trainees"]] == ["Ana", "Ben"]
    ben = progress(reviews, "ben")
    assert ben["sessions"] == 2 and [p["scenario_id"] for p in ben["points"]] == ["double-charge", "late-parcel"]
    assert ben["points"][0]["overall"] < ben["points"][1]["overall"]


def test_cli_report_exports_csv_json_and_html(empty_backend, tmp_path, capsys):
    reviewer = Reviewer(empty_backend.database_url)
    _good(FakeTracker(reviewer.store.engine, "a1"), "Ana")
    _bad(FakeTracker(reviewer.store.engine, "b1", clock=1_700_000_100.0), "Ben")
    reviewer.override("b1:1", "move", "apologize", 100, "Apologised on the phone before the chat.", "Lee")
    reviewer.override("b1:1", "penalty", "blame@1#0", 0, "Quoting the contract, not blaming.", "Lee")

    out = tmp_path / "report.csv"
    assert cli(["report", "--database-url", empty_backend.database_url, "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["trainee"] for r in rows] == ["Ana", "Ben"]
    ben = rows[1]
    assert (ben["apologize"], ben["apologize_auto"], ben["apologize_overridden_by"]) == ("100", "0", "Lee")
    assert ben["overridden"] == "yes" and "Apologised on the phone" in ben["overrides"]
    assert int(ben["overall"]) > int(ben["overall_auto"])

    assert cli(["report", "--database-url", empty_backend.database_url, "--format", "json", "--trainee", "Ben"]) == 0
    data = json.loads(capsys.readouterr().out)
    [session] = data["sessions"]
    assert session["trainee"] == "Ben" and data["filters"] == {"trainee": "Ben"}
    assert [m["text"] for m in session["messages"] if m["role"] == "trainee"] == \
        ["It's your fault, you should have checked.", "Calm down."]
    assert session["scorecard_automatic"]["moves"]["apologize"]["score"] == 0
    assert session["scorecard"]["moves"]["apologize"]["override"]["lead"] == "Lee"

    assert cli(["report", "--database-url", empty_backend.database_url, "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.count('<section class="session"') == 2 and "Apologised on the phone" in page

    assert cli(["report", "--database-url", empty_backend.database_url, "--since", "yesterday"]) == 2
    assert cli(["report", "--database-url", "sqlite:////nonexistent/sparring.db"]) == 1
