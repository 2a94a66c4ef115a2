"""The outreach API: what a client sends and gets back, the validation rules, scoping,
photos, the love stations' tally, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.choices import AssistanceKind, GoalKind, VenueKind
from outreach.models import AssistanceEvent, Commendation, EventPhoto, PublicityEvent
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

EVENTS = "/api/v1/outreach/events/"
ASSISTANCE = "/api/v1/outreach/assistance/"
COMMENDATIONS = "/api/v1/outreach/commendations/"
STATIONS = "/api/v1/outreach/love-stations/"
CAMPAIGNS = "/api/v1/outreach/campaigns/"


def _event_body(officer_user, **changes):
    body = {
        "held_on": "2022-05-10",
        "venue_kind": VenueKind.SCHOOL,
        "venue_name": "实验小学",
        "topic": "交通安全第一课",
        "officers": [officer_user.officer.pk],
        "audience": 600,
        "consultations": 40,
        "materials": 300,
    }
    body.update(changes)
    return body


def test_an_officer_logs_an_event_and_reads_it_back(api_as, officer):
    client = api_as(officer)
    response = client.post(EVENTS, _event_body(officer), format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["unit"]["id"] == officer.officer.unit_id
    assert [o["id"] for o in body["officers"]] == [officer.officer.pk]
    assert body["recorded_by"] == "officer"
    assert "confirm_large_audience" not in body
    got = client.get(f"{EVENTS}{body['id']}/")
    assert got.data["audience"] == 600 and got["ETag"]


@pytest.mark.parametrize("field", ["audience", "consultations", "materials"])
def test_negative_counts_answer_400(api_as, officer, field):
    response = api_as(officer).post(EVENTS, _event_body(officer, **{field: -5}), format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not PublicityEvent.objects.exists()


def test_a_huge_audience_answers_400_until_confirmed(api_as, officer):
    client = api_as(officer)
    response = client.post(EVENTS, _event_body(officer, audience=250_000), format="json")
    assert response.status_code == 400
    assert "confirm" in str(response.data["audience"][0])
    response = client.post(
        EVENTS, _event_body(officer, audience=250_000, confirm_large_audience=True), format="json"
    )
    assert response.status_code == 201
    assert response.data["audience"] == 250_000


def test_a_future_date_answers_400(api_as, officer):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api_as(officer).post(EVENTS, _event_body(officer, held_on=tomorrow), format="json")
    assert response.status_code == 400
    assert "held_on" in response.data


def test_officers_of_another_unit_cannot_be_named(api_as, officer, other_unit):
    stranger = OfficerFactory(unit=other_unit)
    response = api_as(officer).post(
        EVENTS, _event_body(officer, officers=[stranger.pk]), format="json"
    )
    assert response.status_code == 400
    assert "officers" in response.data


def test_patch_keeps_the_other_fields_and_if_match_guards_stale_writes(api_as, officer):
    client = api_as(officer)
    created = client.post(EVENTS, _event_body(officer), format="json").data
    url = f"{EVENTS}{created['id']}/"
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"consultations": 55}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert (response.data["consultations"], response.data["audience"]) == (55, 600)
    assert [o["id"] for o in response.data["officers"]] == [officer.officer.pk]
    stale = client.patch(url, {"consultations": 56}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


def test_other_units_events_are_404_and_not_listed(api_as, officer, other_unit):
    theirs = PublicityEventFactory(unit=other_unit)
    mine = PublicityEventFactory(unit=officer.officer.unit)
    client = api_as(officer)
    assert client.get(f"{EVENTS}{theirs.pk}/").status_code == 404
    ids = [row["id"] for row in client.get(EVENTS).data["results"]]
    assert ids == [mine.pk]


def test_events_filter_by_kind_dates_and_unit(api_as, brigade_commander, unit, other_unit):
    a = PublicityEventFactory(unit=unit, venue_kind=VenueKind.SCHOOL, held_on=dt.date(2022, 3, 1))
    PublicityEventFactory(unit=unit, venue_kind=VenueKind.COMMUNITY, held_on=dt.date(2022, 3, 2))
    PublicityEventFactory(unit=other_unit, venue_kind=VenueKind.SCHOOL, held_on=dt.date(2022, 3, 3))
    PublicityEventFactory(unit=unit, venue_kind=VenueKind.SCHOOL, held_on=dt.date(2022, 7, 1))
    query = f"?venue_kind=school&unit={unit.pk}&date_from=2022-01-01&date_to=2022-06-30"
    rows = api_as(brigade_commander).get(EVENTS + query).data
    assert rows["count"] == 1 and rows["results"][0]["id"] == a.pk


def test_photos_upload_as_multipart_and_only_images(api_as, officer):
    client = api_as(officer)
    event = client.post(EVENTS, _event_body(officer), format="json").data
    url = f"{EVENTS}{event['id']}/photos/"
    bad = client.post(url, {"photo": fake_image()}, format="multipart")
    assert bad.status_code == 400 and "photo" in bad.data
    good = client.post(url, {"photo": png(), "caption": "宣讲现场"}, format="multipart")
    assert good.status_code == 201
    assert good.data["photos"][0]["caption"] == "宣讲现场"
    photo = EventPhoto.objects.get()
    assert good.data["photos"][0]["url"] == f"/outreach/photos/{photo.pk}/"


def test_a_clerk_reads_events_but_cannot_log_one(api_as, clerk):
    client = api_as(clerk)
    assert client.get(EVENTS).status_code == 200
    response = client.post(EVENTS, {}, format="json")
    assert response.status_code == 403


def test_anonymous_gets_401(api):
    assert api.get(EVENTS).status_code == 401


def test_assistance_is_logged_and_future_times_refused(api_as, officer):
    client = api_as(officer)
    when = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    response = client.post(
        ASSISTANCE,
        {
            "kind": AssistanceKind.MEDICAL_ESCORT,
            "occurred_at": when,
            "location": "东昌东路",
            "outcome": "送至市人民医院",
            "officers": [officer.officer.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["unit"]["id"] == officer.officer.unit_id
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        ASSISTANCE,
        {"kind": "other", "occurred_at": future, "location": "x", "outcome": "y"},
        format="json",
    )
    assert response.status_code == 400 and "occurred_at" in response.data
    assert AssistanceEvent.objects.count() == 1


def test_an_officer_cannot_delete_assistance_but_a_commander_can(api_as, officer, commander):
    help_ = AssistanceEventFactory(unit=officer.officer.unit)
    assert api_as(officer).delete(f"{ASSISTANCE}{help_.pk}/").status_code == 403
    assert api_as(commander).delete(f"{ASSISTANCE}{help_.pk}/").status_code == 204


def test_a_clerk_records_a_commendation_to_exactly_one_recipient(api_as, clerk, unit):
    client = api_as(clerk)
    hero = OfficerFactory(unit=unit)
    both = client.post(
        COMMENDATIONS,
        {
            "giver": "王女士",
            "received_on": "2022-04-01",
            "officer": hero.pk,
            "recipient_unit": unit.pk,
        },
        format="json",
    )
    assert both.status_code == 400 and "officer" in both.data
    response = client.post(
        COMMENDATIONS,
        {"giver": "王女士", "received_on": "2022-04-01", "officer": hero.pk, "photo": png()},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    assert response.data["unit"]["id"] == unit.pk
    assert response.data["photo_url"].endswith("/photo/")
    fake = client.post(
        COMMENDATIONS,
        {"giver": "王女士", "received_on": "2022-04-01", "officer": hero.pk, "photo": fake_image()},
        format="multipart",
    )
    assert fake.status_code == 400 and "photo" in fake.data
    assert Commendation.objects.count() == 1


def test_an_officer_cannot_record_a_commendation(api_as, officer):
    assert api_as(officer).post(COMMENDATIONS, {}, format="json").status_code == 403


def test_station_tally_taps_and_sets_and_refuses_below_zero(api_as, officer):
    station = LoveStationFactory(unit=officer.officer.unit)
    client = api_as(officer)
    url = f"{STATIONS}{station.pk}/tally/"
    assert client.post(url, {"delta": 1}, format="json").data["visits"] == 1
    assert client.post(url, {"delta": 1}, format="json").data["visits"] == 2
    assert client.post(url, {"delta": -1}, format="json").data["visits"] == 1
    response = client.post(url, {"day": "2022-05-01", "visits": 23}, format="json")
    assert response.data == {"day": "2022-05-01", "visits": 23}
    assert client.post(url, {"day": "2022-05-02", "visits": -1}, format="json").status_code == 400
    assert client.post(url, {"delta": 5}, format="json").status_code == 400
    client.post(url, {"delta": -1}, format="json")
    below = client.post(url, {"delta": -1}, format="json")
    assert below.status_code == 400
    listed = client.get(f"{STATIONS}{station.pk}/").data
    assert (listed["visits_today"], listed["visits_total"]) == (0, 23)


def test_a_closed_station_answers_409_naming_its_state(api_as, officer):
    station = LoveStationFactory(unit=officer.officer.unit, is_active=False)
    response = api_as(officer).post(f"{STATIONS}{station.pk}/tally/", {"delta": 1}, format="json")
    assert response.status_code == 409
    assert response.data["state"] == "inactive"


def test_a_station_post_must_belong_to_its_unit(api_as, admin_user, unit, other_unit):
    from tests.brigade.factories import DutyPostFactory

    post = DutyPostFactory(unit=other_unit)
    response = api_as(admin_user).post(
        STATIONS,
        {
            "name": "花园路爱心驿站",
            "location": "花园路岗亭",
            "opening_hours": "08:00-20:00",
            "unit": unit.pk,
            "post": post.pk,
            "opened_on": "2022-01-05",
        },
        format="json",
    )
    assert response.status_code == 400 and "post" in response.data


def test_campaign_progress_counts_distinct_schools(api_as, officer, unit, other_unit):
    campaign = OutreachCampaignFactory(unit=unit, goal_kind=GoalKind.SCHOOLS, goal_target=10)
    PublicityEventFactory(unit=unit, campaign=campaign, venue_name="一小")
    PublicityEventFactory(unit=unit, campaign=campaign, venue_name="一小")
    PublicityEventFactory(unit=other_unit, campaign=campaign, venue_name="二小")
    PublicityEventFactory(
        unit=unit, campaign=campaign, venue_name="柳园社区", venue_kind=VenueKind.COMMUNITY
    )
    body = api_as(officer).get(f"{CAMPAIGNS}{campaign.pk}/").data
    assert (body["progress"], body["goal_target"], body["event_count"]) == (2, 10, 4)


def test_a_campaign_target_must_be_positive(api_as, commander, unit):
    response = api_as(commander).post(
        CAMPAIGNS,
        {
            "name": "适老化宣传",
            "unit": unit.pk,
            "starts_on": "2022-03-01",
            "goal_kind": GoalKind.COMMUNITIES,
            "goal_target": 0,
        },
        format="json",
    )
    assert response.status_code == 400 and "goal_target" in response.data


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url,make,expected",
    [
        # count + rows, + officers and photos prefetched
        (EVENTS, "event", 4),
        # count + rows + officers
        (ASSISTANCE, "assistance", 3),
        (COMMENDATIONS, "commendation", 2),
        (STATIONS, "station", 2),
        (CAMPAIGNS, "campaign", 2),
    ],
)
def test_list_queries_do_not_grow_with_rows(api_as, commander, url, make, expected):
    unit = commander.officer.unit
    officers = [OfficerFactory(unit=unit) for _ in range(2)]

    def add(n: int) -> None:
        if make == "event":
            event = PublicityEventFactory(unit=unit, officers=officers)
            EventPhoto.objects.create(event=event, photo=png())
        elif make == "assistance":
            AssistanceEventFactory(unit=unit, officers=officers)
        elif make == "commendation":
            CommendationFactory(officer=officers[0])
        elif make == "station":
            StationVisitDayFactory(station=LoveStationFactory(unit=unit))
        else:
            campaign = OutreachCampaignFactory(unit=unit)
            PublicityEventFactory(unit=unit, campaign=campaign)

    client = api_as(commander)
    client.get(url)  # the user's scope is looked up once, then cached on the user
    add(0)
    one = _queries(client, url)
    for n in range(1, 20):
        add(n)
    many = _queries(client, url)
    assert one == many == expected


def test_campaigns_are_read_by_all_but_changed_by_their_lead_unit(
    api_as, commander, brigade_commander, unit, other_unit
):
    theirs = OutreachCampaignFactory(unit=other_unit, goal_target=5)
    client = api_as(commander)
    assert client.get(f"{CAMPAIGNS}{theirs.pk}/").status_code == 200
    assert client.patch(f"{CAMPAIGNS}{theirs.pk}/", {"goal_target": 1}).status_code == 404
    assert client.delete(f"{CAMPAIGNS}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.goal_target == 5
    changed = api_as(brigade_commander).patch(f"{CAMPAIGNS}{theirs.pk}/", {"goal_target": 7})
    assert changed.status_code == 200 and changed.data["goal_target"] == 7
