"""The permission matrix: every route × method × role × own/other unit.

Routes are read from the URL resolver, so a new route that is not declared here fails
``test_every_route_is_in_the_matrix``. Each declared route is then called by every persona
with every method its view answers, on an object of the persona's own unit and on one of
another unit, and the status must be what the declaration says:

- anonymous: 401 from the API, a redirect to the sign-in page from a page;
- a role the route does not allow: 403;
- an object of another unit, for a role that does not see the whole brigade: 404;
- otherwise the request passes the permission layer (not 401/403/404, and never 5xx).

Each request runs in a savepoint that is rolled back, so one persona's DELETE does not
change what the next one sees. Each app adds its routes and objects in
``tests/<app>/matrix.py`` (see tests/matrix.py).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from brigade.core.kpi.models import KpiRun
from brigade.core.views import PostOnlyMixin
from brigade.duty.choices import UnitKind
from tests.brigade.factories import (
    AttendanceFactory,
    CampaignFactory,
    DutyPostFactory,
    OfficerFactory,
    PatrolLogFactory,
    RoadWorksZoneFactory,
    ShiftFactory,
    TrainingSessionFactory,
    UnitFactory,
    UserFactory,
)
from tests.matrix import (
    ADMIN,
    ADMIN_ONLY,
    ANON,
    CLERK,
    COMMANDER,
    DUTY,
    NOBODY,
    OFFICER,
    ON_ROAD,
    PERSONAS,
    SIGNED_IN,
    STAFF,
    Rule,
    api,
    crud,
    page,
)

MATRIX: dict[str, Rule] = {
    # --- liveness, for the container health check ---
    "healthz": Rule(api=True, allow={"GET": SIGNED_IN}, public=True),
    # the browser's icon, for anyone (the sign-in page asks for it too)
    "favicon": page(public=True, get=SIGNED_IN),
    # the installable duty page: manifest, icons and service worker, for anyone (the browser
    # fetches them with or without a session; they hold no record)
    "brigade:manifest": page(public=True, get=SIGNED_IN),
    "brigade:service_worker": page(public=True, get=SIGNED_IN),
    "brigade:app_icon": replace(page(public=True, get=SIGNED_IN), extra_kwargs={"size": 192}),
    # --- API: sign-in, schema, docs ---
    # POST signs in, DELETE revokes the token sent (401 without one: tests/security/test_tokens.py)
    "api-token": Rule(api=True, allow={"POST": SIGNED_IN, "DELETE": SIGNED_IN}, public=True),
    # The OpenAPI schema and its docs page are for signed-in users: anonymous calls to the
    # schema answer 401, the docs page (a page) sends to the sign-in page.
    "api-schema": Rule(api=True, allow={"GET": SIGNED_IN}),
    "api-docs": page(get=SIGNED_IN),
    "brigade-api:api-root": api(get=SIGNED_IN),
    # --- API: brigade ---
    **crud("unit", read=SIGNED_IN, write=ADMIN_ONLY),
    **crud("officer", read=SIGNED_IN, write=ADMIN_ONLY),
    **crud("post", read=SIGNED_IN, write=STAFF),
    **crud("shift", read=SIGNED_IN, write=STAFF),
    **crud("zone", read=SIGNED_IN, write=STAFF),
    **crud("campaign", read=SIGNED_IN, write=STAFF, shared=True),
    **crud("school-break", read=SIGNED_IN, write=STAFF, shared=True),
    # the gazetteer: read by all, kept in the admin
    **crud("place", read=SIGNED_IN, write=NOBODY, shared=True),
    **crud("training", read=DUTY, write=STAFF),
    **crud("attendance", read=DUTY, write=STAFF),
    "brigade-api:patrol-list": api(get=DUTY, post=ON_ROAD),
    "brigade-api:patrol-detail": api("patrol", get=DUTY, put=DUTY, patch=DUTY, delete=ADMIN_ONLY),
    "brigade-api:patrol-end": api("patrol", post=DUTY),
    "brigade-api:patrol-check-in": api("patrol", post=DUTY),
    "brigade-api:patrol-tally": api("patrol", post=DUTY),
    "brigade-api:patrol-tallies": api("patrol", put=DUTY),
    # --- API: dashboard (recompute runs are brigade-wide, not a unit's) ---
    "dashboard-api:kpis": api(get=STAFF),
    "dashboard-api:trend": api(get=STAFF),
    "dashboard-api:recompute": api(post=STAFF),
    "dashboard-api:recompute-status": api("kpi-run", shared=True, get=STAFF),
    # the period report (without dates the API answers 400 past the permission layer)
    "dashboard-api:report": api(get=STAFF),
    # the records behind a figure (without a metric it answers 400 past the permission
    # layer); clerks too, for their unit (the tickets' weekly summary links there)
    "dashboard-api:records": api(get=STAFF | {CLERK}),
    # --- API: the log of phone numbers seen whole ---
    "audit-api:phone-views": api(get=STAFF),
    # --- API: each person's own notices (another's answers 404 to every role) ---
    "notices-api:notification-list": api(get=SIGNED_IN),
    "notices-api:notification-read": Rule(
        api=True, obj="notice", owner_only=True, allow={"POST": SIGNED_IN}
    ),
    "notices-api:notification-read-all": api(post=SIGNED_IN),
    # --- pages ---
    "login": page(public=True, get=SIGNED_IN, post=SIGNED_IN, put=SIGNED_IN),
    "logout": page(public=True, post=SIGNED_IN),
    "set_language": page(public=True, post=SIGNED_IN),
    "home": page(get=SIGNED_IN),
    "dashboard": page(get=STAFF),
    "dashboard_recompute": page(post=STAFF),
    "dashboard_run": Rule(api=False, obj="kpi-run", shared=True, allow={"GET": STAFF}),
    "period_report": page(get=STAFF),
    "dashboard_records": page(get=STAFF | {CLERK}),
    "reveal_log": page(get=STAFF),
    # the notices pages: every role's own; another's notice or mute is a 404
    "notice_list": page(get=SIGNED_IN),
    "notice_open": page("notice", owner_only=True, get=SIGNED_IN),
    "notice_mute": page("notice", owner_only=True, post=SIGNED_IN),
    "notice_read_all": page(post=SIGNED_IN),
    "notice_settings": page(get=SIGNED_IN, post=SIGNED_IN),
    "noticemute_delete": page("notice-mute", owner_only=True, post=SIGNED_IN),
    "brigade:duty": page(get=ON_ROAD),
    "brigade:patrollog_start": page(post=ON_ROAD),
    "brigade:patrollog_tally": page("patrol", owner_only=True, post=ON_ROAD),
    "brigade:patrollog_check_in": page("patrol", owner_only=True, post=ON_ROAD),
    "brigade:patrollog_update": page("patrol", owner_only=True, post=ON_ROAD),
    "brigade:patrollog_end": page("patrol", owner_only=True, post=ON_ROAD),
    "brigade:patrollog_list": page(get=DUTY),
    "brigade:patrollog_detail": page("patrol", get=DUTY),
    "brigade:dutypost_list": page(get=SIGNED_IN),
    "brigade:roadworkszone_list": page(get=SIGNED_IN),
    "brigade:campaign_list": page(get=SIGNED_IN),
    "brigade:trainingsession_list": page(get=DUTY),
    "brigade:trainingsession_detail": page("training", get=DUTY, post=STAFF),
}


# Each app's routes and objects, from tests/<app>/matrix.py.
APP_MATRICES = [
    importlib.import_module(f"tests.{app}.matrix")
    for app in ("hazards", "incidents", "petitions", "outreach")
    if importlib.util.find_spec(f"tests.{app}.matrix") is not None
]
for _module in APP_MATRICES:
    _overlap = set(_module.MATRIX) & set(MATRIX)
    assert not _overlap, f"routes declared twice: {_overlap}"
    MATRIX.update(_module.MATRIX)


# --- discovering routes -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Callable[..., Any]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            if (entry.app_name or ns) == "admin":
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield Route(name=name, pattern=prefix + str(entry.pattern), callback=entry.callback)


def project_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        if route.pattern.startswith(("static/", "media/", "^static/", "^media/")):
            continue
        # DRF adds a ".json"-style suffix twin of each route under the same name.
        routes.setdefault(route.name, route)
    return routes


def methods_of(route: Route) -> list[str]:
    """The HTTP methods the route's view answers (HEAD and OPTIONS aside)."""
    callback = route.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(m.upper() for m in actions if m not in ("head", "options"))
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return sorted(
            m.upper()
            for m in view_class.http_method_names
            if m not in ("head", "options")
            and hasattr(view_class, m)
            and not _landing(view_class, m)
        )
    # A function view (set_language, healthz) declares its methods by decorator; take the
    # declaration's word for them.
    return sorted(MATRIX[route.name].allow) if route.name in MATRIX else []


def _landing(view_class: Any, method: str) -> bool:
    """A POST-only address's GET only sends the browser on to its page
    (``PostOnlyMixin``): that page's own route is the one checked (tests/test_no_405.py)."""
    return method == "get" and view_class.get is PostOnlyMixin.get


def test_every_route_is_in_the_matrix():
    routes = project_routes()
    unnamed = [r.pattern for name, r in routes.items() if not name]
    assert not unnamed, f"routes without a name cannot be checked: {unnamed}"
    missing = sorted(set(routes) - set(MATRIX))
    assert not missing, f"routes not declared in the permission matrix: {missing}"
    stale = sorted(set(MATRIX) - set(routes))
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_every_declared_method_is_answered_by_the_route():
    routes = project_routes()
    for name, rule in MATRIX.items():
        assert set(rule.allow) <= set(methods_of(routes[name])), name


# --- the world each persona acts in -------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    own: dict[str, Any]
    other: dict[str, Any]


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """Three personas and an admin in one squadron, and every route's records in that
    squadron and in another (also used by tests/security)."""
    unit = UnitFactory(code="sq1", name="一中队")
    other_unit = UnitFactory(code="sq2", name="二中队")
    UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    users: dict[str, Any] = {ANON: None}
    officers = {}
    for role in (OFFICER, CLERK, COMMANDER):
        user = UserFactory(username=f"m-{role}", roles=[role])
        officers[role] = OfficerFactory(user=user, unit=unit)
        users[role] = user
    users[ADMIN] = UserFactory(username="m-admin", roles=[ADMIN])
    stranger = OfficerFactory(unit=other_unit)

    def objects(u, officer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        post = DutyPostFactory(unit=u)
        training = TrainingSessionFactory(unit=u)
        now = timezone.now()
        return {
            "unit": u,
            "officer": officer,
            "post": post,
            "shift": ShiftFactory(officer=officer, post=post),
            "zone": RoadWorksZoneFactory(unit=u),
            "training": training,
            "attendance": AttendanceFactory(session=training, officer=officer),
            # an open patrol, so transitions are allowed where the role is
            "patrol": PatrolLogFactory(
                officer=officer, started_at=now - dt.timedelta(hours=1), ended_at=None
            ),
            "campaign": CampaignFactory(),
            "school-break": _school_break(),
            "place": _place(u),
            "kpi-run": KpiRun.objects.create(state=KpiRun.State.DONE),
            # the unit's officer's own notice and mute (the stranger gets an account)
            **_notices_of(officer.user or UserFactory()),
        }

    def all_objects(u, officer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        found = objects(u, officer)
        for module in APP_MATRICES:
            found.update(module.objects(u, officer, users))
        return found

    return World(
        users=users,
        own=all_objects(unit, officers[OFFICER]),
        other=all_objects(other_unit, stranger),
    )


def _notices_of(user: Any) -> dict[str, Any]:
    from brigade.core.notices.models import Notice, NoticeAction, NoticeKind, NoticeMute

    notice = Notice.objects.create(
        user=user, kind=NoticeKind.REMINDER, action=NoticeAction.SIGN, title="待签收", key="m:1"
    )
    mute = NoticeMute.objects.create(user=user, action=NoticeAction.REPLY)
    return {"notice": notice, "notice-mute": mute}


def _school_break():  # type: ignore[no-untyped-def]
    from brigade.duty.models import SchoolBreak

    return SchoolBreak.objects.create(
        name="暑假", starts_on=dt.date(2022, 7, 10), ends_on=dt.date(2022, 8, 31)
    )


def _place(u):  # type: ignore[no-untyped-def]
    from brigade.duty.models import Place

    return Place.objects.create(
        name=f"{u.code} 路口", kind="intersection", latitude="36.456500", longitude="116.006000"
    )


def _expected(rule: Rule, method: str, persona: str, which: str) -> str:
    if persona == ANON:
        return "allowed" if rule.public else "unauthenticated"
    if persona not in rule.allow.get(method, NOBODY):
        return "forbidden"
    if rule.owner_only and not (persona == OFFICER and which == "own"):
        return "not_found"
    brigade_wide = persona == ADMIN
    shared = rule.shared and not (rule.writes_scoped and method not in ("GET", "HEAD", "OPTIONS"))
    if rule.obj and which == "other" and not shared and not brigade_wide:
        return "not_found"
    writes = method not in ("GET", "HEAD", "OPTIONS")
    if writes and rule.writers is not None and persona not in rule.writers:
        return "forbidden"
    return "allowed"


def _outcome(rule: Rule, status: int, location: str) -> str:
    if status >= 500:
        return f"server error {status}"
    if rule.public and status not in (403, 404):
        return "allowed"
    if rule.api and status == 401:
        return "unauthenticated"
    if not rule.api and status == 302 and "/accounts/login/" in location:
        return "unauthenticated"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    return "allowed"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_answers_each_role_as_declared(name, world):
    routes = project_routes()
    rule = MATRIX[name]
    route = routes[name]
    failures = []
    for which in ("own", "other") if rule.obj else ("own",):
        kwargs = dict(rule.extra_kwargs)
        if rule.obj:
            kwargs["pk"] = getattr(world, which)[rule.obj].pk
        url = reverse(name, kwargs=kwargs)
        for persona in PERSONAS:
            for method in methods_of(route):
                client = APIClient()
                user = world.users[persona]
                if user is not None:
                    client.force_login(user)
                with transaction.atomic():
                    response = client.generic(
                        method, url, data="{}", content_type="application/json"
                    )
                    transaction.set_rollback(True)
                got = _outcome(rule, response.status_code, response.get("Location", ""))
                want = _expected(rule, method, persona, which)
                if got != want:
                    failures.append(
                        f"{method} {url} as {persona} ({which} unit): "
                        f"{response.status_code} = {got}, expected {want}"
                    )
    assert not failures, "\n".join(failures)


def test_admin_site_is_for_staff_only(world, client):
    client.force_login(world.users[OFFICER])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
