"""The trainee's web chat in a real browser: start screen, chat over Rasa's socket.io
channel, live coaching, scorecard, and what must survive (reloads, lost connections,
HTML in a reply, a server that fails)."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import IMPATIENT_SCENARIO, LAPTOP
from tests.e2e.test_rest_sessions import GOOD

MOVES = ("listen", "empathize", "apologize", "resolve")
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
EARLY_FIX = "I'll refund you right away."  # a fix offered while the customer is still furious


class Chat:
    """The trainee's side of the page, through the stable data-testid hooks only."""

    def __init__(self, page: Page):
        self.page = page

    def open(self) -> None:
        self.page.goto("/")
        expect(self.page.get_by_test_id("start-button")).to_be_visible()

    def start(self, scenario_id: str, mode: str = "practice", name: str = "Ana") -> None:
        self.page.get_by_test_id("trainee-name").fill(name)
        self.page.locator(f'[data-testid=scenario-option][data-scenario-id="{scenario_id}"]').click()
        self.page.get_by_test_id(f"mode-{mode}").check()
        self.page.get_by_test_id("start-button").click()
        self.wait_for_opening()

    def wait_for_opening(self) -> None:
        expect(self.customer_messages.first).to_be_visible()
        expect(self.page.get_by_test_id("message-input")).to_be_focused()

    @property
    def customer_messages(self):
        return self.page.get_by_test_id("customer-message")

    @property
    def trainee_messages(self):
        return self.page.get_by_test_id("trainee-message")

    def say(self, text: str) -> None:
        """Type a reply, press Enter, and wait until the customer answered and it was scored."""
        before = self.trainee_messages.count()
        box = self.page.get_by_test_id("message-input")
        box.fill(text)
        box.press("Enter")
        expect(self.trainee_messages).to_have_count(before + 1)
        expect(self.trainee_messages.nth(before)).to_have_attribute("data-turn", re.compile(r"^\d+$"))

    def ended(self) -> bool:
        return self.page.get_by_test_id("message-input").is_disabled()

    def mood(self) -> float:
        return float(self.page.get_by_test_id("mood").get_attribute("data-value"))

    def earned(self) -> dict[str, str]:
        found = {}
        for move in MOVES:
            item = self.page.get_by_test_id(f"move-{move}")
            if item.get_attribute("data-earned") == "true":
                found[move] = item.locator(".move-quote").inner_text()
        return found

    def transcript(self) -> list[tuple[str, str]]:
        return self.page.eval_on_selector_all(
            "[data-testid=customer-message],[data-testid=trainee-message]",
            "nodes => nodes.map(n => [n.dataset.testid, n.textContent])")

    def end(self) -> None:
        self.page.get_by_test_id("end-button").click()
        expect(self.page.get_by_test_id("scorecard")).to_be_visible()


def scenario_info(servers, scenario_id: str) -> dict:
    with urllib.request.urlopen(f"{servers.web_url}/api/scenarios") as response:
        return next(s for s in json.load(response) if s["id"] == scenario_id)


@pytest.mark.parametrize("scenario_id", ["double-charge", "broken-dishwasher", "late-parcel"])
def test_full_practice_session_from_start_screen_to_scorecard(page, chat_servers, screenshot_dir, scenario_id):
    chat = Chat(page)
    chat.open()
    # The start screen lists every scenario with its title, persona, difficulty and situation.
    info = scenario_info(chat_servers, scenario_id)
    option = page.locator(f'[data-testid=scenario-option][data-scenario-id="{scenario_id}"]')
    expect(option).to_contain_text(info["title"])
    expect(option.locator(".difficulty")).to_have_text(info["difficulty"])
    expect(option.locator(".scenario-situation")).to_contain_text(info["situation"].split(";")[0][:40])
    assert page.get_by_test_id("scenario-option").count() >= 5
    if scenario_id == "double-charge":
        page.get_by_test_id("trainee-name").fill("Ana")
        page.screenshot(path=str(screenshot_dir / "chat-start.png"))

    chat.start(scenario_id)
    expect(page.locator("#customer-name")).to_have_text(info["customer_name"])
    expect(page.locator("#customer-meta")).to_contain_text(info["difficulty"])
    # The page talks to Rasa over a real websocket (socket.io upgraded from polling).
    page.wait_for_function("window.__sparring.socket.io.engine.transport.name === 'websocket'")
    expect(page.get_by_test_id("mood")).to_have_attribute("data-value", re.compile(r"^\d"))
    opening_mood = chat.mood()

    replies = GOOD[scenario_id]
    for number, reply in enumerate(replies, 1):
        chat.say(reply)
        if page.get_by_test_id("scorecard").is_visible():
            break
        mood = chat.mood()
        assert 0 <= mood <= 10
        # Every move lit so far quotes the trainee's own words.
        for move, quote in chat.earned().items():
            assert quote and any(quote in r for r in replies), (move, quote)
        if scenario_id == "double-charge" and number == 3:
            page.wait_for_timeout(800)  # let the transcript finish its smooth scroll
            page.screenshot(path=str(screenshot_dir / "chat-practice.png"))
        if chat.ended():
            break
    assert chat.mood() < opening_mood, "a good trainee calms the customer down"
    assert set(chat.earned()) == set(MOVES), chat.earned()
    assert page.get_by_test_id("hint").count() == 0, "a good trainee gets no hint"

    # The customer accepts the fix: the conversation ends on its own and the scorecard follows.
    scorecard = page.get_by_test_id("scorecard")
    expect(scorecard).to_be_visible()
    expect(page.locator("#score-outcome")).to_contain_text("accepted")
    overall = int(page.get_by_test_id("overall-score").inner_text())
    assert 50 <= overall <= 100, overall
    expect(page.locator("#grade")).to_have_text(re.compile(r"^Grade [A-F]"))
    for quote in page.locator("#score-moves q").all_inner_texts():
        assert any(quote in r for r in replies), quote
    assert page.locator("#score-moves .score-move.earned").count() == 4
    turns = page.locator("[data-testid=trainee-message][data-turn]").count()
    expect(page.locator("#mood-chart svg circle")).to_have_count(turns + 1)
    if scenario_id == "double-charge":
        page.screenshot(path=str(screenshot_dir / "chat-scorecard.png"))

    # A quote's turn link scrolls to that reply in the transcript and highlights it.
    link = page.locator("#score-moves .turn-link").first
    turn = link.get_attribute("href").removeprefix("#turn-")
    link.click()
    target = page.locator(f"#turn-{turn}")
    expect(target).to_have_class(re.compile(r"\bhighlight\b"))
    expect(target).to_be_in_viewport()

    if scenario_id == "double-charge":
        page.locator("#try-again").click()
        chat.wait_for_opening()
        expect(page.locator("#customer-name")).to_have_text(info["customer_name"])
        expect(chat.customer_messages).to_have_count(1)
        expect(chat.trainee_messages).to_have_count(0)
        chat.end()
    page.locator("#another-customer").click()
    expect(page.get_by_test_id("start-button")).to_be_visible()
    expect(page.get_by_test_id("trainee-name")).to_have_value("Ana")


def test_assessment_mode_shows_no_hints_and_works_with_the_keyboard_only(page):
    chat = Chat(page)
    chat.open()
    keyboard = page.keyboard
    expect(page.get_by_test_id("trainee-name")).to_be_focused()
    keyboard.type("Bea")
    keyboard.press("Tab")  # into the group of customers
    for _ in range(10):
        if page.evaluate("document.activeElement.value") == "double-charge":
            break
        keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "double-charge"
    keyboard.press("Tab")  # into the modes
    keyboard.press("ArrowDown")
    expect(page.get_by_test_id("mode-assessment")).to_be_checked()
    keyboard.press("Tab")
    expect(page.get_by_test_id("start-button")).to_be_focused()
    keyboard.press("Enter")
    chat.wait_for_opening()

    keyboard.type(EARLY_FIX)  # the same reply earns a hint in practice mode
    keyboard.press("Enter")
    expect(page.locator("[data-testid=trainee-message][data-turn]")).to_have_count(1)
    keyboard.type("So you were charged £389.99 twice,")
    keyboard.press("Shift+Enter")  # a new line, not a send
    keyboard.type("on 14 March?")
    expect(page.get_by_test_id("message-input")).to_have_value("So you were charged £389.99 twice,\non 14 March?")
    expect(chat.trainee_messages).to_have_count(1)
    keyboard.press("Enter")
    expect(page.locator("[data-testid=trainee-message][data-turn]")).to_have_count(2)
    expect(chat.trainee_messages.nth(1)).to_have_text("So you were charged £389.99 twice,\non 14 March?")

    expect(page.get_by_test_id("hint")).to_have_count(0)
    expect(page.get_by_test_id("mood")).to_be_hidden()
    for move in MOVES:
        expect(page.get_by_test_id(f"move-{move}")).to_be_hidden()
    assert page.locator("[data-testid=trainee-message] mark").count() == 0

    for _ in range(10):  # back to the End button, still without a mouse
        if page.evaluate("document.activeElement.dataset.testid") == "end-button":
            break
        keyboard.press("Shift+Tab")
    keyboard.press("Enter")
    expect(page.get_by_test_id("scorecard")).to_be_visible()
    expect(page.get_by_test_id("overall-score")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#score-meta")).to_contain_text("assessment")
    expect(page.locator("#score-tips .tip").first).to_be_visible()


def test_html_in_a_reply_is_shown_as_text_and_a_misstep_gets_a_hint(page):
    chat = Chat(page)
    chat.open()
    chat.start("double-charge")
    chat.say(XSS)
    expect(chat.trainee_messages.last).to_have_text(XSS)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#log script, #log img").count() == 0
    expect(page.get_by_test_id("hint")).to_have_count(0)

    # The customer "types" for a moment before answering.
    before, answers = chat.mood(), chat.customer_messages.count()
    box = page.get_by_test_id("message-input")
    box.fill(EARLY_FIX)
    sent = time.monotonic()
    box.press("Enter")
    expect(page.locator("#typing")).to_be_visible()
    expect(page.locator("#typing")).to_contain_text("Dana is typing")
    expect(chat.customer_messages).to_have_count(answers + 1)
    assert time.monotonic() - sent >= 0.6, "the answer comes after a short, realistic delay"
    expect(chat.trainee_messages.last).to_have_attribute("data-turn", "2")
    hint = page.get_by_test_id("hint")
    expect(hint).to_have_count(1)
    expect(hint).to_contain_text("furious")
    assert chat.mood() != before
    chat.end()
    expect(page.locator("#score-transcript [data-testid=trainee-message]").first).to_have_text(XSS)
    assert page.evaluate("window.__xss") is None


def test_the_customer_gets_impatient_when_the_trainee_waits(page):
    chat = Chat(page)
    chat.open()
    chat.start(IMPATIENT_SCENARIO)  # patience shortened to a few seconds for this test
    expect(page.get_by_test_id("mood")).to_have_attribute("data-value", re.compile(r"^\d"))
    before = chat.mood()
    nudge = page.locator(".msg.customer.nudge [data-testid=customer-message]")
    expect(nudge.first).to_be_visible(timeout=25_000)
    expect(page.get_by_test_id("mood")).not_to_have_attribute("data-value", str(before))
    assert chat.mood() > before, "waiting makes the customer angrier"
    if not chat.ended():  # the conversation goes on after the nudge
        answered = chat.customer_messages.count()
        chat.say("I'm so sorry your broadband has been down since Monday, that must be stressful with your payroll deadline.")
        assert chat.customer_messages.count() > answered
        chat.end()
    expect(page.get_by_test_id("scorecard")).to_be_visible()


def test_reload_in_the_middle_keeps_the_conversation(page):
    chat = Chat(page)
    chat.open()
    chat.start("double-charge")
    for reply in GOOD["double-charge"][:2]:
        chat.say(reply)
    transcript, mood, earned = chat.transcript(), chat.mood(), chat.earned()
    assert len(transcript) >= 5 and earned

    page.reload()
    expect(chat.customer_messages).to_have_count(sum(1 for kind, _ in transcript if kind == "customer-message"))
    assert chat.transcript() == transcript
    assert chat.mood() == mood
    assert chat.earned() == earned
    expect(page.locator("#customer-name")).to_have_text("Dana Whitfield")

    # ...and goes on from the tracker store without losing a turn.
    chat.say(GOOD["double-charge"][2])
    expect(chat.trainee_messages.last).to_have_attribute("data-turn", "3")
    chat.end()
    quotes = " ".join(page.locator("#score-moves q").all_inner_texts())
    assert "charged £389.99 twice" in quotes  # earned before the reload


def test_a_lost_connection_reconnects_and_no_turn_is_lost(page):
    chat = Chat(page)
    chat.open()
    chat.start("double-charge")
    chat.say(GOOD["double-charge"][0])
    answered = chat.customer_messages.count()

    # The connection drops right after a reply went out: the answer is sent while nobody listens.
    page.get_by_test_id("message-input").fill(GOOD["double-charge"][1])
    page.evaluate("""() => {
        const socket = window.__sparring.socket;
        socket.io.reconnection(false);
        document.querySelector('[data-testid=send-button]').click();
        socket.io.engine.close();
    }""")
    expect(page.locator("#banner")).to_contain_text("Reconnecting")
    # A reply typed while offline waits, visibly, and is sent once the connection is back.
    chat.page.get_by_test_id("message-input").fill(GOOD["double-charge"][2])
    chat.page.get_by_test_id("message-input").press("Enter")
    expect(page.locator(".msg.trainee.pending")).to_have_count(1)
    page.evaluate("() => { const s = window.__sparring.socket; s.io.reconnection(true); s.connect(); }")

    expect(page.locator("[data-testid=trainee-message][data-turn]")).to_have_count(3)
    assert page.locator("[data-testid=trainee-message]").evaluate_all("ns => ns.map(n => n.dataset.turn)") == ["1", "2", "3"]
    expect(page.locator("#banner")).to_be_hidden()
    assert chat.customer_messages.count() >= answered + 2
    texts = [text for kind, text in chat.transcript() if kind == "trainee-message"]
    assert texts == GOOD["double-charge"][:3], "each reply once, in order"
    chat.end()


def test_a_server_error_shows_a_clear_message(page, chat_servers):
    page.route("**/api/scenarios", lambda route: route.fulfill(status=500, body="database is locked"))
    page.goto("/")
    expect(page.locator("#banner")).to_contain_text("loading the scenarios failed (HTTP 500")
    expect(page.locator("#banner-retry")).to_be_visible()

    # The chat server (Rasa) cannot be reached: said plainly, not a frozen page.
    page.unroute("**/api/scenarios")
    page.route("**/api/config", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"rasa_port": 9, "socket_path": "/socket.io/"})))
    chat = Chat(page)
    chat.open()
    page.get_by_test_id("trainee-name").fill("Ana")
    page.locator('[data-testid=scenario-option][data-scenario-id="double-charge"]').click()
    page.get_by_test_id("start-button").click()
    expect(page.locator("#banner")).to_contain_text("Cannot reach the practice server")


def test_readable_on_a_phone_sized_window(browser, chat_servers):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=chat_servers.web_url,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        chat = Chat(page)
        chat.open()
        chat.start("late-parcel")
        chat.say(GOOD["late-parcel"][0])
        for testid in ("message-input", "send-button", "end-button", "mood", "move-resolve"):
            expect(page.get_by_test_id(testid)).to_be_in_viewport()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        chat.end()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the scorecard scrolls sideways by {overflow}px"
    finally:
        context.close()
    assert LAPTOP["width"] == 1280
