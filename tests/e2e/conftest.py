"""Browser harness: Playwright's sync API driving the system Chromium against pytest-django's live server.

Every page records console errors and uncaught exceptions (a CSP violation is
reported as a console error); a test whose page logged any fails at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import AbstractBaseUser
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from ..factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, live_server, console_errors: list[str]) -> Iterator[Page]:
    """A fresh browser context (no cookies) in English, with live_server.url as base URL."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"{page.url}: uncaught {error}"))
    yield page
    context.close()
    if console_errors:
        pytest.fail("the browser console reported errors:\n" + "\n".join(console_errors), pytrace=False)


@pytest.fixture
def login(page: Page) -> Callable[[AbstractBaseUser], Page]:
    """`login(user)` signs the user in through the login form and returns the page."""

    def sign_in(user: AbstractBaseUser) -> Page:
        page.goto("/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(#id_password) [type=submit]").click()
        assert "/login/" not in page.url, f"login failed for {user.get_username()}"
        return page

    return sign_in
