"""The navigation in groups of the work (brigade/core/nav.py and each app's registrations):
each role sees its own group first, a group of one link is that link, the closest link is
the active one, every icon is one of the icon font's, and the page shows it all with its
test ids in one query count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from brigade.core.nav import GroupRegistry, Link, LinkRegistry, NavGroup, navigation
from brigade.core.nav import navigation_groups as groups
from brigade.core.roles import Role
from brigade.core.scope import Scope

WORK = ["duty", "petitions", "hazards", "incidents", "outreach", "figures"]


def scope(*roles: str, officer: object = None) -> Scope:
    return Scope(roles=frozenset(roles), brigade_wide=False, unit_id=1, officer=officer)  # type: ignore[arg-type]


def keys(entries: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [entry["key"] for entry in entries]


def test_the_six_groups_of_the_work_are_registered_and_every_link_is_in_one():
    assert {group.key for group in groups.all()} == set(WORK)
    assert keys([{"key": g.key} for g in groups.all()]) == WORK  # in the order of the work
    strays = [link.key for link in navigation.all() if groups.get(link.group) is None]
    assert strays == []


@pytest.mark.parametrize(
    ("role", "first"),
    [
        (Role.OFFICER, "duty"),
        (Role.CLERK, "petitions"),
        (Role.COMMANDER, "figures"),
        (Role.ADMIN, "figures"),
    ],
)
def test_each_role_sees_its_own_work_first(role, first):
    shown = navigation.grouped(scope(role, officer=object()), "/")
    assert shown[0]["key"] == first
    # the rest keep the order of the work
    rest = [key for key in keys(shown)[1:] if key in WORK]
    assert rest == [key for key in WORK if key in rest]


def test_a_commander_sees_every_group_and_the_links_in_them():
    shown = navigation.grouped(scope(Role.COMMANDER, officer=object()), "/")
    assert keys(shown) == ["figures", "duty", "petitions", "hazards", "incidents", "outreach"]
    links = {entry["key"]: keys(entry["links"]) for entry in shown}
    assert links["figures"] == ["dashboard", "report", "reveal-log"]
    assert links["hazards"] == ["hazards", "key-vehicles", "facility-works"]
    assert "fund-advances" in links["incidents"] and "fund-ledger" in links["incidents"]
    assert all(entry["single"] is None for entry in shown)


def test_a_group_with_one_link_for_the_user_is_that_link():
    """An officer follows one 12345 link (consultations) and one hazards link."""
    shown = {entry["key"]: entry for entry in navigation.grouped(scope(Role.OFFICER), "/")}
    assert shown["petitions"]["single"]["key"] == "consultations"
    assert shown["hazards"]["single"]["key"] == "hazards"
    assert shown["duty"]["single"] is None


def test_the_closest_link_is_the_active_one_and_its_group_with_it():
    shown = navigation.grouped(scope(Role.CLERK), reverse("incidents:fundadvance_list") + "3/")
    active = [
        (entry["key"], link["key"]) for entry in shown for link in entry["links"] if link["active"]
    ]
    # the fund's page, not also the accidents' (whose prefix /incidents/ it is under)
    assert active == [("incidents", "fund-advances")]
    assert [entry["key"] for entry in shown if entry["active"]] == ["incidents"]


def test_a_link_of_no_registered_group_stands_alone_and_groups_register_once():
    registry, own = LinkRegistry(), GroupRegistry()
    own.register(NavGroup("work", "Work", "x", order=1, roles_first=frozenset({"clerk"})))
    registry.register(
        Link("a", "A", "brigade:duty", "x", frozenset({"clerk"}), group="work"),
        Link("b", "B", "brigade:patrollog_list", "y", frozenset({"clerk"}), group="work"),
        Link("c", "C", "brigade:dutypost_list", "z", frozenset({"clerk"})),
    )
    shown = registry.grouped(scope("clerk"), "", own)
    assert [(e["key"], keys(e["links"])) for e in shown] == [
        ("work", ["a", "b"]),
        ("link-c", ["c"]),
    ]
    assert shown[1]["single"]["key"] == "c"
    with pytest.raises(ValueError):
        own.register(NavGroup("work", "again", "x"))


def _icon_font_names() -> set[str]:
    css = Path(settings.NODE_MODULES / "bootstrap-icons" / "font" / "bootstrap-icons.css")
    return set(re.findall(r"\.bi-([a-z0-9-]+)::before", css.read_text()))


def test_every_navigation_icon_is_in_the_icon_font():
    """Facility works had "traffic-light", which the font does not have: no icon showed."""
    names = _icon_font_names()
    icons = {link.key: link.icon for link in navigation.all()}
    icons |= {f"group {group.key}": group.icon for group in groups.all()}
    assert {key: icon for key, icon in icons.items() if icon not in names} == {}
    assert icons["facility-works"] == "sign-stop-lights"


@pytest.mark.parametrize(
    ("persona", "groups_shown"),
    [
        ("officer", ["duty"]),
        ("clerk", ["petitions", "duty", "incidents", "outreach"]),
        ("brigade_commander", WORK),
    ],
)
def test_the_page_shows_the_groups_with_every_link_test_id(
    request, client, django_assert_max_num_queries, persona, groups_shown
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    client.get("/")  # the first request warms the session and the scope's caches
    with django_assert_max_num_queries(30):
        response = client.get(reverse("brigade:dutypost_list"))
    page = response.text
    for key in groups_shown:
        assert f'data-testid="navgroup-{key}"' in page, key
    for link in navigation.all():
        shown = link.visible_to(scope(*user.groups.values_list("name", flat=True), officer=1))
        assert (f'data-testid="nav-{link.key}"' in page) is shown, link.key
    for testid in ("nav-toggle", "logout", "lang-zh-hans", "lang-en", "nav-user"):
        assert f'data-testid="{testid}"' in page
    # the account comes first in the menu (on a phone, before the groups)
    assert page.index('data-testid="logout"') < page.index('class="navbar-nav nav-groups')


def test_the_navigation_costs_no_query(client, officer, django_assert_num_queries):
    """The same page with and without the navigation's context: the same query count."""
    client.force_login(officer)
    client.get("/")
    url = reverse("brigade:dutypost_list")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as with_nav:
        client.get(url)
    navigation_grouped = navigation.grouped
    try:
        navigation.grouped = lambda *a, **k: []  # type: ignore[method-assign]
        with CaptureQueriesContext(connection) as without_nav:
            client.get(url)
    finally:
        navigation.grouped = navigation_grouped  # type: ignore[method-assign]
    assert len(with_nav) == len(without_nav)
