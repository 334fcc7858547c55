"""Debian's Chromium driven by Playwright, shared by every browser test. If the browser
cannot start the test fails (never skips): scripts/install-browser.sh installs it."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("SPARRING_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling out to the (closed) network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LAPTOP = {"width": 1280, "height": 800}


@contextmanager
def launched_chromium():
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch problem is a test failure
            pytest.fail(f"Chromium could not start from {CHROMIUM} ({error}); scripts/install-browser.sh installs it.",
                        pytrace=False)
        try:
            yield browser
        finally:
            browser.close()
