"""The outreach services: what they store, and the rules a reviewer will try to break."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from brigade.core.errors import TransitionNotAllowed
from outreach import services
from outreach.choices import AssistanceKind, CommendationKind, VenueKind
from outreach.models import EventPhoto, PublicityEvent, StationVisitDay
from tests.brigade.factories import OfficerFactory
from tests.outreach.factories import (
    LoveStationFactory,
    OutreachCampaignFactory,
    fake_image,
    png,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def _event(by, **changes):
    data = {
        "by": by,
        "held_on": dt.date(2022, 5, 10),
        "venue_kind": VenueKind.SCHOOL,
        "venue_name": "实验小学",
        "topic": "交通安全第一课",
        "officers": [by.officer],
        "audience": 600,
        "consultations": 40,
        "materials": 300,
    }
    data.update(changes)
    return services.event_save(**data)


def test_an_event_belongs_to_the_recorders_unit_and_keeps_its_officers(officer):
    colleague = OfficerFactory(unit=officer.officer.unit)
    event = _event(officer, officers=[officer.officer, colleague])
    assert event.unit == officer.officer.unit
    assert event.recorded_by == officer
    assert set(event.officers.all()) == {officer.officer, colleague}
    assert (event.audience, event.consultations, event.materials) == (600, 40, 300)


def test_an_admin_without_a_unit_records_the_event_in_the_officers_unit(admin_user, unit):
    present = OfficerFactory(unit=unit)
    event = services.event_save(
        by=admin_user,
        held_on=dt.date(2022, 5, 10),
        venue_kind=VenueKind.COMMUNITY,
        venue_name="柳园社区",
        topic="电动车安全",
        officers=[present],
    )
    assert event.unit == unit


def test_an_admin_must_name_an_officer(admin_user):
    with pytest.raises(ValidationError) as exc:
        services.event_save(
            by=admin_user,
            held_on=dt.date(2022, 5, 10),
            venue_kind=VenueKind.COMMUNITY,
            venue_name="柳园社区",
            topic="电动车安全",
        )
    assert "officers" in exc.value.message_dict


@pytest.mark.parametrize("field", ["audience", "consultations", "materials"])
def test_negative_counts_are_refused(officer, field):
    with pytest.raises(ValidationError) as exc:
        _event(officer, **{field: -1})
    assert field in exc.value.message_dict
    assert not PublicityEvent.objects.exists()


def test_an_audience_over_100000_needs_a_confirmation(officer):
    with pytest.raises(ValidationError) as exc:
        _event(officer, audience=100_001)
    assert "confirm" in exc.value.message_dict["audience"][0]
    assert not PublicityEvent.objects.exists()
    event = _event(officer, audience=100_001, confirm_large_audience=True)
    assert event.audience == 100_001
    # exactly the limit needs nothing
    assert _event(officer, audience=100_000).audience == 100_000


def test_a_confirmed_large_audience_is_not_asked_again_when_another_field_changes(officer):
    event = _event(officer, audience=150_000, confirm_large_audience=True)
    event = _event(officer, event=event, audience=150_000, topic="新的主题")
    assert event.topic == "新的主题"
    with pytest.raises(ValidationError):
        _event(officer, event=event, audience=160_000)


def test_a_future_date_is_refused(officer):
    with pytest.raises(ValidationError) as exc:
        _event(officer, held_on=timezone.localdate() + dt.timedelta(days=1))
    assert "held_on" in exc.value.message_dict
    assert _event(officer, held_on=timezone.localdate()).held_on == timezone.localdate()


def test_an_event_joins_only_a_campaign_running_on_its_day(officer):
    campaign = OutreachCampaignFactory(starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 6, 30))
    assert _event(officer, campaign=campaign).campaign == campaign
    with pytest.raises(ValidationError) as exc:
        _event(officer, campaign=campaign, held_on=dt.date(2022, 2, 1))
    assert "campaign" in exc.value.message_dict


def test_photos_must_be_images_by_content(officer):
    event = _event(officer)
    photo = services.event_add_photo(event=event, photo=png(), by=officer, caption="合影")
    assert photo.photo.name.startswith("outreach/photos/") and photo.photo.name.endswith(".png")
    with pytest.raises(ValidationError) as exc:
        services.event_add_photo(event=event, photo=fake_image(), by=officer)
    assert "photo" in exc.value.message_dict
    assert EventPhoto.objects.count() == 1


def test_assistance_is_logged_with_its_officers(officer):
    when = timezone.now() - dt.timedelta(hours=2)
    help_ = services.assistance_save(
        by=officer,
        kind=AssistanceKind.REUNITED,
        occurred_at=when,
        location="东昌路百货大楼",
        outcome="走失老人已交还家属",
        officers=[officer.officer],
    )
    assert help_.unit == officer.officer.unit
    assert list(help_.officers.all()) == [officer.officer]
    assert help_.get_kind_display() == "Lost elder or child reunited"


def test_assistance_in_the_future_is_refused(officer):
    with pytest.raises(ValidationError) as exc:
        services.assistance_save(
            by=officer,
            kind=AssistanceKind.EXAM_ESCORT,
            occurred_at=timezone.now() + dt.timedelta(hours=1),
            location="一中考点",
            outcome="按时送达",
        )
    assert "occurred_at" in exc.value.message_dict


def test_a_commendation_goes_to_exactly_one_officer_or_unit(clerk, unit, other_unit):
    hero = OfficerFactory(unit=other_unit)
    to_officer = services.commendation_save(
        by=clerk, giver="李女士", received_on=dt.date(2022, 3, 3), officer=hero
    )
    assert to_officer.unit == other_unit  # scoped with the officer's unit
    to_unit = services.commendation_save(
        by=clerk,
        giver="实验小学",
        received_on=dt.date(2022, 3, 3),
        recipient_unit=unit,
        kind=CommendationKind.LETTER,
    )
    assert to_unit.unit == unit
    for both in ({"officer": hero, "recipient_unit": unit}, {}):
        with pytest.raises(ValidationError) as exc:
            services.commendation_save(
                by=clerk, giver="某人", received_on=dt.date(2022, 3, 3), **both
            )
        assert "officer" in exc.value.message_dict


def test_a_commendation_photo_must_be_an_image_and_its_date_not_future(clerk, unit):
    with pytest.raises(ValidationError) as exc:
        services.commendation_save(
            by=clerk,
            giver="张先生",
            received_on=dt.date(2022, 3, 3),
            recipient_unit=unit,
            photo=fake_image(),
        )
    assert "photo" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.commendation_save(
            by=clerk,
            giver="张先生",
            received_on=timezone.localdate() + dt.timedelta(days=2),
            recipient_unit=unit,
        )
    assert "received_on" in exc.value.message_dict
    ok = services.commendation_save(
        by=clerk, giver="张先生", received_on=dt.date(2022, 3, 3), recipient_unit=unit, photo=png()
    )
    assert ok.photo.name.endswith(".png")


def test_station_taps_add_up_and_never_go_below_zero(unit):
    station = LoveStationFactory(unit=unit)
    day = timezone.localdate()
    assert services.station_tally(station=station, delta=1) == 1
    assert services.station_tally(station=station, delta=1) == 2
    assert services.station_tally(station=station, delta=-1) == 1
    assert services.station_tally(station=station, delta=-1) == 0
    with pytest.raises(ValidationError):
        services.station_tally(station=station, delta=-1)
    assert StationVisitDay.objects.get(station=station, day=day).visits == 0
    # the day's row was created once, then every accepted tap left a history row
    assert StationVisitDay.history.filter(station_id=station.pk).count() == 1 + 4


def test_a_closed_station_takes_no_visits(unit):
    station = LoveStationFactory(unit=unit, is_active=False)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.station_tally(station=station, delta=1)
    assert exc.value.state == "inactive"


def test_station_visits_set_outright_refuse_negatives_and_future_days(unit):
    station = LoveStationFactory(unit=unit)
    row = services.station_set_visits(station=station, day=dt.date(2022, 5, 1), visits=17)
    assert row.visits == 17
    with pytest.raises(ValidationError):
        services.station_set_visits(station=station, day=dt.date(2022, 5, 1), visits=-3)
    with pytest.raises(ValidationError):
        services.station_set_visits(
            station=station, day=timezone.localdate() + dt.timedelta(days=1), visits=3
        )


def test_event_history_records_who_changed_the_officers(officer):
    event = _event(officer)
    other = OfficerFactory(unit=officer.officer.unit)
    _event(officer, event=event, officers=[other], audience=700)
    records = list(event.history.order_by("history_date", "history_id"))
    assert {r.history_user for r in records} == {officer}
    assert (records[0].audience, records[-1].audience) == (600, 700)
    crews = [[row.officer_id for row in r.officers.all()] for r in records]
    assert [officer.officer.pk] in crews
    assert crews[-1] == [other.pk]


def test_campaign_and_station_saves_check_the_models_rules(commander, unit, other_unit):
    from tests.brigade.factories import DutyPostFactory

    with pytest.raises(ValidationError) as exc:
        services.campaign_save(
            by=commander,
            name="黄帽子",
            unit=unit,
            starts_on=dt.date(2022, 2, 14),
            goal_kind="school",
            goal_target=0,
        )
    assert "goal_target" in exc.value.message_dict or "__all__" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.station_save(
            by=commander,
            name="驿站",
            unit=unit,
            location="岗亭",
            opening_hours="全天",
            opened_on=dt.date(2022, 1, 1),
            post=DutyPostFactory(unit=other_unit),
        )
    assert "post" in exc.value.message_dict
