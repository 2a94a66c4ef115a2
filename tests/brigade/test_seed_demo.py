"""``manage.py seed_demo``: the report's training figures, the demo users, idempotency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from brigade.core.roles import Role
from brigade.core.scope import scope_of
from brigade.duty.choices import AssessmentResult, OfficerKind, PostKind, TrainingKind
from brigade.duty.models import (
    Attendance,
    Campaign,
    DutyPost,
    Officer,
    PatrolLog,
    RoadWorksZone,
    Shift,
    TrainingSession,
    Unit,
    ViolationTally,
)

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

FIRST_HALF = (dt.date(2022, 1, 1), dt.date(2022, 6, 30))
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Seed once for the module inside a transaction that is rolled back at its end, so
    the rest of the suite never sees the demo brigade."""
    # The suite's cheap password hasher (tests/conftest.py) is function-scoped: use it here
    # too, so that the tests can check the passwords this module-wide seed set. No
    # DEMO_PASSWORD from the developer's environment: the seed must generate one.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, DEMO_PASSWORD=""),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        try:
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    """Rows of every table the project knows, history and auth included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def black_spot_history() -> list[tuple[object, ...]]:
    from incidents.models import BlackSpot

    return list(
        BlackSpot.objects.order_by("pk").values_list(
            "pk", "unit_id", "kind", "h3_cell", "place_id", "created_at", "accidents"
        )
    )


def _sessions(kind: str):
    return TrainingSession.objects.filter(kind=kind, held_on__range=FIRST_HALF)


def test_training_reproduces_the_report_rows_1_to_5(seed_output):
    # rows 1-3: sessions by kind
    assert _sessions(TrainingKind.STUDY).count() == 8
    assert _sessions(TrainingKind.LECTURE).count() == 2
    assert _sessions(TrainingKind.EDUCATION).count() == 4

    # row 4: 6 drill batches, 150 attendances of police, auxiliaries and security staff
    drills = _sessions(TrainingKind.DRILL)
    assert drills.count() == 6
    drill_attendance = Attendance.objects.filter(session__in=drills, attended=True)
    assert drill_attendance.count() == 150
    kinds = set(drill_attendance.values_list("officer__kind", flat=True))
    assert kinds == {OfficerKind.POLICE, OfficerKind.AUXILIARY, OfficerKind.SECURITY}

    # row 5: one motorcycle course, 18 police officers trained, all passed
    course = _sessions(TrainingKind.MOTORCYCLE).get()
    trainees = course.attendances.all()
    assert trainees.summary() == {"attended": 18, "passed": 18, "failed": 0}
    assert set(trainees.values_list("officer__kind", flat=True)) == {OfficerKind.POLICE}
    assert all(a.result == AssessmentResult.PASSED and a.score for a in trainees)


def test_the_brigade_has_hq_three_squadrons_and_the_four_road_works(seed_output):
    assert list(Unit.objects.values_list("name", flat=True).order_by("code")) == [
        "大队部",
        "一中队",
        "二中队",
        "三中队",
    ]
    assert Officer.objects.count() >= 25  # 150 drill attendances need 25 a batch
    assert set(Officer.objects.values_list("kind", flat=True)) == set(OfficerKind.values)
    assert set(RoadWorksZone.objects.values_list("road", flat=True)) == {
        "花园路",
        "东昌东路",
        "建设东路",
        "兴华路大桥",
    }
    assert set(DutyPost.objects.values_list("kind", flat=True)) == set(PostKind.values)
    assert Campaign.objects.count() == 5


def test_patrols_spread_over_the_half_year_with_varied_tallies(seed_output):
    patrols = PatrolLog.objects.filter(started_at__date__range=FIRST_HALF)
    months = {p.month for p in patrols.dates("started_at", "month")}
    assert months == {1, 2, 3, 4, 5, 6}
    assert not PatrolLog.objects.open().exists()
    # every road-works zone had extra police on it
    assert set(patrols.filter(zone__isnull=False).values_list("zone__road", flat=True)) == {
        "花园路",
        "东昌东路",
        "建设东路",
        "兴华路大桥",
    }
    assert patrols.filter(campaign__isnull=False).exists()
    assert len(set(patrols.values_list("mode", flat=True))) == 3
    tallies = ViolationTally.objects.filter(patrol__in=patrols)
    assert tallies.values("kind").distinct().count() >= 12
    assert tallies.aggregate(total=Sum("count"))["total"] > 1000


def test_demo_users_have_their_roles_and_the_officer_has_shifts_today(seed_output):
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["officer", "clerk", "commander", "admin"]
        )
    }
    assert set(users) == {"officer", "clerk", "commander", "admin"}
    for name in ("officer", "clerk", "commander", "admin"):
        assert list(users[name].groups.values_list("name", flat=True)) == [name]

    officer_scope = scope_of(users["officer"])
    assert officer_scope.officer is not None
    assert officer_scope.officer.unit.name == "一中队"
    assert not officer_scope.brigade_wide
    assert scope_of(users["commander"]).brigade_wide  # brigade commander at headquarters
    assert scope_of(users["commander"]).has_any(Role.COMMANDER)
    assert users["admin"].is_superuser and users["admin"].is_staff

    today = timezone.localdate()
    assert Shift.objects.filter(officer=officer_scope.officer).on_day(today).exists()
    # every day of the coming week has its posts staffed
    days_with_shifts = Shift.objects.filter(
        starts_at__date__gte=today, starts_at__date__lt=today + dt.timedelta(days=7)
    ).dates("starts_at", "day")
    assert len(days_with_shifts) == 7


def test_seed_prints_a_generated_password_that_logs_in(seed_output):
    assert "password:" in seed_output
    password = seed_output.split("password: ", 1)[1].split()[0]
    assert get_user_model().objects.get(username="clerk").check_password(password)


def test_running_twice_changes_no_row_anywhere_and_keeps_passwords(seed_output):
    # given: the seeded database, and a demo user who chose their own password
    clerk = get_user_model().objects.get(username="clerk")
    clerk.set_password("my-own-pass-2022")
    clerk.save(update_fields=["password"])
    before = row_counts()
    spots = black_spot_history()

    # when
    out = StringIO()
    call_command("seed_demo", stdout=out)

    # then
    assert row_counts() == before
    # the black spots replayed again: the same rows, first identified on the same nights
    assert black_spot_history() == spots
    assert "keep their password" in out.getvalue()
    clerk.refresh_from_db()
    assert clerk.check_password("my-own-pass-2022")


def test_demo_password_resets_the_demo_users(seed_output, settings):
    settings.DEMO_PASSWORD = "demo-pass-from-env"
    before = row_counts()

    call_command("seed_demo", stdout=StringIO())

    assert row_counts() == before
    for name in ("officer", "clerk", "commander", "admin"):
        assert get_user_model().objects.get(username=name).check_password("demo-pass-from-env")


def test_every_squadron_checks_in_at_its_posts_every_week_of_the_report(seed_output):
    # post coverage counts check-ins: no squadron has a week without one
    check_ins = PatrolLog.objects.filter(
        started_at__date__range=FIRST_HALF, checked_in_at__isnull=False, post__isnull=False
    )
    weeks = {
        code: {
            day.isocalendar()[:2]
            for day in check_ins.filter(unit__code=code).dates("checked_in_at", "day")
        }
        for code in ("sq1", "sq2", "sq3")
    }
    all_weeks = {(FIRST_HALF[0] + dt.timedelta(days=n)).isocalendar()[:2] for n in range(181)}
    assert weeks == {"sq1": all_weeks, "sq2": all_weeks, "sq3": all_weeks}


def test_demo_users_have_addresses_and_work_is_due_the_day_it_is_seeded(seed_output):
    from hazards.choices import HazardStatus
    from hazards.models import Hazard
    from petitions.deadlines import add_workdays
    from petitions.models import Ticket

    users = get_user_model().objects.filter(username__in=["officer", "clerk", "commander", "admin"])
    assert sorted(u.email for u in users) == [
        "admin@brigade.example",
        "clerk@brigade.example",
        "commander@brigade.example",
        "officer@brigade.example",
    ]
    # tickets to sign, reply and close today or on the next working day, outside the report
    today = timezone.localdate()
    soon = {add_workdays(today, 0), add_workdays(today, 1)}
    due_now = Ticket.objects.filter(number__startswith="NOW")
    assert {t.status for t in due_now} == {"received", "handling", "replied"}
    assert all(t.next_due in soon for t in due_now)
    assert all(timezone.localdate(t.received_at) > FIRST_HALF[1] for t in due_now)
    # a hazard past its deadline, one rectified and awaiting the commander's check
    recent = Hazard.objects.filter(found_at__date__gt=FIRST_HALF[1])
    assert recent.filter(status=HazardStatus.ASSIGNED, deadline__lt=today).count() == 1
    assert recent.filter(status=HazardStatus.RECTIFIED).count() == 1
