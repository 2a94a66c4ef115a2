"""The suite's clock, pinned for a whole run: ``BRIGADE_TEST_NOW`` (or ``--now``).

Registered for the whole suite by ``-p tests.clock_plugin`` (pyproject.toml addopts).

A test that reads the clock (today, this week, a deadline counted in working days from now)
either pins it itself (``time_machine.travel``) or is marked ``clock``: it must pass at any
instant. CI re-runs the ``clock`` tests at the instants where a clock-bound bug shows,
through the README's command::

    BRIGADE_TEST_NOW=2026-12-07T00:30:00Z make test PYTEST_ARGS="-m clock"

The value is an ISO 8601 instant with its offset (``Z``, ``+08:00``); the clock starts
there when the run starts and ticks on (``tick=True``), so timeouts and durations still
work. Worker subprocesses and a live server's threads keep the real clock: a ``clock``
test must not need them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest

ENV = "BRIGADE_TEST_NOW"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--now",
        default=os.environ.get(ENV, ""),
        help=f"run the suite with the clock starting at this ISO 8601 instant ({ENV})",
    )


def pinned_instant(config: pytest.Config) -> dt.datetime | None:
    value = str(config.getoption("--now") or "").strip()
    if not value:
        return None
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise pytest.UsageError(f"{ENV}/--now: not an ISO 8601 instant: {value!r}") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{ENV}/--now needs an offset (Z or +08:00): {value!r}")
    return instant


def pytest_configure(config: pytest.Config) -> None:
    pinned_instant(config)  # a bad value stops the run before anything is collected


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = pinned_instant(config)
    if instant is None:
        return None
    return f"clock: pinned to {instant.isoformat()} ({instant.astimezone(dt.UTC):%a %H:%M} UTC)"


@pytest.fixture(scope="session", autouse=True)
def _pinned_clock(request: pytest.FixtureRequest) -> Iterator[dt.datetime | None]:
    """The whole session runs on the pinned clock, when one is given."""
    instant = pinned_instant(request.config)
    if instant is None:
        yield None
        return
    import time_machine

    with time_machine.travel(instant, tick=True):
        yield instant
