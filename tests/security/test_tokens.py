"""API tokens (django-rest-knox): one per sign-in, expiring after API_TOKEN_IDLE_HOURS
without use, revoked by ``DELETE /api/v1/auth/token/``, by a password change and by the
user's deactivation; an administrator sees a user's tokens and revokes them.

Each test signs in as a client does (``POST /api/v1/auth/token/``) and checks what that
client then gets with its token.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.brigade.factories import OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
UNITS = "/api/v1/brigade/units/"  # any signed-in user reads it
PASSWORD = "pw-for-tests-1"  # UserFactory's
NEW_PASSWORD = "a-new-password-9281"
ROLES = ["admin", "commander", "clerk", "officer"]
TOKENS_ADMIN = "/admin/knox/authtoken/"


def sign_in(username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", **extra
    )


def token_of(username: str) -> str:
    response = sign_in(username)
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def call(token: str, method: str = "get", path: str = UNITS):  # type: ignore[no-untyped-def]
    return getattr(APIClient(), method)(path, HTTP_AUTHORIZATION=f"Token {token}")


def works(token: str) -> bool:
    status = call(token).status_code
    assert status in (200, 401), status
    return status == 200


@pytest.fixture
def people(unit):  # type: ignore[no-untyped-def]
    made = {}
    for role in ROLES:
        user = UserFactory(username=role, roles=[role])
        OfficerFactory(user=user, unit=unit)
        made[role] = user
    return made


@pytest.fixture
def superuser(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="root", roles=["admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def admin_site(superuser) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    return client


# --- issuing ----------------------------------------------------------------------------


def test_each_sign_in_gets_a_token_of_its_own_and_both_work(people):
    first, second = token_of("officer"), token_of("officer")

    assert first != second
    assert works(first) and works(second)
    assert AuthToken.objects.filter(user=people["officer"]).count() == 2


def test_the_token_is_kept_only_as_a_hash(people):
    token = token_of("clerk")

    stored = AuthToken.objects.get(user=people["clerk"])
    assert token not in stored.digest and stored.digest != token
    assert len(token) > len(stored.token_key)


def test_a_locked_out_username_gets_no_token(people, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert sign_in("officer", "wrong").status_code in (400, 429)

    refused = sign_in("officer")

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert AccessAttempt.objects.filter(username="officer").exists()
    assert not AuthToken.objects.exists()


# --- expiry -------------------------------------------------------------------------------


def test_a_token_expires_after_twelve_idle_hours_and_each_use_extends_it(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        token = token_of("officer")

        clock.move_to(start + dt.timedelta(hours=11))
        assert works(token)
        # 22 hours after the sign-in, 11 after the last use: still valid
        clock.move_to(start + dt.timedelta(hours=22))
        assert works(token)
        # 12 hours and a minute without use: expired, and gone
        clock.move_to(start + dt.timedelta(hours=34, minutes=1))
        assert not works(token)
    assert not AuthToken.objects.filter(user=people["officer"]).exists()


def test_the_idle_period_is_a_setting(people, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": dt.timedelta(hours=1)}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        token = token_of("officer")
        clock.move_to(start + dt.timedelta(minutes=59))
        assert works(token)
        clock.move_to(start + dt.timedelta(minutes=59 + 61))
        assert not works(token)


# --- revoking with DELETE -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_delete_revokes_the_token_sent_and_only_that_one(people, role):
    kept, revoked = token_of(role), token_of(role)

    response = call(revoked, "delete", TOKEN)

    assert response.status_code == 204
    assert not works(revoked)
    assert call(revoked, "delete", TOKEN).status_code == 401  # not twice
    assert works(kept)
    assert AuthToken.objects.filter(user=people[role]).count() == 1


def test_delete_without_a_token_is_401_with_the_scheme_to_use(people):
    token = token_of("officer")
    anonymous = APIClient().delete(TOKEN)
    unknown = call("0" * 64, "delete", TOKEN)
    session = APIClient()
    session.force_login(people["officer"])
    with_a_session = session.delete(TOKEN)

    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    assert unknown.status_code == 401
    assert with_a_session.status_code == 401  # a session has no token to revoke
    assert works(token)


def test_signing_out_of_the_pages_does_not_touch_other_clients_tokens(people):
    token = token_of("officer")
    browser = Client()
    browser.force_login(people["officer"])

    browser.post("/accounts/logout/")

    assert works(token)


# --- revoked by a password change or a deactivation ----------------------------------------


def test_a_password_set_by_a_service_revokes_every_token(people):
    tokens = [token_of("officer"), token_of("officer")]
    other = token_of("clerk")
    user = people["officer"]

    user.set_password(NEW_PASSWORD)
    user.save()

    assert not any(works(token) for token in tokens)
    assert works(other)
    assert sign_in("officer", NEW_PASSWORD).status_code == 200


def test_an_administrator_setting_a_users_password_revokes_their_tokens(people, admin_site):
    token = token_of("officer")
    user = people["officer"]

    response = admin_site.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not works(token)


def test_changing_ones_own_password_revokes_ones_tokens(superuser, admin_site):
    token = token_of("root")

    response = admin_site.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not works(token)


def test_disabling_the_password_revokes_the_tokens(people):
    token = token_of("clerk")
    user = people["clerk"]

    user.set_unusable_password()
    user.save()

    assert not works(token)
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_deactivated_users_tokens_are_gone_and_stay_gone_once_reactivated(people):
    token = token_of("commander")
    user = people["commander"]

    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()

    assert not works(token)


def test_a_password_hash_upgraded_at_sign_in_revokes_nothing(people, settings):
    token = token_of("officer")
    user = people["officer"]
    old = User.objects.get(pk=user.pk).password
    # a stronger hasher preferred from now on: the next sign-in rehashes the same password
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]

    assert sign_in("officer").status_code == 200

    assert User.objects.get(pk=user.pk).password != old  # rehashed
    assert works(token)


def test_saving_a_user_without_a_password_change_keeps_their_tokens(people):
    token = token_of("officer")
    user = people["officer"]

    user.first_name = "浩"
    user.save()
    user.save(update_fields=["last_login"])

    assert works(token)


# --- the admin ------------------------------------------------------------------------------


def test_an_administrator_sees_a_users_tokens_on_the_users_page(people, admin_site):
    mine = [token_of("officer"), token_of("officer")]
    theirs = token_of("clerk")
    user = people["officer"]

    page = admin_site.get(f"/admin/auth/user/{user.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "API tokens" in html
    for token in mine:
        assert token[:8] in html
    assert theirs[:8] not in html
    assert mine[0] not in html  # never the whole token


def test_the_token_list_filtered_by_user(people, admin_site):
    token_of("officer")
    token_of("officer")
    token_of("clerk")

    listing = admin_site.get(TOKENS_ADMIN, {"user__id__exact": people["officer"].pk})

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2
    assert {t.user for t in listing.context["cl"].result_list} == {people["officer"]}


def test_the_token_list_costs_the_same_queries_for_one_token_or_many(people, admin_site):
    token_of("officer")
    with CaptureQueriesContext(connection) as one:
        assert admin_site.get(TOKENS_ADMIN).status_code == 200
    for role in ROLES:
        token_of(role)
        token_of(role)
    with CaptureQueriesContext(connection) as many:
        assert admin_site.get(TOKENS_ADMIN).status_code == 200

    assert len(many) == len(one)


def test_an_administrator_revokes_one_token(people, admin_site):
    revoked, kept = token_of("officer"), token_of("officer")
    digest = AuthToken.objects.get(token_key=revoked[:15]).digest

    response = admin_site.post(f"{TOKENS_ADMIN}{digest}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not works(revoked)
    assert works(kept)


def test_an_administrator_revokes_all_of_a_users_tokens_at_once(people, admin_site):
    tokens = [token_of("officer"), token_of("officer")]
    other = token_of("clerk")
    digests = list(
        AuthToken.objects.filter(user=people["officer"]).values_list("digest", flat=True)
    )

    response = admin_site.post(
        TOKENS_ADMIN, {"action": "delete_selected", "_selected_action": digests, "post": "yes"}
    )

    assert response.status_code == 302
    assert not any(works(token) for token in tokens)
    assert works(other)


def test_the_admin_issues_and_edits_no_token(people, admin_site):
    token_of("officer")
    digest = AuthToken.objects.get().digest

    assert admin_site.get(f"{TOKENS_ADMIN}add/").status_code == 403
    admin_site.post(f"{TOKENS_ADMIN}{digest}/change/", {"expiry_0": "2099-01-01"})
    assert AuthToken.objects.get().expiry < timezone.now() + dt.timedelta(days=1)


@pytest.mark.parametrize("role", [*ROLES, None])
def test_only_the_administrators_reach_the_tokens(people, role):
    token = token_of("clerk")
    digest = AuthToken.objects.get().digest
    client = Client()
    if role is not None:
        client.force_login(people[role])

    listing = client.get(TOKENS_ADMIN)
    deleting = client.post(f"{TOKENS_ADMIN}{digest}/delete/", {"post": "yes"})

    # the brigade's roles are not staff: the admin sends them to its own sign-in
    assert listing.status_code == 302 and "/admin/login/" in listing["Location"]
    assert deleting.status_code == 302 and "/admin/login/" in deleting["Location"]
    assert works(token)


def test_the_idle_period_comes_from_the_environment():
    from tests.test_settings import settings_of

    hours = "settings.REST_KNOX['TOKEN_TTL'].total_seconds() / 3600"
    assert settings_of(hours, DEBUG="1") == 12
    assert settings_of(hours, DEBUG="1", API_TOKEN_IDLE_HOURS="2") == 2
