"""The notices pages: the bell in the navigation, the list, opening a notice, marking read,
muting, the settings page, and the escalations shown on a record's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from brigade.core.notices.models import (
    Notice,
    NoticeAction,
    NoticeKind,
    NoticeMute,
    NoticePreference,
)
from tests.brigade.notice_factories import make_notice
from tests.hazards.factories import AssignedHazardFactory
from tests.incidents.factories import FundAdvanceFactory
from tests.petitions.factories import TicketFactory

pytestmark = pytest.mark.django_db

READ = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def bell_count(response) -> str | None:
    """The number on the bell, None when it shows none."""
    html = response.content.decode()
    marker = 'data-testid="nav-bell-count">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


# --- the bell -------------------------------------------------------------------------------


def test_the_bell_shows_my_unread_count_and_no_number_at_zero(client, officer, clerk):
    make_notice(officer)
    make_notice(officer)
    make_notice(officer, read_at=READ)
    make_notice(clerk)
    client.force_login(officer)
    page = client.get(reverse("brigade:duty"))
    assert 'data-testid="nav-bell"' in page.content.decode()
    assert bell_count(page) == "2"
    Notice.objects.filter(user=officer).update(read_at=READ)
    page = client.get(reverse("brigade:duty"))
    assert 'data-testid="nav-bell"' in page.content.decode()
    assert bell_count(page) is None


def test_more_than_99_shows_99_plus(client, clerk):
    Notice.objects.bulk_create(
        Notice(user=clerk, kind=NoticeKind.REMINDER, title="t", key=f"k{n}") for n in range(120)
    )
    client.force_login(clerk)
    assert bell_count(client.get(reverse("notice_settings"))) == "99+"


@pytest.mark.parametrize("persona", ["officer", "clerk", "commander", "admin_user"])
def test_every_role_has_the_bell_and_reaches_its_pages(request, client, persona):
    user = request.getfixturevalue(persona)
    make_notice(user, title="给每个角色")
    client.force_login(user)
    home = client.get(reverse("home"), follow=True)
    assert home.status_code == 200
    assert bell_count(home) == "1"
    listing = client.get(reverse("notice_list"))
    assert listing.status_code == 200
    assert "给每个角色" in listing.content.decode()
    assert client.get(reverse("notice_settings")).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, officer):
    notice = make_notice(officer)
    for url in (
        reverse("notice_list"),
        reverse("notice_settings"),
        reverse("notice_open", args=[notice.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_bell_costs_one_query_whatever_the_count(client, officer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    url = reverse("notice_settings")
    make_notice(officer)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert bell_count(client.get(url)) == "1"
    for _ in range(40):
        make_notice(officer)
    with django_assert_num_queries(len(one)):
        assert bell_count(client.get(url)) == "41"
    bell_queries = [q["sql"] for q in one.captured_queries if 'FROM "brigade_notice"' in q["sql"]]
    assert len(bell_queries) == 1


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_mine_unread_first_then_newest(client, officer, clerk):
    read = make_notice(officer, title="已读的", read_at=READ)
    old = make_notice(officer, title="较早未读", ago=dt.timedelta(days=2))
    new = make_notice(officer, title="最新未读", ago=dt.timedelta(hours=1))
    make_notice(clerk, title="别人的")
    client.force_login(officer)
    response = client.get(reverse("notice_list"))
    assert [n.pk for n in response.context["object_list"]] == [new.pk, old.pk, read.pk]
    html = response.content.decode()
    assert "别人的" not in html
    assert html.index("最新未读") < html.index("较早未读") < html.index("已读的")
    assert f'data-testid="notice-unread-{new.pk}"' in html
    assert f'data-testid="notice-unread-{read.pk}"' not in html


def test_the_list_filters_unread(client, officer):
    make_notice(officer, title="已读的", read_at=READ)
    make_notice(officer, title="未读的")
    client.force_login(officer)
    html = client.get(reverse("notice_list"), {"unread": "1"}).content.decode()
    assert "未读的" in html and "已读的" not in html


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    client, officer, unit, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = TicketFactory(unit=unit)
    make_notice(officer, about=ticket)
    client.force_login(officer)
    client.get(reverse("notice_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notice_list"))
    for _ in range(30):
        make_notice(officer, about=ticket)
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("notice_list"))
    assert len(response.context["object_list"]) == 25
    assert response.context["paginator"].count == 31
    second = client.get(reverse("notice_list"), {"page": 2})
    assert len(second.context["object_list"]) == 6


def test_the_empty_list_says_so(client, officer):
    client.force_login(officer)
    response = client.get(reverse("notice_list"))
    html = response.content.decode()
    assert 'data-testid="empty-state"' in html
    assert 'data-testid="notices-read-all"' not in html


def test_hostile_text_is_shown_as_text(client, officer, unit):
    hazard = AssignedHazardFactory(unit=unit)
    make_notice(officer, title=HOSTILE, body=HOSTILE)
    make_notice(officer, title=HOSTILE, kind=NoticeKind.ESCALATION, level=1, about=hazard)
    client.force_login(officer)
    for url in (reverse("notice_list"), reverse("hazards:hazard_detail", args=[hazard.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- opening and marking read -------------------------------------------------------------


def test_opening_a_notice_marks_it_read_and_goes_to_its_record(client, officer, unit):
    ticket = TicketFactory(unit=unit)
    target = reverse("petitions:ticket_detail", args=[ticket.pk])
    notice = make_notice(officer, about=ticket, url=target)
    client.force_login(officer)
    response = client.get(reverse("notice_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == target
    assert Notice.objects.get(pk=notice.pk).read_at is not None
    assert bell_count(client.get(target)) is None


def test_a_notice_leading_off_the_site_stays_on_the_list(client, officer):
    notice = make_notice(officer, url="https://evil.example/phish")
    client.force_login(officer)
    response = client.get(reverse("notice_open", args=[notice.pk]))
    assert response["Location"] == reverse("notice_list")


def test_another_persons_notice_cannot_be_opened_or_muted(client, officer, brigade_commander):
    notice = make_notice(officer)
    client.force_login(brigade_commander)
    assert client.get(reverse("notice_open", args=[notice.pk])).status_code == 404
    assert (
        client.post(reverse("notice_mute", args=[notice.pk]), {"what": "kind"}).status_code == 404
    )
    assert Notice.objects.get(pk=notice.pk).read_at is None
    assert not NoticeMute.objects.exists()


def test_mark_all_read(client, officer, clerk):
    make_notice(officer)
    make_notice(officer)
    theirs = make_notice(clerk)
    client.force_login(officer)
    response = client.post(reverse("notice_read_all"), follow=True)
    assert response.status_code == 200
    assert bell_count(response) is None
    assert not Notice.objects.filter(user=officer, read_at__isnull=True).exists()
    assert Notice.objects.get(pk=theirs.pk).read_at is None
    # a browser landing on the address by GET goes to the list and marks nothing
    make_notice(officer)
    landed = client.get(reverse("notice_read_all"))
    assert landed["Location"] == reverse("notice_list")
    assert Notice.objects.filter(user=officer, read_at__isnull=True).count() == 1


# --- mutes and settings --------------------------------------------------------------------


def test_mute_a_record_and_a_kind_then_unmute(client, officer, unit):
    ticket = TicketFactory(unit=unit)
    notice = make_notice(officer, about=ticket, action=NoticeAction.REPLY)
    client.force_login(officer)
    # when: the record, then the kind of work, muted (twice: still one mute each)
    for what in ("item", "kind", "item"):
        response = client.post(reverse("notice_mute", args=[notice.pk]), {"what": what})
        assert response["Location"] == reverse("notice_list")
    # then
    mutes = NoticeMute.objects.filter(user=officer)
    assert mutes.count() == 2
    assert mutes.filter(item_id=ticket.pk, action="").count() == 1
    assert mutes.filter(action=NoticeAction.REPLY, item_id__isnull=True).count() == 1
    page = client.get(reverse("notice_settings"))
    html = page.content.decode()
    kind_mute = mutes.get(action=NoticeAction.REPLY)
    assert f'data-testid="mute-{kind_mute.pk}"' in html
    # when: unmuted
    client.post(reverse("noticemute_delete", args=[kind_mute.pk]))
    assert list(NoticeMute.objects.filter(user=officer)) == [mutes.get(item_id=ticket.pk)]


def test_a_notice_about_no_record_cannot_be_muted_as_a_record(client, officer):
    notice = make_notice(officer, action="")
    client.force_login(officer)
    client.post(reverse("notice_mute", args=[notice.pk]), {"what": "item"})
    client.post(reverse("notice_mute", args=[notice.pk]), {"what": "kind"})
    client.post(reverse("notice_mute", args=[notice.pk]), {"what": "\x00" * 10})
    assert not NoticeMute.objects.exists()


def test_another_persons_mute_cannot_be_lifted(client, officer, clerk):
    mute = NoticeMute.objects.create(user=officer, action=NoticeAction.SIGN)
    client.force_login(clerk)
    assert client.post(reverse("noticemute_delete", args=[mute.pk])).status_code == 404
    assert NoticeMute.objects.filter(pk=mute.pk).exists()


def test_settings_show_the_defaults_and_save_the_choices(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("notice_settings"))
    assert all(
        page.context["form"].initial[name]
        for name in ("by_email", "by_webhook", "reminders", "digest")
    )
    assert 'data-testid="no-mutes"' in page.content.decode()
    response = client.post(reverse("notice_settings"), {"by_webhook": "on", "reminders": "on"})
    assert response["Location"] == reverse("notice_settings")
    preference = NoticePreference.objects.get(user=clerk)
    assert (
        preference.by_email,
        preference.by_webhook,
        preference.reminders,
        preference.digest,
    ) == (
        False,
        True,
        True,
        False,
    )
    again = client.get(reverse("notice_settings"))
    assert again.context["form"].initial["digest"] is False


# --- escalations on a record's page -------------------------------------------------------


@pytest.mark.parametrize("record", ["ticket", "hazard", "advance"])
def test_the_escalations_of_a_record_show_on_its_page_in_fixed_queries(
    record, client, brigade_commander, unit, commander, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    made = {
        "ticket": lambda: TicketFactory(unit=unit),
        "hazard": lambda: AssignedHazardFactory(unit=unit),
        "advance": lambda: FundAdvanceFactory(accident__unit=unit),
    }[record]()
    url = {
        "ticket": "petitions:ticket_detail",
        "hazard": "hazards:hazard_detail",
        "advance": "incidents:fundadvance_detail",
    }[record]
    first = make_notice(
        commander, about=made, kind=NoticeKind.ESCALATION, level=1, title="督办：逾期未办"
    )
    client.force_login(brigade_commander)
    page = reverse(url, args=[made.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        html = client.get(page).content.decode()
    assert 'data-testid="escalations"' in html
    assert f'data-testid="escalation-{first.pk}"' in html
    # more escalations, one to the brigade commander: still the same number of queries
    second = make_notice(
        brigade_commander, about=made, kind=NoticeKind.ESCALATION, level=2, title="督办：二级"
    )
    make_notice(brigade_commander, about=made, kind=NoticeKind.REMINDER, title="不是督办")
    with django_assert_num_queries(len(one)):
        html = client.get(page).content.decode()
    assert f'data-testid="escalation-{second.pk}"' in html
    assert "不是督办" not in html.split('data-testid="escalations"', 1)[1]


def test_a_record_without_escalations_shows_no_section(client, commander, unit):
    ticket = TicketFactory(unit=unit)
    client.force_login(commander)
    html = client.get(reverse("petitions:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="escalations"' not in html
