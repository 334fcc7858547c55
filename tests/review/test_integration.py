"""Sessions played through the real Rasa server and action server, reviewed through the real
web server, on SQLite and on PostgreSQL: every turn reaches the dashboard and the exports,
overrides are stored with their reason beside the original, and nobody but a signed-in lead
gets in."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.parse

import pytest
import requests
import sqlalchemy as sa

from sparring.auth import COOKIE, RoleAuth
from tests.review.conftest import HOSTILE, LEAD_TOKEN, Lead

PAGES = ["/review/", "/review/session?id=x:1", "/review/trainee?name=Ana"]
API = ["/review/api/me", "/review/api/options", "/review/api/sessions", "/review/api/session?id=x:1",
       "/review/api/progress?trainee=Ana", "/review/api/team", "/review/export.csv", "/review/export.json",
       "/review/export.html", "/review/scorecard.html?id=x:1"]


def _q(session_id: str) -> str:
    return urllib.parse.quote(session_id, safe="")


def test_every_turn_of_every_conversation_reaches_the_dashboard(review_servers, conversations, lead):
    listing = lead.get("/review/api/sessions").json()
    listed = {row["session_id"]: row for row in listing["sessions"]}
    for key, played in conversations.items():
        row = listed[played.session_id]
        assert row["trainee"] == played.trainee, key
        assert row["scenario_id"] == played.scenario_id and row["persona"]
        assert row["turns"] == len(played.turns), key
        detail = lead.get(f"/review/api/session?id={_q(played.session_id)}").json()
        replies = [m for m in detail["messages"] if m["role"] == "trainee"]
        assert [m["text"] for m in replies] == played.replies, key
        assert [m["turn"] for m in replies] == [t["turn"] for t in played.turns], key
        assert [m["moves"] for m in replies] == [t["moves"] for t in played.turns], key
        assert [m["penalties"] for m in replies] == [t["penalties"] for t in played.turns], key
        assert all(isinstance(m["response_seconds"], (int, float)) for m in replies), key
        assert len(detail["mood_trace"]) == len(played.turns) + 1, key
        assert detail["mood_trace"][-1]["mood"] == played.turns[-1]["mood"], key
        if played.scorecard is not None:
            assert detail["automatic"] == played.scorecard, key
            assert not detail["provisional"]
        else:
            assert detail["provisional"] and detail["outcome"] == "unfinished", key
        for reply in replies:  # every highlighted span is the trainee's own words
            for piece in reply["segments"]:
                if piece["labels"]:
                    assert piece["text"] in reply["text"]
            assert "".join(p["text"] for p in reply["segments"]) == reply["text"]


def test_trainees_never_mix(conversations, lead):
    ana, ben = conversations["shared_ana"], conversations["shared_ben"]
    assert ana.sender == ben.sender and ana.session_id != ben.session_id
    rows = lead.get("/review/api/sessions", params={"trainee": "Ben"}).json()["sessions"]
    assert {r["trainee"] for r in rows} == {"Ben"}
    assert ben.session_id in {r["session_id"] for r in rows} and ana.session_id not in {r["session_id"] for r in rows}
    ana_rows = lead.get("/review/api/sessions", params={"trainee": "ana"}).json()["sessions"]
    assert {r["trainee"] for r in ana_rows} == {"Ana"} and ana.session_id in {r["session_id"] for r in ana_rows}
    progress = lead.get("/review/api/progress", params={"trainee": "Ben"}).json()
    assert {p["session_id"] for p in progress["points"]} <= {r["session_id"] for r in rows}


def test_filters_sort_and_team_figures(conversations, lead):
    by_outcome = lead.get("/review/api/sessions", params={"outcome": "resolved"}).json()["sessions"]
    assert by_outcome and {r["outcome"] for r in by_outcome} == {"resolved"}
    by_scenario = lead.get("/review/api/sessions", params={"scenario": "late-parcel"}).json()["sessions"]
    assert {r["scenario_id"] for r in by_scenario} == {"late-parcel"}
    assert not lead.get("/review/api/sessions", params={"since": "2999-01-01"}).json()["sessions"]
    assert lead.get("/review/api/sessions", params={"since": "yesterday"}).status_code == 400
    scores = [r["overall"] for r in lead.get("/review/api/sessions", params={"sort": "overall", "order": "asc"}).json()[
        "sessions"] if r["overall"] is not None]
    assert scores == sorted(scores)
    names = [r["trainee"].casefold() for r in lead.get("/review/api/sessions", params={"sort": "trainee", "order": "asc"}
                                                       ).json()["sessions"]]
    assert names == sorted(names)
    team = lead.get("/review/api/team").json()
    assert team["weakest_move"] in ("listen", "empathize", "apologize", "resolve")
    assert team["hardest_scenarios"][0]["mean_overall"] <= team["hardest_scenarios"][-1]["mean_overall"]


def test_override_is_stored_with_reason_and_original(review_servers, conversations, lead):
    played = conversations["ben_bad"]
    before = lead.get(f"/review/api/session?id={_q(played.session_id)}").json()
    penalty = before["scorecard"]["penalties"][0]
    refused = lead.post_json("/review/api/overrides", {"session_id": played.session_id, "kind": "move",
                                                        "target": "apologize", "value": 80, "reason": ""})
    assert refused.status_code == 400 and "reason" in refused.json()["message"]
    reason = "Quoting the <contract>, not blaming; & the detector missed the apology."
    changed = lead.post_json("/review/api/overrides", {"session_id": played.session_id, "kind": "penalty",
                                                        "target": penalty["key"], "value": 0, "reason": reason})
    assert changed.status_code == 201, changed.text
    moved = lead.post_json("/review/api/overrides", {"session_id": played.session_id, "kind": "move",
                                                      "target": "apologize", "value": 80, "reason": reason})
    after = moved.json()["session"]
    assert after["scorecard"]["penalties"][0]["points"] == 0
    assert after["scorecard"]["penalties"][0]["points_auto"] == penalty["points"]
    assert after["scorecard"]["moves"]["apologize"] == {**after["scorecard"]["moves"]["apologize"], "score": 80,
                                                        "score_auto": played.scorecard["moves"]["apologize"]["score"]}
    assert after["automatic"] == played.scorecard, "the automatic scorecard is kept as it was"
    assert after["overall_auto"] == played.scorecard["overall"] and after["overridden_by"] == ["Lee Lead"]

    engine = sa.create_engine(review_servers.backend.database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT kind, target, automatic, value, reason, lead FROM sparring_overrides WHERE session_id = :s "
            "ORDER BY id"), {"s": played.session_id}).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("penalty", penalty["key"], penalty["points"], 0, reason, "Lee Lead"),
        ("move", "apologize", played.scorecard["moves"]["apologize"]["score"], 80, reason, "Lee Lead")]

    rows = list(csv.DictReader(io.StringIO(lead.get("/review/export.csv").text)))
    row = next(r for r in rows if r["session_id"] == played.session_id)
    assert (row["apologize"], row["apologize_overridden_by"], row["overridden_by"]) == ("80", "Lee Lead", "Lee Lead")
    assert row["apologize_auto"] == str(played.scorecard["moves"]["apologize"]["score"])
    assert reason in row["overrides"] and row["overall_auto"] == str(played.scorecard["overall"])
    printable = lead.get(f"/review/scorecard.html?id={_q(played.session_id)}").text
    assert "Quoting the &lt;contract&gt;, not blaming; &amp; the detector" in printable
    assert "changed by Lee Lead" in printable


def test_exports_hold_every_session_and_turn(review_servers, conversations, lead):
    data = lead.get("/review/export.json").json()
    exported = {s["session_id"]: s for s in data["sessions"]}
    for played in conversations.values():
        session = exported[played.session_id]
        assert [m["text"] for m in session["messages"] if m["role"] == "trainee"] == played.replies
        assert all(m["record"] for m in session["messages"] if m["role"] == "trainee")
    rows = list(csv.DictReader(io.StringIO(lead.get("/review/export.csv", params={"trainee": "Ana"}).text)))
    assert rows and {r["trainee"] for r in rows} == {"Ana"}
    assert {"listen", "empathize", "apologize", "resolve"} <= set(rows[0])
    page = lead.get("/review/export.html")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.text.count('<section class="session"') == len(exported)
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "<i>x</i>" not in page.text  # the trainee called themselves "Dee <i>x</i>"
    # The same from the command line, straight from the database.
    out = subprocess.run([sys.executable, "-m", "sparring", "report", "--format", "json", "--database-url",
                          review_servers.backend.database_url], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    cli = {s["session_id"]: s for s in json.loads(out.stdout)["sessions"]}
    assert set(cli) == set(exported)
    assert all(cli[k]["messages"] == exported[k]["messages"] for k in cli)


def test_hostile_text_is_kept_verbatim_in_the_data(conversations, lead):
    played = conversations["hostile"]
    detail = lead.get(f"/review/api/session?id={_q(played.session_id)}").json()
    assert detail["trainee"] == "Dee <i>x</i>"
    assert [m["text"] for m in detail["messages"] if m["role"] == "trainee"][0] == HOSTILE
    assert lead.get(f"/review/session?id={_q(played.session_id)}").headers["Content-Security-Policy"].startswith(
        "default-src 'self'; script-src 'self'")


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_login(review_servers, path):
    response = requests.get(review_servers.web_url + path, allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/login?next=" + urllib.parse.quote(path, safe="")
    assert "Session" not in response.text and "sessions" not in response.text


def test_api_and_exports_refuse_anyone_but_a_lead(review_servers, conversations):
    base = review_servers.web_url
    other = RoleAuth("not-the-real-token-" + "x" * 10).issue("Mallory")
    real = RoleAuth(LEAD_TOKEN)
    cookies = [None, {COOKIE: "garbage"}, {COOKIE: other}, {COOKIE: real.issue("Lee", now=0)},
               {COOKIE: real.issue("Lee")[:-2] + "xx"}]
    for path in API:
        for jar in cookies:
            response = requests.get(base + path, cookies=jar, allow_redirects=False, timeout=30)
            assert response.status_code == 401, (path, jar)
            assert response.json()["error"] == "login_required"
        response = requests.get(base + path, headers={"Authorization": "Bearer wrong"}, timeout=30)
        assert response.status_code == 401
    assert requests.get(base + "/review/api/me", headers={"Authorization": f"Bearer {LEAD_TOKEN}"},
                        timeout=30).json() == {"lead": "api"}
    played = conversations["ana_good"]
    body = {"session_id": played.session_id, "kind": "move", "target": "listen", "value": 0, "reason": "sabotage"}
    assert requests.post(base + "/review/api/overrides", json=body, timeout=30).status_code == 401


def test_login_rules(review_servers, conversations):
    base = review_servers.web_url
    wrong = Lead(base, "Mallory")
    response = wrong.login("review-tests-guess")
    assert response.status_code == 401 and COOKIE not in response.cookies
    assert wrong.get("/review/api/sessions").status_code == 401
    nameless = Lead(base, "   ")
    assert nameless.login().status_code == 400
    forged = requests.post(base + "/review/login", data={"name": "X", "token": LEAD_TOKEN},
                           headers={"Origin": "http://evil.example"}, allow_redirects=False, timeout=30)
    assert forged.status_code == 403 and COOKIE not in forged.cookies
    good = Lead(base, "Mo")
    response = good.login()
    assert response.status_code == 303 and response.headers["Location"] == "/review/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/review" in cookie
    assert good.get("/review/api/me").json() == {"lead": "Mo"}
    # Overrides only as JSON from the dashboard's own origin.
    played = conversations["ana_good"]
    body = {"session_id": played.session_id, "kind": "move", "target": "listen", "value": 0, "reason": "x"}
    assert good.post_json("/review/api/overrides", body, headers={"Origin": "http://evil.example"}).status_code == 403
    form = good.http.post(base + "/review/api/overrides", data=body, headers={"Origin": base}, timeout=30)
    assert form.status_code == 403
    redirect = good.http.post(base + "/review/login", data={"name": "Mo", "token": LEAD_TOKEN,
                                                            "next": "//evil.example/"},
                              headers={"Origin": base}, allow_redirects=False, timeout=30)
    assert redirect.headers["Location"] == "/review/"
    out = good.http.post(base + "/review/logout", headers={"Origin": base}, allow_redirects=False, timeout=30)
    assert out.status_code == 303
    assert good.get("/review/api/me").status_code == 401


def test_rasa_http_api_is_not_exposed(review_servers, conversations):
    sender = conversations["ana_good"].sender
    response = requests.get(f"{review_servers.rasa_url}/conversations/{sender}/tracker", timeout=30)
    assert response.status_code in (401, 403, 404) and "Ana" not in response.text
