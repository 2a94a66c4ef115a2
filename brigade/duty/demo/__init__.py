"""The brigade's part of the demo data (``manage.py seed_demo``).

The brigade of the 2022 half-year report: headquarters and three squadrons, their officers
and posts, the crackdown campaigns and road works the report names, the training of
2022-01-01..2022-06-30 exactly as the report counts it (FIGURES.md rows 1-5), half a year
of patrols, this week's shifts, and the four demo users.

Every part is idempotent: rows are looked up by a natural key before anything is written,
and the random choices come from a fixed seed, so a second run plans the same records,
finds them all, and writes nothing.

The parts: ``data`` (what the brigade is made of), ``base`` (the context every app's part
receives and the steps they share), ``records``, ``patrols`` and ``shifts`` (what writes it).
"""

from __future__ import annotations

from brigade.duty.demo.base import (
    REPORT_END,
    REPORT_START,
    SEED,
    DemoContext,
    Output,
    at,
    aware,
    days,
    english_name,
    report_window,
)
from brigade.duty.demo.data import DEMO_OFFICER_BADGE, OFFICERS, USERS, OfficerSpec, UserSpec
from brigade.duty.demo.patrols import PatrolPlan, plan_patrols, seed_patrols
from brigade.duty.demo.places import seed_places
from brigade.duty.demo.records import (
    seed_campaigns,
    seed_officers,
    seed_posts,
    seed_school_breaks,
    seed_training,
    seed_units,
    seed_users,
    seed_zones,
)
from brigade.duty.demo.shifts import (
    ShiftPlan,
    plan_report_shifts,
    plan_shifts,
    seed_report_shifts,
    seed_shifts,
)
from brigade.duty.models import (
    DutyPost,
    Officer,
    PatrolLog,
    Place,
    Shift,
    TrainingSession,
    Unit,
)

__all__ = [
    "DEMO_OFFICER_BADGE",
    "OFFICERS",
    "REPORT_END",
    "REPORT_START",
    "SEED",
    "USERS",
    "DemoContext",
    "OfficerSpec",
    "Output",
    "PatrolPlan",
    "ShiftPlan",
    "UserSpec",
    "at",
    "aware",
    "days",
    "english_name",
    "plan_patrols",
    "plan_report_shifts",
    "plan_shifts",
    "report_window",
    "seed",
    "seed_campaigns",
    "seed_officers",
    "seed_patrols",
    "seed_places",
    "seed_posts",
    "seed_report_shifts",
    "seed_school_breaks",
    "seed_shifts",
    "seed_training",
    "seed_units",
    "seed_users",
    "seed_zones",
    "summary",
]


def seed(demo: DemoContext) -> None:
    """The brigade's records, in dependency order."""
    demo.units = seed_units()
    demo.officers = seed_officers(demo.units)
    seed_users(demo)
    posts = seed_posts(demo.units)
    campaigns = seed_campaigns()
    zones = seed_zones(demo.units)
    seed_places(demo.units)
    seed_school_breaks()
    seed_training(demo)
    patrols = seed_patrols(demo, posts, campaigns, zones)
    seed_report_shifts(demo, posts, patrols)
    seed_shifts(demo, posts)


def summary() -> dict[str, int]:
    """Row counts a person checks after seeding."""
    return {
        "units": Unit.objects.count(),
        "officers": Officer.objects.count(),
        "posts": DutyPost.objects.count(),
        "patrols": PatrolLog.objects.count(),
        "training sessions": TrainingSession.objects.count(),
        "shifts": Shift.objects.count(),
        "places": Place.objects.count(),
    }
