"""The brigade's standing records: units, officers, the demo users, posts, campaigns, road
works, school breaks, and the training of the half year (FIGURES.md rows 1-5)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from brigade.duty import services
from brigade.duty.choices import AssessmentResult, OfficerKind, TrainingKind
from brigade.duty.demo.base import DemoContext, english_name
from brigade.duty.demo.data import (
    CAMPAIGNS,
    DEMO_EMAIL_DOMAIN,
    DRILLS,
    EDUCATION,
    LECTURES,
    MOTORCYCLE_COURSE,
    NAMES_EN,
    OFFICERS,
    POSTS,
    SCHOOL_BREAKS,
    STUDY,
    UNITS,
    USERS,
    ZONES,
)
from brigade.duty.models import (
    Attendance,
    Campaign,
    DutyPost,
    Officer,
    RoadWorksZone,
    SchoolBreak,
    TrainingSession,
    Unit,
)


def seed_units() -> dict[str, Unit]:
    units = {}
    for code, name, kind in UNITS:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
        english_name(units[code], NAMES_EN.get(name, ""))
    return units


def seed_officers(units: dict[str, Unit]) -> dict[str, Officer]:
    officers = {}
    for spec in OFFICERS:
        officers[spec.badge_no], _ = Officer.objects.get_or_create(
            badge_no=spec.badge_no,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "unit": units[spec.unit],
                # certified by passing the motorcycle course below
                "motorcycle_certified": spec.motorcycle,
            },
        )
    return officers


def demo_email(username: str) -> str:
    """A demo user's address, on a domain reserved for examples: nothing is ever delivered."""
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


def seed_users(demo: DemoContext) -> None:
    """The four demo users, each with an e-mail address (the notices' digest goes there); an
    existing one keeps its password unless DEMO_PASSWORD is set."""
    user_model = get_user_model()
    wanted = settings.DEMO_PASSWORD
    generated = ""
    created_names, reset_names = [], []
    for spec in USERS:
        officer = demo.officers.get(spec.badge_no) if spec.badge_no else None
        user, created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": officer.name if officer else "",
                "email": demo_email(spec.username),
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
            },
        )
        if created:
            if not wanted:
                generated = generated or secrets.token_urlsafe(12)
            user.set_password(wanted or generated)
            user.save(update_fields=["password"])
            created_names.append(spec.username)
        elif wanted and not user.check_password(wanted):
            user.set_password(wanted)
            user.save(update_fields=["password"])
            reset_names.append(spec.username)
        if not user.email:  # seeded before the users had addresses; one chosen since stays
            user.email = demo_email(spec.username)
            user.save(update_fields=["email"])
        user.groups.add(Group.objects.get_or_create(name=spec.role)[0])
        if officer is not None and officer.user_id != user.pk:
            officer.user = user
            officer.save(update_fields=["user", "updated_at"])

    names = ", ".join(spec.username for spec in USERS)
    if generated:
        demo.log(f"Demo users created ({', '.join(created_names)}); password: {generated}")
        demo.log("  (set DEMO_PASSWORD to choose it; it is not shown again)")
    elif created_names or reset_names:
        demo.log(f"Demo users {names}: password from DEMO_PASSWORD.")
    else:
        demo.log(f"Demo users {names} exist and keep their password.")


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def seed_posts(units: dict[str, Unit]) -> list[DutyPost]:
    posts = []
    for unit, unit_posts in POSTS.items():
        for name, kind, location, (start, end, weekdays) in unit_posts:
            post, _ = DutyPost.objects.get_or_create(
                unit=units[unit],
                name=name,
                defaults={
                    "kind": kind,
                    "location": location,
                    "start_time": _time(start),
                    "end_time": _time(end),
                    "weekdays": weekdays,
                    # in service since the start of the report's half year
                    "active_from": dt.date(2022, 1, 1),
                },
            )
            posts.append(post)
    return posts


def seed_campaigns() -> list[Campaign]:
    campaigns = []
    for name, focus, starts_on, ends_on, description in CAMPAIGNS:
        campaign, _ = Campaign.objects.get_or_create(
            name=name,
            defaults={
                "focus": ",".join(focus),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "description": description,
            },
        )
        english_name(campaign, NAMES_EN.get(name, ""))
        campaigns.append(campaign)
    return campaigns


def seed_zones(units: dict[str, Unit]) -> list[RoadWorksZone]:
    zones = []
    for name, road, unit, starts_on, ends_on, extra in ZONES:
        zone, _ = RoadWorksZone.objects.get_or_create(
            name=name,
            road=road,
            defaults={
                "unit": units[unit],
                "starts_on": starts_on,
                "ends_on": ends_on,
                "extra_officers": extra,
                "description": "雨污分流道路升级改造，施工点、拥堵点增多，需增加警力疏堵保畅。",
            },
        )
        zones.append(zone)
    return zones


def seed_school_breaks() -> None:
    for name, starts_on, ends_on in SCHOOL_BREAKS:
        SchoolBreak.objects.get_or_create(
            name=name, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )


# --- training (FIGURES.md rows 1-5) ---------------------------------------------------------


def _session(unit: Unit, kind: str, held_on: dt.date, title: str) -> TrainingSession:
    session, _ = TrainingSession.objects.get_or_create(
        unit=unit,
        kind=kind,
        held_on=held_on,
        title=title,
        defaults={"location": "大队部会议室" if kind != TrainingKind.DRILL else "大队训练场"},
    )
    return session


def _attend(
    session: TrainingSession,
    officers: Iterable[Officer],
    result: str = AssessmentResult.NOT_ASSESSED,
    scores: Iterable[Decimal | None] | None = None,
) -> None:
    """Record attendance through the service, skipping officers already recorded."""
    recorded = set(Attendance.objects.filter(session=session).values_list("officer_id", flat=True))
    score_list = list(scores) if scores is not None else None
    for index, officer in enumerate(officers):
        if officer.pk in recorded:
            continue
        services.attendance_record(
            session=session,
            officer=officer,
            result=result,
            score=score_list[index] if score_list is not None else None,
        )


def seed_training(demo: DemoContext) -> None:
    rng = demo.rng("brigade.training")
    hq = demo.units["hq"]
    everyone = sorted(demo.officers.values(), key=lambda o: o.badge_no)
    police = [o for o in everyone if o.kind == OfficerKind.POLICE]

    for kind, sessions in (
        (TrainingKind.STUDY, STUDY),
        (TrainingKind.LECTURE, LECTURES),
        (TrainingKind.EDUCATION, EDUCATION),
    ):
        for held_on, title in sessions:
            # Party study: the police officers, a few absent on duty each time.
            attendees = rng.sample(police, k=rng.randint(len(police) - 4, len(police)))
            _attend(_session(hq, kind, held_on, title), attendees)

    for held_on, title, size in DRILLS:
        _attend(_session(hq, TrainingKind.DRILL, held_on, title), rng.sample(everyone, k=size))

    held_on, title = MOTORCYCLE_COURSE
    trainees = [demo.officers[spec.badge_no] for spec in OFFICERS if spec.motorcycle]
    scores = [Decimal(rng.randint(80, 98)) for _ in trainees]
    _attend(
        _session(hq, TrainingKind.MOTORCYCLE, held_on, title),
        trainees,
        result=AssessmentResult.PASSED,
        scores=scores,
    )
