"""No page address a person can land on answers 405.

A browser lands on a form's POST address by GET too: reloading the page an invalid form
re-rendered there (``/duty/<id>/end/`` with an end before the start), a phone restoring the
tab, a link copied from the address bar. Every HTML route of the project (not the API, not
the admin) is read here with a real record of the persona's unit, as a signed-in person of
a role the route is for (the permission matrix's declarations, tests/test_permission_matrix.py):
GET answers the page, or sends the browser to one that answers 200 — never 405.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brigade.core.views import PostOnlyMixin
from brigade.duty.models import PatrolLog
from tests.brigade.factories import PatrolLogFactory
from tests.matrix import ADMIN, ANON, CLERK, COMMANDER, OFFICER
from tests.test_permission_matrix import MATRIX, build_world, project_routes

# Whom to ask first: the officer for the duty page's own actions, then the desk, command
# and the administrator.
ORDER = (OFFICER, CLERK, COMMANDER, ADMIN)


def _persona(name: str) -> str:
    rule = MATRIX[name]
    allowed = rule.allow.get("GET") or rule.allow.get("POST") or frozenset(ORDER)
    return next(role for role in ORDER if role in allowed)


def _page_routes() -> list[str]:
    return sorted(name for name, rule in MATRIX.items() if not rule.api)


@pytest.mark.django_db
def test_no_page_address_answers_405_to_get():
    # given: every route's records in the personas' unit
    world = build_world()
    routes = project_routes()
    failures = []
    seen_post_only = 0
    for name in _page_routes():
        rule = MATRIX[name]
        kwargs = dict(rule.extra_kwargs)
        if rule.obj:
            kwargs["pk"] = world.own[rule.obj].pk
        url = reverse(name, kwargs=kwargs)
        persona = _persona(name)
        client = Client()
        if persona != ANON and not rule.public:
            client.force_login(world.users[persona])
        view_class = getattr(routes[name].callback, "view_class", None)
        post_only = view_class is not None and view_class.get is PostOnlyMixin.get
        seen_post_only += post_only
        # when: a browser lands on the address
        response = client.get(url)
        status = response.status_code
        # then: never 405 (nor an error); a POST-only address sends it to a page that answers
        if status == 405 or status >= 500:
            failures.append(f"GET {url} as {persona}: {status}")
            continue
        if post_only:
            landing = response.get("Location", "")
            if status != 302 or ("/accounts/login/" in landing and persona != ANON):
                failures.append(f"GET {url} as {persona}: {status} → {landing!r}")
                continue
            followed = client.get(landing)
            if followed.status_code not in (200, 302):
                failures.append(f"GET {url} as {persona} → {landing}: {followed.status_code} there")
    assert not failures, "\n".join(failures)
    # the rule is in force where it matters: the duty page's actions, the records' actions
    assert seen_post_only >= 30


@pytest.mark.django_db
def test_get_on_a_post_only_address_writes_nothing(client, officer):
    # given: the officer's open patrol
    patrol: PatrolLog = PatrolLogFactory(  # type: ignore[assignment]
        officer=officer.officer,
        started_at=timezone.now() - dt.timedelta(hours=1),
        ended_at=None,
    )
    client.force_login(officer)
    # when: the end address is read (a reload after an inline error, a restored tab)
    response = client.get(reverse("brigade:patrollog_end", args=[patrol.pk]))
    # then: the duty page, the patrol still open
    assert response.status_code == 302
    assert response["Location"] == reverse("brigade:duty")
    assert PatrolLog.objects.get(pk=patrol.pk).ended_at is None
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["patrol"].pk == patrol.pk


@pytest.mark.django_db
def test_get_on_another_officers_patrol_action_reveals_nothing(client, officer, other_officer):
    # given: a patrol of an officer of another unit
    patrol: PatrolLog = PatrolLogFactory(officer=other_officer.officer, ended_at=None)  # type: ignore[assignment]
    client.force_login(officer)
    # when / then: the address sends the officer to their own duty page, never to the patrol
    response = client.get(reverse("brigade:patrollog_end", args=[patrol.pk]))
    assert response["Location"] == reverse("brigade:duty")
    assert client.get(reverse("brigade:patrollog_detail", args=[patrol.pk])).status_code == 404


@pytest.mark.django_db
def test_signing_out_by_get_goes_home_and_keeps_the_session(client, officer):
    client.force_login(officer)
    response = client.get(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # a GET signs nobody out (Django's rule: a sign-out is a POST with the CSRF token)
    assert client.get(reverse("brigade:duty")).status_code == 200


@pytest.mark.django_db
def test_a_role_without_the_page_is_still_refused_on_get(client, clerk):
    # the duty page's actions are the officers': a clerk landing there is told 403
    response = client.get(reverse("brigade:patrollog_start"))
    assert response.status_code == 302  # anonymous: to the sign-in page
    client.force_login(clerk)
    assert client.get(reverse("brigade:patrollog_start")).status_code == 403
