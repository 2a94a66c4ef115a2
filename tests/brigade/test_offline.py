"""The duty page offline, server side: the installable app's manifest, icons and service
worker; the window of times taken on the phone (a queued action sent up to a week later);
and each request of the page's queue sent twice with its key, written once."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone, translation
from PIL import Image

from brigade.duty import services
from brigade.duty.choices import PatrolMode
from brigade.duty.models import PatrolLog, ViolationTally
from tests.brigade.factories import DutyPostFactory

pytestmark = [pytest.mark.django_db]

PATROLS = "/api/v1/brigade/patrols/"
NOW = dt.datetime(2026, 6, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def english():
    yield
    translation.deactivate()


def page_client(user: Any) -> Client:
    """Signed in as on the phone's browser: a session, and the CSRF token from its cookie
    sent as the header (brigade/static/brigade/offline.js), checks enforced."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.get("/duty/")
    return client


def post(client: Client, url: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    if key:
        headers["Idempotency-Key"] = key
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def iso(value: dt.datetime) -> str:
    return value.isoformat()


# --- installable ----------------------------------------------------------------------------


def test_the_manifest_installs_the_duty_page(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/duty/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0d6efd"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes


@pytest.mark.parametrize("size", [192, 512])
def test_the_icons_are_pngs_of_their_size(client, size):
    response = client.get(f"/icons/app-{size}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (size, size)
    assert client.get("/icons/app-64.png").status_code == 404


def test_the_service_worker_is_served_from_the_root_with_workbox_from_this_server(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    source = response.content.decode()
    assert '"/static/vendor/workbox/workbox-sw.js"' in source
    assert "/static/brigade/offline.js" in source and "/static/vendor/idb-keyval/umd.js" in source
    assert "googleapis" not in source.replace("workbox-cdn", "")
    # every module workbox-sw loads is in the one folder it loads them from
    for module in ("sw", "core", "routing", "strategies", "precaching", "expiration"):
        name = "workbox-sw.js" if module == "sw" else f"workbox-{module}.prod.js"
        assert finders.find(f"vendor/workbox/{name}"), name


def test_the_duty_page_links_the_manifest_and_allows_only_its_own_worker(client, officer):
    client.force_login(officer)
    response = client.get("/duty/")
    html = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-testid="offline-queue"' in html
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


# --- times taken on the phone -----------------------------------------------------------------


def _open_patrol(officer: Any, started: dt.datetime) -> PatrolLog:
    post = DutyPostFactory(unit=officer.officer.unit)
    return services.patrol_start(
        officer=officer.officer, mode=PatrolMode.FOOT, post=post, started_at=started
    )


def _send(client: Client, officer: Any, action: str, at: str) -> Any:
    """One queued action carrying the phone's time ``at``."""
    if action == "start":
        return post(client, PATROLS, {"mode": "foot", "started_at": at})
    patrol = _open_patrol(officer, NOW - dt.timedelta(days=8))
    url, field = {
        "tally": ("tally/", "at"),
        "check-in": ("check-in/", "at"),
        "end": ("end/", "ended_at"),
    }[action]
    body: dict[str, Any] = {field: at}
    if action == "tally":
        body.update(kind="red_light", delta=1)
    return post(client, f"{PATROLS}{patrol.pk}/{url}", body)


ACTIONS = ["start", "tally", "check-in", "end"]


@pytest.mark.clock
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("at", "accepted"),
    [
        ("0001-01-01T00:00:00+08:00", False),
        ("9999-12-31T23:59:59+08:00", False),
        (iso(NOW + dt.timedelta(minutes=10)), False),  # ahead of the server beyond the skew
        (iso(NOW + dt.timedelta(minutes=4)), True),  # a phone clock a little fast
        (iso(NOW - dt.timedelta(days=7)), True),  # the window's first instant
        (iso(NOW - dt.timedelta(days=7, seconds=1)), False),
        (iso(NOW - dt.timedelta(hours=30)), True),  # sent the day after
    ],
)
def test_a_time_taken_on_the_phone_is_accepted_for_a_week(officer, action, at, accepted):
    with time_machine.travel(NOW, tick=False):
        client = page_client(officer)
        response = _send(client, officer, action, at)
    if accepted:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 400, response.content
        assert response.json()  # the field's message, never a 500


@pytest.mark.clock
def test_the_refusal_says_the_window_and_the_setting_moves_it(officer, settings):
    with time_machine.travel(NOW, tick=False):
        client = page_client(officer)
        late = iso(NOW - dt.timedelta(days=8))
        refused = post(client, PATROLS, {"mode": "foot", "started_at": late})
        assert refused.status_code == 400
        message = " ".join(refused.json()["started_at"])
        assert "7 days" in message and "2026-06-03" in message
        settings.OFFLINE_QUEUE_MAX_AGE_DAYS = 10
        assert post(client, PATROLS, {"mode": "foot", "started_at": late}).status_code == 201


@pytest.mark.clock
def test_a_queued_tally_keeps_its_week_and_is_not_before_the_patrol(officer):
    with time_machine.travel(NOW, tick=False):
        patrol = _open_patrol(officer, NOW - dt.timedelta(hours=2))
        client = page_client(officer)
        url = f"{PATROLS}{patrol.pk}/tally/"
        before = iso(NOW - dt.timedelta(hours=3))
        refused = post(client, url, {"kind": "red_light", "delta": 1, "at": before})
        assert refused.status_code == 400 and "at" in refused.json()
        during = iso(NOW - dt.timedelta(hours=1))
        assert post(client, url, {"kind": "red_light", "delta": 3, "at": during}).status_code == 200
    assert ViolationTally.objects.get(patrol=patrol, kind="red_light").count == 3


# --- each request of the queue, sent twice ----------------------------------------------------


def test_every_request_of_the_queue_sent_twice_writes_once(officer):
    client = page_client(officer)
    post_ = DutyPostFactory(unit=officer.officer.unit)
    now = timezone.now().replace(microsecond=0)
    steps = [
        (
            "start",
            PATROLS,
            {"mode": "car", "post": post_.pk, "started_at": iso(now - dt.timedelta(minutes=40))},
        ),
        (
            "tally",
            "tally/",
            {"kind": "red_light", "delta": 2, "at": iso(now - dt.timedelta(minutes=30))},
        ),
        ("check-in", "check-in/", {"at": iso(now - dt.timedelta(minutes=20))}),
        ("end", "end/", {"ended_at": iso(now - dt.timedelta(minutes=10))}),
    ]
    patrol_id = None
    for name, url, body in steps:
        target = url if patrol_id is None else f"{PATROLS}{patrol_id}/{url}"
        first = post(client, target, body, key=f"key-{name}")
        again = post(client, target, body, key=f"key-{name}")
        assert first.status_code in (200, 201), (name, first.content)
        assert again.status_code == first.status_code and again.content == first.content, name
        assert again["Idempotent-Replayed"] == "true", name
        patrol_id = patrol_id or first.json()["id"]

    patrol = PatrolLog.objects.get()
    assert patrol.started_at == now - dt.timedelta(minutes=40)
    assert patrol.checked_in_at == now - dt.timedelta(minutes=20)
    assert patrol.ended_at == now - dt.timedelta(minutes=10)
    assert dict(patrol.tallies.values_list("kind", "count")) == {"red_light": 2}


def test_a_tap_on_a_patrol_ended_elsewhere_is_a_409_that_stays_one(officer):
    patrol = _open_patrol(officer, timezone.now() - dt.timedelta(hours=1))
    services.patrol_end(patrol=patrol)
    client = page_client(officer)
    body = {"kind": "red_light", "delta": 1, "at": iso(timezone.now() - dt.timedelta(minutes=5))}
    first = post(client, f"{PATROLS}{patrol.pk}/tally/", body, key="ended-1")
    again = post(client, f"{PATROLS}{patrol.pk}/tally/", body, key="ended-1")
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json() and first.json()["state"] == "ended"
    assert not ViolationTally.objects.filter(patrol=patrol).exists()


def test_a_queue_sent_without_a_session_is_401_and_writes_nothing(officer):
    patrol = _open_patrol(officer, timezone.now() - dt.timedelta(hours=1))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"{PATROLS}{patrol.pk}/tally/",
        {"kind": "red_light", "delta": 1},
        content_type="application/json",
        headers={"Idempotency-Key": "anon-1"},
    )
    assert response.status_code == 401
    assert not ViolationTally.objects.filter(patrol=patrol).exists()
