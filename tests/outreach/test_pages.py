"""The outreach pages as their users see them: the officers' phone forms, the lists and
their filters and exports, the officer's and unit's pages, the love stations' counters."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach.choices import AssistanceKind, VenueKind
from outreach.models import (
    AssistanceEvent,
    Commendation,
    EventPhoto,
    LoveStation,
    OutreachCampaign,
    PublicityEvent,
)
from tests.brigade.factories import OfficerFactory
from tests.outreach.factories import (
    AssistanceEventFactory,
    CommendationFactory,
    LoveStationFactory,
    OutreachCampaignFactory,
    PublicityEventFactory,
    StationVisitDayFactory,
    fake_image,
    png,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rows(response, prefix):
    return {int(pk) for pk in re.findall(rf'data-testid="{prefix}(\d+)"', response.text)}


def _event_form(officer_user, **changes):
    data = {
        "held_on": timezone.localdate().isoformat(),
        "venue_kind": VenueKind.SCHOOL,
        "venue_name": "实验小学",
        "topic": "交通安全第一课",
        "officers": [officer_user.officer.pk],
        "audience": "450",
        "consultations": "30",
        "materials": "200",
    }
    data.update(changes)
    return data


# --- the officer's duty page and forms ------------------------------------------------------


def test_the_duty_page_offers_log_assistance_and_log_outreach_event(en, officer):
    en.force_login(officer)
    page = en.get(reverse("brigade:duty")).text
    assert 'data-testid="quick-log-assistance"' in page
    assert 'data-testid="quick-log-outreach"' in page
    assert reverse("outreach:publicityevent_create") in page
    assert 'data-testid="nav-outreach-events"' in page


def test_an_officer_logs_an_event_with_photos_from_the_form(en, officer):
    en.force_login(officer)
    form = en.get(reverse("outreach:publicityevent_create"))
    # today's date and the officer are filled in already
    assert timezone.localdate().isoformat() in form.text
    assert f'value="{officer.officer.pk}" autocomplete="off" checked' in form.text
    response = en.post(
        reverse("outreach:publicityevent_create"),
        {**_event_form(officer), "photos": [png(), png("b.png")]},
    )
    event = PublicityEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:publicityevent_detail", args=[event.pk])
    assert event.photos.count() == 2
    detail = en.get(response["Location"])
    assert 'data-testid="event-audience">450<' in detail.text
    assert "Created" in detail.text  # the history


def test_the_form_refuses_negative_counts_and_future_dates(en, officer):
    en.force_login(officer)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = en.post(
        reverse("outreach:publicityevent_create"),
        _event_form(officer, audience="-3", held_on=tomorrow),
    )
    assert response.status_code == 200
    assert 'data-testid="error-audience"' in response.text
    assert 'data-testid="error-held_on"' in response.text
    assert "must be between 2000-01-01 and today" in response.text
    assert not PublicityEvent.objects.exists()


def test_the_form_asks_to_confirm_an_audience_over_100000(en, officer):
    en.force_login(officer)
    url = reverse("outreach:publicityevent_create")
    response = en.post(url, _event_form(officer, audience="120000"))
    assert response.status_code == 200
    assert 'data-testid="confirm-large-audience"' in response.text
    assert "confirm it if it is right" in response.text
    assert not PublicityEvent.objects.exists()
    response = en.post(url, _event_form(officer, audience="120000", confirm_large_audience="on"))
    assert response.status_code == 302
    assert PublicityEvent.objects.get().audience == 120_000


def test_the_form_refuses_a_photo_that_is_not_an_image(en, officer):
    en.force_login(officer)
    response = en.post(
        reverse("outreach:publicityevent_create"),
        {**_event_form(officer), "photos": [fake_image()]},
    )
    assert response.status_code == 200
    assert "This is not a photo" in response.text
    assert not PublicityEvent.objects.exists() and not EventPhoto.objects.exists()


def test_photos_are_added_on_the_event_page_and_served_only_in_scope(
    en, client, officer, other_officer
):
    event = PublicityEventFactory(unit=officer.officer.unit)
    en.force_login(officer)
    url = reverse("outreach:publicityevent_detail", args=[event.pk])
    bad = en.post(url, {"photos": [fake_image()]})
    assert bad.status_code == 200 and "This is not a photo" in bad.text
    assert en.post(url, {"photos": [png()], "caption": "合影"}).status_code == 302
    photo = EventPhoto.objects.get()
    served = en.get(reverse("outreach:eventphoto_file", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    client.force_login(other_officer)
    assert client.get(reverse("outreach:eventphoto_file", args=[photo.pk])).status_code == 404
    assert client.get(url).status_code == 404


def test_an_officer_logs_assistance(en, officer):
    en.force_login(officer)
    page = en.get(reverse("outreach:assistanceevent_create"))
    assert 'data-testid="kind-reunited"' in page.text
    when = timezone.localtime() - dt.timedelta(hours=1)
    response = en.post(
        reverse("outreach:assistanceevent_create"),
        {
            "kind": AssistanceKind.REUNITED,
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "location": "百货大楼",
            "outcome": "走失儿童已交还家长",
            "officers": [officer.officer.pk],
        },
    )
    assistance = AssistanceEvent.objects.get()
    assert response["Location"] == reverse("outreach:assistanceevent_detail", args=[assistance.pk])
    assert "走失儿童已交还家长" in en.get(response["Location"]).text


def test_assistance_in_the_future_is_refused_on_the_form(en, officer):
    en.force_login(officer)
    later = timezone.localtime() + dt.timedelta(hours=3)
    response = en.post(
        reverse("outreach:assistanceevent_create"),
        {
            "kind": AssistanceKind.OTHER,
            "occurred_at": later.strftime("%Y-%m-%dT%H:%M"),
            "location": "x",
            "outcome": "y",
        },
    )
    assert 'data-testid="error-occurred_at"' in response.text
    assert not AssistanceEvent.objects.exists()


def test_a_clerk_records_a_banner_with_its_photo(en, clerk, unit):
    hero = OfficerFactory(unit=unit, name="孙浩")
    en.force_login(clerk)
    url = reverse("outreach:commendation_create")
    both = en.post(
        url,
        {
            "kind": "banner",
            "giver": "李女士",
            "received_on": "2022-04-02",
            "officer": hero.pk,
            "recipient_unit": unit.pk,
        },
    )
    assert 'data-testid="error-officer"' in both.text
    fake = en.post(
        url,
        {
            "kind": "banner",
            "giver": "李女士",
            "received_on": "2022-04-02",
            "officer": hero.pk,
            "photo": fake_image(),
        },
    )
    assert "This is not a photo" in fake.text
    ok = en.post(
        url,
        {
            "kind": "banner",
            "giver": "李女士",
            "received_on": "2022-04-02",
            "officer": hero.pk,
            "photo": png(),
        },
    )
    assert ok.status_code == 302
    commendation = Commendation.objects.get()
    assert commendation.unit == unit and commendation.photo
    listed = en.get(reverse("outreach:commendation_list"))
    assert rows(listed, "commendation-row-") == {commendation.pk}
    assert reverse("outreach:officer_detail", args=[hero.pk]) in listed.text


def test_an_officer_cannot_open_the_commendation_form(client, officer):
    client.force_login(officer)
    assert client.get(reverse("outreach:commendation_create")).status_code == 403


# --- lists ------------------------------------------------------------------------------------


def test_event_list_filters_by_unit_kind_and_dates_and_sums_them(
    en, brigade_commander, unit, other_unit
):
    school = PublicityEventFactory(unit=unit, held_on=dt.date(2022, 3, 1), audience=300)
    PublicityEventFactory(unit=unit, held_on=dt.date(2022, 3, 2), venue_kind=VenueKind.COMMUNITY)
    PublicityEventFactory(unit=other_unit, held_on=dt.date(2022, 3, 3))
    late = PublicityEventFactory(unit=unit, held_on=dt.date(2022, 8, 1), audience=50)
    en.force_login(brigade_commander)
    url = reverse("outreach:publicityevent_list")
    response = en.get(url, {"unit": unit.pk, "venue_kind": "school", "date_to": "2022-06-30"})
    assert rows(response, "event-row-") == {school.pk}
    assert 'data-testid="total-people">300<' in response.text
    everything = en.get(url, {"unit": unit.pk, "venue_kind": "school"})
    assert rows(everything, "event-row-") == {school.pk, late.pk}
    assert 'data-testid="total-people">350<' in everything.text


def test_event_list_shows_only_the_users_unit(en, officer, other_unit):
    mine = PublicityEventFactory(unit=officer.officer.unit)
    PublicityEventFactory(unit=other_unit)
    en.force_login(officer)
    assert rows(en.get(reverse("outreach:publicityevent_list")), "event-row-") == {mine.pk}


def test_event_list_paginates(en, officer):
    for n in range(30):
        PublicityEventFactory(
            unit=officer.officer.unit, held_on=dt.date(2022, 1, 1) + dt.timedelta(days=n)
        )
    en.force_login(officer)
    first = en.get(reverse("outreach:publicityevent_list"))
    assert len(rows(first, "event-row-")) == 25
    second = en.get(reverse("outreach:publicityevent_list"), {"page": 2})
    assert len(rows(second, "event-row-")) == 5
    assert "30 records" in second.text


def test_event_list_exports_the_filtered_rows_to_excel(en, commander):
    from openpyxl import load_workbook

    unit = commander.officer.unit
    me = OfficerFactory(unit=unit, name="孙浩")
    PublicityEventFactory(
        unit=unit, venue_name="实验小学", officers=[me], held_on=dt.date(2022, 4, 1)
    )
    PublicityEventFactory(unit=unit, venue_name="柳园社区", venue_kind=VenueKind.COMMUNITY)
    en.force_login(commander)
    response = en.get(
        reverse("outreach:publicityevent_list"), {"venue_kind": "school", "export": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2  # the header and the one school
    assert values[1][2] == "实验小学" and values[1][5] == "孙浩"


@pytest.mark.parametrize(
    "name,prefix",
    [
        ("outreach:assistanceevent_list", "assistance-row-"),
        ("outreach:commendation_list", "commendation-row-"),
    ],
)
def test_assistance_and_commendations_export_to_excel(en, commander, name, prefix):
    unit = commander.officer.unit
    AssistanceEventFactory(unit=unit)
    CommendationFactory(officer=OfficerFactory(unit=unit))
    en.force_login(commander)
    page = en.get(reverse(name))
    assert len(rows(page, prefix)) == 1
    assert 'data-testid="export-xlsx"' in page.text
    export = en.get(reverse(name), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_assistance_list_counts_by_kind_and_filters(en, commander):
    unit = commander.officer.unit
    AssistanceEventFactory(unit=unit, kind=AssistanceKind.MEDICAL_ESCORT)
    exam = AssistanceEventFactory(unit=unit, kind=AssistanceKind.EXAM_ESCORT)
    en.force_login(commander)
    page = en.get(reverse("outreach:assistanceevent_list"))
    assert 'data-testid="assistance-total">2<' in page.text
    filtered = en.get(reverse("outreach:assistanceevent_list"), {"kind": "exam_escort"})
    assert rows(filtered, "assistance-row-") == {exam.pk}


def test_campaign_page_shows_progress_toward_the_goal(en, officer, unit):
    campaign = OutreachCampaignFactory(name="黄帽子", unit=unit, goal_target=10)
    for name in ("一小", "二小", "二小"):
        PublicityEventFactory(unit=unit, campaign=campaign, venue_name=name)
    en.force_login(officer)
    page = en.get(reverse("outreach:outreachcampaign_list"))
    assert f'data-testid="campaign-progress-{campaign.pk}">2<' in page.text
    assert "3 events" in page.text


def test_station_counters_tap_with_htmx_and_never_below_zero(en, officer):
    station = LoveStationFactory(unit=officer.officer.unit)
    en.force_login(officer)
    page = en.get(reverse("outreach:lovestation_list"))
    assert f'data-testid="station-plus-{station.pk}"' in page.text
    url = reverse("outreach:lovestation_tally", args=[station.pk])
    plus = en.post(url, {"delta": "1"}, headers=HTMX)
    assert f'data-testid="station-count-{station.pk}" aria-live="polite">1<' in plus.text
    # the station's total follows, out of band
    assert f'data-testid="station-total-{station.pk}" hx-swap-oob="true">1<' in plus.text
    en.post(url, {"delta": "-1"}, headers=HTMX)
    below = en.post(url, {"delta": "-1"}, headers=HTMX)
    assert ">0<" in below.text and "below zero" in below.text
    # without htmx: back to the list
    assert en.post(url, {"delta": "1"})["Location"].endswith(f"#station-{station.pk}")


def test_a_clerk_sees_the_stations_without_counters(en, clerk):
    station = LoveStationFactory(unit=clerk.officer.unit)
    en.force_login(clerk)
    page = en.get(reverse("outreach:lovestation_list"))
    assert f'data-testid="station-{station.pk}"' in page.text
    assert "station-plus-" not in page.text


# --- officer and unit pages -------------------------------------------------------------------


def test_an_officers_page_shows_their_outreach_assistance_and_commendations(en, commander):
    unit = commander.officer.unit
    hero = OfficerFactory(unit=unit, name="孙浩")
    other = OfficerFactory(unit=unit)
    PublicityEventFactory(unit=unit, officers=[hero], audience=200, venue_kind=VenueKind.SCHOOL)
    PublicityEventFactory(unit=unit, officers=[hero], audience=100, venue_kind=VenueKind.SCHOOL)
    PublicityEventFactory(unit=unit, officers=[other], audience=999)
    AssistanceEventFactory(unit=unit, officers=[hero])
    banner = CommendationFactory(officer=hero, giver="张大爷")
    en.force_login(commander)
    page = en.get(reverse("outreach:officer_detail", args=[hero.pk]))
    assert 'data-testid="total-events">2<' in page.text
    assert 'data-testid="total-people">300<' in page.text
    assert 'data-testid="venue-events-school">2<' in page.text
    assert 'data-testid="assistance-count">1<' in page.text
    assert f'data-testid="commendation-{banner.pk}"' in page.text


def test_a_units_page_and_other_units_are_404(en, commander, other_unit):
    unit = commander.officer.unit
    PublicityEventFactory(unit=unit, venue_kind=VenueKind.KEY_DATE, audience=1000)
    AssistanceEventFactory(unit=unit, kind=AssistanceKind.LOST_PROPERTY)
    CommendationFactory(officer=None, recipient_unit=unit)
    LoveStationFactory(unit=unit, name="东昌路爱心驿站")
    stranger = OfficerFactory(unit=other_unit)
    en.force_login(commander)
    page = en.get(reverse("outreach:unit_detail", args=[unit.pk]))
    assert 'data-testid="venue-events-key_date">1<' in page.text
    assert "Lost property returned: 1" in page.text
    assert "Commendations: 1" in page.text
    assert "东昌路爱心驿站" in page.text
    assert en.get(reverse("outreach:unit_detail", args=[other_unit.pk])).status_code == 404
    assert en.get(reverse("outreach:officer_detail", args=[stranger.pk])).status_code == 404


def test_empty_lists_say_so(en, officer):
    en.force_login(officer)
    for name in (
        "publicityevent_list",
        "assistanceevent_list",
        "outreachcampaign_list",
        "lovestation_list",
        "commendation_list",
    ):
        assert 'data-testid="empty-state"' in en.get(reverse(f"outreach:{name}")).text


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name,make",
    [
        ("publicityevent_list", "event"),
        ("assistanceevent_list", "assistance"),
        ("commendation_list", "commendation"),
        ("lovestation_list", "station"),
        ("outreachcampaign_list", "campaign"),
        ("unit_detail", "event"),
    ],
)
def test_page_queries_do_not_grow_with_rows(client, commander, name, make):
    unit = commander.officer.unit
    officers = [OfficerFactory(unit=unit) for _ in range(2)]

    def add() -> None:
        if make == "event":
            event = PublicityEventFactory(unit=unit, officers=officers)
            EventPhoto.objects.create(event=event, photo=png())
            AssistanceEventFactory(unit=unit, officers=officers)
            CommendationFactory(officer=officers[0])
        elif make == "assistance":
            AssistanceEventFactory(unit=unit, officers=officers)
        elif make == "commendation":
            CommendationFactory(officer=officers[0])
        elif make == "station":
            StationVisitDayFactory(station=LoveStationFactory(unit=unit), day=timezone.localdate())
        else:
            campaign = OutreachCampaignFactory(unit=unit)
            PublicityEventFactory(unit=unit, campaign=campaign)

    url = reverse(f"outreach:{name}", args=[unit.pk] if name == "unit_detail" else [])
    client.force_login(commander)
    client.get(url)
    add()
    one = _queries(client, url)
    for _ in range(15):
        add()
    many = _queries(client, url)
    assert one == many


# --- corrections and detail pages -------------------------------------------------------------


def test_an_officer_corrects_an_event_and_the_history_shows_it(en, officer):
    me = officer.officer
    colleague = OfficerFactory(unit=me.unit, name="周晓东")
    en.force_login(officer)
    en.post(reverse("outreach:publicityevent_create"), _event_form(officer, audience="450"))
    event = PublicityEvent.objects.get()
    url = reverse("outreach:publicityevent_edit", args=[event.pk])
    form = en.get(url)
    assert 'value="450"' in form.text and "photos" not in form.text
    data = _event_form(officer, audience="540", officers=[me.pk, colleague.pk])
    data["held_on"] = event.held_on.isoformat()
    response = en.post(url, data)
    assert response["Location"] == reverse("outreach:publicityevent_detail", args=[event.pk])
    event.refresh_from_db()
    assert event.audience == 540
    assert set(event.officers.all()) == {me, colleague}
    detail = en.get(response["Location"]).text
    assert "People educated" in detail and "450" in detail and "540" in detail
    assert "周晓东" in detail  # the officers' change, by name


def test_a_correction_still_refuses_a_negative_count(en, officer):
    event = PublicityEventFactory(unit=officer.officer.unit, officers=[officer.officer])
    en.force_login(officer)
    data = _event_form(officer, consultations="-1")
    response = en.post(reverse("outreach:publicityevent_edit", args=[event.pk]), data)
    assert 'data-testid="error-consultations"' in response.text
    event.refresh_from_db()
    assert event.consultations == 10


def test_an_officer_corrects_an_assistance(en, officer, other_unit):
    mine = AssistanceEventFactory(unit=officer.officer.unit, officers=[officer.officer])
    theirs = AssistanceEventFactory(unit=other_unit)
    en.force_login(officer)
    url = reverse("outreach:assistanceevent_edit", args=[mine.pk])
    when = timezone.localtime(mine.occurred_at).strftime("%Y-%m-%dT%H:%M")
    response = en.post(
        url,
        {
            "kind": AssistanceKind.MEDICAL_ESCORT,
            "occurred_at": when,
            "location": mine.location,
            "outcome": "送医后脱离危险",
            "officers": [officer.officer.pk],
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.outcome == "送医后脱离危险"
    assert (
        "送医后脱离危险" in en.get(reverse("outreach:assistanceevent_detail", args=[mine.pk])).text
    )
    assert en.get(reverse("outreach:assistanceevent_edit", args=[theirs.pk])).status_code == 404


def test_campaign_station_and_commendation_pages(en, officer, unit):
    campaign = OutreachCampaignFactory(name="黄帽子", unit=unit, goal_target=4)
    PublicityEventFactory(unit=unit, campaign=campaign, venue_name="一小")
    station = LoveStationFactory(unit=unit)
    StationVisitDayFactory(station=station, day=dt.date(2022, 5, 1), visits=12)
    banner = CommendationFactory(officer=officer.officer, wording="人民交警为人民", photo=png())
    en.force_login(officer)
    page = en.get(reverse("outreach:outreachcampaign_detail", args=[campaign.pk])).text
    assert 'data-testid="campaign-progress">1<' in page and "一小" in page
    page = en.get(reverse("outreach:lovestation_detail", args=[station.pk])).text
    assert 'data-testid="station-total">12<' in page
    page = en.get(reverse("outreach:commendation_detail", args=[banner.pk])).text
    assert "人民交警为人民" in page
    assert reverse("outreach:commendation_photo", args=[banner.pk]) in page
    assert 'data-testid="history"' in page


# --- campaigns and love stations kept by the commanders --------------------------------------


def test_a_commander_creates_and_changes_a_campaign(en, commander, unit):
    en.force_login(commander)
    assert 'data-testid="campaign-new"' in en.get(reverse("outreach:outreachcampaign_list")).text
    url = reverse("outreach:outreachcampaign_create")
    data = {
        "name": "适老化交通安全宣传",
        "partner": "市民政局",
        "unit": unit.pk,
        "starts_on": "2022-03-01",
        "ends_on": "2022-02-01",
        "goal_kind": "community",
        "goal_target": "8",
    }
    bad = en.post(url, data)
    assert "The end date cannot be before the start date." in bad.text
    response = en.post(url, {**data, "ends_on": "2022-12-31"})
    campaign = OutreachCampaign.objects.get()
    assert response["Location"] == reverse("outreach:outreachcampaign_detail", args=[campaign.pk])
    edit = reverse("outreach:outreachcampaign_edit", args=[campaign.pk])
    assert 'value="适老化交通安全宣传"' in en.get(edit).text
    en.post(edit, {**data, "ends_on": "2022-12-31", "goal_target": "10"})
    campaign.refresh_from_db()
    assert campaign.goal_target == 10
    detail = en.get(reverse("outreach:outreachcampaign_detail", args=[campaign.pk])).text
    assert "Changed" in detail and "commander" in detail


def test_a_commander_opens_a_love_station_at_a_post_of_the_unit(en, commander, unit, other_unit):
    from tests.brigade.factories import DutyPostFactory

    mine = DutyPostFactory(unit=unit, name="百货大楼固定岗")
    theirs = DutyPostFactory(unit=other_unit)
    en.force_login(commander)
    url = reverse("outreach:lovestation_create")
    data = {
        "name": "花园路爱心驿站",
        "unit": unit.pk,
        "location": "百货大楼路口岗亭",
        "post": mine.pk,
        "opening_hours": "07:00-20:00",
        "opened_on": "2022-01-05",
        "is_active": "on",
    }
    # a post outside the commander's scope is not even offered
    refused = en.post(url, {**data, "post": theirs.pk})
    assert 'data-testid="error-post"' in refused.text
    response = en.post(url, data)
    station = LoveStation.objects.get()
    assert response["Location"] == reverse("outreach:lovestation_detail", args=[station.pk])
    assert station.post == mine and station.is_active
    en.post(reverse("outreach:lovestation_edit", args=[station.pk]), {**data, "is_active": ""})
    station.refresh_from_db()
    assert not station.is_active


def test_officers_cannot_create_campaigns_or_stations(client, officer):
    client.force_login(officer)
    assert client.get(reverse("outreach:outreachcampaign_create")).status_code == 403
    assert client.get(reverse("outreach:lovestation_create")).status_code == 403
    assert (
        'data-testid="campaign-new"'
        not in client.get(reverse("outreach:outreachcampaign_list")).text
    )


def test_a_squadron_commander_changes_only_the_campaigns_their_unit_leads(
    en, commander, brigade_commander, unit, other_unit
):
    ours = OutreachCampaignFactory(unit=unit, goal_target=5)
    theirs = OutreachCampaignFactory(unit=other_unit, goal_target=5)
    en.force_login(commander)
    # every unit reads every campaign (events are logged into them) ...
    page = en.get(reverse("outreach:outreachcampaign_detail", args=[theirs.pk]))
    assert page.status_code == 200 and 'data-testid="campaign-edit"' not in page.text
    assert (
        'data-testid="campaign-edit"'
        in en.get(reverse("outreach:outreachcampaign_detail", args=[ours.pk])).text
    )
    # ... but another unit's goal is out of this commander's reach
    edit = reverse("outreach:outreachcampaign_edit", args=[theirs.pk])
    assert en.get(edit).status_code == 404
    data = {
        "name": theirs.name,
        "unit": unit.pk,
        "starts_on": "2022-03-01",
        "goal_kind": theirs.goal_kind,
        "goal_target": "1",
    }
    assert en.post(edit, data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.goal_target == 5 and theirs.unit == other_unit
    # the brigade commander changes any campaign
    en.force_login(brigade_commander)
    assert en.get(edit).status_code == 200
