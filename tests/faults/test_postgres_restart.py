"""PostgreSQL restarts between two requests while gunicorn keeps its connections open.

The app keeps a connection per worker across requests (CONN_MAX_AGE) and checks it before
reusing it (CONN_HEALTH_CHECKS), so a restart of the server costs at most one request.
The cluster is a private one the test creates, never the machine's shared server.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from tests.faults.conftest import shared_database_url
from tests.faults.services import BASE_DIR, AppServer, PostgresCluster, app_environment

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = 10, 20  # requests on each side of the restart

MAKE_USER = """
import django; django.setup()
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from brigade.core.tokens import issue_token
from brigade.duty.models import Officer, Unit
hq = Unit.objects.create(code="hq", name="大队部", kind="hq")
Unit.objects.create(code="sq1", name="一中队")
user = get_user_model().objects.create_user("commander")
user.groups.add(Group.objects.get_or_create(name="commander")[0])
Officer.objects.create(user=user, unit=hq, badge_no="000001", name="王建国")
print(issue_token(user))
"""


def load_schema(cluster: PostgresCluster, env: dict[str, str]) -> None:
    """The project's schema in the private cluster: a copy of the test database's when
    the suite runs on PostgreSQL (seconds), else ``manage.py migrate`` (slower)."""
    if connection.vendor == "postgresql":
        dump = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-d", shared_database_url()],
            capture_output=True,
            timeout=120,
            check=True,
        )
        subprocess.run(
            [
                str(cluster.bin / "pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={cluster.url('brigade')}",
            ],
            input=dump.stdout,
            capture_output=True,
            timeout=120,
            check=True,
        )
    else:
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr


def test_a_postgres_restart_between_requests_costs_at_most_one_request(
    pg_cluster, workdir, started, capsys
):
    # given: the app (2 gunicorn workers, connections kept) on a private cluster
    pg_cluster.psql("postgres", "CREATE DATABASE brigade")
    env = app_environment(
        DATABASE_URL=pg_cluster.url("brigade"),
        SECRET_KEY="faults-" + "k" * 50,
        CONN_MAX_AGE="600",
    )
    load_schema(pg_cluster, env)
    if connection.vendor == "postgresql":
        pg_cluster.psql("brigade", "TRUNCATE brigade_unit, auth_user CASCADE")
    made = subprocess.run(
        [sys.executable, "-c", MAKE_USER],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    headers = {"Authorization": f"Token {made.stdout.split()[-1]}"}
    app = started(AppServer(env=env, log=workdir / "gunicorn.log", workers=2))

    def call() -> int:
        """A token-authenticated list (token, user, groups, units read): its status, or 0
        when the connection failed."""
        try:
            response = app.request("GET", "/api/v1/brigade/units/", headers=headers)
        except OSError:
            return 0
        if response.status == 200:
            assert response.json()["count"] == 2
        return response.status

    before = [call() for _ in range(BEFORE)]
    assert before == [200] * BEFORE, app.output()[-3000:]
    # the workers keep their connections open between requests (what a restart breaks)
    held = int(
        pg_cluster.psql(
            "postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'brigade'"
        )
    )
    assert held >= 1

    # when: the server restarts (fast shutdown: every session is ended), between requests
    pg_cluster.restart()
    after = [call() for _ in range(AFTER)]

    # then: at most one request failed, and service is normal again
    failed = [status for status in after if status != 200]
    assert len(failed) <= 1, (after, app.output()[-3000:])
    assert after[-(AFTER - 1) :] == [200] * (AFTER - 1)
    with capsys.disabled():
        print(
            f"\n[faults] PostgreSQL restart: {len(failed)} of {AFTER} requests failed after it "
            f"(statuses {sorted(set(after))}); {held} app connections open before it"
        )
