"""Half a year of patrols (2022-01..06): planned from a fixed seed, then recorded through
the officer's transitions (start, check in at the post, tallies, end)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from brigade.duty import services
from brigade.duty.choices import PatrolMode, PostKind
from brigade.duty.demo.base import REPORT_END, REPORT_START, DemoContext, aware, days, report_window
from brigade.duty.demo.data import BAD_WEATHER, POST_VIOLATIONS, STAFFING_CHANCE, WEATHER_BY_MONTH
from brigade.duty.models import Campaign, DutyPost, Officer, PatrolLog, RoadWorksZone


@dataclass
class PatrolPlan:
    officer: Officer
    mode: str
    started_at: dt.datetime
    ended_at: dt.datetime
    checked_in_at: dt.datetime | None
    post: DutyPost | None
    zone: RoadWorksZone | None
    campaign: Campaign | None
    weather: str
    notes: str
    tallies: dict[str, int]


def planned_posts(day: dt.date) -> set[int]:
    """The ids of the posts planned on ``day``."""
    return set(DutyPost.objects.planned_on(day).values_list("pk", flat=True))


def pick_officer(
    rng: random.Random, crew: list[Officer], post: DutyPost, taken: set[int]
) -> Officer | None:
    """One of ``crew`` not ``taken`` that day (motorcycle riders first in a patrol zone),
    marked taken; None when no one is free."""
    free = [o for o in crew if o.pk not in taken]
    if post.kind == PostKind.PATROL_ZONE:
        free = [o for o in free if o.motorcycle_certified] or free
    if not free:
        return None
    officer = rng.choice(free)
    taken.add(officer.pk)
    return officer


def plan_patrols(
    demo: DemoContext,
    posts: list[DutyPost],
    campaigns: list[Campaign],
    zones: list[RoadWorksZone],
) -> list[PatrolPlan]:
    """Half a year of patrols, the same list on every run (fixed seed, no database reads
    except the school calendar)."""
    rng = demo.rng("brigade.patrols")
    by_unit = demo.road_officers()
    plans = []
    for day in days(REPORT_START, REPORT_END):
        weather = rng.choice(WEATHER_BY_MONTH[day.month])
        bad = weather in BAD_WEATHER
        running = [c for c in campaigns if c.starts_on <= day <= (c.ends_on or day)]
        planned = planned_posts(day)
        busy: set[int] = set()  # one patrol per officer per day
        for post in posts:
            chance = STAFFING_CHANCE[post.kind] + (0.3 if bad else 0.0)
            if post.pk not in planned or rng.random() >= chance:
                continue
            officer = pick_officer(rng, by_unit[post.unit_id], post, busy)
            if officer is None:
                continue
            plans.append(_plan_one(rng, day, officer, post, weather, running, zones))
    return plans


def patrol_mode(post: DutyPost, officer: Officer) -> str:
    """Motorcycles (or a car) in a patrol zone, a car at a checkpoint, on foot elsewhere."""
    if post.kind == PostKind.PATROL_ZONE:
        return PatrolMode.MOTORCYCLE if officer.motorcycle_certified else PatrolMode.CAR
    if post.kind == PostKind.CHECKPOINT:
        return PatrolMode.CAR
    return PatrolMode.FOOT


def _plan_one(
    rng: random.Random,
    day: dt.date,
    officer: Officer,
    post: DutyPost,
    weather: str,
    running: list[Campaign],
    zones: list[RoadWorksZone],
) -> PatrolPlan:
    window = dt.datetime.combine(day, post.end_time) - dt.datetime.combine(day, post.start_time)
    window_minutes = int(window.total_seconds() // 60)
    if post.kind in (PostKind.PEAK_HOUR, PostKind.SCHOOL):
        offset, minutes = -10, window_minutes + 10  # arrive before the rush, stay through it
    else:
        minutes = rng.randint(min(120, window_minutes), min(240, window_minutes))
        offset = rng.randint(0, max(window_minutes - minutes, 0) // 15) * 15
    started_at = aware(day, post.start_time) + dt.timedelta(minutes=offset)
    ended_at = started_at + dt.timedelta(minutes=minutes)

    zone = None
    if post.kind in (PostKind.PATROL_ZONE, PostKind.FIXED):
        # Extra presence at the unit's road works while they last (FIGURES.md row 22).
        works = [
            z
            for z in zones
            if z.unit_id == post.unit_id and z.starts_on <= day <= (z.ends_on or day)
        ]
        zone = rng.choice(works) if works and rng.random() < 0.6 else None
    mode = patrol_mode(post, officer)

    kinds = POST_VIOLATIONS[post.kind]
    campaign = None
    if running and rng.random() < 0.5:
        campaign = rng.choice(running)
        kinds = [*campaign.focus_kinds(), *kinds]
    tallies: dict[str, int] = {}
    if rng.random() < 0.85:
        for kind in rng.sample(kinds[:6], k=rng.randint(1, min(3, len(kinds)))):
            tallies[kind] = rng.randint(1, 12)

    notes = []
    if weather in BAD_WEATHER:
        notes.append("恶劣天气，加强路面见警率。")
    if zone is not None:
        notes.append(f"{zone.road}施工路段疏堵保畅。")
    return PatrolPlan(
        officer=officer,
        mode=mode,
        started_at=started_at,
        ended_at=ended_at,
        checked_in_at=started_at + dt.timedelta(minutes=rng.randint(2, 9)),
        post=post,
        zone=zone,
        campaign=campaign,
        weather=weather,
        notes="".join(notes),
        tallies=tallies,
    )


def recorded_patrols() -> set[tuple[int, dt.datetime]]:
    """(officer id, start) of the patrols and spells of post duty of the half year."""
    start, end = report_window()
    found = PatrolLog.objects.filter(started_at__gte=start, started_at__lt=end)
    return set(found.values_list("officer_id", "started_at"))


def seed_patrols(
    demo: DemoContext,
    posts: list[DutyPost],
    campaigns: list[Campaign],
    zones: list[RoadWorksZone],
) -> list[PatrolPlan]:
    """Each planned patrol goes through the officer's transitions: start, check in at the
    post, tallies, end. A patrol already recorded (same officer, same start) is skipped."""
    plans = plan_patrols(demo, posts, campaigns, zones)
    done = recorded_patrols()
    created = 0
    for plan in plans:
        if (plan.officer.pk, plan.started_at) in done:
            continue
        patrol = services.patrol_start(
            officer=plan.officer,
            mode=plan.mode,
            post=plan.post,
            zone=plan.zone,
            campaign=plan.campaign,
            weather=plan.weather,
            started_at=plan.started_at,
        )
        if plan.checked_in_at is not None:
            services.patrol_check_in(patrol=patrol, at=plan.checked_in_at)
        if plan.tallies:
            services.patrol_set_tallies(patrol=patrol, counts=plan.tallies)
        services.patrol_end(patrol=patrol, ended_at=plan.ended_at, notes=plan.notes)
        created += 1
    demo.log(f"Patrols 2022-01..06: {len(plans)} planned, {created} recorded now.")
    return plans
