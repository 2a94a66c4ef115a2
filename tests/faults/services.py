"""Private PostgreSQL, Redis, gunicorn and Celery processes that a fault test may break.

The machine's own PostgreSQL (5432) and Redis (6379) serve everyone else's tests and are
never touched: each test starts its own instances on free ports, in temporary folders,
and stops them when it ends.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60  # seconds for a process to answer (the machine is small and shared)

# Variables of the test run (pytest-env, CI) that must not leak into the app's processes.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_VISIBILITY_TIMEOUT",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "STATICFILES_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "PYTEST_ADDOPTS",
    "PYTEST_XDIST_WORKER",
    # the browser tests' live server sets it in the test process; never in deployment
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's choice, so parallel runs differ)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` every 50 ms; the seconds it took, or AssertionError."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started


def app_environment(**overrides: str) -> dict[str, str]:
    """The environment of an app process: production semantics (DEBUG off) over plain
    HTTP on the loopback, plus ``overrides`` (DATABASE_URL, REDIS_URL, ...)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="brigade.settings",
        PYTHONPATH=str(BASE_DIR),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def venv_script(name: str) -> list[str]:
    script = Path(sys.executable).with_name(name)
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def _stop(process: subprocess.Popen[bytes] | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- Redis ----------------------------------------------------------------------------------


def redis_binary() -> str | None:
    return shutil.which("redis-server")


@dataclass
class RedisServer:
    """``redis-server`` on a free port, no persistence: a stop loses what it held, as a
    crashed Redis without an append-only file does."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        binary = redis_binary()
        assert binary, "redis-server is not installed"
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self.answers, START_TIMEOUT, f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        _stop(self.process)
        self.process = None


# --- PostgreSQL ----------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed server's binaries (Debian keeps them off the PATH)."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _run_as() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return "postgres"


def postgres_missing() -> str | None:
    if postgres_bin() is None:
        return "needs the PostgreSQL server binaries (apt-get install postgresql)"
    if os.geteuid() == 0 and _run_as() is None:
        return "needs the postgres user to run a private cluster as root"
    return None


@dataclass
class PostgresCluster:
    """A throwaway cluster (initdb, trust authentication, loopback only) that a test may
    restart or stop at will."""

    port: int = field(default_factory=free_port)
    folder: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="brigade-pg-"))
        self.user = _run_as()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.bin = postgres_bin()
        assert self.bin is not None, "PostgreSQL server binaries are not installed"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *args: str, timeout: float = START_TIMEOUT) -> None:
        done = subprocess.run(
            args,
            user=self.user,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout}{done.stderr}"

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            action,
            "-D",
            str(self.data),
            "-w",
            "-t",
            str(START_TIMEOUT),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            *extra,
        )

    def start(self) -> None:
        if not self.data.exists():
            self.init()
        self.pg_ctl("start")

    def restart(self) -> None:
        """A fast shutdown (open sessions are ended) and a start: what an upgrade or a
        crash-restart of the database server does to the app's connections."""
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "immediate")

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atq",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


# --- gunicorn ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str]
    seconds: float
    cookies: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class AppServer:
    """The project under gunicorn (sync workers), as docker-compose's ``web`` runs it."""

    env: dict[str, str]
    log: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [
                    *venv_script("gunicorn"),
                    "brigade.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "5",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

        def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.output()}")
            try:
                return self.request("GET", "/healthz/", timeout=5).status == 200
            except OSError:
                return False

        wait_until(up, START_TIMEOUT, "gunicorn answers /healthz/")

    def stop(self) -> None:
        _stop(self.process)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def request(
        self,
        method: str,
        path: str,
        *,
        data: Mapping[str, Any] | None = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        """One request on a new connection; the clock covers connect to last byte."""
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        body: bytes | None = None
        if data is not None:
            body = json.dumps(data).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            payload = answer.read()
        finally:
            conn.close()
        cookies = {}
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return Response(
            status=answer.status,
            body=payload,
            headers={k.lower(): v for k, v in answer.getheaders()},
            seconds=time.monotonic() - started,
            cookies=cookies,
        )


# --- Celery --------------------------------------------------------------------------------


@dataclass
class CeleryWorker:
    """``celery -A brigade worker --pool=solo`` on the app's database and broker."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [
                    *venv_script("celery"),
                    "-A",
                    "brigade",
                    "worker",
                    "--pool=solo",
                    "--loglevel=info",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: "ready." in self.output(), START_TIMEOUT, "the worker is ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no message handed back."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        _stop(self.process)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
