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
