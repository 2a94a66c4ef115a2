"""Fixtures of the fault tests: private Redis and PostgreSQL instances, the app under
gunicorn and a Celery worker, all started for one test and stopped after it.

Every test here is marked ``faults``. A missing binary (redis-server, the PostgreSQL
server) skips the test with the reason, unless ``REQUIRE_SERVICES=1`` (CI), where it fails.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from brigade.core.tokens import issue_token
from tests.faults.services import (
    AppServer,
    CeleryWorker,
    PostgresCluster,
    RedisServer,
    app_environment,
    postgres_missing,
    redis_binary,
)

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)


def require(missing: str | None) -> None:
    """Skip for what is missing, or fail where CI demands the services."""
    if missing is None:
        return
    if os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{missing} [REQUIRE_SERVICES is set, so this test may not be skipped]")
    pytest.skip(missing)


def shared_database_url() -> str:
    """A DATABASE_URL for the database this test runs on (pytest-django's test database),
    which the app's processes share with the test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder for the processes' logs and files, readable by every user (a private
    PostgreSQL runs as ``postgres``)."""
    with tempfile.TemporaryDirectory(prefix="brigade-faults-") as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


@pytest.fixture
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    require(None if redis_binary() else "needs redis-server (apt-get install redis-server)")
    server = RedisServer(folder=workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_cluster() -> Iterator[PostgresCluster]:
    require(postgres_missing())
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def started(request: pytest.FixtureRequest) -> Iterator[Callable[[Any], Any]]:
    """``started(process)``: start an AppServer or CeleryWorker, stopped after the test
    (before pytest-django flushes the database the process holds open)."""
    running: list[Any] = []

    def start(process: Any) -> Any:
        running.append(process)
        process.start()
        return process

    yield start
    for process in reversed(running):
        process.stop()


@pytest.fixture
def stack_env(redis_server: RedisServer, transactional_db: None) -> dict[str, str]:
    """The environment of the app and its worker: the test database, the private Redis
    as broker, result store and cache, and the test's SECRET_KEY (sessions stay valid)."""
    return app_environment(
        DATABASE_URL=shared_database_url(),
        REDIS_URL=redis_server.url(),
        SECRET_KEY=settings.SECRET_KEY,
        # the faults replay weeks of 2022 (2022-W09): patrols logged then, far past the
        # window a phone's queued time is accepted in (brigade/core/timecheck.py)
        OFFLINE_QUEUE_MAX_AGE_DAYS="100000",
    )


@pytest.fixture
def app(stack_env: dict[str, str], workdir: Path, started: Callable[[Any], Any]) -> AppServer:
    return started(AppServer(env=stack_env, log=workdir / "gunicorn.log"))


@pytest.fixture
def make_worker(
    stack_env: dict[str, str], workdir: Path, started: Callable[[Any], Any]
) -> Callable[..., CeleryWorker]:
    """``make_worker(**env)``: start a Celery worker (a new log each time)."""
    count = 0

    def make(**env: str) -> CeleryWorker:
        nonlocal count
        count += 1
        worker = CeleryWorker(env={**stack_env, **env}, log=workdir / f"worker-{count}.log")
        return started(worker)

    return make


def session_headers(user: Any) -> dict[str, str]:
    """Headers of a logged-in browser: the session cookie (stored in the database)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "Accept-Language": "en"}


def token_headers(user: Any) -> dict[str, str]:
    return {"Authorization": f"Token {issue_token(user)}", "Accept-Language": "en"}
