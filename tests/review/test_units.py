"""Unit tests of the lead login, evidence highlighting, overrides arithmetic and exports
(no database, no server)."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess

import pytest

from sparring import auth
from sparring.overrides import Override, apply, overall, penalty_keys
from sparring.reports import Filters, Review, parse_date, segments, sort_reviews, to_csv, to_html
from sparring.scenarios import Catalogue
from sparring.scorecard import build_scorecard
from sparring.transcripts import Message, Session
from tests.servers import ROOT


# ---------------------------------------------------------------- lead token and cookies


def test_token_comes_from_the_environment_first(monkeypatch, tmp_path):
    monkeypatch.setenv(auth.TOKEN_FILE_ENV, str(tmp_path / "lead-token"))
    monkeypatch.setenv(auth.TOKEN_ENV, "x" * 20)
    assert auth.load_token() == ("x" * 20, "the environment variable SPARRING_LEAD_TOKEN")
    assert not (tmp_path / "lead-token").exists()
    monkeypatch.setenv(auth.TOKEN_ENV, "short")
    with pytest.raises(auth.TokenError):
        auth.load_token()


def test_token_file_is_generated_once_private_and_random(monkeypatch, tmp_path):
    monkeypatch.delenv(auth.TOKEN_ENV, raising=False)
    monkeypatch.setenv(auth.TOKEN_FILE_ENV, str(tmp_path / "var" / "lead-token"))
    token, where = auth.load_token()
    assert where == str(tmp_path / "var" / "lead-token") and len(token) >= 32
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o600
    assert auth.load_token() == (token, where)
    monkeypatch.setenv(auth.TOKEN_FILE_ENV, str(tmp_path / "other"))
    assert auth.load_token()[0] != token


def test_no_token_means_a_locked_dashboard(monkeypatch, tmp_path):
    monkeypatch.delenv(auth.TOKEN_ENV, raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv(auth.TOKEN_FILE_ENV, str(blocker / "lead-token"))  # cannot be created
    checker = auth.role_auth()
    assert not checker.configured and not checker.check_token("") and checker.verify("a.b") is None


def test_default_token_location_is_outside_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", "var/lead-token"], cwd=ROOT)
    assert ignored.returncode == 0


def test_cookie_names_the_lead_and_cannot_be_forged():
    checker = auth.RoleAuth("t" * 24)
    cookie = checker.issue("Lee\nLead\x00")
    assert checker.verify(cookie) == "Lee Lead"
    payload, signature = cookie.split(".")
    forged = auth._b64(b'{"lead":"Mallory","exp":9999999999}')
    assert checker.verify(f"{forged}.{signature}") is None
    assert auth.RoleAuth("u" * 24).verify(cookie) is None  # another token signs everyone out
    assert checker.verify(checker.issue("Lee", now=0)) is None  # expired
    for junk in ("", "garbage", "a.b.c", ".", "%%%.***"):
        assert checker.verify(junk) is None
    assert checker.check_token("t" * 24) and not checker.check_token("t" * 23) and not checker.check_token(None)


# ---------------------------------------------------------------- highlighting


def test_segments_cover_the_text_and_handle_overlaps_and_emoji():
    text = "I'm so sorry 😡 you were charged twice, that must be awful."

    def span(move, quote, start=None):
        start = text.index(quote) if start is None else start
        return {"move": move, "start": start, "end": start + len(quote), "quote": quote}

    record = {"evidence": [span("apologize", "I'm so sorry"), span("listen", "so sorry 😡 you were charged twice"),
                           span("empathize", "that must be awful")]}
    pieces = segments(text, record)
    assert "".join(p["text"] for p in pieces) == text
    labelled = {p["text"]: sorted(l["name"] for l in p["labels"]) for p in pieces}
    assert labelled["I'm "] == ["apologize"]
    assert labelled["so sorry"] == ["apologize", "listen"]
    assert labelled[" 😡 you were charged twice"] == ["listen"]
    assert labelled["that must be awful"] == ["empathize"]


def test_segments_find_misplaced_quotes_and_skip_unknown_ones():
    text = "That's not true. Calm down."
    record = {"evidence": [
        {"penalty": "calm_down", "start": 90, "end": 99, "quote": "Calm down"},
        {"penalty": "argue", "start": 0, "end": 5, "quote": "That's not true"},
        {"move": "listen", "start": 0, "end": 3, "quote": "nowhere in the text"},
    ]}
    pieces = segments(text, record)
    assert "".join(p["text"] for p in pieces) == text
    marked = {p["text"]: p["labels"] for p in pieces if p["labels"]}
    assert marked == {"That's not true": [{"kind": "penalty", "name": "argue"}],
                      "Calm down": [{"kind": "penalty", "name": "calm_down"}]}
    assert segments("plain", None) == [{"text": "plain", "labels": []}]


# ---------------------------------------------------------------- overrides arithmetic


def _card(penalty_quotes=("It's your fault", "It's your fault too")):
    catalogue = Catalogue().refresh()
    scenario = catalogue.get("double-charge")
    records = [
        {"turn": 1, "moves": ["apologize"], "penalties": [], "mood_after": 6,
         "evidence": [{"move": "apologize", "start": 0, "end": 5, "quote": "Sorry"}]},
        {"turn": 2, "moves": [], "penalties": ["blame", "blame"], "mood_after": 8,
         "evidence": [{"penalty": "blame", "start": 0, "end": 5, "quote": q} for q in penalty_quotes]},
    ]
    return build_scorecard(records, scenario, catalogue.rubric, trainee="Ana", outcome="hung_up",
                           opening_mood=scenario.mood_start)


def _override(kind, target, value, at, lead="Lee", seed="s"):
    return Override(id=int(at), session_id="x:1", seed=seed, kind=kind, target=target, automatic=None, previous=None,
                    value=value, reason="because", lead=lead, created_at=at)


def test_recomputed_overall_matches_the_engine():
    card = _card()
    assert overall(card) == card["overall"]
    same = apply(card, [_override("move", "listen", card["moves"]["listen"]["score"], 1)])
    assert same["overall"] == card["overall"] and same["overridden"]


def test_overrides_change_scores_keep_the_original_and_latest_wins():
    card = _card()
    keys = penalty_keys(card["penalties"])
    assert keys == ["blame@2#0", "blame@2#1"]
    changed = apply(card, [
        _override("move", "resolve", 50, 1, lead="Lee"),
        _override("move", "resolve", 80, 2, lead="Mo"),
        _override("penalty", "blame@2#1", 0, 3, lead="Lee"),
        _override("penalty", "blame@9#0", 0, 4, lead="Ghost"),  # no such penalty: ignored
    ])
    assert changed["moves"]["resolve"]["score"] == 80 and changed["moves"]["resolve"]["score_auto"] == 0
    assert changed["moves"]["resolve"]["override"]["lead"] == "Mo"
    assert [p["points"] for p in changed["penalties"]] == [card["penalties"][0]["points"], 0]
    assert changed["penalties"][1]["points_auto"] == card["penalties"][1]["points"]
    weights, moves = card["weights"], card["moves"]
    raw = (sum(weights[m] * moves[m]["score"] / 100 for m in moves) + weights["resolve"] * 0.8
           - card["penalties"][0]["points"] + card["outcome_points"])
    assert changed["overall"] == round(max(0, min(100, raw)))
    assert changed["overall_auto"] == card["overall"] and changed["overridden_by"] == ["Lee", "Mo"]
    assert card["moves"]["resolve"]["score"] == 0, "the automatic card is not modified"
    assert apply(None, []) is None
    untouched = apply(card, [])
    assert untouched["overall"] == card["overall"] and not untouched["overridden"]


# ---------------------------------------------------------------- exports


def _review(trainee="Ana", text="hello", started=1_700_000_000.0, overall_score=50, scorecard=True):
    card = dict(_card(), overall=overall_score) if scorecard else None
    session = Session(session_id=f"{trainee}-s:1", sender_id=f"{trainee}-s", seed="s", scenario_id="double-charge",
                      trainee=trainee, mode="practice", started_at=started, ended_at=started + 65, ended=True,
                      scenario_version="51317c408c1d", playbook_version="0a1b2c3d4e5f", scorecard=card, overall=overall_score if scorecard else None,
                      messages=[Message("customer", "You charged me twice!", started),
                                Message("trainee", text, started + 5, {"turn": 1, "moves": [], "penalties": [],
                                                                       "evidence": [], "mood_before": 8,
                                                                       "mood_after": 8})],
                      records=[{"turn": 1, "mood_before": 8, "mood_after": 8}])
    return Review(session, card, [])


def test_csv_defuses_spreadsheet_formulas_and_has_a_column_per_move():
    rows = list(csv.DictReader(io.StringIO(to_csv([_review(trainee="=HYPERLINK(\"http://x\")")]))))
    assert rows[0]["trainee"].startswith("'=")
    for move in ("listen", "empathize", "apologize", "resolve"):
        assert {move, f"{move}_auto", f"{move}_overridden_by"} <= set(rows[0])
    assert (rows[0]["scenario_version"], rows[0]["playbook_version"]) == ("51317c408c1d", "0a1b2c3d4e5f")


def test_printable_html_escapes_everything():
    page = to_html([_review(trainee="<img src=x onerror=alert(1)>", text="<script>alert('x')</script>")])
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page


def test_dates_and_filters():
    day = parse_date("2024-03-14")
    assert parse_date("2024-03-14", end=True) - day in (86400, 82800, 90000)  # DST days too
    assert parse_date("2024-03-14T10:00:00+00:00") == 1710410400
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("14/03/2024")
    with pytest.raises(ValueError):
        Filters(outcome="won")
    assert Filters.from_mapping({"trainee": " Ana ", "scenario": "", "since": "2024-03-01"}).as_dict() == \
        {"trainee": "Ana", "since": "2024-03-01"}


def test_sorting_puts_sessions_without_a_value_last():
    a, b, c = _review("Ana", overall_score=70), _review("Ben", overall_score=40), _review("Chen", scorecard=False)
    assert [r.session.trainee for r in sort_reviews([a, b, c], "overall", True)] == ["Ana", "Ben", "Chen"]
    assert [r.session.trainee for r in sort_reviews([a, b, c], "overall", False)] == ["Ben", "Ana", "Chen"]
    assert [r.session.trainee for r in sort_reviews([c, b, a], "trainee", False)] == ["Ana", "Ben", "Chen"]
    with pytest.raises(ValueError):
        sort_reviews([a], "password")


def test_highlights_carry_the_fact_restated_and_the_detail_not_the_customers():
    text = "So £389.99 went out twice. Your parcel is at the hub."
    record = {"evidence": [
        {"move": "listen", "start": 3, "end": 25, "quote": text[3:25], "fact": "the two payments"},
        {"penalty": "wrong_facts", "start": 27, "end": 53, "quote": text[27:53], "term": "parcel"},
    ]}
    labels = [label for piece in segments(text, record) for label in piece["labels"]]
    assert {"kind": "move", "name": "listen", "detail": "the two payments"} in labels
    assert {"kind": "penalty", "name": "wrong_facts", "detail": "parcel"} in labels


# ---------------------------------------------------------------- token guessing


def test_throttle_lets_mistypes_through_then_doubles_the_wait_and_forgets_after_a_quiet_window():
    throttle = auth.Throttle()
    for n in range(auth.Throttle.FREE_FAILURES):
        assert throttle.wait("1.2.3.4", now=1000 + n) == 0
        throttle.failed("1.2.3.4", now=1000 + n)
    last = 1000 + auth.Throttle.FREE_FAILURES - 1
    assert throttle.wait("1.2.3.4", now=last) == 1.0
    assert throttle.wait("5.6.7.8", now=last) == 0, "per client"
    throttle.failed("1.2.3.4", now=last + 1)
    assert throttle.wait("1.2.3.4", now=last + 1) == 2.0
    for n in range(20):
        throttle.failed("1.2.3.4", now=last + 2)
    assert throttle.wait("1.2.3.4", now=last + 2) == auth.Throttle.MAX_WAIT
    assert throttle.wait("1.2.3.4", now=last + 2 + auth.Throttle.WINDOW + 1) == 0
    throttle.failed("9.9.9.9", now=0)
    throttle.succeeded("9.9.9.9")
    assert throttle.wait("9.9.9.9", now=0) == 0


def test_guessing_tokens_on_the_login_form_or_as_a_bearer_is_refused_for_a_while(monkeypatch, tmp_path):
    """In process, through the web application's own routes: after the free failures even
    the right token waits, so guessing in parallel gains nothing."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from sparring.web.app import WebConfig, create_app

    monkeypatch.setenv(auth.TOKEN_ENV, "the-right-lead-token")
    monkeypatch.setenv(auth.TRAINER.token_env, "the-right-trainer-token")

    async def probe() -> None:
        app = create_app(WebConfig(database_url=f"sqlite:///{tmp_path / 'tracker.db'}"))
        async with TestClient(TestServer(app)) as client:
            origin = {"Origin": str(client.make_url("")).rstrip("/")}
            for _ in range(auth.Throttle.FREE_FAILURES):
                answer = await client.get("/review/api/me", headers={"Authorization": "Bearer guess"})
                assert answer.status == 401
            locked = await client.get("/review/api/me", headers={"Authorization": "Bearer the-right-lead-token"})
            assert locked.status == 429 and int(locked.headers["Retry-After"]) >= 1
            form = await client.post("/trainer/login", data={"name": "Tess", "token": "the-right-trainer-token"},
                                     headers=origin, allow_redirects=False)
            assert form.status == 429 and "Too many wrong tokens" in await form.text()

    asyncio.run(probe())
