"""The brigade's HTML pages as their users see them: status, what is on the page, the DB."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brigade.duty import services
from brigade.duty.choices import AssessmentResult, PatrolMode, PostKind, Weather
from brigade.duty.models import Attendance, PatrolLog, SchoolBreak, ViolationTally
from tests.brigade.factories import (
    AttendanceFactory,
    CampaignFactory,
    DutyPostFactory,
    OfficerFactory,
    PatrolLogFactory,
    RoadWorksZoneFactory,
    ShiftFactory,
    TrainingSessionFactory,
    ViolationTallyFactory,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

HTMX = {"HX-Request": "true"}


@pytest.fixture
def en(client):
    """The test client, reading the pages in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def local(year, month, day, hour=0, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def rows(response, prefix="patrol-row-"):
    """The primary keys of the rows a list page shows."""
    return {int(pk) for pk in re.findall(rf'data-testid="{prefix}(\d+)"', response.text)}


# --- the officer's journey ------------------------------------------------------------------


def test_officer_journey_start_tally_check_in_weather_end_then_my_patrols(en, officer):
    # given a shift today at a post of the officer's unit
    me = officer.officer
    post = DutyPostFactory(unit=me.unit, name="花园路口岗")
    shift = ShiftFactory(officer=me, post=post, starts_at=timezone.now())
    en.force_login(officer)

    page = en.get(reverse("brigade:duty"))
    assert page.status_code == 200
    assert "花园路口岗" in page.text
    assert f'data-testid="shift-start-{shift.pk}"' in page.text

    # when the officer starts from the shift
    response = en.post(
        reverse("brigade:patrollog_start"), {"shift": shift.pk, "mode": PatrolMode.FOOT}
    )
    assert response.status_code == 302
    patrol = PatrolLog.objects.get(officer=me)
    assert patrol.is_open and patrol.post == post and patrol.mode == PatrolMode.FOOT
    # the officer is at the shift's post: checked in there when the patrol started
    assert patrol.checked_in_at == patrol.started_at
    page = en.get(reverse("brigade:duty"))
    assert 'data-testid="open-patrol"' in page.text
    assert 'data-testid="tally-plus-drunk_driving"' in page.text

    # tally +1 +1 -1 through htmx: the counter answers in place
    tally_url = reverse("brigade:patrollog_tally", args=[patrol.pk])
    for delta in (1, 1, -1):
        response = en.post(tally_url, {"kind": "no_helmet", "delta": delta}, headers=HTMX)
    assert response.status_code == 200
    assert re.search(r'data-testid="tally-count-no_helmet"[^>]*>1<', response.text)
    assert ViolationTally.objects.get(patrol=patrol, kind="no_helmet").count == 1

    # below zero is refused, the count stays
    response = en.post(tally_url, {"kind": "speeding", "delta": -1}, headers=HTMX)
    assert "cannot go below zero" in response.text
    assert re.search(r'data-testid="tally-count-speeding"[^>]*>0<', response.text)
    assert not ViolationTally.objects.filter(patrol=patrol, kind="speeding", count__gt=0).exists()

    # check-in at the post, then weather and notes
    response = en.post(reverse("brigade:patrollog_check_in", args=[patrol.pk]), {"post": post.pk})
    assert response.status_code == 302
    response = en.post(
        reverse("brigade:patrollog_update", args=[patrol.pk]),
        {"weather": Weather.RAIN, "notes": "雨天加强巡逻"},
    )
    assert response.status_code == 302
    page = en.get(reverse("brigade:duty"))
    assert "Checked in at 花园路口岗" in page.text
    patrol.refresh_from_db()
    assert patrol.checked_in_at is not None
    assert (patrol.weather, patrol.notes) == (Weather.RAIN, "雨天加强巡逻")

    # end: a patrol of 0 minutes is asked about once, then ended
    end_url = reverse("brigade:patrollog_end", args=[patrol.pk])
    response = en.post(end_url, {"ended_at": ""})
    assert "This patrol lasted 0 minutes: end it anyway?" in response.text
    patrol.refresh_from_db()
    assert patrol.is_open
    response = en.post(end_url, {"ended_at": "", "confirm_zero": "1"}, follow=True)
    assert "Patrol ended" in response.text
    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    assert 'data-testid="open-patrol"' not in response.text

    # then it is in "my patrols" with its violation total, and its detail shows history
    page = en.get(reverse("brigade:patrollog_list"))
    assert "My patrols" in page.text
    assert rows(page) == {patrol.pk}
    assert re.search(rf'data-testid="patrol-total-{patrol.pk}">1<', page.text)
    detail = en.get(reverse("brigade:patrollog_detail", args=[patrol.pk]))
    assert detail.status_code == 200
    assert "No helmet" in detail.text
    assert "Rain" in detail.text
    history = detail.text.split('data-testid="patrol-history"')[1]
    assert 'data-testid="history-who">officer</td>' in history  # who changed it
    assert re.search(r"No helmet: <del[^>]*>2</del> → <strong>1</strong>", history)
    assert re.search(r"Weather: <strong>Rain</strong>", history)
    assert "Ended at:" in history and "Checked in at post:" in history


def test_tally_without_javascript_redirects_back_to_the_counter(en, officer):
    patrol = services.patrol_start(officer=officer.officer, mode=PatrolMode.CAR)
    en.force_login(officer)

    response = en.post(
        reverse("brigade:patrollog_tally", args=[patrol.pk]), {"kind": "red_light", "delta": 1}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("brigade:duty") + "#tally-red_light"
    page = en.get(response["Location"])
    assert re.search(r'data-testid="tally-count-red_light"[^>]*>1<', page.text)


def test_tally_below_zero_without_javascript_says_so(en, officer):
    patrol = services.patrol_start(officer=officer.officer, mode=PatrolMode.CAR)
    en.force_login(officer)

    response = en.post(
        reverse("brigade:patrollog_tally", args=[patrol.pk]),
        {"kind": "speeding", "delta": -1},
        follow=True,
    )

    assert "Speeding: The count cannot go below zero." in response.text
    assert not ViolationTally.objects.filter(patrol=patrol, count__gt=0).exists()


def test_start_form_with_a_post_zone_campaign_and_weather(en, officer):
    me = officer.officer
    post = DutyPostFactory(unit=me.unit)
    zone = RoadWorksZoneFactory(unit=me.unit)
    campaign = CampaignFactory(focus="drunk_driving")
    en.force_login(officer)

    en.post(
        reverse("brigade:patrollog_start"),
        {
            "mode": PatrolMode.MOTORCYCLE,
            "post": post.pk,
            "zone": zone.pk,
            "campaign": campaign.pk,
            "weather": Weather.FOG,
        },
    )

    patrol = PatrolLog.objects.get(officer=me)
    assert (patrol.post, patrol.zone, patrol.campaign) == (post, zone, campaign)
    assert patrol.weather == Weather.FOG
    page = en.get(reverse("brigade:duty"))
    assert "Focus of the campaign" in page.text  # the campaign's target is highlighted


def test_start_refuses_a_post_of_another_unit(en, officer, other_unit):
    foreign_post = DutyPostFactory(unit=other_unit)
    en.force_login(officer)

    response = en.post(
        reverse("brigade:patrollog_start"), {"mode": PatrolMode.FOOT, "post": foreign_post.pk}
    )

    assert response.status_code == 200
    assert 'data-testid="error-post"' in response.text
    assert not PatrolLog.objects.exists()


def test_second_start_while_open_is_refused_with_the_message(en, officer):
    en.force_login(officer)
    en.post(reverse("brigade:patrollog_start"), {"mode": PatrolMode.FOOT})

    response = en.post(reverse("brigade:patrollog_start"), {"mode": PatrolMode.CAR}, follow=True)

    assert "You already have a patrol in progress" in response.text
    assert PatrolLog.objects.filter(officer=officer.officer).count() == 1
    assert PatrolLog.objects.get().mode == PatrolMode.FOOT


def test_end_before_start_is_refused_with_a_field_error(en, officer):
    started = timezone.now() - dt.timedelta(hours=1)
    patrol = services.patrol_start(officer=officer.officer, mode=PatrolMode.CAR, started_at=started)
    en.force_login(officer)
    before = timezone.localtime(started - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = en.post(reverse("brigade:patrollog_end", args=[patrol.pk]), {"ended_at": before})

    assert response.status_code == 200
    assert 'data-testid="error-ended_at"' in response.text
    assert "The end must be after the start of the patrol." in response.text
    patrol.refresh_from_db()
    assert patrol.is_open


def test_ending_an_already_ended_patrol_shows_it_ended(en, officer):
    # a repeat (the first answer lost on the way): the outcome is there, shown as such
    patrol = PatrolLogFactory(officer=officer.officer)  # ended
    ended_at = patrol.ended_at
    en.force_login(officer)

    response = en.post(reverse("brigade:patrollog_end", args=[patrol.pk]), {}, follow=True)

    assert "Patrol ended:" in response.text
    assert "This patrol has already ended." not in response.text
    patrol.refresh_from_db()
    assert patrol.ended_at == ended_at


def test_check_in_without_a_post_is_a_field_error(en, officer):
    patrol = services.patrol_start(officer=officer.officer, mode=PatrolMode.FOOT)
    en.force_login(officer)

    response = en.post(reverse("brigade:patrollog_check_in", args=[patrol.pk]), {"post": ""})

    assert response.status_code == 200
    assert "Choose the post you are checking in at." in response.text
    patrol.refresh_from_db()
    assert patrol.checked_in_at is None


def test_duty_page_without_a_shift_says_so(en, officer):
    en.force_login(officer)
    page = en.get(reverse("brigade:duty"))
    assert 'data-testid="no-shifts"' in page.text
    assert 'data-testid="patrol-start"' in page.text


# --- scoping and roles ----------------------------------------------------------------------


def test_officer_cannot_open_or_tally_another_officers_patrol(client, officer, other_officer):
    theirs = PatrolLogFactory(officer=other_officer.officer, ended_at=None)
    colleague = PatrolLogFactory(officer=OfficerFactory(unit=officer.officer.unit))
    client.force_login(officer)

    assert client.get(reverse("brigade:patrollog_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("brigade:patrollog_detail", args=[colleague.pk])).status_code == 404
    response = client.post(
        reverse("brigade:patrollog_tally", args=[theirs.pk]), {"kind": "speeding", "delta": 1}
    )
    assert response.status_code == 404
    assert not ViolationTally.objects.exists()
    assert rows(client.get(reverse("brigade:patrollog_list"))) == set()


def test_squadron_commander_gets_404_on_another_unit_brigade_commander_sees_it(
    client, commander, brigade_commander, other_officer
):
    theirs = PatrolLogFactory(officer=other_officer.officer)

    client.force_login(commander)
    assert client.get(reverse("brigade:patrollog_detail", args=[theirs.pk])).status_code == 404
    assert theirs.pk not in rows(client.get(reverse("brigade:patrollog_list")))

    client.force_login(brigade_commander)
    assert client.get(reverse("brigade:patrollog_detail", args=[theirs.pk])).status_code == 200
    assert theirs.pk in rows(client.get(reverse("brigade:patrollog_list")))


def test_clerk_gets_403_on_patrols_duty_and_trainings_but_sees_posts(client, clerk):
    session = TrainingSessionFactory(unit=clerk.officer.unit)
    patrol = PatrolLogFactory(officer=OfficerFactory(unit=clerk.officer.unit))
    client.force_login(clerk)

    for url in (
        reverse("brigade:patrollog_list"),
        reverse("brigade:patrollog_detail", args=[patrol.pk]),
        reverse("brigade:duty"),
        reverse("brigade:trainingsession_list"),
        reverse("brigade:trainingsession_detail", args=[session.pk]),
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("brigade:dutypost_list"),
        reverse("brigade:roadworkszone_list"),
        reverse("brigade:campaign_list"),
    ):
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login(client):
    for name in (
        "home",
        "brigade:duty",
        "brigade:patrollog_list",
        "brigade:dutypost_list",
        "brigade:trainingsession_list",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("officer", "brigade:duty"),
        ("commander", "dashboard"),
        ("admin_user", "dashboard"),
        ("clerk", "petitions:ticket_list"),
    ],
)
def test_home_sends_each_role_to_its_landing_page(client, request, persona, landing):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_officer_cannot_record_training_results(client, officer):
    session = TrainingSessionFactory(unit=officer.officer.unit)
    client.force_login(officer)

    assert (
        client.get(reverse("brigade:trainingsession_detail", args=[session.pk])).status_code == 200
    )
    response = client.post(
        reverse("brigade:trainingsession_detail", args=[session.pk]),
        {"officer": officer.officer.pk, "attended": "on", "result": AssessmentResult.PASSED},
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# --- login, lockout, language ---------------------------------------------------------------


def test_login_and_logout(en, officer):
    page = en.get(reverse("login"))
    assert 'name="username"' in page.text and 'name="password"' in page.text

    response = en.post(reverse("login"), {"username": "officer", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert en.get(reverse("brigade:duty")).status_code == 200

    response = en.post(reverse("logout"))
    assert response.status_code == 302
    assert en.get(reverse("brigade:duty")).status_code == 302


def test_repeated_wrong_passwords_show_the_lockout_page(en, officer, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = en.post(reverse("login"), {"username": "officer", "password": "wrong"})

    assert response.status_code == 429
    assert "Account locked" in response.text
    response = en.post(reverse("login"), {"username": "officer", "password": "pw-for-tests-1"})
    assert response.status_code == 429


def test_default_language_is_chinese_and_english_on_request(client, officer):
    client.force_login(officer)

    page = client.get(reverse("brigade:duty"))
    assert '<html lang="zh-hans">' in page.text
    assert "今日勤务" in page.text

    page = client.get(reverse("brigade:duty"), headers={"Accept-Language": "en"})
    assert '<html lang="en">' in page.text
    assert "My duty today" in page.text


def test_language_switch_in_the_navbar_sets_english(client, officer):
    client.force_login(officer)
    page = client.get(reverse("brigade:duty"))
    assert 'data-testid="lang-en"' in page.text

    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("brigade:duty")}
    )

    assert response.status_code == 302
    assert "My duty today" in client.get(reverse("brigade:duty")).text


# --- the commander's patrol list --------------------------------------------------------------


def test_commander_patrol_list_filters_by_officer_date_mode_and_campaign(en, commander):
    unit = commander.officer.unit
    wang, li = OfficerFactory(unit=unit, name="王警官"), OfficerFactory(unit=unit, name="李警官")
    campaign = CampaignFactory()
    p1 = PatrolLogFactory(officer=wang, started_at=local(2022, 6, 1, 8), mode=PatrolMode.FOOT)
    p2 = PatrolLogFactory(
        officer=li, started_at=local(2022, 6, 5, 8), mode=PatrolMode.CAR, campaign=campaign
    )
    p3 = PatrolLogFactory(officer=wang, started_at=local(2022, 6, 10, 8), mode=PatrolMode.CAR)
    url = reverse("brigade:patrollog_list")
    en.force_login(commander)

    assert rows(en.get(url)) == {p1.pk, p2.pk, p3.pk}
    assert rows(en.get(url, {"officer": wang.pk})) == {p1.pk, p3.pk}
    assert rows(en.get(url, {"date_from": "2022-06-02", "date_to": "2022-06-09"})) == {p2.pk}
    assert rows(en.get(url, {"date_from": "2022-06-05"})) == {p2.pk, p3.pk}
    assert rows(en.get(url, {"mode": PatrolMode.CAR})) == {p2.pk, p3.pk}
    assert rows(en.get(url, {"campaign": campaign.pk})) == {p2.pk}
    assert rows(en.get(url, {"officer": wang.pk, "mode": PatrolMode.FOOT})) == {p1.pk}


def test_brigade_commander_filters_by_unit(client, brigade_commander, unit, other_unit):
    ours = PatrolLogFactory(officer=OfficerFactory(unit=unit))
    theirs = PatrolLogFactory(officer=OfficerFactory(unit=other_unit))
    client.force_login(brigade_commander)

    assert rows(client.get(reverse("brigade:patrollog_list"))) == {ours.pk, theirs.pk}
    assert rows(client.get(reverse("brigade:patrollog_list"), {"unit": other_unit.pk})) == {
        theirs.pk
    }


def test_squadron_commander_cannot_filter_into_another_unit(en, commander, other_officer):
    PatrolLogFactory(officer=other_officer.officer)
    en.force_login(commander)

    page = en.get(reverse("brigade:patrollog_list"), {"officer": other_officer.officer.pk})

    assert rows(page) == set()
    assert "other_officer" not in page.text  # not even offered in the officer choice


def test_patrol_list_shows_times_duration_post_and_total(en, commander):
    post = DutyPostFactory(unit=commander.officer.unit, name="东昌东路岗")
    patrol = PatrolLogFactory(
        officer=OfficerFactory(unit=post.unit, name="周警官"),
        started_at=local(2022, 6, 1, 8, 0),
        ended_at=local(2022, 6, 1, 10, 30),
        post=post,
    )
    ViolationTallyFactory(patrol=patrol, kind="no_helmet", count=4)
    ViolationTallyFactory(patrol=patrol, kind="speeding", count=2)
    en.force_login(commander)

    page = en.get(reverse("brigade:patrollog_list"))

    assert "周警官" in page.text and "东昌东路岗" in page.text
    assert "2 h 30 min" in page.text
    assert re.search(rf'data-testid="patrol-total-{patrol.pk}">6<', page.text)


def test_empty_patrol_list_has_an_empty_state(en, officer):
    en.force_login(officer)
    page = en.get(reverse("brigade:patrollog_list"))
    assert 'data-testid="empty-state"' in page.text
    assert "No patrols recorded yet." in page.text


def test_patrol_list_is_paginated_by_25(client, commander):
    officer = OfficerFactory(unit=commander.officer.unit)
    for day in range(30):
        PatrolLogFactory(officer=officer, started_at=local(2022, 5, 1) + dt.timedelta(days=day))
    client.force_login(commander)

    assert len(rows(client.get(reverse("brigade:patrollog_list")))) == 25
    assert len(rows(client.get(reverse("brigade:patrollog_list"), {"page": 2}))) == 5


# --- posts and coverage ---------------------------------------------------------------------


@pytest.fixture
def posts(unit):
    return {
        "school": DutyPostFactory(unit=unit, name="实验小学助学岗", kind=PostKind.SCHOOL),
        "peak": DutyPostFactory(unit=unit, name="花园路高峰岗", kind=PostKind.PEAK_HOUR),
        "fixed": DutyPostFactory(unit=unit, name="东昌路固定岗", kind=PostKind.FIXED),
        "weekdays": DutyPostFactory(unit=unit, name="建设路卡口", weekdays="12345"),
        "inactive": DutyPostFactory(unit=unit, name="旧岗", is_active=False),
    }


def test_coverage_on_a_school_day_counts_planned_and_staffed(en, commander, posts):
    # given Monday 13 June 2022 (a school day), and check-ins at two posts
    for key in ("fixed", "school"):
        PatrolLogFactory(
            officer=OfficerFactory(unit=posts[key].unit, name=f"在岗{key}"),
            post=posts[key],
            started_at=local(2022, 6, 13, 7),
            checked_in_at=local(2022, 6, 13, 7, 5),
        )
    ShiftFactory(
        officer=OfficerFactory(unit=posts["peak"].unit, name="排班民警"),
        post=posts["peak"],
        starts_at=local(2022, 6, 13, 7),
        ends_at=local(2022, 6, 13, 9),
    )
    en.force_login(commander)

    page = en.get(reverse("brigade:dutypost_list"), {"date": "2022-06-13"})

    assert "Staffed 2 of 4 planned posts" in page.text
    assert "(50%)" in page.text
    assert 'data-testid="school-day">School day' in page.text
    assert 'type="date" name="date" value="2022-06-13"' in page.text  # the picker shows it
    assert "Planned" in _cell(page, "planned", posts["school"])
    assert "Staffed" in _cell(page, "staffed", posts["school"])
    assert "Not staffed" in _cell(page, "staffed", posts["peak"])
    assert "Not planned" in _cell(page, "planned", posts["inactive"])
    assert "排班民警" in page.text  # who is on shift


def test_school_post_is_not_planned_on_a_weekend_or_in_a_school_break(en, clerk, posts):
    en.force_login(clerk)

    # Saturday 11 June 2022: only the every-day fixed post
    page = en.get(reverse("brigade:dutypost_list"), {"date": "2022-06-11"})
    assert "Staffed 0 of 2 planned posts" in page.text  # fixed and peak (every day)
    assert "Not planned" in _cell(page, "planned", posts["school"])
    assert "Not a school day" in page.text

    # a weekday in the summer break: school closed, the rest as usual
    SchoolBreak.objects.create(
        name="暑假", starts_on=dt.date(2022, 7, 10), ends_on=dt.date(2022, 8, 31)
    )
    page = en.get(reverse("brigade:dutypost_list"), {"date": "2022-07-12"})
    assert "Staffed 0 of 3 planned posts" in page.text
    assert "Not planned" in _cell(page, "planned", posts["school"])
    assert "Planned" in _cell(page, "planned", posts["weekdays"])


def test_posts_page_shows_only_the_users_unit(client, clerk, other_unit):
    ours = DutyPostFactory(unit=clerk.officer.unit, name="本队岗")
    DutyPostFactory(unit=other_unit, name="外队岗")
    client.force_login(clerk)

    page = client.get(reverse("brigade:dutypost_list"))

    assert rows(page, "post-row-") == {ours.pk}
    assert "外队岗" not in page.text


def _cell(page, column, post):
    match = re.search(rf'data-testid="post-{column}-{post.pk}">(.*?)</td>', page.text, re.S)
    assert match, f"no {column} cell for {post}"
    return match.group(1)


# --- zones and campaigns --------------------------------------------------------------------


def test_zones_and_campaigns_lists(en, clerk, other_unit):
    ours = RoadWorksZoneFactory(unit=clerk.officer.unit, name="花园路施工", road="花园路")
    RoadWorksZoneFactory(unit=other_unit, name="外队施工")
    CampaignFactory(name="一盔一带", focus="no_helmet,no_seatbelt")
    en.force_login(clerk)

    page = en.get(reverse("brigade:roadworkszone_list"))
    assert rows(page, "zone-row-") == {ours.pk}
    assert "外队施工" not in page.text

    page = en.get(reverse("brigade:campaign_list"))
    assert "一盔一带" in page.text
    assert "No helmet" in page.text and "No seatbelt" in page.text
    assert (
        'data-testid="empty-state"'
        in en.get(reverse("brigade:roadworkszone_list"), {"road": "无此路"}).text
    )


# --- trainings ------------------------------------------------------------------------------


def test_training_list_shows_attended_passed_failed_counts(en, officer):
    session = TrainingSessionFactory(unit=officer.officer.unit, title="铁骑技能培训")
    AttendanceFactory(session=session, result=AssessmentResult.PASSED)
    AttendanceFactory(session=session, result=AssessmentResult.PASSED)
    AttendanceFactory(session=session, result=AssessmentResult.FAILED)
    AttendanceFactory(session=session, attended=False)
    en.force_login(officer)

    page = en.get(reverse("brigade:trainingsession_list"))

    assert "铁骑技能培训" in page.text
    assert re.search(rf'data-testid="training-attended-{session.pk}">3<', page.text)
    assert re.search(rf'data-testid="training-passed-{session.pk}">2<', page.text)
    assert re.search(rf'data-testid="training-failed-{session.pk}">1<', page.text)


def test_commander_records_an_assessment(en, commander):
    session = TrainingSessionFactory(unit=commander.officer.unit)
    trainee = OfficerFactory(unit=session.unit, name="骑警小刘")
    en.force_login(commander)

    response = en.post(
        reverse("brigade:trainingsession_detail", args=[session.pk]),
        {"officer": trainee.pk, "attended": "on", "result": AssessmentResult.PASSED, "score": "92"},
        follow=True,
    )

    record = Attendance.objects.get(session=session, officer=trainee)
    assert record.result == AssessmentResult.PASSED
    assert str(record.score) == "92.0"
    assert "Recorded for 骑警小刘" in response.text
    assert re.search(r'data-testid="summary-passed">1<', response.text)


def test_assessing_an_absent_officer_is_a_field_error(en, commander):
    session = TrainingSessionFactory(unit=commander.officer.unit)
    trainee = OfficerFactory(unit=session.unit)
    en.force_login(commander)

    response = en.post(
        reverse("brigade:trainingsession_detail", args=[session.pk]),
        {"officer": trainee.pk, "result": AssessmentResult.PASSED},  # attended unticked
    )

    assert response.status_code == 200
    assert 'data-testid="error-result"' in response.text
    assert "Only an officer who attended can be assessed." in response.text
    assert not Attendance.objects.exists()


def test_training_of_another_unit_is_404(client, commander, other_unit):
    session = TrainingSessionFactory(unit=other_unit)
    client.force_login(commander)
    assert (
        client.get(reverse("brigade:trainingsession_detail", args=[session.pk])).status_code == 404
    )


# --- query counts ---------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_patrol_list_queries_do_not_grow_with_rows(client, commander):
    officer = OfficerFactory(unit=commander.officer.unit)
    post = DutyPostFactory(unit=officer.unit)
    campaign = CampaignFactory()

    def patrol(day):
        p = PatrolLogFactory(
            officer=officer, post=post, campaign=campaign, started_at=local(2022, 5, 1, 8) + day
        )
        ViolationTallyFactory(patrol=p, kind="no_helmet", count=2)
        ViolationTallyFactory(patrol=p, kind="speeding", count=1)

    patrol(dt.timedelta(0))
    client.force_login(commander)
    client.get(reverse("brigade:patrollog_list"))  # warm the session
    one = _queries(client, reverse("brigade:patrollog_list"))
    for day in range(1, 50):
        patrol(dt.timedelta(days=day))
    fifty = _queries(client, reverse("brigade:patrollog_list"))

    assert one == fifty


def test_training_list_queries_do_not_grow_with_rows(client, commander):
    unit = commander.officer.unit

    def session(n):
        s = TrainingSessionFactory(unit=unit, held_on=dt.date(2022, 1, 1) + dt.timedelta(days=n))
        AttendanceFactory(session=s, result=AssessmentResult.PASSED)
        AttendanceFactory(session=s, result=AssessmentResult.FAILED)

    session(0)
    client.force_login(commander)
    client.get(reverse("brigade:trainingsession_list"))
    one = _queries(client, reverse("brigade:trainingsession_list"))
    for n in range(1, 50):
        session(n)
    fifty = _queries(client, reverse("brigade:trainingsession_list"))

    assert one == fifty


def test_posts_page_queries_do_not_grow_with_rows(client, commander):
    unit = commander.officer.unit

    def post(n):
        p = DutyPostFactory(unit=unit)
        ShiftFactory(officer=OfficerFactory(unit=unit), post=p, starts_at=local(2022, 6, 13, 7))
        PatrolLogFactory(officer=OfficerFactory(unit=unit), post=p, checked_in_at=timezone.now())

    post(0)
    client.force_login(commander)
    url = reverse("brigade:dutypost_list") + "?date=2022-06-13"
    client.get(url)
    one = _queries(client, url)
    for n in range(1, 30):
        post(n)
    many = _queries(client, url)

    assert one == many


# --- assets ---------------------------------------------------------------------------------


def test_no_template_loads_anything_from_an_external_url():
    external = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
    css_external = re.compile(r"""(?:@import|url\()\s*["']?\s*(?:https?:)?//""", re.I)
    root = Path(settings.BASE_DIR)
    templates = list((root / "templates").rglob("*.html"))
    assets = list((root / "brigade" / "static" / "brigade").rglob("*.css"))
    assert templates
    for path in templates:
        assert not external.search(path.read_text()), path
    for path in assets:
        assert not css_external.search(path.read_text()), path


def test_base_template_serves_vendor_libraries_itself(client, officer):
    client.force_login(officer)
    page = client.get(reverse("brigade:duty")).text
    for asset in (
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/vendor/bootstrap-icons/bootstrap-icons.min.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/brigade/app.css",
    ):
        assert asset in page
    assert "hx-headers" in page and "X-CSRFToken" in page


# The shared catalog (locale/) and each domain app's own (<app>/locale/).
CATALOGS = ["locale", "hazards/locale", "incidents/locale", "petitions/locale", "outreach/locale"]


@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_message_is_translated(language, catalog):
    path = Path(settings.BASE_DIR) / catalog / language / "LC_MESSAGES" / "django.po"
    po = path.read_text()
    # An empty msgstr not continued on the next line is an untranslated message (the
    # header's msgstr "" is continued by its fields).
    empty = re.findall(r'^msgstr(?:\[\d+\])? ""\n(?!")', po, re.M)
    assert not empty, f"{len(empty)} untranslated messages in {catalog} ({language})"
    assert "#, fuzzy" not in po
    # the compiled catalog is what Django reads: it must not lag behind the source
    assert path.with_suffix(".mo").stat().st_size > 0


@pytest.mark.parametrize("catalog", CATALOGS)
def test_english_catalog_says_what_the_source_says(catalog):
    """English is the source language: a translation that differs from its message is a
    guess left behind by extraction (e.g. "Recorded" shown as "Reply recorded.")."""
    import gettext

    mo = Path(settings.BASE_DIR) / catalog / "en" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as fh:
        messages = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    wrong = {
        key: text
        for key, text in messages.items()
        if key and not isinstance(key, tuple) and key.split("\x04")[-1] != text
    }
    assert not wrong, f"{len(wrong)} English messages differ from their source: {wrong}"
