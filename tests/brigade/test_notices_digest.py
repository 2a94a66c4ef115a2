"""The daily digest's composition: each person's own items grouped by action with counts
and links, mutes applied; a commander's overview of the unit's (or the brigade's) overdue
items and the week's key figures; a fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brigade.core.kpi.models import KpiRollup
from brigade.core.notices.digest import build_digests, render
from brigade.core.notices.models import NoticeMute, NoticePreference
from petitions.models import Ticket
from tests.brigade.notice_fixtures import desk, ticket, ticket_source  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = dt.date(2022, 6, 13)  # a Monday, a working day


def by_user(digests):
    return {d.username: d for d in digests}


def test_each_person_gets_their_own_items_grouped_with_counts_and_links(ticket_source, settings):  # noqa: F811
    # given: a clerk holding two tickets to sign (one overdue), another clerk one
    settings.SITE_URL = "https://ops.example"
    one, two = desk(1), desk(2)
    ticket(one, DAY - dt.timedelta(days=3), "T-OVERDUE")
    ticket(one, DAY, "T-TODAY")
    ticket(two, DAY, "T-OTHER")
    ticket(two, DAY + dt.timedelta(days=30), "T-LATER")  # not due within the window

    # when
    digests = by_user(build_digests(DAY))

    # then
    first = digests["clerk1"]
    assert first.count == 2 and first.overdue_count == 1
    (group,) = first.groups
    assert group.action == "sign" and group.count == 2 and group.overdue == 1
    assert [r.title for r in group.items] == ["T-OVERDUE", "T-TODAY"]  # overdue first
    assert digests["clerk2"].count == 1
    mail = render(first)
    pk = Ticket.objects.get(number="T-OVERDUE").pk
    assert f"https://ops.example/petitions/tickets/{pk}/" in mail.text
    assert f'href="https://ops.example/petitions/tickets/{pk}/"' in mail.html
    assert "T-TODAY" in mail.text and "2022-06-13" in mail.text


def test_muted_items_and_kinds_are_left_out(ticket_source):  # noqa: F811
    one, two = desk(1), desk(2)
    muted = ticket(one, DAY, "T-MUTED")
    ticket(one, DAY, "T-KEPT")
    ticket(two, DAY, "T-KIND-MUTED")
    NoticeMute.objects.create(
        user=one.clerk, item_type=ContentType.objects.get_for_model(Ticket), item_id=muted.pk
    )
    NoticeMute.objects.create(user=two.clerk, action="sign")

    digests = by_user(build_digests(DAY))

    assert [r.title for r in digests["clerk1"].groups[0].items] == ["T-KEPT"]
    assert "clerk2" not in digests or not digests["clerk2"].has_content


def test_a_person_who_turned_the_digest_off_gets_none(ticket_source):  # noqa: F811
    one = desk(1)
    ticket(one, DAY, "T-1")
    NoticePreference.objects.create(user=one.clerk, digest=False)

    assert "clerk1" not in by_user(build_digests(DAY))


def test_a_commander_sees_the_units_overdue_items_and_the_brigade_commander_all(
    ticket_source,  # noqa: F811
    settings,
):
    one, two = desk(1), desk(2)
    hq = desk(9, hq=True)
    ticket(one, DAY - dt.timedelta(days=2), "T-LATE-1")
    ticket(one, DAY, "T-ON-TIME")
    ticket(two, DAY - dt.timedelta(days=5), "T-LATE-2")

    digests = by_user(build_digests(DAY))

    boss1 = digests["boss1"]
    assert boss1.commands == "第1中队"
    assert boss1.overview_count == 1
    assert [r.title for g in boss1.overdue for r in g.items] == ["T-LATE-1"]
    assert boss1.count == 0  # the items are the clerk's, not theirs
    brigade = digests[hq.commander.username]
    assert brigade.commands == settings.BRIGADE_NAME
    assert sorted(r.title for g in brigade.overdue for r in g.items) == ["T-LATE-1", "T-LATE-2"]
    text = render(boss1).text
    assert "T-LATE-1" in text and "T-LATE-2" not in text


def test_a_commanders_digest_has_the_weeks_key_figures_against_last_week(ticket_source):  # noqa: F811
    # given: stored rollups of hazards.overdue for the unit, this week and last
    one = desk(1)
    ticket(one, DAY - dt.timedelta(days=1), "T-LATE")
    monday = DAY - dt.timedelta(days=DAY.weekday())
    for week, value in ((monday, 7), (monday - dt.timedelta(days=7), 4)):
        KpiRollup.objects.create(
            metric="hazards.overdue",
            week=week,
            scope=str(one.unit.pk),
            unit_id=one.unit.pk,
            numerator=Decimal(value),
            value=Decimal(value),
            rule_version=1,
            computed_at=timezone.now(),
        )

    boss = by_user(build_digests(DAY))["boss1"]

    figure = next(f for f in boss.figures if f.key == "hazards.overdue")
    assert (figure.value, figure.previous, figure.change) == (7, 4, 3)
    text = render(boss).text
    assert figure.label in text and "+3" in text


def test_the_digests_cost_the_same_queries_for_5_people_as_for_50(ticket_source):  # noqa: F811
    def measure() -> tuple[int, int]:
        cache.clear()  # the key figures are read, not taken from the cache
        with CaptureQueriesContext(connection) as queries:
            digests = build_digests(DAY)
        return len(queries), len(digests)

    desks = [desk(n) for n in range(1, 3)]
    for n, d in enumerate(desks):
        ticket(d, DAY - dt.timedelta(days=n % 2), f"T-{n}")
    small, people_small = measure()
    desks += [desk(n) for n in range(3, 26)]
    for n, d in enumerate(desks[2:], start=2):
        ticket(d, DAY - dt.timedelta(days=n % 2), f"T-{n}")
        ticket(d, DAY, f"T-{n}-b")
    large, people_large = measure()

    assert (people_small, people_large) == (4, 50)
    assert small == large
