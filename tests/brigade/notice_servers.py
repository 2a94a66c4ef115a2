"""Real servers on loopback for the notices' channels: an SMTP server (aiosmtpd) that keeps
what it receives, and an HTTP server (a group robot) that answers as a test tells it to.

Imported by the tests as fixtures: ``smtp`` (with the settings pointed at it) and ``robot``.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """A mail as the server got it: envelope recipients, when, the parsed message."""

    to: list[str]
    at: float
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return str(part.get_content())
        return ""

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")


class _Handler:
    def __init__(self, inbox: list[Received]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.inbox.append(Received(list(envelope.rcpt_tos), time.monotonic(), message))
        return "250 OK"


@dataclass
class Smtp:
    port: int
    inbox: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.inbox if address in m.to]

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.inbox) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.inbox)


def mail_settings(settings: Any, url: str, port: int) -> None:
    """Point Django's mail at ``url``, as EMAIL_URL would (pytest-django sets locmem)."""
    settings.EMAIL_URL = url
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings: Any) -> Iterator[Smtp]:
    """An SMTP server on a free loopback port, and the settings sending to it."""
    server = Smtp(port=free_port())
    controller = Controller(_Handler(server.inbox), hostname="127.0.0.1", port=server.port)
    controller.start()
    mail_settings(settings, server.url, server.port)
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class Post:
    path: str
    at: float
    body: dict[str, Any]


class Robot:
    """A group robot's webhook: answers each POST with the next of ``answers`` (a status,
    optionally a JSON body, or ``"hang"``: no answer for ``hang_seconds``), then 200."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.answers: list[Any] = []
        self.hang_seconds = 3.0
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                with robot.lock:
                    robot.posts.append(Post(self.path, time.monotonic(), body))
                    answer = robot.answers.pop(0) if robot.answers else 200
                if answer == "hang":
                    time.sleep(robot.hang_seconds)
                    answer = 200
                status, payload = answer if isinstance(answer, tuple) else (answer, None)
                data = json.dumps(payload or {"errcode": 0, "errmsg": "ok"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timed out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def url(self, path: str = "/robot/send?key=unit") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def robot(settings: Any) -> Iterator[Robot]:
    """A group robot's webhook on a free loopback port, with a short timeout."""
    settings.NOTICE_WEBHOOK_TIMEOUT = 1
    settings.NOTICE_WEBHOOK_FLAVOUR = "wecom"
    server = Robot()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
