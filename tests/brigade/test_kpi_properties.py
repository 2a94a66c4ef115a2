"""Property tests: for any patrols and training records, every year-to-date figure the
engine writes equals a direct count over the same records.

The count below follows the rule as users read it, not the engine's SQL: an event belongs
to the local (Asia/Shanghai) ISO week of its time and to the local year of that time; the
figure of week W sums the events of W's year to date (the year of W's Sunday) up to W.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brigade.core.kpi import engine
from brigade.core.kpi.models import KpiDirty, KpiFlow, KpiRollup, KpiWeek
from brigade.core.kpi.weeks import week_start, ytd_year
from brigade.duty.choices import AssessmentResult
from brigade.duty.models import Attendance, PatrolLog, TrainingSession, ViolationTally
from tests.brigade.factories import OfficerFactory, UnitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
BRIGADE = "brigade"
KINDS = ("no_helmet", "speeding", "red_light", "drunk_driving")
OFFICERS_PER_UNIT = 4

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example database written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- records ------------------------------------------------------------------------------

# Around New Year (in a week that straddles it, and not), and around the midnights of the
# local week boundaries and of UTC (16:00 UTC is local midnight).
EDGES = [
    dt.datetime(2021, 1, 1, tzinfo=SHANGHAI),
    dt.datetime(2022, 1, 1, tzinfo=SHANGHAI),  # a Saturday: week 2021-W52 ends in 2022
    dt.datetime(2023, 1, 1, tzinfo=SHANGHAI),  # a Sunday: week 2022-W52 ends in 2023
    dt.datetime(2021, 6, 14, tzinfo=SHANGHAI),  # a Monday
    dt.datetime(2022, 6, 13, tzinfo=SHANGHAI),  # a Monday
    dt.datetime(2023, 3, 6, tzinfo=SHANGHAI),  # a Monday
]

near_an_edge = st.builds(
    lambda edge, seconds: edge + dt.timedelta(seconds=seconds),
    st.sampled_from(EDGES),
    st.integers(min_value=-2 * 86400, max_value=2 * 86400),
)
anytime = st.datetimes(
    min_value=dt.datetime(2020, 12, 20),
    max_value=dt.datetime(2023, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([SHANGHAI, dt.UTC]),
)

patrols = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.integers(min_value=0, max_value=2),
            "started_at": st.one_of(near_an_edge, anytime),
            "minutes": st.integers(min_value=1, max_value=16 * 60),
            "tallies": st.dictionaries(
                st.sampled_from(KINDS), st.integers(min_value=0, max_value=6), max_size=3
            ),
        }
    ),
    max_size=14,
)

trainings = st.lists(
    st.fixed_dictionaries(
        {
            "unit": st.integers(min_value=0, max_value=2),
            "held_on": st.one_of(
                st.dates(min_value=dt.date(2020, 12, 25), max_value=dt.date(2023, 12, 31)),
                near_an_edge.map(lambda t: t.astimezone(SHANGHAI).date()),
            ),
            "attendances": st.lists(
                st.tuples(st.booleans(), st.sampled_from(list(AssessmentResult.values))),
                max_size=OFFICERS_PER_UNIT,
            ),
        }
    ),
    max_size=5,
)


@pytest.fixture
def brigade(db):
    """Three units with officers, shared by every example (records are not)."""
    units = [UnitFactory() for _ in range(3)]
    officers = {u.pk: [OfficerFactory(unit=u) for _ in range(OFFICERS_PER_UNIT)] for u in units}
    return units, officers


def _reset() -> None:
    """Each example starts from no records and empty KPI tables."""
    with engine.paused():
        ViolationTally.objects.all().delete()
        PatrolLog.objects.all().delete()
        Attendance.objects.all().delete()
        TrainingSession.objects.all().delete()
    for model in (KpiFlow, KpiRollup, KpiWeek, KpiDirty):
        model.objects.all().delete()


def _load(brigade, patrol_specs, training_specs) -> None:
    units, officers = brigade
    with engine.paused():  # a bulk load, followed by the full recompute under test
        for i, spec in enumerate(patrol_specs):
            unit = units[spec["unit"]]
            log = PatrolLog.objects.create(
                officer=officers[unit.pk][i % OFFICERS_PER_UNIT],
                unit=unit,
                mode="car",
                started_at=spec["started_at"],
                ended_at=spec["started_at"] + dt.timedelta(minutes=spec["minutes"]),
            )
            ViolationTally.objects.bulk_create(
                ViolationTally(patrol=log, kind=kind, count=count)
                for kind, count in spec["tallies"].items()
            )
        for spec in training_specs:
            unit = units[spec["unit"]]
            session = TrainingSession.objects.create(
                unit=unit, kind="study", title="学习", held_on=spec["held_on"]
            )
            Attendance.objects.bulk_create(
                Attendance(session=session, officer=officer, attended=attended, result=result)
                for officer, (attended, result) in zip(
                    officers[unit.pk], spec["attendances"], strict=False
                )
            )


# --- the direct count ---------------------------------------------------------------------

Flows = dict[tuple[str, str], dict[tuple[dt.date, int], Decimal]]  # (key, scope) -> events


def _events(brigade, patrol_specs, training_specs) -> tuple[Flows, Flows]:
    """Numerator and denominator events, summed per (week, cohort year), per scope."""
    units, _officers = brigade
    num: Flows = defaultdict(lambda: defaultdict(Decimal))
    den: Flows = defaultdict(lambda: defaultdict(Decimal))

    def add(flows: Flows, key: str, unit, day: dt.date, amount: Decimal | int) -> None:
        slot = (week_start(day), day.year)
        for scope in (BRIGADE, str(unit.pk)):
            flows[key, scope][slot] += Decimal(amount)

    for spec in patrol_specs:
        unit = units[spec["unit"]]
        day = spec["started_at"].astimezone(SHANGHAI).date()
        add(num, "brigade.patrols", unit, day, 1)
        add(num, "brigade.patrol_hours", unit, day, Decimal(spec["minutes"]) / 60)
        for kind, count in spec["tallies"].items():
            if count:
                add(num, "brigade.violations_corrected", unit, day, count)
                add(num, f"brigade.violations.{kind}", unit, day, count)
    for spec in training_specs:
        unit = units[spec["unit"]]
        called = spec["attendances"][:OFFICERS_PER_UNIT]
        for attended, result in called:
            add(den, "brigade.training_attendance_rate", unit, spec["held_on"], 1)
            if attended:
                add(num, "brigade.training_attendance_rate", unit, spec["held_on"], 1)
            if result in (AssessmentResult.PASSED, AssessmentResult.FAILED):
                add(den, "brigade.training_pass_rate", unit, spec["held_on"], 1)
            if result == AssessmentResult.PASSED:
                add(num, "brigade.training_pass_rate", unit, spec["held_on"], 1)
    return num, den


def _year_to_date(events: dict[tuple[dt.date, int], Decimal], grid: list[dt.date]):
    """``(monday, figure)`` along the grid: the running sum of each year's own events."""
    running: dict[int, Decimal] = defaultdict(Decimal)
    for monday in grid:
        year = ytd_year(monday)
        running[year] += events.get((monday, year), Decimal(0))
        yield monday, running[year]


RATES = {"brigade.training_attendance_rate", "brigade.training_pass_rate"}
KEYS = [
    "brigade.patrols",
    "brigade.patrol_hours",
    "brigade.violations_corrected",
    *(f"brigade.violations.{kind}" for kind in KINDS),
    *sorted(RATES),
]


def _check(brigade, patrol_specs, training_specs) -> None:
    units, _officers = brigade
    num, den = _events(brigade, patrol_specs, training_specs)
    figures = {
        (metric, week, scope): (n, d, value)
        for metric, week, scope, n, d, value in KpiRollup.objects.filter(
            metric__in=KEYS
        ).values_list("metric", "week", "scope", "numerator", "denominator", "value")
    }
    grid = list(
        KpiWeek.objects.filter(monday__lte=engine.current_week()).values_list("monday", flat=True)
    )
    if num or den:
        first = min(week for flows in (*num.values(), *den.values()) for week, _c in flows)
        assert grid and grid[0] <= first
    for key in KEYS:
        for scope in (BRIGADE, *(str(u.pk) for u in units)):
            ytd_n = _year_to_date(num.get((key, scope), {}), grid)
            ytd_d = _year_to_date(den.get((key, scope), {}), grid)
            for (monday, want_n), (_monday, want_d) in zip(ytd_n, ytd_d, strict=True):
                row = figures.get((key, monday, scope))
                where = f"{key} {monday} scope {scope}"
                if row is None:
                    assert want_n == 0 and want_d == 0, f"{where}: no figure, expected {want_n}"
                    continue
                n, d, value = row
                if key == "brigade.patrol_hours":
                    assert n == pytest.approx(want_n, abs=Decimal("0.001")), where
                else:
                    assert n == want_n, where
                if key in RATES:
                    assert d == want_d, where
                    if want_d:
                        assert value == pytest.approx(want_n / want_d, abs=Decimal("1e-6"))
                    else:
                        assert value is None, where
                else:
                    assert d is None, where
                    # a sum's value is its numerator (SQLite keeps more decimals of hours)
                    assert value == pytest.approx(n, abs=Decimal("0.0001"))


@EXAMPLES
@given(patrol_specs=patrols, training_specs=trainings)
def test_every_figure_is_the_direct_count_of_its_year_to_date(
    brigade, patrol_specs, training_specs
):
    _reset()
    _load(brigade, patrol_specs, training_specs)

    engine.recompute_all()

    _check(brigade, patrol_specs, training_specs)


@EXAMPLES
@given(patrol_specs=patrols, training_specs=trainings, since=st.sampled_from(EDGES))
def test_a_recompute_since_a_week_agrees_with_the_direct_count(
    brigade, patrol_specs, training_specs, since
):
    # given: figures computed for half the patrols, then the rest arrive unseen (paused)
    _reset()
    half = len(patrol_specs) // 2
    _load(brigade, patrol_specs[:half], training_specs)
    engine.recompute_all()
    _load(brigade, patrol_specs[half:], [])

    # when: only the weeks from ``since`` on are recomputed
    monday = week_start(since.astimezone(SHANGHAI).date())
    engine.recompute_all(since=monday)

    # then: the figures count every record but the late arrivals of earlier weeks
    late = [
        spec
        for spec in patrol_specs[half:]
        if week_start(spec["started_at"].astimezone(SHANGHAI).date()) >= monday
    ]
    _check(brigade, patrol_specs[:half] + late, training_specs)


# --- incremental recomputes ---------------------------------------------------------------

edits = st.lists(
    st.tuples(
        st.sampled_from(["tally", "move", "unit", "delete", "add", "session", "attendance"]),
        st.integers(min_value=0, max_value=1000),  # which record
        st.one_of(near_an_edge, anytime),  # a new time
        st.integers(min_value=0, max_value=2),  # a new unit
        st.integers(min_value=0, max_value=6),  # a new count
    ),
    min_size=1,
    max_size=4,
)


def _tables() -> tuple[set[tuple], set[tuple]]:
    return (
        set(
            KpiRollup.objects.values_list(
                "metric", "week", "scope", "numerator", "denominator", "value"
            )
        ),
        set(
            KpiFlow.objects.values_list(
                "metric", "side", "week", "cohort_year", "unit_id", "amount"
            )
        ),
    )


def _edit(brigade, edit) -> None:
    """One change as the app makes it (signals on): the engine marks what it touches."""
    units, officers = brigade
    what, pick, when, unit_index, count = edit
    logs = list(PatrolLog.objects.order_by("pk"))
    sessions = list(TrainingSession.objects.order_by("pk"))
    unit = units[unit_index]
    if what in ("session", "attendance") and sessions:
        session = sessions[pick % len(sessions)]
        if what == "session":  # its date corrected, or handed to another unit
            session.held_on = when.astimezone(SHANGHAI).date()
            session.unit = unit
            session.save()
        else:
            attendance = session.attendances.order_by("pk").first()
            if attendance is not None:
                attendance.attended = not attendance.attended
                attendance.result = AssessmentResult.values[count % 3]
                attendance.save()
        return
    if what == "add" or not logs:
        log = PatrolLog.objects.create(
            officer=officers[unit.pk][pick % OFFICERS_PER_UNIT],
            unit=unit,
            mode="car",
            started_at=when,
            ended_at=when + dt.timedelta(hours=1),
        )
        ViolationTally.objects.create(patrol=log, kind=KINDS[count % len(KINDS)], count=count)
        return
    log = logs[pick % len(logs)]
    if what == "tally":
        ViolationTally.objects.update_or_create(
            patrol=log, kind=KINDS[pick % len(KINDS)], defaults={"count": count}
        )
    elif what == "move":
        log.started_at, log.ended_at = when, when + dt.timedelta(minutes=count * 10 + 1)
        log.save()
    elif what == "unit":
        log.unit = unit
        log.save()
    else:
        log.delete()


@EXAMPLES
@given(patrol_specs=patrols, training_specs=trainings, edits=edits)
def test_changes_recomputed_incrementally_match_a_full_recompute(
    brigade, patrol_specs, training_specs, edits
):
    # given: figures computed from the records
    _reset()
    _load(brigade, patrol_specs, training_specs)
    engine.recompute_all()
    KpiDirty.objects.all().delete()

    # when: a few records change and the on-change recompute runs
    for edit in edits:
        _edit(brigade, edit)
    engine.recompute_dirty()

    # then: the tables are those of a full recompute, and no mark is left
    assert not KpiDirty.objects.exists()
    incremental = _tables()
    engine.recompute_all()
    full = _tables()
    for have, want in zip(incremental, full, strict=True):
        assert sorted(want - have)[:3] == [] and sorted(have - want)[:3] == []
