"""Browser tests: the real action server, Rasa server and web server, driven through
Debian's Chromium with Playwright. If the browser cannot start, every test errors:
these tests fail, they never skip."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.chromium import LAPTOP, launched_chromium
from tests.servers import ROOT, running_servers

# The impatience test waits for the customer to speak up: its scenario gets a short patience
# in the servers' own copy of scenarios/ (the scenarios the full sessions use keep theirs).
IMPATIENT_SCENARIO = "broadband-outage"
PATIENCE_SECONDS = 5

expect.set_options(timeout=20_000)

# Module scope, not session: the servers and the browser go away when the browser tests are
# done, so they don't hold memory during the other suites, and another module's Playwright
# can start (two sync Playwright instances cannot run at once in one process).


@pytest.fixture(scope="module")
def chat_servers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-servers")
    scenarios = workdir / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    impatient = scenarios / f"{IMPATIENT_SCENARIO}.yml"
    text, count = re.subn(r"(?m)^patience_seconds:.*$", f"patience_seconds: {PATIENCE_SECONDS}", impatient.read_text())
    assert count == 1, f"{impatient} has no patience_seconds line to shorten"
    impatient.write_text(text)
    with running_servers(workdir, scenarios_dir=scenarios) as servers:
        yield servers


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, chat_servers):
    """A fresh browser profile per test (its own localStorage), at laptop size; any
    uncaught JavaScript error fails the test."""
    context = browser.new_context(viewport=LAPTOP, base_url=chat_servers.web_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot_dir(tmp_path):
    """docs/screenshots when SPARRING_SCREENSHOTS=1 (to refresh the README's images), else a
    temporary folder, so that a test run leaves the working tree clean."""
    if os.environ.get("SPARRING_SCREENSHOTS"):
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path
