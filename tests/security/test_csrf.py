"""Cross-site request forgery: every state-changing HTML endpoint the URL resolver knows
refuses a request without the CSRF token (403) and takes it with the token, as a role
that may use it. API writes with a token need no CSRF token (no cookie is involved); API
writes riding on the session cookie need it, as pages do.

Routes are discovered from the resolver through the permission matrix, so a new form view
is covered without touching this file; each request runs in a savepoint rolled back.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from brigade.core.tokens import issue_token
from tests.matrix import ADMIN, CLERK, COMMANDER, OFFICER, Rule
from tests.test_permission_matrix import MATRIX, World, methods_of, project_routes

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
ROLES = (OFFICER, CLERK, COMMANDER, ADMIN)


def unsafe_routes(api: bool) -> list[tuple[str, str]]:
    """(route name, method) of every state-changing route of the pages (or the API)."""
    routes = project_routes()
    found = []
    for name, rule in sorted(MATRIX.items()):
        if rule.api != api or name not in routes:
            continue
        for method in methods_of(routes[name]):
            # a write nobody may make (a register kept in the admin) has no CSRF to check
            if method in UNSAFE and rule.allow.get(method):
                found.append((name, method))
    return found


PAGE_WRITES = unsafe_routes(api=False)
API_WRITES = [(n, m) for n, m in unsafe_routes(api=True) if n != "api-token"]


def _persona(rule: Rule, method: str) -> str | None:
    """A role allowed to make this request on the own unit's record; None: anonymous."""
    if rule.public:
        return None
    if rule.owner_only:
        return OFFICER
    allowed = rule.allow[method]
    return next(role for role in ROLES if role in allowed)


def _url(name: str, rule: Rule, world: World) -> str:
    kwargs: dict[str, Any] = dict(rule.extra_kwargs)
    if rule.obj:
        kwargs["pk"] = world.own[rule.obj].pk
    return reverse(name, kwargs=kwargs)


def _client(world: World, role: str | None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role is not None:
        client.force_login(world.users[role])
    return client


@pytest.fixture(scope="module")
def page_token(world, django_db_blocker) -> str:
    """A CSRF token as a browser gets it: the cookie set by the sign-in page's form."""
    client = Client(enforce_csrf_checks=True)
    with django_db_blocker.unblock():
        client.get(reverse("login"))
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _token(client: Client, token: str) -> str:
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return token


def _send(client: Client, method: str, url: str, **extra: Any) -> Any:
    with transaction.atomic():
        response = client.generic(
            method,
            url,
            data=extra.pop("data", ""),
            content_type=extra.pop("content_type", "application/x-www-form-urlencoded"),
            **extra,
        )
        transaction.set_rollback(True)
    return response


def _is_csrf_refusal(response: Any) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


def test_every_form_endpoint_is_found():
    # the discovery is what makes this suite cover new pages: it must find the known ones
    names = {name for name, _method in PAGE_WRITES}
    assert {"login", "logout", "brigade:patrollog_start", "hazards:hazard_report"} <= names
    assert len(PAGE_WRITES) >= 40


@pytest.mark.parametrize(("name", "method"), PAGE_WRITES, ids=[f"{m} {n}" for n, m in PAGE_WRITES])
def test_a_page_write_needs_the_csrf_token(name, method, world, page_token, db):
    rule = MATRIX[name]
    url = _url(name, rule, world)
    role = _persona(rule, method)
    client = _client(world, role)

    # without the token: refused before the view runs
    refused = _send(client, method, url)
    assert _is_csrf_refusal(refused), f"{method} {url} as {role}: {refused.status_code}"

    # with the token from the cookie, as the form sends it: the view answers
    token = _token(client, page_token)
    if method == "POST":  # Django reads the form field of a POST only
        answered = _send(client, method, url, data=f"csrfmiddlewaretoken={token}")
        assert not _is_csrf_refusal(answered), f"{method} {url} as {role} with the token"
        assert answered.status_code < 500

    # and as htmx sends it, in the X-CSRFToken header
    answered = _send(client, method, url, HTTP_X_CSRFTOKEN=token)
    assert not _is_csrf_refusal(answered), f"{method} {url} as {role} with the header"
    assert answered.status_code < 500


@pytest.mark.parametrize(("name", "method"), API_WRITES, ids=[f"{m} {n}" for n, m in API_WRITES])
def test_an_api_write_needs_the_csrf_token_only_with_the_session(
    name, method, world, page_token, db
):
    rule = MATRIX[name]
    url = _url(name, rule, world)
    role = _persona(rule, method)
    assert role is not None

    # signed in by the session cookie, without the token: refused
    session = _client(world, role)
    refused = _send(session, method, url, data="{}", content_type="application/json")
    assert _is_csrf_refusal(refused), f"{method} {url}: {refused.status_code}"

    # with the token: past the CSRF check
    token = _token(session, page_token)
    answered = _send(
        session, method, url, data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert answered.status_code < 500
    assert not _is_csrf_refusal(answered), f"{method} {url} with the token"

    # with an API token and no cookie at all: no CSRF token needed
    key = issue_token(world.users[role])
    bearer = Client(enforce_csrf_checks=True)
    answered = _send(
        bearer,
        method,
        url,
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert answered.status_code not in (401, 403), f"{method} {url}: {answered.status_code}"
    assert answered.status_code < 500
