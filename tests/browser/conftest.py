"""Playwright driving Debian's chromium against the live test server.

Skipped when chromium is not installed, unless BROWSER_TESTS=required (CI), where a
missing browser is a failure. Screenshots of each step go under ARTIFACTS_DIR
(default ./artifacts/screenshots), one folder per test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts")) / "screenshots"
PHONE = {"width": 360, "height": 780}

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test's
# own setup are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("BROWSER_TESTS") == "required":
            pytest.fail(f"chromium not found at {CHROMIUM} and BROWSER_TESTS=required")
        pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Shots:
    """Numbered screenshots of one test's steps."""

    def __init__(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, step: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def phone(browser, request, live_server):  # type: ignore[no-untyped-def]
    """A phone-sized page on the live server, in the language the test asks for
    (``@pytest.mark.parametrize("lang", ...)``, default zh-hans)."""
    callspec = getattr(request.node, "callspec", None)
    lang = callspec.params.get("lang", "zh-hans") if callspec else "zh-hans"
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US" if lang == "en" else "zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.shots = Shots(page, request.node.name)
    yield page
    context.close()


# --- journeys (test_journey_*.py): one user's work end to end, per language ----------------

JOURNEYS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts")) / "journeys"
DESK = {"width": 1400, "height": 900}
# A journey's browser asks for the other language, so that the app's own language switch
# is what turns the pages into the language under test.
OTHER_LOCALE = {"zh-hans": "en-US", "en": "zh-CN"}
SIGN_IN = {"zh-hans": "登录", "en": "Sign in"}
_journey_shots: list[Path] = []


def no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a phone"


class Journey:
    """Pages of one journey in one language, and its screenshots, all in one folder:
    ``<journey>-<language>-<NN>-<step>.png``."""

    def __init__(self, browser, base_url: str, name: str, lang: str) -> None:  # type: ignore[no-untyped-def]
        self.browser, self.base_url, self.lang = browser, base_url, lang
        self.prefix = f"{name}-{lang}"
        self.contexts: list = []  # type: ignore[type-arg]
        self.n = 0
        JOURNEYS.mkdir(parents=True, exist_ok=True)
        for old in JOURNEYS.glob(f"{self.prefix}-*.png"):
            old.unlink()

    def page(self, *, phone: bool = False):  # type: ignore[no-untyped-def]
        options = (
            {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
            if phone
            else {"viewport": DESK}
        )
        context = self.browser.new_context(
            base_url=self.base_url, locale=OTHER_LOCALE[self.lang], **options
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    def sign_in(self, page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
        """The login page in the browser's language, switched with the app's own control."""
        from playwright.sync_api import expect

        page.goto("/accounts/login/")
        other = "en" if self.lang == "zh-hans" else "zh-hans"
        expect(page.locator("h1")).to_have_text(SIGN_IN[other])
        page.get_by_test_id(f"lang-{self.lang}").click()
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        expect(page.locator("h1")).to_have_text(SIGN_IN[self.lang])
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.get_by_test_id("login-submit").click()

    def shot(self, page, step: str) -> Path:  # type: ignore[no-untyped-def]
        self.n += 1
        path = JOURNEYS / f"{self.prefix}-{self.n:02d}-{step}.png"
        # from the top: a full-page shot taken scrolled down paints the sticky navbar mid-page
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        _journey_shots.append(path)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(browser, live_server, request):  # type: ignore[no-untyped-def]
    """``journey(name)``: a Journey in the language of the test's ``lang`` parameter."""
    lang = request.node.callspec.params["lang"]
    made: list[Journey] = []

    def start(name: str) -> Journey:
        made.append(Journey(browser, live_server.url, name, lang))
        return made[-1]

    yield start
    for one in made:
        one.close()


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if _journey_shots:
        terminalreporter.write_line(
            f"Journey screenshots ({len(_journey_shots)}): {JOURNEYS.resolve()}"
        )


class Settle:
    """Waits, after a page's load event, until none of the page's requests is in flight for
    a moment (Playwright's "networkidle" with a diagnosis): on timeout it fails naming the
    requests still pending, rather than a bare timeout."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.pending: dict[object, str] = {}
        page.on("request", lambda r: self.pending.__setitem__(r, r.url))
        page.on("requestfinished", lambda r: self.pending.pop(r, None))
        page.on("requestfailed", lambda r: self.pending.pop(r, None))

    def __call__(self, *, quiet_ms: int = 300, timeout_ms: int = 30_000) -> None:
        import time

        self.page.wait_for_load_state("load")
        deadline = time.monotonic() + timeout_ms / 1000
        quiet_since = None
        while time.monotonic() < deadline:
            if self.pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(
            f"{self.page.url}: requests still pending after {timeout_ms} ms: "
            f"{sorted(self.pending.values())}"
        )
