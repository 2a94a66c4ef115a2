"""The production shape: docker-compose.yml, the Dockerfile and the liveness endpoint.

No Docker engine is needed: the files are read as data, the endpoint is served by Django.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.db import DatabaseError
from django.urls import path

from brigade.core.health import healthz

BASE_DIR = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")

# The URLconf of the endpoint tests below (brigade/urls.py mounts the same view).
urlpatterns = [path("healthz/", healthz)]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else shlex.join(command)


def healthcheck_of(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def test_the_five_services_of_production(services):
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)


def test_databases_are_pinned_kept_on_volumes_and_health_checked(compose, services):
    assert services["postgres"]["image"] == "postgres:16"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "pg_isready" in healthcheck_of(services["postgres"])
    assert services["redis"]["image"] == "redis:7"
    assert "redis-cli ping" in healthcheck_of(services["redis"])
    assert {"pgdata", "media", "static"} <= set(compose["volumes"])


def test_web_is_gunicorn_health_checked_on_healthz(services):
    web = services["web"]
    assert command_of(web) == ("gunicorn brigade.wsgi:application --bind 0.0.0.0:8000 --workers 3")
    assert "docker/healthcheck.py" in healthcheck_of(web)
    script = (BASE_DIR / "docker" / "healthcheck.py").read_text()
    assert "/healthz/" in script
    assert "X-Forwarded-Proto" in script  # production redirects plain HTTP
    assert {"media:/app/media", "static:/app/staticfiles"} <= set(web["volumes"])


def test_worker_and_beat_run_celery_with_the_database_scheduler(services):
    assert command_of(services["worker"]).startswith("celery -A brigade worker")
    beat = command_of(services["beat"])
    assert beat.startswith("celery -A brigade beat")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_migrations_and_static_files_come_before_the_app_starts(services):
    migrate = command_of(services["migrate"])
    assert "manage.py migrate --noinput" in migrate
    assert "manage.py collectstatic --noinput" in migrate
    assert "static:/app/staticfiles" in services["migrate"]["volumes"]
    for name in APP_SERVICES:
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name


def test_app_services_share_image_and_production_environment(services):
    for name in (*APP_SERVICES, "migrate"):
        service = services[name]
        env = service["environment"]
        assert service["build"] == "."
        assert env["DEBUG"] == "0"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default secret
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_dockerfile_builds_from_the_registries_and_collects_static():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install --group runtime" in dockerfile
    assert "npm ci" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "USER brigade" in dockerfile  # not root


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_healthz_answers_ok_after_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.urls(__name__)
def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch(
        "brigade.core.health.connection.cursor", side_effect=DatabaseError("connection refused")
    ):
        response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
