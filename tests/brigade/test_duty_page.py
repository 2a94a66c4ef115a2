"""The officer's duty page on the phone: the bar that keeps the open patrol's total,
check-in and End on screen; the counters in the officer's most used order; a patrol of
0 minutes asked about once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from brigade.duty import services
from brigade.duty.choices import PatrolMode, ViolationKind
from brigade.duty.forms import EndPatrolForm
from brigade.duty.models import DutyPost, PatrolLog
from tests.brigade.factories import (
    DutyPostFactory,
    PatrolLogFactory,
    ViolationTallyFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _open_patrol(officer: Any, minutes: int = 60, **kwargs: Any) -> PatrolLog:
    started = timezone.now() - dt.timedelta(minutes=minutes)
    return services.patrol_start(
        officer=officer.officer, mode=PatrolMode.CAR, started_at=started, **kwargs
    )


def _row_order(html: str) -> list[str]:
    return re.findall(r'data-testid="tally-row-(\w+)"', html)


def _groups(html: str) -> list[str]:
    return re.findall(r'data-testid="tally-group-([\w-]+)"', html)


# --- the bar --------------------------------------------------------------------------------


def test_the_bar_holds_the_total_check_in_and_end(en, officer):
    post: DutyPost = DutyPostFactory(unit=officer.officer.unit, name="东昌路岗")  # type: ignore[assignment]
    patrol = _open_patrol(officer, post=post)
    ViolationTallyFactory(patrol=patrol, kind="no_helmet", count=2)
    en.force_login(officer)

    page = en.get(reverse("brigade:duty")).text

    bar = page.split('data-testid="duty-bar"')[1].split("</div>\n</div>")[0]
    assert re.search(r'data-testid="tally-total">2<', bar)
    assert 'data-testid="bar-end"' in bar and 'href="#end-patrol"' in bar
    # one tap checks in at the patrol's own post
    assert 'data-testid="bar-check-in"' in bar
    assert f'name="post" value="{post.pk}"' in bar
    assert reverse("brigade:patrollog_check_in", args=[patrol.pk]) in bar
    # the total is written once on the page: the one htmx updates
    assert len(re.findall(r'\sid="tally-total"', page)) == 1
    assert "has-duty-bar" in page


def test_the_bars_check_in_checks_in_at_the_patrols_post(en, officer):
    post: DutyPost = DutyPostFactory(unit=officer.officer.unit)  # type: ignore[assignment]
    patrol = _open_patrol(officer, post=post)
    en.force_login(officer)

    response = en.post(
        reverse("brigade:patrollog_check_in", args=[patrol.pk]), {"post": post.pk}, follow=True
    )

    patrol.refresh_from_db()
    assert patrol.checked_in_at is not None
    bar = response.text.split('data-testid="duty-bar"')[1]
    assert 'data-testid="bar-check-in"' not in bar
    assert 'data-testid="bar-checked-in"' in bar
    assert timezone.localtime(patrol.checked_in_at).strftime("%H:%M") in bar


def test_without_a_post_the_bars_check_in_leads_to_the_form(en, officer):
    _open_patrol(officer)
    en.force_login(officer)
    page = en.get(reverse("brigade:duty")).text
    assert re.search(r'href="#check-in-form"[^>]*data-testid="bar-check-in"', page)


def test_a_tap_updates_the_bars_total(en, officer):
    patrol = _open_patrol(officer)
    ViolationTallyFactory(patrol=patrol, kind="speeding", count=4)
    en.force_login(officer)

    response = en.post(
        reverse("brigade:patrollog_tally", args=[patrol.pk]),
        {"kind": "no_helmet", "delta": 1},
        headers=HTMX,
    )

    assert re.search(
        r'id="tally-total" data-testid="tally-total" hx-swap-oob="true">5<', response.text
    )


def test_no_bar_without_an_open_patrol(en, officer):
    en.force_login(officer)
    page = en.get(reverse("brigade:duty")).text
    assert 'data-testid="duty-bar"' not in page
    assert "has-duty-bar" not in page


# --- the officer's most used kinds first ------------------------------------------------------


def test_counters_follow_the_officers_most_used_kinds(en, officer, other_officer):
    me = officer.officer
    # past patrols: red lights 5, no helmet 3 (over two patrols), speeding 3, parking 1
    first, second = PatrolLogFactory(officer=me), PatrolLogFactory(officer=me)
    ViolationTallyFactory(patrol=first, kind="red_light", count=5)
    ViolationTallyFactory(patrol=first, kind="no_helmet", count=1)
    ViolationTallyFactory(patrol=second, kind="no_helmet", count=2)
    ViolationTallyFactory(patrol=second, kind="speeding", count=3)
    ViolationTallyFactory(patrol=second, kind="illegal_parking", count=1)
    ViolationTallyFactory(patrol=second, kind="drunk_driving", count=0)
    # another officer's habits do not count
    ViolationTallyFactory(
        patrol=PatrolLogFactory(officer=other_officer.officer), kind="throwing", count=50
    )
    patrol = _open_patrol(officer)
    # nor does the open patrol: its taps must not move the counters under the thumb
    ViolationTallyFactory(patrol=patrol, kind="wrong_way", count=9)
    en.force_login(officer)

    page = en.get(reverse("brigade:duty")).text

    order = _row_order(page)
    # ties (no helmet and speeding, 3 each) keep the taxonomy's order: speeding comes first
    assert order[:4] == ["red_light", "speeding", "no_helmet", "illegal_parking"]
    assert _groups(page) == ["most-used", "crackdown", "habits"]
    assert "Most used" in page
    # every kind is still there once, the rest in the taxonomy's order
    assert sorted(order) == sorted(ViolationKind.values)
    rest = [kind for kind in ViolationKind.values if kind not in order[:4]]
    assert order[4:] == [k for k in rest if k in _crackdowns()] + [
        k for k in rest if k not in _crackdowns()
    ]


def _crackdowns() -> set[str]:
    from brigade.duty.choices import CRACKDOWN_KINDS

    return {str(kind) for kind in CRACKDOWN_KINDS}


def test_most_used_holds_at_most_five_kinds(en, officer):
    past = PatrolLogFactory(officer=officer.officer)
    kinds = ViolationKind.values[:7]
    for n, kind in enumerate(kinds):
        ViolationTallyFactory(patrol=past, kind=kind, count=10 - n)
    _open_patrol(officer)
    en.force_login(officer)
    page = en.get(reverse("brigade:duty")).text
    most_used = page.split('data-testid="tally-group-most-used"')[1].split("tally-group-title")[0]
    assert _row_order(most_used) == kinds[:5]


def test_a_new_officer_sees_the_taxonomys_order(en, officer):
    _open_patrol(officer)
    en.force_login(officer)
    page = en.get(reverse("brigade:duty")).text
    assert _groups(page) == ["crackdown", "habits"]
    assert _row_order(page) == [k for k in ViolationKind.values if k in _crackdowns()] + [
        k for k in ViolationKind.values if k not in _crackdowns()
    ]


def test_the_order_costs_one_query_whatever_the_history(client, officer):
    me = officer.officer
    _open_patrol(officer)
    client.force_login(officer)
    client.get(reverse("brigade:duty"))  # warm the session and the language

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("brigade:duty")).status_code == 200
        return len(queries)

    few = count()
    for kind in ViolationKind.values[:10]:
        ViolationTallyFactory(patrol=PatrolLogFactory(officer=me), kind=kind, count=3)
    assert count() == few


# --- 0 minutes: asked once ------------------------------------------------------------------


def test_a_zero_minute_patrol_is_asked_about_then_ended(en, officer):
    patrol = services.patrol_start(officer=officer.officer, mode=PatrolMode.FOOT)
    en.force_login(officer)
    url = reverse("brigade:patrollog_end", args=[patrol.pk])

    # when: End right after Start
    asked = en.post(url, {"ended_at": ""})

    # then: the question, in the open end form, which sends the answer back; nothing ended
    assert asked.status_code == 200
    assert 'data-testid="zero-minutes"' in asked.text
    assert "This patrol lasted 0 minutes: end it anyway?" in asked.text
    assert re.search(r'<details class="end-patrol mb-3" id="end-patrol" open>', asked.text)
    assert '<input type="hidden" name="confirm_zero" value="1">' in asked.text
    assert "Yes, end it anyway" in asked.text
    patrol.refresh_from_db()
    assert patrol.is_open

    # when: the officer says yes
    done = en.post(url, {"ended_at": "", "confirm_zero": "1"}, follow=True)

    # then: ended
    assert "Patrol ended:" in done.text
    patrol.refresh_from_db()
    assert not patrol.is_open


def test_a_patrol_of_a_minute_or_more_is_not_asked_about(en, officer):
    patrol = _open_patrol(officer, minutes=1)
    en.force_login(officer)
    response = en.post(reverse("brigade:patrollog_end", args=[patrol.pk]), {"ended_at": ""})
    assert response.status_code == 302
    patrol.refresh_from_db()
    assert not patrol.is_open


def test_an_end_before_the_start_is_still_the_services_error_not_the_question(en, officer):
    patrol = _open_patrol(officer, minutes=30)
    en.force_login(officer)
    before = timezone.localtime(patrol.started_at - dt.timedelta(minutes=5))
    response = en.post(
        reverse("brigade:patrollog_end", args=[patrol.pk]),
        {"ended_at": before.strftime("%Y-%m-%dT%H:%M"), "confirm_zero": "1"},
    )
    assert "The end must be after the start of the patrol." in response.text
    assert 'data-testid="zero-minutes"' not in response.text


def test_the_form_asks_only_within_the_first_minute():
    started = timezone.now() - dt.timedelta(seconds=20)
    in_time = timezone.localtime(started + dt.timedelta(seconds=30))
    later = timezone.localtime(started + dt.timedelta(minutes=2))

    def form(ended: dt.datetime, confirm: bool = False) -> EndPatrolForm:
        data = {"ended_at": ended.strftime("%Y-%m-%dT%H:%M:%S")}
        if confirm:
            data["confirm_zero"] = "1"
        return EndPatrolForm(data, started_at=started)

    asking = form(in_time)
    assert not asking.is_valid() and asking.asks_zero
    assert asking.non_field_errors().as_data()[0].code == "zero_minutes"
    assert form(in_time, confirm=True).is_valid()
    later_form = form(later)
    assert later_form.is_valid() and not later_form.asks_zero


def test_the_api_ends_a_zero_minute_patrol_without_asking(api_as, officer):
    patrol = services.patrol_start(officer=officer.officer, mode=PatrolMode.FOOT)
    response = api_as(officer).post(f"/api/v1/brigade/patrols/{patrol.pk}/end/", {}, format="json")
    assert response.status_code == 200, response.content
    patrol.refresh_from_db()
    assert not patrol.is_open
