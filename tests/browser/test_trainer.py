"""A trainer writes a scenario on the trainers' page, a trainee plays it, a lead reviews it:
the whole flow through the real servers in Chromium.

The servers get a copy of scenarios/ without one shipped scenario; the trainer creates it
from the page (typing it in, with a mistake first), tests it, previews it and publishes it.
"""

from __future__ import annotations

import re
import shutil
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP
from tests.browser.test_chat import Chat
from tests.servers import ROOT, running_servers

NEW_SCENARIO = "energy-tariff-switch"  # held back from the servers, then written on the page
TRAINER_TOKEN = "trainer-tests-" + uuid.uuid4().hex
LEAD_TOKEN = "lead-tests-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def trainer_servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("trainer-servers")
    scenarios = workdir / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    (scenarios / f"{NEW_SCENARIO}.yml").unlink()
    (scenarios / "tests" / f"{NEW_SCENARIO}.yml").unlink()
    env = {"SPARRING_TRAINER_TOKEN": TRAINER_TOKEN, "SPARRING_LEAD_TOKEN": LEAD_TOKEN,
           "SPARRING_DRAFTS": str(workdir / "drafts"), "SPARRING_VERSIONS": str(workdir / "versions")}
    with running_servers(workdir, scenarios_dir=scenarios, extra_env=env) as servers:
        yield servers


@pytest.fixture
def context(browser, trainer_servers):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=trainer_servers.web_url)
    errors: list[str] = []
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
    yield context
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page, path: str, name: str, token: str) -> None:
    page.goto(path)
    page.fill("#name", name)
    page.fill("#token", token)
    page.click("button[type=submit]")


def test_a_trainer_writes_tests_previews_and_publishes_a_scenario_that_a_trainee_plays(context, trainer_servers,
                                                                                      screenshot_dir):
    text = (ROOT / "scenarios" / f"{NEW_SCENARIO}.yml").read_text(encoding="utf-8")
    tests = (ROOT / "scenarios" / "tests" / f"{NEW_SCENARIO}.yml").read_text(encoding="utf-8")
    trainer = context.new_page()

    # The lead's token does not open the trainers' page.
    sign_in(trainer, "/trainer/", "Lee", LEAD_TOKEN)
    expect(trainer.locator(".error")).to_contain_text("not right")
    sign_in(trainer, "/trainer/", "Tess", TRAINER_TOKEN)
    expect(trainer.get_by_test_id("scenario-list")).to_be_visible()
    expect(trainer.locator(f'[data-scenario-id="{NEW_SCENARIO}"]')).to_have_count(0)

    # A new scenario starts from a template that already lints clean.
    trainer.get_by_test_id("new-id").fill(NEW_SCENARIO)
    trainer.get_by_test_id("new-scenario").click()
    expect(trainer.get_by_test_id("editing")).to_have_text(NEW_SCENARIO)
    expect(trainer.get_by_test_id("problems")).to_have_text("No problems.")

    # Typed in with a mistake: the problem is named at its line, live.
    difficulty = next(line for line in text.splitlines() if line.startswith("difficulty:"))
    wrong_line = text.splitlines().index(difficulty) + 1
    trainer.get_by_test_id("scenario-text").fill(text.replace(difficulty, "difficulty: quite hard", 1))
    problem = trainer.get_by_test_id("problem")
    expect(problem).to_have_count(1)
    expect(problem).to_have_attribute("data-line", str(wrong_line))
    expect(problem).to_contain_text(f"line {wrong_line}: difficulty: must be one of easy, medium, hard")
    problem.click()  # takes the trainer to the line
    selected = trainer.get_by_test_id("scenario-text").evaluate("area => area.value.slice(area.selectionStart, area.selectionEnd)")
    assert selected == "difficulty: quite hard"
    trainer.evaluate("window.scrollTo(0, 0)")
    trainer.screenshot(path=str(screenshot_dir / "trainer-problem.png"))
    trainer.get_by_test_id("scenario-text").fill(text)
    expect(trainer.get_by_test_id("problems")).to_have_text("No problems.")

    # Its scripted trainees, then the tests: its own, and the checks against every other scenario.
    trainer.get_by_test_id("tests-text").fill(tests)
    trainer.get_by_test_id("run-tests").click()
    expect(trainer.get_by_test_id("tests-verdict")).to_have_text(re.compile(r"^All \d+ plays as expected\.$"),
                                                                timeout=120_000)

    # The preview plays the draft customer without publishing it.
    trainer.get_by_test_id("preview-start").click()
    expect(trainer.get_by_test_id("preview-customer").first).to_be_visible()
    trainer.get_by_test_id("preview-input").fill("I'm sorry, this must be confusing. Which tariff are you leaning towards?")
    trainer.get_by_test_id("preview-send").click()
    expect(trainer.get_by_test_id("preview-scores")).to_contain_text("mood")
    expect(trainer.get_by_test_id("preview-customer").nth(1)).to_be_visible()  # the customer answered

    # Trainees never see the draft...
    trainee = context.new_page()
    trainee.set_viewport_size(LAPTOP)
    Chat(trainee).open()
    expect(trainee.locator(f'[data-testid=scenario-option][data-scenario-id="{NEW_SCENARIO}"]')).to_have_count(0)

    # ...until it is published.
    trainer.get_by_test_id("publish").click()
    expect(trainer.get_by_test_id("status")).to_contain_text("Published version", timeout=120_000)
    version = re.search(r"Published version ([0-9a-f]{12})", trainer.get_by_test_id("status").inner_text()).group(1)
    # The list says who published it, and plays the published tests by itself.
    published = trainer.locator(f'[data-scenario-id="{NEW_SCENARIO}"]')
    expect(published).to_contain_text("published by Tess")
    expect(published.get_by_test_id("tests-badge")).to_have_text(re.compile(r"^tests: (\d+) of \1 pass$"),
                                                                  timeout=240_000)
    trainer.screenshot(path=str(screenshot_dir / "trainer-page.png"))
    assert (trainer_servers.workdir / "scenarios" / f"{NEW_SCENARIO}.yml").read_text(encoding="utf-8") == text

    chat = Chat(trainee)
    chat.open()
    chat.start(NEW_SCENARIO, name="Tia")
    chat.say("I'm sorry this price rise letter has left you unsure. What matters most to you in a tariff?")
    trainee.get_by_test_id("end-button").click()
    expect(trainee.get_by_test_id("scorecard")).to_be_visible()

    # The lead sees the session and the version of the scenario it was played against.
    lead = context.new_page()
    sign_in(lead, "/review/", "Lee", LEAD_TOKEN)
    row = lead.locator("#sessions tbody tr[data-session]").filter(has_text="Tia")
    expect(row).to_have_count(1)
    row.locator("td:first-child a").click()
    versions = lead.get_by_test_id("versions")
    expect(versions).to_contain_text(f"scenario version {version}")
    with lead.expect_popup() as opened:
        versions.locator("a[data-kind=scenarios]").click()
    expect(opened.value.locator("body")).to_contain_text(f"id: {NEW_SCENARIO}")


def test_a_trainer_discards_a_draft_and_gets_the_published_scenario_back(context, trainer_servers):
    trainer = context.new_page()
    sign_in(trainer, "/trainer/", "Tess", TRAINER_TOKEN)
    trainer.locator('[data-scenario-id="late-parcel"]').click()
    expect(trainer.get_by_test_id("editing")).to_have_text("late-parcel")
    published = trainer.get_by_test_id("scenario-text").input_value()
    trainer.get_by_test_id("scenario-text").fill(published.replace("difficulty: medium", "difficulty: easy", 1))
    trainer.get_by_test_id("save-draft").click()
    expect(trainer.locator('[data-scenario-id="late-parcel"]')).to_contain_text("draft")

    trainer.once("dialog", lambda dialog: dialog.accept())
    trainer.get_by_test_id("discard-draft").click()
    expect(trainer.get_by_test_id("status")).to_have_text("Draft discarded: showing the published version.")
    expect(trainer.get_by_test_id("scenario-text")).to_have_value(published)
    expect(trainer.locator('[data-scenario-id="late-parcel"]')).not_to_contain_text("draft")
    assert not (trainer_servers.workdir / "drafts" / "late-parcel.yml").exists()
