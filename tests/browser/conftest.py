"""Browser journeys: Playwright drives the operating system's Chromium against pytest-django's live server.

Chromium comes from CHROMIUM_PATH, or `chromium` on the PATH; Playwright's own browser download is
never used. Outside CI a missing Chromium skips these tests; in CI it fails them. Each journey saves a
full-page screenshot of every meaningful step under var/screenshots/browser/<journey>/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from accounts.models import User
from tests.factories import TEST_PASSWORD
from tests.real_services import ROOT, require

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "var" / "screenshots" / "browser"
VIEWPORT = {"width": 1280, "height": 900}
# Long enough for a slow CI machine, short enough that a missing element fails the journey quickly.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def chromium(django_db_setup) -> Iterator[Browser]:
    require(os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK), f"Chromium at {CHROMIUM} (CHROMIUM_PATH)")
    # What the test database held after its migrations, which serialized_rollback restores after each flush.
    snapshots = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop running in the test thread for as long as it is
        # started, and Django refuses ORM calls from a thread with a running loop. The journeys' own
        # setup and checks are plain synchronous code (the server answers in its own thread), so they
        # are allowed here, and only until the module's browser stops.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            # With a loop running, Django hands this thread new connection objects (asgiref's Local
            # keeps them apart from the ones opened before), which know nothing of the snapshot: give
            # it to them, or every journey after the first starts without the migrations' data.
            for alias, contents in snapshots.items():
                connections[alias]._test_serialized_contents = contents
            # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                yield browser
            finally:
                browser.close()
                # Those connections are unreachable once the loop stops; left open, they would keep
                # the test database from being dropped at the end of the run.
                connections.close_all()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Dashboards keep figures in the cache (Redis outlives a test database): start without them."""
    cache.clear()
    yield
    cache.clear()


class Screenshots:
    """Numbered full-page screenshots of one journey: var/screenshots/browser/<journey>/NN-<step>.png."""

    def __init__(self, journey: str) -> None:
        self.folder = SCREENSHOTS / journey
        shutil.rmtree(self.folder, ignore_errors=True)  # only this run's steps, in order
        self.folder.mkdir(parents=True)
        self.count = 0

    def take(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        # Nothing may stick out sideways: a page wider than the window hides part of itself.
        width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= window, f"{path.name}: the page is {width} pixels wide in a {window}-pixel window"
        return path


@pytest.fixture
def screenshots() -> Callable[[str], Screenshots]:
    return Screenshots


class Visitors:
    """One browser context (its own cookies) per person, signed in through the real sign-in page.
    Every page records script errors and console errors (a CSP refusal is one) for the end check."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def open(self) -> Page:
        context = self.browser.new_context(base_url=self.base_url, viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        # The product's own pages only: a district's sign-in provider is outside it.
        ours = lambda: page.url.startswith(self.base_url)  # noqa: E731
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}") if ours() else None)
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{page.url}: {message.text}") if message.type == "error" and ours() else None
            ),
        )
        return page

    def sign_in(self, user: User) -> Page:
        # Hashed again with the fast hasher `visitors` switched to: the same sign-in, without Argon2's half second.
        User.objects.filter(pk=user.pk).update(password=make_password(TEST_PASSWORD))
        page = self.open()
        page.goto("/account/login/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(re.compile(r"/account/login/"))
        # The menu button names whoever signed in.
        menu = page.get_by_role("navigation", name="Main")
        expect(menu.get_by_role("button", name=user.full_name or user.email)).to_be_visible()
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visitors(chromium: Browser, live_server, settings) -> Iterator[Visitors]:
    # Argon2 is deliberately slow and every journey signs people in; the server thread shares these settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    opened = Visitors(chromium, live_server.url)
    yield opened
    opened.close()
    assert opened.errors == [], "the pages reported errors in the browser console"
