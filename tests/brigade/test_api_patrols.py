"""Patrols through the API: start, tally, check in, end; who may see and act on which."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from brigade.core.kpi import engine
from brigade.core.roles import Role
from brigade.duty.choices import PatrolMode
from brigade.duty.models import PatrolLog, ViolationTally
from tests.brigade.factories import (
    CampaignFactory,
    DutyPostFactory,
    OfficerFactory,
    PatrolLogFactory,
    ShiftFactory,
    UserFactory,
    ViolationTallyFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

PATROLS = "/api/v1/brigade/patrols/"


@pytest.fixture(autouse=True)
def english(api):
    # Messages are compared in their English source; the default language is Chinese.
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield
    translation.deactivate()  # the locale middleware leaves "en" active on this thread


def detail(patrol_id: int, action: str = "") -> str:
    return f"{PATROLS}{patrol_id}/" + (f"{action}/" if action else "")


def open_patrol_of(user, **kwargs) -> PatrolLog:
    return PatrolLogFactory(
        officer=user.officer,
        started_at=timezone.now() - dt.timedelta(hours=1),
        ended_at=None,
        **kwargs,
    )


# --- the officer's flow -------------------------------------------------------------------


def test_officer_starts_tallies_checks_in_and_ends_a_patrol(api_as, officer, unit):
    # given
    post = DutyPostFactory(unit=unit, name="东昌路口")
    client = api_as(officer)

    # when: start
    started = client.post(PATROLS, {"mode": "motorcycle", "post": post.pk}, format="json")

    # then
    assert started.status_code == 201
    patrol = started.json()
    assert patrol["officer"] == {
        "id": officer.officer.pk,
        "name": "officer",
        "badge_no": officer.officer.badge_no,
    }
    assert patrol["unit"] == {"id": unit.pk, "name": "一中队"}
    assert patrol["post"] == {"id": post.pk, "name": "东昌路口"}
    assert patrol["is_open"] is True
    assert patrol["tallies"] == []
    assert patrol["violations_total"] == 0

    # when: tally +1 twice, then -1
    for delta in (1, 1, -1):
        tallied = client.post(
            detail(patrol["id"], "tally"), {"kind": "no_helmet", "delta": delta}, format="json"
        )
        assert tallied.status_code == 200
    # then
    assert tallied.json() == {"kind": "no_helmet", "label": "No helmet", "count": 1}

    # when: check in at the patrol's post, then end
    checked_in = client.post(detail(patrol["id"], "check-in"), {}, format="json")
    ended = client.post(detail(patrol["id"], "end"), {"notes": "路口秩序良好"}, format="json")

    # then
    assert checked_in.status_code == 200
    assert checked_in.json()["checked_in_at"] is not None
    assert ended.status_code == 200
    body = ended.json()
    assert body["is_open"] is False
    assert body["ended_at"] is not None
    assert body["notes"] == "路口秩序良好"
    assert body["tallies"] == [{"kind": "no_helmet", "label": "No helmet", "count": 1}]
    assert body["violations_total"] == 1
    assert body["duration_hours"] >= 0


def test_tally_below_zero_is_refused_and_the_count_stays(api_as, officer):
    patrol = open_patrol_of(officer)
    ViolationTallyFactory(patrol=patrol, kind="speeding", count=2)

    response = api_as(officer).post(
        detail(patrol.pk, "tally"), {"kind": "speeding", "delta": -3}, format="json"
    )

    assert response.status_code == 400
    assert "delta" in response.json()
    assert ViolationTally.objects.get(patrol=patrol, kind="speeding").count == 2


def test_tally_of_an_unknown_violation_type_is_a_field_error(api_as, officer):
    patrol = open_patrol_of(officer)

    response = api_as(officer).post(
        detail(patrol.pk, "tally"), {"kind": "jaywalking_cats", "delta": 1}, format="json"
    )

    assert response.status_code == 400
    assert "kind" in response.json()


def test_second_start_while_one_is_open_is_a_conflict_that_says_why(api_as, officer):
    open_patrol_of(officer)

    response = api_as(officer).post(PATROLS, {"mode": "foot"}, format="json")

    assert response.status_code == 409
    assert "already have a patrol in progress" in response.json()["detail"]
    assert response.json()["state"] == "open"
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1


def test_end_before_start_is_a_field_error_and_the_patrol_stays_open(api_as, officer):
    patrol = open_patrol_of(officer)
    before_start = (patrol.started_at - dt.timedelta(minutes=10)).isoformat()

    response = api_as(officer).post(
        detail(patrol.pk, "end"), {"ended_at": before_start}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["ended_at"]
    patrol.refresh_from_db()
    assert patrol.ended_at is None


def test_ending_an_ended_patrol_answers_the_patrol_as_it_is(api_as, officer):
    # a repeat whose first answer was lost: the patrol ended then, and stays so
    patrol = PatrolLogFactory(officer=officer.officer)
    ended_at = patrol.ended_at

    response = api_as(officer).post(detail(patrol.pk, "end"), {"notes": "again"}, format="json")

    assert response.status_code == 200
    assert (
        response.json()["ended_at"]
        == ended_at.astimezone(timezone.get_current_timezone()).isoformat()
    )
    patrol.refresh_from_db()
    assert patrol.ended_at == ended_at and patrol.notes != "again"


def test_tally_on_an_ended_patrol_is_a_conflict(api_as, officer):
    patrol = PatrolLogFactory(officer=officer.officer)

    response = api_as(officer).post(
        detail(patrol.pk, "tally"), {"kind": "no_helmet", "delta": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["state"] == "ended"


def test_unknown_post_id_is_a_field_error(api_as, officer):
    response = api_as(officer).post(PATROLS, {"mode": "car", "post": 987654}, format="json")

    assert response.status_code == 400
    assert response.json() == {"post": ['Invalid pk "987654" - object does not exist.']}
    assert not PatrolLog.objects.exists()


def test_other_units_post_is_refused_like_an_unknown_one(api_as, officer, other_unit):
    foreign_post = DutyPostFactory(unit=other_unit)

    response = api_as(officer).post(
        PATROLS, {"mode": "car", "post": foreign_post.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"post": [f'Invalid pk "{foreign_post.pk}" - object does not exist.']}
    assert not PatrolLog.objects.exists()


def test_check_in_at_another_units_post_is_refused(api_as, officer, other_unit):
    patrol = open_patrol_of(officer)
    foreign_post = DutyPostFactory(unit=other_unit)

    response = api_as(officer).post(
        detail(patrol.pk, "check-in"), {"post": foreign_post.pk}, format="json"
    )

    assert response.status_code == 400
    assert "post" in response.json()
    patrol.refresh_from_db()
    assert patrol.checked_in_at is None


def test_start_without_an_officer_profile_says_so(api_as, db):
    commander_without_profile = UserFactory(username="desk_commander", roles=[Role.COMMANDER])

    response = api_as(commander_without_profile).post(PATROLS, {"mode": "car"}, format="json")

    assert response.status_code == 400
    assert "no officer profile" in response.json()["non_field_errors"][0]


def test_start_ignores_an_officer_named_in_the_body(api_as, officer, unit):
    colleague = OfficerFactory(unit=unit)

    response = api_as(officer).post(
        PATROLS, {"mode": "car", "officer": colleague.pk, "unit": 999}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["officer"]["id"] == officer.officer.pk
    assert not PatrolLog.objects.filter(officer=colleague).exists()


def test_patch_changes_weather_and_notes_only(api_as, officer):
    patrol = open_patrol_of(officer, mode=PatrolMode.CAR)

    response = api_as(officer).patch(
        detail(patrol.pk),
        {
            "weather": "rain",
            "notes": "暴雨",
            "mode": "foot",
            "ended_at": timezone.now().isoformat(),
        },
        format="json",
    )

    assert response.status_code == 200
    patrol.refresh_from_db()
    assert (patrol.weather, patrol.notes) == ("rain", "暴雨")
    assert patrol.mode == PatrolMode.CAR
    assert patrol.ended_at is None


def test_set_all_tallies_at_once_and_a_negative_count_is_refused(api_as, officer):
    patrol = PatrolLogFactory(officer=officer.officer)  # typed in after the patrol
    client = api_as(officer)

    ok = client.put(
        detail(patrol.pk, "tallies"), {"counts": {"no_helmet": 3, "speeding": 2}}, format="json"
    )
    refused = client.put(detail(patrol.pk, "tallies"), {"counts": {"speeding": -1}}, format="json")

    assert ok.status_code == 200
    assert ok.json() == {"counts": {"no_helmet": 3, "speeding": 2}}
    assert refused.status_code == 400
    assert list(refused.json()["counts"]) == ["speeding"]
    assert ViolationTally.objects.get(patrol=patrol, kind="speeding").count == 2


def test_only_an_admin_deletes_a_patrol(api_as, commander, admin_user, unit):
    patrol = PatrolLogFactory(officer=OfficerFactory(unit=unit))

    by_commander = api_as(commander).delete(detail(patrol.pk))
    by_admin = api_as(admin_user).delete(detail(patrol.pk))

    assert by_commander.status_code == 403
    assert by_admin.status_code == 204
    assert not PatrolLog.objects.filter(pk=patrol.pk).exists()


# --- who sees what ------------------------------------------------------------------------


def test_an_officer_sees_only_their_own_patrols(api_as, officer, unit):
    mine = PatrolLogFactory(officer=officer.officer)
    PatrolLogFactory(officer=OfficerFactory(unit=unit))  # a colleague's, same unit

    response = api_as(officer).get(PATROLS)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_another_officers_patrol_is_not_found_for_reading_or_acting(api_as, officer, other_officer):
    # given
    theirs = open_patrol_of(other_officer)
    client = api_as(officer)

    # when
    read = client.get(detail(theirs.pk))
    end = client.post(detail(theirs.pk, "end"), {}, format="json")
    tally = client.post(detail(theirs.pk, "tally"), {"kind": "no_helmet", "delta": 1})

    # then
    assert (read.status_code, end.status_code, tally.status_code) == (404, 404, 404)
    theirs.refresh_from_db()
    assert theirs.ended_at is None
    assert not theirs.tallies.exists()


def test_a_colleague_in_the_same_unit_cannot_end_my_patrol(api_as, officer, unit):
    colleague = UserFactory(username="colleague", roles=[Role.OFFICER])
    OfficerFactory(user=colleague, unit=unit)
    mine = open_patrol_of(officer)

    response = api_as(colleague).post(detail(mine.pk, "end"), {}, format="json")

    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.is_open


def test_a_clerk_has_no_access_to_patrols(api_as, clerk, officer):
    patrol = PatrolLogFactory(officer=officer.officer)
    client = api_as(clerk)

    assert client.get(PATROLS).status_code == 403
    assert client.get(detail(patrol.pk)).status_code == 403
    assert client.post(PATROLS, {"mode": "car"}, format="json").status_code == 403


def test_a_squadron_commander_sees_their_unit_and_not_the_other(
    api_as, commander, officer, other_officer
):
    ours = PatrolLogFactory(officer=officer.officer)
    theirs = PatrolLogFactory(officer=other_officer.officer)
    client = api_as(commander)

    listed = client.get(PATROLS)

    assert [row["id"] for row in listed.json()["results"]] == [ours.pk]
    assert client.get(detail(ours.pk)).status_code == 200
    assert client.get(detail(theirs.pk)).status_code == 404
    assert client.post(detail(theirs.pk, "end"), {}, format="json").status_code == 404


def test_a_commander_ends_a_patrol_in_their_unit(api_as, commander, officer):
    patrol = open_patrol_of(officer)

    response = api_as(commander).post(detail(patrol.pk, "end"), {}, format="json")

    assert response.status_code == 200
    assert response.json()["is_open"] is False


def test_the_brigade_commander_sees_every_unit(api_as, brigade_commander, officer, other_officer):
    ours = PatrolLogFactory(officer=officer.officer)
    theirs = PatrolLogFactory(officer=other_officer.officer)

    response = api_as(brigade_commander).get(PATROLS)

    assert {row["id"] for row in response.json()["results"]} == {ours.pk, theirs.pk}
    assert response.json()["count"] == 2


def test_anonymous_gets_401_not_403(api, officer):
    patrol = PatrolLogFactory(officer=officer.officer)

    assert api.get(PATROLS).status_code == 401
    assert api.post(detail(patrol.pk, "end"), {}, format="json").status_code == 401


# --- filters and pages --------------------------------------------------------------------


def _at(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def test_filters_return_the_right_rows(api_as, brigade_commander, officer, other_officer):
    # given
    crackdown = CampaignFactory(name="酒驾整治")
    march = PatrolLogFactory(
        officer=officer.officer, started_at=_at("2022-03-01"), mode=PatrolMode.FOOT
    )
    april = PatrolLogFactory(
        officer=officer.officer, started_at=_at("2022-04-10"), campaign=crackdown
    )
    other = PatrolLogFactory(
        officer=other_officer.officer, started_at=_at("2022-04-20"), mode=PatrolMode.MOTORCYCLE
    )
    client = api_as(brigade_commander)

    def ids(**params) -> set[int]:
        response = client.get(PATROLS, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    # then
    assert ids(unit=officer.officer.unit_id) == {march.pk, april.pk}
    assert ids(officer=other_officer.officer.pk) == {other.pk}
    assert ids(date_from="2022-04-01") == {april.pk, other.pk}
    assert ids(date_to="2022-03-31") == {march.pk}
    assert ids(date_from="2022-04-01", date_to="2022-04-15") == {april.pk}
    assert ids(mode="foot") == {march.pk}
    assert ids(campaign=crackdown.pk) == {april.pk}


def test_a_page_size_can_be_asked_for(api_as, officer):
    for days in range(3):
        PatrolLogFactory(
            officer=officer.officer, started_at=timezone.now() - dt.timedelta(days=days + 1)
        )

    response = api_as(officer).get(PATROLS, {"page_size": 2})

    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert "page=2" in body["next"]
    assert body["previous"] is None


# --- stale writes -------------------------------------------------------------------------


def test_detail_sends_an_etag_and_a_stale_if_match_is_refused(api_as, officer):
    # given: the officer loads the patrol, then a tally changes it
    patrol = open_patrol_of(officer)
    client = api_as(officer)
    loaded = client.get(detail(patrol.pk))
    etag = loaded["ETag"]
    client.post(detail(patrol.pk, "tally"), {"kind": "no_helmet", "delta": 1}, format="json")

    # when: a write names the version loaded before the tally
    stale = client.patch(detail(patrol.pk), {"notes": "old"}, format="json", HTTP_IF_MATCH=etag)
    stale_end = client.post(detail(patrol.pk, "end"), {}, format="json", HTTP_IF_MATCH=etag)

    # then
    assert stale.status_code == 412
    assert stale_end.status_code == 412
    patrol.refresh_from_db()
    assert patrol.notes == ""
    assert patrol.is_open


def test_a_current_if_match_is_accepted_and_answers_the_new_etag(api_as, officer):
    patrol = open_patrol_of(officer)
    client = api_as(officer)
    etag = client.get(detail(patrol.pk))["ETag"]

    response = client.patch(detail(patrol.pk), {"notes": "new"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["notes"] == "new"
    assert response["ETag"] != etag
    assert client.get(detail(patrol.pk))["ETag"] == response["ETag"]


# --- queries ------------------------------------------------------------------------------


def _queries_for(api, user, url: str) -> int:
    # A fresh user object each time, so that both requests pay for the role lookup.
    api.force_authenticate(get_user_model().objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def _patrol_with_everything(officer_profile, campaign):
    patrol = PatrolLogFactory(
        officer=officer_profile,
        post=DutyPostFactory(unit=officer_profile.unit),
        campaign=campaign,
    )
    ViolationTallyFactory(patrol=patrol, kind="no_helmet", count=2)
    ViolationTallyFactory(patrol=patrol, kind="speeding", count=1)
    return patrol


def test_patrol_list_costs_the_same_queries_for_1_and_50_patrols(api, commander, unit):
    # given
    campaign = CampaignFactory()
    officers = [OfficerFactory(unit=unit) for _ in range(5)]
    _patrol_with_everything(officers[0], campaign)
    one = _queries_for(api, commander, PATROLS)

    # when
    for i in range(49):
        _patrol_with_everything(officers[i % 5], campaign)
    fifty = _queries_for(api, commander, PATROLS)

    # then
    assert api.get(PATROLS).json()["count"] == 50
    assert one == fifty


# --- started from a shift: the post counts as staffed ---------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
KPIS = "/api/v1/dashboard/kpis/"


@time_machine.travel(dt.datetime(2022, 6, 14, 9, 30, tzinfo=SHANGHAI), tick=False)
def test_a_patrol_started_from_a_shift_moves_the_post_coverage_figure(
    api_as, officer, brigade_commander, unit, django_capture_on_commit_callbacks
):
    # given: two posts planned every day, none staffed yet, and the officer's shift at one
    post = DutyPostFactory(unit=unit, name="东昌路口", active_from=dt.date(2022, 6, 13))
    DutyPostFactory(unit=unit, active_from=dt.date(2022, 6, 13))
    shift = ShiftFactory(officer=officer.officer, post=post)
    engine.recompute_all()
    before = api_as(brigade_commander).get(KPIS).json()["metrics"]["brigade.post_coverage_rate"]
    assert (before["numerator"], before["denominator"]) == (0, 4)  # Mon + Tue, two posts

    # when: the officer starts from the shift (the change's recompute runs eagerly)
    with django_capture_on_commit_callbacks(execute=True):
        started = api_as(officer).post(PATROLS, {"mode": "foot", "shift": shift.pk}, format="json")

    # then: checked in at the shift's post, and the commander's figure counts the post-day
    assert started.status_code == 201, started.json()
    assert started.json()["post"]["id"] == post.pk
    assert started.json()["checked_in_at"] == started.json()["started_at"]
    body = api_as(brigade_commander).get(KPIS).json()
    assert body["week"] == "2022-W24"
    after = body["metrics"]["brigade.post_coverage_rate"]
    assert (after["numerator"], after["denominator"]) == (1, 4)
    assert after["value"] == 0.25


@time_machine.travel(dt.datetime(2022, 6, 14, 9, 30, tzinfo=SHANGHAI), tick=False)
def test_a_patrol_started_with_a_post_but_no_shift_is_not_checked_in(api_as, officer, unit):
    post = DutyPostFactory(unit=unit)

    started = api_as(officer).post(PATROLS, {"mode": "foot", "post": post.pk}, format="json")

    assert started.status_code == 201
    assert started.json()["checked_in_at"] is None


def test_a_shift_of_a_colleague_is_a_field_error_and_nothing_starts(api_as, officer, unit):
    shift = ShiftFactory(officer=OfficerFactory(unit=unit))

    response = api_as(officer).post(PATROLS, {"mode": "foot", "shift": shift.pk}, format="json")

    assert response.status_code == 400
    assert "shift" in response.json()
    assert not PatrolLog.objects.filter(officer=officer.officer).exists()


def test_a_shift_of_another_unit_is_refused_like_an_unknown_one(api_as, officer, other_unit):
    shift = ShiftFactory(officer=OfficerFactory(unit=other_unit))

    response = api_as(officer).post(PATROLS, {"mode": "foot", "shift": shift.pk}, format="json")

    assert response.status_code == 400
    assert "shift" in response.json()
