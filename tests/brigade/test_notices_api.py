"""The notices API: each person reads and marks their own notices only."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from brigade.core.notices.models import Notice, NoticeKind
from tests.brigade.notice_factories import make_notice
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


def read_url(notice: Notice) -> str:
    return f"{LIST}{notice.pk}/read/"


def test_the_list_has_my_notices_only_unread_first_then_newest(api_as, officer, clerk, unit):
    # given: two read and two unread notices of the officer, one of the clerk's
    ticket = TicketFactory(unit=unit)
    old_read = make_notice(
        officer, ago=dt.timedelta(days=3), read_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    new_read = make_notice(
        officer, ago=dt.timedelta(hours=1), read_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    old_unread = make_notice(officer, ago=dt.timedelta(days=2), about=ticket, url="/petitions/1/")
    new_unread = make_notice(officer, ago=dt.timedelta(hours=2))
    make_notice(clerk)
    # when
    response = api_as(officer).get(LIST)
    # then
    assert response.status_code == 200
    assert response.data["count"] == 4
    ids = [row["id"] for row in response.data["results"]]
    assert ids == [new_unread.pk, old_unread.pk, new_read.pk, old_read.pk]
    row = response.data["results"][1]
    assert row["item"] == {"type": "petitions.ticket", "id": ticket.pk}
    assert row["read_at"] is None and row["url"] == "/petitions/1/"
    assert set(row) == {
        "id",
        "kind",
        "action",
        "title",
        "body",
        "url",
        "due",
        "level",
        "created_at",
        "read_at",
        "item",
    }
    assert response.data["results"][0]["item"] is None


def test_filters_unread_and_kind(api_as, officer):
    make_notice(officer, read_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    unread = make_notice(officer)
    escalation = make_notice(officer, kind=NoticeKind.ESCALATION, level=1)
    client = api_as(officer)
    assert {r["id"] for r in client.get(LIST, {"unread": "1"}).data["results"]} == {
        unread.pk,
        escalation.pk,
    }
    assert [r["id"] for r in client.get(LIST, {"kind": "escalation"}).data["results"]] == [
        escalation.pk
    ]
    assert client.get(LIST, {"unread": "0"}).data["count"] == 1


@pytest.mark.parametrize("bad", [{"unread": "yes"}, {"kind": "nonsense"}, {"page_size": "0"}])
def test_a_bad_filter_is_a_400_naming_it(api_as, officer, bad):
    response = api_as(officer).get(LIST, bad)
    assert response.status_code == 400
    assert set(bad) <= set(response.data)


def test_read_marks_once_and_answers_the_notice(api_as, officer):
    notice = make_notice(officer)
    client = api_as(officer)
    first = client.post(read_url(notice))
    assert first.status_code == 200
    assert first.data["read_at"] is not None
    # again: still read, at the first time
    second = client.post(read_url(notice))
    assert second.status_code == 200
    assert second.data["read_at"] == first.data["read_at"]
    assert Notice.objects.get(pk=notice.pk).read_at is not None


def test_another_persons_notice_is_not_found_whatever_the_role(
    api_as, officer, brigade_commander, admin_user
):
    notice = make_notice(officer)
    for someone in (brigade_commander, admin_user):
        assert api_as(someone).post(read_url(notice)).status_code == 404
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_read_all_answers_how_many_it_marked(api_as, officer, clerk):
    make_notice(officer)
    make_notice(officer)
    make_notice(officer, read_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    theirs = make_notice(clerk)
    client = api_as(officer)
    assert client.post(f"{LIST}read-all/").data == {"marked": 2}
    assert client.post(f"{LIST}read-all/").data == {"marked": 0}
    assert not Notice.objects.filter(user=officer, read_at__isnull=True).exists()
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_read_all_repeated_with_its_key_gets_the_first_answer_and_marks_nothing_new(officer):
    make_notice(officer)
    make_notice(officer)
    client = APIClient()
    client.force_login(officer)
    first = client.post(f"{LIST}read-all/", HTTP_IDEMPOTENCY_KEY="read-all-1")
    assert first.json() == {"marked": 2}
    arrived = make_notice(officer)  # a notice arrives before the phone resends
    again = client.post(f"{LIST}read-all/", HTTP_IDEMPOTENCY_KEY="read-all-1")
    assert again.json() == {"marked": 2}
    assert again["Idempotent-Replayed"] == "true"
    assert Notice.objects.get(pk=arrived.pk).read_at is None


@pytest.mark.parametrize("persona", ["officer", "clerk", "commander", "admin_user"])
def test_every_role_has_its_notices(request, api_as, persona):
    user = request.getfixturevalue(persona)
    mine = make_notice(user)
    response = api_as(user).get(LIST)
    assert response.status_code == 200
    assert [r["id"] for r in response.data["results"]] == [mine.pk]
    assert api_as(user).post(read_url(mine)).status_code == 200


def test_anonymous_is_401(officer):
    notice = make_notice(officer)
    client = APIClient()
    assert client.get(LIST).status_code == 401
    assert client.post(read_url(notice)).status_code == 401
    assert client.post(f"{LIST}read-all/").status_code == 401


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_reads_a_fixed_number_of_queries(
    api_as, officer, unit, count, django_assert_max_num_queries
):
    ticket = TicketFactory(unit=unit)
    for _ in range(count):
        make_notice(officer, about=ticket)
    client = api_as(officer)
    client.get(LIST)  # warm up (the content types' cache)
    # the scope (user's groups, officer), the count, the page
    with django_assert_max_num_queries(5):
        response = client.get(LIST)
    assert response.data["count"] == count


def test_the_schema_documents_the_three_endpoints(api_as, officer):
    schema = api_as(officer).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "get" in paths["/api/v1/notifications/"]
    assert "post" in paths["/api/v1/notifications/{id}/read/"]
    assert "post" in paths["/api/v1/notifications/read-all/"]


def test_huge_or_nul_filter_values_are_400_not_500(api_as, officer):
    client = api_as(officer)
    assert client.get(LIST, {"kind": "x" * 100_000}).status_code == 400
    assert client.get(LIST, {"unread": "1\x00"}).status_code == 400
