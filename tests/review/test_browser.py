"""The dashboard in Debian's Chromium through Playwright: login, list, filter, sort, open a
session, override a score, export, progress, sign out. Fails (never skips) if the browser
cannot start. With SPARRING_SCREENSHOTS=1 the SQLite run refreshes docs/screenshots/review-*.png."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import pytest
from playwright.sync_api import expect

from tests.chromium import LAPTOP, launched_chromium
from tests.review.conftest import HOSTILE, LEAD_TOKEN
from tests.servers import ROOT

LEAD = "Rosa Lead"

expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium, review_servers):
    context = chromium.new_context(viewport=LAPTOP, base_url=review_servers.web_url, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


def _shots(review_servers, tmp_path):
    if os.environ.get("SPARRING_SCREENSHOTS") and review_servers.backend.name == "sqlite":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


def _rows(page):
    return page.locator("#sessions tbody tr[data-session]")


def test_lead_reviews_overrides_and_exports_in_the_browser(page, review_servers, conversations, tmp_path):
    shots = _shots(review_servers, tmp_path)

    # Strangers land on the login page; a wrong token is refused.
    page.goto("/review/")
    expect(page).to_have_url(re.compile(r"/review/login\?next="))
    page.fill("#name", LEAD)
    page.fill("#token", "not-the-token-at-all")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("not right")
    page.fill("#name", LEAD)
    page.fill("#token", LEAD_TOKEN)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator("#lead")).to_have_text(f"Signed in as {LEAD}")

    # The list: every session, newest first.
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d+ sessions?$"))
    total = int(page.locator("#status").inner_text().split()[0])
    assert total >= len(conversations)
    expect(_rows(page)).to_have_count(total)
    hostile = conversations["hostile"]
    expect(page.locator(f'tr[data-session="{hostile.session_id}"] td').nth(1)).to_have_text("Dee <i>x</i>")
    expect(page.locator("#weakest")).to_contain_text("weakest:")
    expect(page.locator("#hardest tbody tr").first).to_be_visible()

    # Sort by score, both ways.
    page.click("th[data-sort=overall]")
    expect(page.locator("th[data-sort=overall]")).to_have_attribute("aria-sort", "descending")
    scores = [int(s) for s in page.locator("#sessions tbody td:last-child strong").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    page.click("th[data-sort=overall]")
    expect(page.locator("th[data-sort=overall]")).to_have_attribute("aria-sort", "ascending")
    scores = [int(s) for s in page.locator("#sessions tbody td:last-child strong").all_inner_texts()]
    assert scores == sorted(scores)
    page.click("th[data-sort=started_at]")
    expect(page.locator("th[data-sort=started_at]")).to_have_attribute("aria-sort", "descending")
    page.screenshot(path=str(shots / "review-dashboard.png"))

    # Filter by trainee and outcome; the URL keeps the filters.
    page.select_option("#f-trainee", "Ben")
    expect(page).to_have_url(re.compile(r"trainee=Ben"))
    bens = sum(1 for p in conversations.values() if p.trainee == "Ben")
    expect(_rows(page)).to_have_count(bens)
    assert set(page.locator("#sessions tbody td:nth-child(2)").all_inner_texts()) == {"Ben"}
    page.select_option("#f-outcome", "resolved")
    expect(_rows(page)).to_have_count(sum(1 for p in conversations.values()
                                          if p.trainee == "Ben" and p.turns[-1]["outcome"] == "resolved"))
    page.click("#f-reset")
    expect(_rows(page)).to_have_count(total)

    # Open a session: the transcript with its highlights, the mood chart, the scorecard.
    played = conversations["chen_mixed"]
    page.click(f'tr[data-session="{played.session_id}"] td:first-child a')
    expect(page).to_have_url(re.compile(r"/review/session\?id="))
    expect(page.locator("#title")).to_contain_text("Chen")
    replies = page.locator("#transcript li.trainee")
    expect(replies).to_have_count(len(played.turns))
    for index, turn in enumerate(played.turns):
        reply = replies.nth(index)
        expect(reply.locator(".text")).to_have_text(played.replies[index])
        for move in turn["moves"]:
            expect(reply.locator(f".tag.m-{move}")).to_have_count(1)
            expect(reply.locator(f"mark[data-labels~={move}]").first).to_be_visible()
        for penalty in turn["penalties"]:
            expect(reply.locator(f"mark.m-penalty[data-labels~={penalty}]").first).to_be_visible()
        expect(reply.locator(".response-time")).to_contain_text("answered in")
    marked = page.locator("#transcript mark").all_inner_texts()
    assert marked and all(any(m in r for r in played.replies) for m in marked)
    expect(page.locator("#mood-chart svg circle")).to_have_count(len(played.turns) + 1)
    expect(page.locator("#moves tbody tr")).to_have_count(4)

    # Override a move score with a reason; the original stays beside it.
    row = page.locator("#moves tr[data-move=empathize]")
    automatic = row.locator("td.auto").inner_text()
    overall_before = page.locator("#overall").inner_text()
    row.locator("button").click()
    expect(page.locator("#override-dialog")).to_be_visible()
    page.fill("#override-value", "40")
    page.fill("#override-reason", "Named the stress but not the overdraft's impact: half credit.")
    page.click("#override-save")
    expect(page.locator("#override-dialog")).to_be_hidden()
    expect(row).to_have_class(re.compile(r"\bchanged\b"))
    expect(row.locator("td.score")).to_have_text("40")
    expect(row.locator("td.auto")).to_have_text(automatic)
    expect(row.locator(".override-note")).to_have_text(
        f"changed by {LEAD}: Named the stress but not the overdraft's impact: half credit.")
    expect(page.locator("#overall .was")).to_have_text(overall_before)
    expect(page.locator("#history li").first).to_contain_text(LEAD)
    # A penalty too, waived.
    page.locator("#penalties tbody tr[data-penalty] button").first.click()
    page.fill("#override-value", "0")
    page.fill("#override-reason", "She had asked twice; pushing back on the facts was fair.")
    page.click("#override-save")
    expect(page.locator("#penalties tbody tr[data-penalty]").first).to_have_class(re.compile(r"\bchanged\b"))
    page.screenshot(path=str(shots / "review-session.png"))

    # The printable scorecard shows the change and who made it.
    with page.context.expect_page() as printed:
        page.click("#print")
    printable = printed.value
    printable.wait_for_load_state()
    assert f"changed by {LEAD}" in printable.content()
    printable.close()

    # Exports from the list carry the override columns.
    page.click("text=← All sessions")
    expect(_rows(page)).to_have_count(total)
    expect(page.locator(f'tr[data-session="{played.session_id}"] .badge.changed')).to_be_visible()
    with page.expect_download() as download:
        page.click("#x-csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    mine = next(r for r in rows if r["session_id"] == played.session_id)
    assert (mine["empathize"], mine["empathize_auto"], mine["empathize_overridden_by"]) == ("40", automatic, LEAD)
    assert "half credit" in mine["overrides"]
    with page.expect_download() as download:
        page.click("#x-json")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert {s["session_id"] for s in data["sessions"]} == {r["session_id"] for r in rows}

    # A hostile reply is shown as text, never as markup.
    page.goto(f"/review/session?id={hostile.session_id}")
    expect(page.locator("#transcript li.trainee .text").first).to_have_text(HOSTILE)
    assert page.locator("#transcript script, #transcript b, #transcript i, #title i").count() == 0

    # Progress of one trainee over time.
    page.goto("/review/trainee?name=Ben")
    expect(page.locator("#title")).to_have_text("Progress of Ben")
    expect(page.locator("#chart svg path")).to_have_count(5)  # overall + four moves
    expect(page.locator("#points tbody tr")).to_have_count(
        sum(1 for p in conversations.values() if p.trainee == "Ben" and p.scorecard is not None))
    if shots != tmp_path:
        page.screenshot(path=str(shots / "review-progress.png"))

    # Sign out: the dashboard is closed again.
    page.click("text=Sign out")
    expect(page).to_have_url(re.compile(r"/review/login"))
    page.goto("/review/")
    expect(page).to_have_url(re.compile(r"/review/login"))
