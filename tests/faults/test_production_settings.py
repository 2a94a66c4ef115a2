"""The settings production runs with, as docker-compose.yml gives them to web, worker and
beat, pass Django's deploy checks with no warning and harden what they must.

CI runs the same check from .ci/run; this one reads the environment from the compose file,
so a change there (a security variable turned off, DEBUG on) fails here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
import yaml

from tests.faults.services import BASE_DIR, SETTINGS_VARIABLES

pytestmark = pytest.mark.faults


def compose_environment() -> dict[str, str]:
    """The app services' environment from docker-compose.yml, ``${VAR...}`` filled in as an
    operator's shell would fill the required ones."""
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    given = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "ALLOWED_HOSTS": "brigade.example",
    }

    def fill(value: object) -> str:
        def one(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(3) or ""
            return given.get(name, default)

        return re.sub(r"\$\{(\w+)(:?[-?]([^}]*))?\}", one, str(value))

    environment = compose["services"]["web"]["environment"]
    return {name: fill(value) for name, value in environment.items()}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "brigade.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_compose_environment_passes_the_deploy_checks_with_no_warning():
    env = compose_environment()
    assert env["DEBUG"] == "0"

    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_compose_environment_hardens_cookies_https_and_hosts():
    probe = (
        "import json, django; django.setup()\n"
        "from django.conf import settings as s\n"
        "print(json.dumps([s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_PROXY_SSL_HEADER, s.ALLOWED_HOSTS, s.X_FRAME_OPTIONS,"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS']]))\n"
    )

    done = run(["-c", probe], compose_environment())

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        False,
        True,
        31536000,
        True,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        ["brigade.example"],
        "DENY",
        True,
    ]
