"""The weekly summary (每周汇总): a week's figures by category, equal to the KPI engine's
weekly flows of the petitions metrics, the notable tickets linked, scope, roles, the
week picker, the printable page and its Excel twin."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.urls import reverse

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiFlow
from brigade.core.kpi.weeks import current_week, parse_week, week_key
from petitions.choices import CallbackResult, TicketStatus
from petitions.models import TicketCallback, TicketExtension
from petitions.weekly import weekly_summary
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = reverse("petitions:weekly_summary")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def closed(unit, category, received, replied, closed_at, on_time=True, **extra):  # type: ignore[no-untyped-def]
    return TicketFactory(
        unit=unit,
        category=category,
        received_at=received,
        status=TicketStatus.CLOSED,
        replied_at=replied,
        closed_at=closed_at,
        closed_on_time=on_time,
        next_due=None,
        **extra,
    )


@pytest.fixture
def week(unit, other_unit):  # type: ignore[no-untyped-def]
    """2022-W10 (7–13 Mar) by hand, two categories (jam, parking), two units:

    - a: jam, unit, received 7 Mar, replied 8 Mar, closed 9 Mar on time; satisfied 10 Mar
    - b: jam, unit, received 8 Mar, replied 9 Mar, closed 11 Mar late; unreachable 12 Mar
    - c: parking, other unit, received 9 Mar, replied 10 Mar, still open (replied)
    - d: parking, unit, received 10 Mar, returned 11 Mar (counted nowhere but "returned")
    - e: jam, unit, received 14 Feb, closing deadline 1 Mar, still being handled: overdue
    - f: parking, other unit, received 10 Feb, deadline 28 Feb, closed 15 Mar (late):
      overdue at W10's end, not in W11's
    - g: jam, other unit, received 1 Mar, closed 4 Mar, dissatisfied 9 Mar and so
      reopened 9 Mar (round 2, handling); its extension requested 10 Mar
    - h: jam, unit, received 13 Mar 23:30 (Sunday night): still W10
    - i: jam, unit, received 14 Mar 00:10 (Monday): W11
    """
    jam = TicketCategoryFactory(code="jam", name="交通拥堵")
    parking = TicketCategoryFactory(code="parking", name="违法停车")
    a = closed(unit, jam, local(2022, 3, 7, 9), local(2022, 3, 8, 9), local(2022, 3, 9, 9))
    b = closed(
        unit,
        jam,
        local(2022, 3, 8, 9),
        local(2022, 3, 9, 9),
        local(2022, 3, 11, 9),
        on_time=False,
    )
    c = TicketFactory(
        unit=other_unit,
        category=parking,
        received_at=local(2022, 3, 9, 9),
        status=TicketStatus.REPLIED,
        replied_at=local(2022, 3, 10, 9),
    )
    d = TicketFactory(
        unit=unit,
        category=parking,
        received_at=local(2022, 3, 10, 9),
        status=TicketStatus.RETURNED,
        returned_at=local(2022, 3, 11, 9),
        return_reason="不属于交警职责",
        next_due=None,
    )
    e = TicketFactory(
        unit=unit,
        category=jam,
        received_at=local(2022, 2, 14, 9),
        status=TicketStatus.HANDLING,
        close_due=dt.date(2022, 3, 1),
        reply_due=dt.date(2022, 2, 21),
        next_due=dt.date(2022, 2, 21),
    )
    f = closed(
        other_unit,
        parking,
        local(2022, 2, 10, 9),
        local(2022, 3, 14, 9),
        local(2022, 3, 15, 9),
        on_time=False,
        close_due=dt.date(2022, 2, 28),
    )
    g = TicketFactory(
        unit=other_unit,
        category=jam,
        received_at=local(2022, 3, 1, 9),
        status=TicketStatus.HANDLING,
        round=2,
        callback_round=1,
        reopened_at=local(2022, 3, 9, 11),
        close_due=dt.date(2022, 3, 23),
    )
    TicketCallback.objects.create(
        ticket=a, unit=unit, round=1, result=CallbackResult.SATISFIED, at=local(2022, 3, 10, 9)
    )
    TicketCallback.objects.create(
        ticket=b, unit=unit, round=1, result=CallbackResult.UNREACHABLE, at=local(2022, 3, 12, 9)
    )
    TicketCallback.objects.create(
        ticket=g,
        unit=other_unit,
        round=1,
        result=CallbackResult.DISSATISFIED,
        at=local(2022, 3, 9, 11),
    )
    extension = TicketExtension.objects.create(
        ticket=g, new_due=dt.date(2022, 3, 30), old_due=dt.date(2022, 3, 23), reason="需现场勘查"
    )
    TicketExtension.objects.filter(pk=extension.pk).update(created_at=local(2022, 3, 10, 10))
    h = TicketFactory(unit=unit, category=jam, received_at=local(2022, 3, 13, 23, 30))
    i = TicketFactory(unit=unit, category=jam, received_at=local(2022, 3, 14, 0, 10))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h, "i": i}


def pks(notable) -> set[int]:  # type: ignore[no-untyped-def]
    return {getattr(row, "ticket_id", None) or row.pk for row in notable.rows}


def test_the_weeks_figures_by_hand(week, brigade_commander):
    summary = weekly_summary(brigade_commander, parse_week("2022-W10"))
    rows = {row.category.code: row for row in summary.rows}
    jam, parking, total = rows["jam"], rows["parking"], summary.total
    # received: a, b, h (jam); c (parking); d returned is not counted
    assert (jam.received, parking.received, total.received) == (3, 1, 4)
    assert (jam.replied, parking.replied) == (2, 1)
    # closed: a on time, b late
    assert (jam.closed, jam.closed_on_time, jam.on_time_rate) == (2, 1, 0.5)
    assert parking.closed == 0 and parking.on_time_rate is None
    # of the week's received jam tickets (a, b, h), a and b closed by its end
    assert (jam.received_closed, jam.closure_rate) == (2, 2 / 3)
    # overdue at the week's end: e (jam), f (parking, closed only in W11)
    assert (jam.overdue, parking.overdue, total.overdue) == (1, 1, 2)
    assert (jam.reopened, parking.returned) == (1, 1)
    # callbacks: a satisfied, g dissatisfied; b unreachable is no answer
    assert (total.callbacks_satisfied, total.callbacks_answered) == (1, 2)
    assert total.callbacks_dissatisfied == 1
    ids = {name: t.pk for name, t in week.items()}
    assert pks(summary.notable["overdue"]) == {ids["e"], ids["f"]}
    assert pks(summary.notable["reopened"]) == {ids["g"]}
    assert pks(summary.notable["returned"]) == {ids["d"]}
    assert pks(summary.notable["extended"]) == {ids["g"]}


def test_the_next_week_moves_on(week, brigade_commander):
    summary = weekly_summary(brigade_commander, parse_week("2022-W11"))
    # i received; f closed (late); e still overdue, f no longer open
    assert (summary.total.received, summary.total.closed, summary.total.overdue) == (1, 1, 1)
    assert pks(summary.notable["overdue"]) == {week["e"].pk}


# --- the same numbers as the KPI engine ----------------------------------------------------

ENGINE = {
    # summary field: (metric, side) of the engine's weekly flows
    "received": ("petitions.received", "n"),
    "closed": ("petitions.closure_rate", "n"),
    "closed_on_time": ("petitions.on_time_rate", "n"),
    "replied": ("petitions.feedback_rate", "n"),
    "reopened": ("petitions.reopened", "n"),
    "callbacks_satisfied": ("petitions.satisfaction_rate", "n"),
    "callbacks_answered": ("petitions.satisfaction_rate", "d"),
}


def engine_flow(metric: str, side: str, monday: dt.date, unit_id: int | None) -> int:
    flows = KpiFlow.objects.filter(metric=metric, side=side, week=monday)
    if unit_id is not None:
        flows = flows.filter(unit_id=unit_id)
    return int(flows.aggregate(total=Sum("amount"))["total"] or Decimal(0))


@pytest.mark.parametrize("key", ["2022-W09", "2022-W10", "2022-W11"])
def test_figures_equal_the_kpi_engines_weekly_flows(week, brigade_commander, unit, other_unit, key):
    engine.recompute_all()
    monday = parse_week(key)
    for unit_id in (None, unit.pk, other_unit.pk):
        summary = weekly_summary(brigade_commander, monday, unit_id)
        for name, (metric, side) in ENGINE.items():
            assert getattr(summary.total, name) == engine_flow(metric, side, monday, unit_id), (
                key,
                unit_id,
                name,
            )


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_the_week_with_links_to_the_tickets(client, week, brigade_commander):
    client.force_login(brigade_commander)
    response = client.get(URL, {"week": "2022-W10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["summary"].total.received == 4
    assert 'data-testid="total-link-received">4<' in html
    assert 'data-testid="total-link-overdue">2<' in html
    for name in ("d", "e", "f", "g"):
        assert reverse("petitions:ticket_detail", args=[week[name].pk]) in html
    assert "petitions/weekly.css" in html
    assert 'name="week" value="2022-W10"' in html


def _opened_count(client, href):  # type: ignore[no-untyped-def]
    page = client.get(href.replace("&amp;", "&"))
    assert page.status_code == 200, href
    found = re.search(r'data-testid="records-count" data-count="(\d+)"', page.content.decode())
    assert found, href
    return int(found.group(1)), page


@pytest.mark.parametrize("persona", ["brigade_commander", "clerk"])
def test_every_figure_opens_the_tickets_it_counts(client, week, request, persona):
    """Each count of the page (by category and in all, the totals' callbacks) links to a
    list of exactly the tickets (callbacks) it counts, for the same week and scope."""
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, {"week": "2022-W10"})
    html = response.content.decode()
    summary = response.context["summary"]
    checked = 0
    for row in [*summary.rows, summary.total]:
        for name, href in row.links.items():
            assert href.replace("&", "&amp;") in html or name.startswith("callbacks_")
            count, page = _opened_count(client, href)
            assert count == getattr(row, name), (row.category, name)
            checked += 1
    assert checked >= 2 * 11
    overdue, page = _opened_count(client, summary.total.links["overdue"])
    assert overdue == summary.total.overdue == (2 if persona == "brigade_commander" else 1)
    assert reverse("petitions:ticket_detail", args=[week["e"].pk]) in page.content.decode()


def test_squadron_users_see_their_unit_only(client, week, clerk, other_unit):
    client.force_login(clerk)
    response = client.get(URL, {"week": "2022-W10"})
    summary = response.context["summary"]
    # a, b, h of the clerk's unit (c is the other unit's)
    assert summary.total.received == 3
    assert pks(summary.notable["overdue"]) == {week["e"].pk}
    assert week["f"].number not in response.content.decode()
    assert client.get(URL, {"week": "2022-W10", "unit": other_unit.pk}).status_code == 404
    # not a record number at all: a 400 naming the parameter (brigade/core/params.py)
    assert client.get(URL, {"unit": "abc"}).status_code == 400


def test_the_brigade_commander_picks_a_unit(client, week, brigade_commander, other_unit):
    client.force_login(brigade_commander)
    response = client.get(URL, {"week": "2022-W10", "unit": other_unit.pk})
    assert response.context["summary"].total.received == 1  # c
    assert response.context["scope_choice"].name == other_unit.name


@pytest.mark.parametrize("persona", ["clerk", "commander", "admin_user"])
def test_the_desk_may_read_it(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, {"unit": request.getfixturevalue("unit").pk})
    assert response.status_code == 200


def test_officers_may_not(client, officer):
    client.force_login(officer)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_default_is_this_week_and_bad_weeks_are_400(client, clerk):
    client.force_login(clerk)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["week"] == week_key(current_week())
    for bad in ("2022-W60", "last week", week_key(current_week() + dt.timedelta(days=7))):
        response = client.get(URL, {"week": bad})
        assert response.status_code == 400, bad
        assert response.context["week_error"]
        assert response.context["week"] == week_key(current_week())


def test_linked_from_the_navigation_for_the_desk_only(client, clerk, officer):
    client.force_login(clerk)
    assert (
        'data-testid="nav-weekly-summary"'
        in client.get(reverse("home"), follow=True).content.decode()
    )
    client.force_login(officer)
    assert (
        'data-testid="nav-weekly-summary"'
        not in client.get(reverse("home"), follow=True).content.decode()
    )


@pytest.mark.parametrize("extra", [0, 6])
def test_queries_do_not_grow_with_tickets(
    client, week, brigade_commander, unit, extra, django_assert_num_queries
):
    jam = TicketCategoryFactory(code="jam")
    for n in range(extra):
        TicketFactory(
            unit=unit,
            category=TicketCategoryFactory(code=f"more{n}"),
            received_at=local(2022, 2, 1, 9),
            close_due=dt.date(2022, 2, 20),
            status=TicketStatus.HANDLING,
        )
        TicketFactory(unit=unit, category=jam, received_at=local(2022, 3, 8, 9))
    client.force_login(brigade_commander)
    client.get(URL, {"week": "2022-W10"})
    # session, user, groups, officer; units; the figures, callbacks, categories; four
    # lists; the bell's count of unread notices; the session's idle-timeout save
    # (savepoint, update, release)
    with django_assert_num_queries(16):
        response = client.get(URL, {"week": "2022-W10"})
    assert response.context["summary"].total.overdue == 2 + extra


def test_excel_export_has_the_same_figures(client, week, brigade_commander):
    from openpyxl import load_workbook

    client.force_login(brigade_commander)
    response = client.get(URL, {"week": "2022-W10", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "weekly-2022-W10" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    figures = list(book.worksheets[0].iter_rows(values_only=True))
    by_name = {row[0]: row for row in figures[1:]}
    assert by_name["交通拥堵"][1:4] == (3, 2, 2)  # received, replied, closed
    assert by_name["交通拥堵"][5] == 0.5  # on-time rate
    total = figures[-1]
    assert (total[1], total[8]) == (4, 2)  # received, overdue
    overdue = list(book.worksheets[1].iter_rows(values_only=True))
    assert {row[0] for row in overdue[1:]} == {week["e"].number, week["f"].number}
    extended = list(book.worksheets[3].iter_rows(values_only=True))
    assert extended[1][0] == week["g"].number
    assert [value.date() for value in extended[1][3:5]] == [
        dt.date(2022, 3, 23),
        dt.date(2022, 3, 30),
    ]
