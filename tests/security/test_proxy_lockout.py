"""The sign-in lockout behind the reverse proxy: per username and client address, the
address read from X-Forwarded-For only when the request comes from a trusted proxy.

The first tests send the proxy's headers through Django's test client; the last ones start
the real thing, nginx with docker/nginx.conf in front of gunicorn, and sign in from two
client addresses (127.0.0.2 and 127.0.0.3: the loopback accepts any 127.x source).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.brigade.factories import OfficerFactory, UserFactory
from tests.faults.conftest import require, shared_database_url
from tests.faults.services import (
    START_TIMEOUT,
    AppServer,
    app_environment,
    free_port,
    wait_until,
)
from tests.petitions.factories import TicketFactory

BASE_DIR = Path(__file__).resolve().parents[2]
TOKEN = "/api/v1/auth/token/"
PASSWORD = "pw-for-tests-1"  # UserFactory's
PROXY = "10.0.0.5"
A, B = "198.51.100.7", "198.51.100.8"


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        # no proxy configured: the header is nobody's word
        ("203.0.113.9", "198.51.100.7", [], "203.0.113.9"),
        # from the trusted proxy: the address it appended
        (PROXY, "198.51.100.7", [PROXY], "198.51.100.7"),
        # a network of proxies, and what a client wrote itself to the left is ignored
        ("10.0.0.9", "6.6.6.6, 198.51.100.7", ["10.0.0.0/24"], "198.51.100.7"),
        # two proxies in a row, both trusted
        (PROXY, "198.51.100.7, 10.0.0.6", [PROXY, "10.0.0.6"], "198.51.100.7"),
        # the header from a client that is not a proxy: its own address
        ("203.0.113.9", "198.51.100.7", [PROXY], "203.0.113.9"),
        # a trusted proxy that forwarded nothing, or garbage
        (PROXY, None, [PROXY], PROXY),
        (PROXY, "not-an-address", [PROXY], PROXY),
        ("::ffff:10.0.0.5", "2001:db8::7", [PROXY], "2001:db8::7"),
    ],
)
def test_the_client_address(remote, forwarded, trusted, client):
    from brigade.core.clientip import client_address

    assert client_address(remote, forwarded, trusted) == client


# --- through Django's test client ---------------------------------------------------------


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    user = UserFactory(username="sunhao", roles=["officer"])
    OfficerFactory(user=user)
    return user


def sign_in(remote: str, forwarded: str | None = None, password: str = PASSWORD) -> int:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client(**headers).post(
        TOKEN, {"username": "sunhao", "password": password}, content_type="application/json"
    )
    return response.status_code


def test_behind_a_trusted_proxy_a_lockout_is_the_clients_alone(officer, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(PROXY, A, password="wrong")

    assert sign_in(PROXY, A) == 429
    assert sign_in(PROXY, B) == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {A}


def test_a_forged_header_from_an_untrusted_client_changes_nothing(officer, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in("203.0.113.9", f"192.0.2.{attempt}", password="wrong")

    assert sign_in("203.0.113.9", "192.0.2.200") == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_without_trusted_proxies_the_header_is_ignored(officer, settings):
    settings.TRUSTED_PROXIES = []
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(PROXY, A, password="wrong")

    assert sign_in(PROXY, B) == 429  # all of them come from the proxy's address


# --- the compose file -----------------------------------------------------------------------


def test_compose_puts_nginx_in_front_and_trusts_only_its_address():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    proxy = services["proxy"]
    address = proxy["networks"]["default"]["ipv4_address"]

    assert proxy["image"].startswith("nginx:")
    assert "./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == address
    assert "ports" not in services["web"]  # nobody reaches gunicorn around the proxy
    # the proxy's fixed address is outside the range the other containers get theirs from
    [pool] = compose["networks"]["default"]["ipam"]["config"]
    assert address.rsplit(".", 1)[1] < pool["ip_range"].split("/")[0].rsplit(".", 1)[1]


# --- a real nginx in front of a real gunicorn -----------------------------------------------


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None,
    )


@dataclass
class Nginx:
    """nginx with docker/nginx.conf, where only the upstream, the ports and the
    certificate's folder differ, inside a minimal main configuration of its own."""

    upstream_port: int
    folder: Path
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def configure(self) -> Path:
        tls = self.folder / "tls"
        tls.mkdir()
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=localhost"),
                *("-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")),
            ],
            check=True,
            capture_output=True,
        )
        server = (BASE_DIR / "docker" / "nginx.conf").read_text()
        for ours, theirs in (
            ("server web:8000;", f"server 127.0.0.1:{self.upstream_port};"),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen 443 ssl;", f"listen 127.0.0.1:{self.https_port} ssl;"),
            ("/etc/nginx/tls/", f"{tls}/"),
        ):
            assert ours in server, ours
            server = server.replace(ours, theirs)
        (self.folder / "brigade.conf").write_text(server)
        main = self.folder / "nginx.conf"
        temp = " ".join(
            f"{kind}_temp_path {self.folder}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main.write_text(
            f"worker_processes 1;\npid {self.folder}/nginx.pid;\n"
            f"error_log {self.folder}/error.log;\nevents {{ worker_connections 64; }}\n"
            f"http {{ access_log {self.folder}/access.log; {temp}\n"
            f"include {self.folder}/brigade.conf; }}\n"
        )
        return main

    def start(self) -> None:
        binary = nginx_binary()
        assert binary
        main = self.configure()
        self.process = subprocess.Popen(
            [binary, "-p", str(self.folder), "-c", str(main), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

        def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.log()}")
            try:
                return self.request("127.0.0.1", "GET", "/healthz/").status == 200
            except OSError:
                return False

        wait_until(up, START_TIMEOUT, "nginx answers /healthz/")

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def request(
        self,
        source: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        tls: bool = True,
    ) -> http.client.HTTPResponse:
        """One request from the client address ``source`` (the answer's body read)."""
        sent = {"Host": "localhost", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1",
                self.https_port,
                timeout=30,
                context=context,
                source_address=(source, 0),
            )
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, timeout=30, source_address=(source, 0)
            )
        try:
            conn.request(method, path, body=payload, headers=sent)
            answer = conn.getresponse()
            answer.text = answer.read().decode(errors="replace")  # type: ignore[attr-defined]
        finally:
            conn.close()
        return answer


@pytest.fixture
def proxied(transactional_db: None) -> Iterator[Nginx]:
    """gunicorn on the test database trusting 127.0.0.1, nginx in front of it."""
    require(None if nginx_binary() else "needs nginx (apt-get install nginx-light)")
    require(None if shutil.which("openssl") else "needs openssl (apt-get install openssl)")
    with tempfile.TemporaryDirectory(prefix="brigade-proxy-") as folder:
        os.chmod(folder, 0o755)
        env = app_environment(
            DATABASE_URL=shared_database_url(),
            SECRET_KEY=settings.SECRET_KEY,
            TRUSTED_PROXIES="127.0.0.1",
            ALLOWED_HOSTS="localhost,127.0.0.1",
        )
        app = AppServer(env=env, log=Path(folder) / "gunicorn.log")
        app.start()
        proxy = Nginx(upstream_port=app.port, folder=Path(folder))
        try:
            proxy.start()
            yield proxy
        finally:
            proxy.stop()
            app.stop()


@pytest.fixture
def two_users(transactional_db: None) -> None:
    # hashed as the app server's settings hash (the tests' own hasher is a fast one)
    hasher = PBKDF2PasswordHasher()
    for name in ("sunhao", "xuting"):
        user = UserFactory(username=name, roles=["officer"])
        User.objects.filter(pk=user.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))
        OfficerFactory(user=user)


def token_from(
    proxy: Nginx, source: str, username: str, password: str = PASSWORD, **headers: str
) -> int:
    answer = proxy.request(
        source, "POST", TOKEN, {"username": username, "password": password}, headers
    )
    return answer.status


@pytest.mark.faults
def test_through_nginx_a_lockout_holds_for_one_address_only(proxied, two_users):
    limit = settings.AXES_FAILURE_LIMIT
    for _attempt in range(limit):
        assert token_from(proxied, "127.0.0.2", "sunhao", "wrong") in (400, 429)

    # locked out from A, even with the right password...
    assert token_from(proxied, "127.0.0.2", "sunhao") == 429
    # ...but not from B, for the same user, nor for another user from A
    assert token_from(proxied, "127.0.0.3", "sunhao") == 200
    assert token_from(proxied, "127.0.0.2", "xuting") == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2"}


@pytest.mark.faults
def test_through_nginx_a_forged_forwarded_for_is_locked_by_its_real_address(proxied, two_users):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        forged = {"X-Forwarded-For": f"192.0.2.{attempt}"}
        assert token_from(proxied, "127.0.0.3", "sunhao", "wrong", **forged) in (400, 429)

    assert token_from(proxied, "127.0.0.3", "sunhao", **{"X-Forwarded-For": "127.0.0.2"}) == 429
    assert token_from(proxied, "127.0.0.2", "sunhao") == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.3"}


@pytest.mark.faults
def test_through_nginx_no_server_name_or_version_is_shown(proxied):
    answers = {
        "the app": proxied.request("127.0.0.2", "GET", "/healthz/"),
        "an app error page": proxied.request("127.0.0.2", "GET", "/no-such-page/"),
        "nginx's own error page": proxied.request(
            "127.0.0.2", "POST", "/healthz/", headers={"Content-Length": str(102 * 2**20)}
        ),
        "the plain-HTTP redirect": proxied.request("127.0.0.2", "GET", "/", tls=False),
    }

    assert answers["the app"].status == 200
    assert answers["an app error page"].status == 404
    assert answers["nginx's own error page"].status == 413  # over client_max_body_size
    assert answers["the plain-HTTP redirect"].status == 301
    assert answers["the plain-HTTP redirect"].getheader("Location", "").startswith("https://")
    for what, answer in answers.items():
        server = answer.getheader("Server", "")
        shown = f"{server} {answer.text}".lower()  # type: ignore[attr-defined]
        assert "gunicorn" not in shown, what
        assert "nginx/" not in shown, what  # the name may show, never the version
        assert server in ("", "nginx"), what


# --- every record of a client address reads the same rule ------------------------------


def test_the_phone_reveal_log_keeps_the_clients_address_not_the_proxys(clerk, unit, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    ticket = TicketFactory(unit=unit, citizen_phone="13812345678")
    api = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {A}")
    api.force_authenticate(clerk)

    shown = api.post(reverse("petitions-api:ticket-reveal", args=[ticket.pk]), format="json")

    assert shown.status_code == 200
    assert ticket.phone_views.get().ip == A


def test_trusted_proxies_come_from_the_environment_and_a_bad_one_stops_the_start():
    from tests.test_settings import run, settings_of

    assert settings_of("settings.TRUSTED_PROXIES", DEBUG="1") == []
    assert settings_of(
        "settings.TRUSTED_PROXIES", DEBUG="1", TRUSTED_PROXIES="172.30.80.10,10.1.0.0/16"
    ) == ["172.30.80.10", "10.1.0.0/16"]
    refused = run(["manage.py", "check"], DEBUG="1", TRUSTED_PROXIES="proxy.example")
    assert refused.returncode != 0
    assert "TRUSTED_PROXIES" in refused.stderr and "ImproperlyConfigured" in refused.stderr
