"""The shifts: one per post per planned day of the half year (定人定岗), with the spells of
post duty started from them, and this week's shifts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from brigade.duty import services
from brigade.duty.demo.base import REPORT_END, REPORT_START, DemoContext, aware, days, report_window
from brigade.duty.demo.data import DEMO_OFFICER_BADGE, SHIFT_DAYS, SHIFT_DUTY, SHIFT_WORKED_CHANCE
from brigade.duty.demo.patrols import (
    PatrolPlan,
    patrol_mode,
    pick_officer,
    planned_posts,
    recorded_patrols,
)
from brigade.duty.models import DutyPost, Officer, Shift


@dataclass
class ShiftPlan:
    officer: Officer
    post: DutyPost
    starts_at: dt.datetime
    ends_at: dt.datetime
    worked: bool  # a spell of post duty is started from the shift
    weather: str


@dataclass
class _PatrolDays:
    """What the half year's patrols say of each day: who was at which post, who was busy,
    the weather."""

    on_post: dict[tuple[int, dt.date], Officer]
    busy: dict[dt.date, set[int]]
    weather: dict[dt.date, str]

    @classmethod
    def of(cls, patrols: list[PatrolPlan]) -> _PatrolDays:
        found = cls(on_post={}, busy={}, weather={})
        for patrol in patrols:
            day = timezone.localdate(patrol.started_at)
            if patrol.post is not None:
                found.on_post[(patrol.post.pk, day)] = patrol.officer
            found.busy.setdefault(day, set()).add(patrol.officer.pk)
            found.weather[day] = patrol.weather
        return found


def plan_report_shifts(
    demo: DemoContext, posts: list[DutyPost], patrols: list[PatrolPlan]
) -> list[ShiftPlan]:
    """One shift per post per day it is planned in 2022-01..06 (定人定岗): the officer of
    the day's patrol at the post if there is one, else a squadron colleague free that day,
    who works it on most days. The same list on every run (fixed seed)."""
    rng = demo.rng("brigade.shifts.2022")
    by_unit = demo.road_officers()
    patrol_days = _PatrolDays.of(patrols)
    plans = []
    for day in days(REPORT_START, REPORT_END):
        planned = planned_posts(day)
        taken = patrol_days.busy.setdefault(day, set())
        for post in posts:
            if post.pk not in planned:
                continue
            officer = patrol_days.on_post.get((post.pk, day))
            worked = False  # the patrol planned at the post checks in by itself
            if officer is None:
                officer = pick_officer(rng, by_unit[post.unit_id], post, taken)
                if officer is None:
                    continue
                worked = rng.random() < SHIFT_WORKED_CHANCE
            plans.append(
                ShiftPlan(
                    officer=officer,
                    post=post,
                    starts_at=aware(day, post.start_time),
                    ends_at=aware(day, post.end_time),
                    worked=worked,
                    weather=patrol_days.weather.get(day, ""),
                )
            )
    return plans


def _save_shift(
    demo: DemoContext,
    officer: Officer,
    post: DutyPost,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> Shift | None:
    """A new shift through the service; None (and a line said) when one someone changed by
    hand since the last run stands in its way: theirs is kept."""
    try:
        return services.shift_save(
            officer=officer, post=post, starts_at=starts_at, ends_at=ends_at, duty=SHIFT_DUTY
        )
    except ValidationError as exc:
        demo.log(f"Shift of {officer} at {post} on {starts_at:%Y-%m-%d} kept: {exc}")
        return None


def seed_report_shifts(demo: DemoContext, posts: list[DutyPost], patrols: list[PatrolPlan]) -> None:
    """The half year's shifts, and the spells of post duty started from them (start from
    the shift, which checks in at its post; end at the shift's end). A shift or spell
    already recorded (same officer, post and start) is skipped."""
    plans = plan_report_shifts(demo, posts, patrols)
    start, end = report_window()
    shifts = {
        (shift.officer_id, shift.post_id, shift.starts_at): shift
        for shift in Shift.objects.filter(starts_at__gte=start, starts_at__lt=end)
    }
    done = recorded_patrols()
    created_shifts = created_spells = 0
    for plan in plans:
        shift = shifts.get((plan.officer.pk, plan.post.pk, plan.starts_at))
        if shift is None:
            shift = _save_shift(demo, plan.officer, plan.post, plan.starts_at, plan.ends_at)
            if shift is None:
                continue
            created_shifts += 1
        if not plan.worked or (plan.officer.pk, plan.starts_at) in done:
            continue
        patrol = services.patrol_start(
            officer=plan.officer,
            mode=patrol_mode(plan.post, plan.officer),
            shift=shift,
            weather=plan.weather,
            started_at=plan.starts_at,
        )
        services.patrol_end(patrol=patrol, ended_at=plan.ends_at)
        created_spells += 1
    worked = sum(plan.worked for plan in plans)
    demo.log(
        f"Shifts 2022-01..06: {len(plans)} planned ({worked} worked from the shift), "
        f"{created_shifts} shifts and {created_spells} spells of post duty recorded now."
    )


# --- this week's shifts ---------------------------------------------------------------------

WeekShift = tuple[Officer, DutyPost, dt.datetime, dt.datetime]


def plan_shifts(demo: DemoContext, posts: list[DutyPost]) -> list[WeekShift]:
    """Every post planned today and in the next six days gets one officer; the demo
    officer always has the first shift of their squadron's day."""
    by_unit = demo.road_officers()
    demo_officer = demo.officers[DEMO_OFFICER_BADGE]
    plans = []
    for index in range(SHIFT_DAYS):
        day = demo.today + dt.timedelta(days=index)
        planned = planned_posts(day)
        booked: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        day_posts = sorted((p for p in posts if p.pk in planned), key=lambda p: p.start_time)
        for post in day_posts:
            starts_at, ends_at = aware(day, post.start_time), aware(day, post.end_time)
            crew = by_unit[post.unit_id]
            # Rotate who comes first each day, so duty is shared out.
            order = crew[index % len(crew) :] + crew[: index % len(crew)]
            if demo_officer in order:
                order.remove(demo_officer)
                order.insert(0, demo_officer)
            for officer in order:
                taken = booked.setdefault(officer.pk, [])
                if len(taken) < 2 and all(ends_at <= s or starts_at >= e for s, e in taken):
                    taken.append((starts_at, ends_at))
                    plans.append((officer, post, starts_at, ends_at))
                    break
    return plans


def seed_shifts(demo: DemoContext, posts: list[DutyPost]) -> None:
    plans = plan_shifts(demo, posts)
    if not plans:
        return
    window_start = min(p[2] for p in plans)
    window_end = max(p[3] for p in plans)
    existing = set(
        Shift.objects.filter(starts_at__lt=window_end, ends_at__gt=window_start).values_list(
            "officer_id", "post_id", "starts_at"
        )
    )
    created = 0
    for officer, post, starts_at, ends_at in plans:
        if (officer.pk, post.pk, starts_at) in existing:
            continue
        if _save_shift(demo, officer, post, starts_at, ends_at) is not None:
            created += 1
    demo.log(
        f"Shifts {demo.today}..{demo.today + dt.timedelta(days=SHIFT_DAYS - 1)}: "
        f"{len(plans)} planned, {created} recorded now."
    )
