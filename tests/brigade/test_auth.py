"""Sessions that expire when idle, and a locked-out account unlocked by an admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def test_each_request_renews_the_idle_timeout(client, officer, settings):
    client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )

    assert client.get(reverse("brigade:duty")).status_code == 200

    renewed = Session.objects.get(pk=session.pk).expire_date
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((renewed - expected).total_seconds()) < 60


def test_an_idle_session_expires_and_sends_the_user_to_sign_in(client, officer):
    client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    # idle past the timeout
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(reverse("brigade:duty"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_locked_out_officer_can_sign_in_after_an_admin_unlocks_them(client, officer, settings):
    # given: locked out after repeated failures
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert locked.status_code == 429

    # when: an admin resets the username
    call_command("axes_reset_username", "officer", verbosity=0)

    # then: the right password works again
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("brigade:duty")).status_code == 200


def test_anonymous_api_call_is_401_with_a_token_challenge(api):
    response = api.get("/api/v1/brigade/patrols/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
