"""Which tests need which outside service, and Celery's mode for each test.

Registered for the whole suite by ``-p tests.service_plugin`` (pyproject.toml addopts).

Markers (declared in pyproject.toml):

- ``postgres``: runs only when ``DATABASE_URL`` points at PostgreSQL;
- ``redis``: runs only when a broker is configured (``REDIS_URL`` / ``CELERY_BROKER_URL``),
  and is the only kind of test whose tasks go through it;
- ``browser``: runs only where Playwright and a Chromium binary are installed.

A test whose service is missing is skipped with the reason, so ``make test`` passes on a
laptop with nothing running. CI sets ``REQUIRE_SERVICES=1`` (postgres, redis) and
``BROWSER_TESTS=required`` (browser): there the same missing service fails the test, so a
green CI run cannot hide a suite that silently skipped its integration tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "required"}


def chromium_executable() -> str | None:
    """Debian's Chromium (or ``CHROMIUM_PATH``); Playwright's own download is not used."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing_postgres() -> str | None:
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return (
            "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/brigade "
            "(the suite is running on SQLite)"
        )
    return None


def _missing_redis() -> str | None:
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        return "needs Redis and a Celery worker: set REDIS_URL=redis://127.0.0.1:6379/0"
    return None


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs Playwright: pip install --group dev"
    if chromium_executable() is None:
        return "needs Chromium: apt-get install chromium (or set CHROMIUM_PATH)"
    return None


# marker -> (what is missing, the variable that turns a skip into a failure)
REQUIREMENTS = {
    "postgres": (_missing_postgres, "REQUIRE_SERVICES"),
    "redis": (_missing_redis, "REQUIRE_SERVICES"),
    "browser": (_missing_browser, "BROWSER_TESTS"),
}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # tryfirst: decide before any fixture (database, worker, browser) is set up.
    for marker, (missing, required_by) in REQUIREMENTS.items():
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason is None:
            continue
        if _env_flag(required_by):
            pytest.fail(f"{reason} [{required_by} is set, so this test may not be skipped]")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _celery_eager_unless_redis(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run in-process in every test except those marked ``redis``.

    Settings turn eagerness off as soon as REDIS_URL is set (as in CI), but a test that
    enqueues must not depend on a worker being there unless it says so.
    """
    from django.test import override_settings

    from brigade.celery import app

    eager = request.node.get_closest_marker("redis") is None
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=eager):
            yield
    finally:
        app.conf.task_always_eager = saved
