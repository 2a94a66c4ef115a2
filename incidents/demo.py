"""The incidents of the 2022 half-year report (FIGURES.md rows 9-11): half a year of
accidents in the three squadrons, most minor ones settled quickly (快处快赔) and disputes
mediated; every hit-and-run case solved (侦破率100%); and the relief fund's advances, paid
to hospitals and funeral homes, 558,717.00 CNY in all by 31 May, some partly recovered
from the drivers found or their insurers.

Idempotent: an accident is found again by unit, time and road, an advance by accident,
beneficiary and purpose, a recovery by advance, day and amount; the random choices come
from the incidents' own fixed seed. The black spots' nightly recompute is replayed over
the half year, so that the spots the report counts were found on the nights they were.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from brigade.duty.demo import REPORT_END, REPORT_START, DemoContext, at, days
from brigade.duty.demo.places import near_crossing, point_on
from brigade.duty.places import locate_all
from incidents import black_spots, choices
from incidents.models import Accident, AccidentParty, BlackSpot, FundAdvance, Recovery

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TZ = ZoneInfo("Asia/Shanghai")
SQUADRONS = ("sq1", "sq2", "sq3")
ROADS = {
    "sq1": ["花园路", "东昌东路", "柳园路", "站前街"],
    "sq2": ["建设东路", "光岳路", "湖南路", "振兴路"],
    "sq3": ["兴华路大桥", "卫育路", "东关街", "利民路"],
}
PLACES = ["交叉口", "公交站台前", "学校门前", "加油站出口", "小区出入口", "桥头", "路段中部"]
INSURERS = ["人保财险", "平安产险", "太平洋产险", "国寿财险", "大地保险", "阳光保险"]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
VEHICLES = [choices.VehicleKind.CAR] * 6 + [
    choices.VehicleKind.TRUCK,
    choices.VehicleKind.EBIKE,
    choices.VehicleKind.MOTORCYCLE,
]
# Where injuries cluster (事故多发点段, so that the half year shows black spots): at each
# crossing, the first injury-or-fatal accidents in time on the roads named, each within
# 30 m of the crossing along its own road.
CLUSTERS = [
    ("花园路与东昌东路路口", ("花园路",), 4),
    ("柳园路与东昌东路路口", ("东昌东路", "柳园路"), 4),
    ("光岳路与湖南路路口", ("光岳路", "湖南路"), 4),
    ("卫育路与利民路路口", ("卫育路", "利民路"), 4),
]
# Chance of an accident per squadron per day.
DAILY_CHANCE = 0.55
FUND_TOTAL_TO_END_OF_MAY = Decimal("558717.00")


HOSPITAL, FUNERAL_HOME = "市人民医院", "市殡仪馆"


@dataclass(frozen=True)
class AdvanceSpec:
    """One advance of the relief fund, its accident and its recoveries.

    A death's advance pays the funeral home for the funeral, an injury's the hospital
    (``hospital``) for the rescue; a hit-and-run case is one with the day it was solved.
    """

    unit: str
    occurred: dt.datetime
    road: str
    severity: str
    beneficiary: str
    amount: str
    paid: dt.datetime | None
    hospital: str = HOSPITAL
    status: str = choices.AdvanceStatus.PAID
    recoveries: tuple[tuple[dt.date, str, str], ...] = ()
    solved: dt.datetime | None = None
    solved_how: str = ""
    reason: str = ""

    @property
    def fatal(self) -> bool:
        return self.severity == choices.Severity.FATAL

    @property
    def purpose(self) -> str:
        return choices.AdvancePurpose.FUNERAL if self.fatal else choices.AdvancePurpose.RESCUE

    @property
    def payee(self) -> str:
        return FUNERAL_HOME if self.fatal else self.hospital

    @property
    def hit_and_run(self) -> bool:
        return self.solved is not None


def _t(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, minute, tzinfo=TZ)


PROP, INJ, FAT = choices.Severity.PROPERTY, choices.Severity.INJURY, choices.Severity.FATAL
HOW = choices.SolvedHow
ZHONGYI, SECOND = "市中医院", "市第二人民医院"
ADVANCES = [
    AdvanceSpec(
        "sq1",
        _t(1, 8, 21, 40),
        "东昌东路",
        INJ,
        "张桂兰",
        "86500.00",
        _t(1, 11),
        recoveries=(
            (dt.date(2022, 3, 15), "肇事司机 孟某", "30000.00"),
            (dt.date(2022, 4, 20), "肇事司机 孟某", "20000.00"),
        ),
        solved=_t(1, 10, 16),
        solved_how=HOW.SURVEILLANCE,
    ),
    AdvanceSpec(
        "sq2",
        _t(1, 19, 6, 50),
        "建设东路",
        FAT,
        "李国华家属",
        "50000.00",
        _t(1, 24),
        recoveries=((dt.date(2022, 4, 2), "太平洋产险", "50000.00"),),
    ),
    AdvanceSpec(
        "sq3", _t(2, 14, 19, 5), "兴华路大桥", INJ, "王秀英", "45230.50", _t(2, 16), ZHONGYI
    ),
    AdvanceSpec(
        "sq1",
        _t(3, 2, 7, 35),
        "花园路",
        INJ,
        "赵明",
        "120000.00",
        _t(3, 4),
        recoveries=((dt.date(2022, 5, 18), "肇事司机 韩某", "10000.00"),),
        solved=_t(3, 9, 11),
        solved_how=HOW.WITNESS,
    ),
    AdvanceSpec("sq2", _t(3, 21, 22, 10), "光岳路", INJ, "刘建军", "38916.20", _t(3, 23), SECOND),
    AdvanceSpec("sq3", _t(4, 6, 17, 20), "卫育路", FAT, "陈玉梅家属", "48670.30", _t(4, 11)),
    AdvanceSpec(
        "sq1",
        _t(4, 18, 8, 15),
        "柳园路",
        INJ,
        "孙立平",
        "72400.00",
        _t(4, 20),
        recoveries=((dt.date(2022, 6, 8), "平安产险", "25000.00"),),
    ),
    AdvanceSpec(
        "sq2",
        _t(5, 7, 23, 30),
        "振兴路",
        INJ,
        "周海涛",
        "61000.00",
        _t(5, 9),
        SECOND,
        solved=_t(5, 15, 10),
        solved_how=HOW.VEHICLE_TRACE,
    ),
    AdvanceSpec("sq3", _t(5, 22, 5, 40), "利民路", FAT, "吴德胜家属", "36000.00", _t(5, 27)),
    # after the end of May: not in the report's figure
    AdvanceSpec("sq1", _t(6, 12, 18, 0), "站前街", INJ, "郑晓燕", "23800.00", _t(6, 16)),
    AdvanceSpec(
        "sq2",
        _t(6, 25, 20, 45),
        "湖南路",
        INJ,
        "何志强",
        "15600.00",
        None,
        SECOND,
        status=choices.AdvanceStatus.REQUESTED,
    ),
    AdvanceSpec(
        "sq3",
        _t(6, 3, 9, 0),
        "东关街",
        INJ,
        "马春生",
        "8200.00",
        None,
        ZHONGYI,
        status=choices.AdvanceStatus.REJECTED,
        reason="已由交强险足额赔付，不符合垫付条件",
    ),
]
# Further hit-and-run cases, all solved: (unit, occurred, road, severity, days to solve, how)
HIT_AND_RUN = [
    ("sq3", _t(1, 27, 22, 30), "东关街", PROP, 2, HOW.SURVEILLANCE),
    ("sq1", _t(2, 20, 1, 10), "站前街", INJ, 6, HOW.VEHICLE_TRACE),
    ("sq2", _t(4, 2, 20, 0), "湖南路", PROP, 1, HOW.SURRENDERED),
    ("sq3", _t(5, 30, 23, 15), "利民路", INJ, 9, HOW.SURVEILLANCE),
    ("sq1", _t(6, 19, 21, 50), "花园路", PROP, 3, HOW.WITNESS),
]


@dataclass
class AccidentPlan:
    unit: str
    occurred_at: dt.datetime
    road: str
    place: str
    severity: str
    handling_mode: str
    mediation: str = ""
    hit_and_run: bool = False
    solved_at: dt.datetime | None = None
    solved_how: str = ""
    parties: list[dict[str, Any]] = field(default_factory=list)
    # the crossing of a cluster it happened at (CLUSTERS), if any
    crossing: str = ""

    @property
    def position(self) -> tuple[Decimal, Decimal]:
        """Where on its road it happened (in Liaocheng): a fixed point per accident, drawn
        from its natural key so that no other random choice moves; near its crossing for
        an accident of a cluster."""
        key = f"{self.unit}|{self.occurred_at.isoformat()}|{self.road}"
        draw = zlib.crc32(key.encode())
        if self.crossing:
            return near_crossing(self.road, self.crossing, draw % 61 - 30)
        return point_on(self.road, draw % 1001 / 1000)


def _cluster(plans: list[AccidentPlan]) -> None:
    """Place the clusters' accidents at their crossings (CLUSTERS)."""
    harmed = sorted(
        (p for p in plans if p.severity != choices.Severity.PROPERTY), key=lambda p: p.occurred_at
    )
    for crossing, roads, count in CLUSTERS:
        for plan in [p for p in harmed if p.road in roads and not p.crossing][:count]:
            plan.crossing = crossing


def _plate(rng: random.Random) -> str:
    return "鲁P" + rng.choice(PLATE_LETTERS) + "".join(rng.choice("0123456789") for _ in range(4))


def _party(rng: random.Random, liability: str = "") -> dict[str, Any]:
    return {
        "role": choices.PartyRole.DRIVER,
        "plate": _plate(rng),
        "vehicle_kind": rng.choice(VEHICLES),
        "insurer": rng.choice(INSURERS),
        "liability": liability,
    }


def _victim(role: str, name: str, plate: str = "") -> dict[str, Any]:
    """The party who came to harm, with no liability."""
    return {
        "role": role,
        "name": name,
        "plate": plate,
        "insurer": "",
        "liability": choices.Liability.NONE,
    }


def _ordinary_accident(rng: random.Random, unit: str, day: dt.date) -> AccidentPlan:
    hour, minute = rng.choice([7, 8, 9, 11, 12, 17, 18, 19, 21]), rng.randrange(0, 60, 5)
    when = at(day, hour, minute)
    roll = rng.random()
    severity = (
        choices.Severity.PROPERTY
        if roll < 0.86
        else choices.Severity.INJURY
        if roll < 0.98
        else choices.Severity.FATAL
    )
    if severity == choices.Severity.PROPERTY:
        mode = choices.HandlingMode.QUICK if rng.random() < 0.72 else choices.HandlingMode.SIMPLE
    else:
        mode = choices.HandlingMode.GENERAL
    mediation = ""
    if mode != choices.HandlingMode.QUICK and rng.random() < 0.6:
        mediation = rng.choice(
            [choices.MediationOutcome.AGREED] * 5 + [choices.MediationOutcome.FAILED]
        )
    liabilities = rng.choice([("full", "none"), ("main", "minor"), ("equal", "equal")])
    return AccidentPlan(
        unit=unit,
        occurred_at=when,
        road=rng.choice(ROADS[unit]),
        place=rng.choice(PLACES),
        severity=severity,
        handling_mode=mode,
        mediation=mediation,
        parties=[_party(rng, liabilities[0]), _party(rng, liabilities[1])],
    )


def _hit_and_run_accidents(rng: random.Random) -> list[AccidentPlan]:
    plans = []
    for unit, when, road, severity, days_to_solve, how in HIT_AND_RUN:
        place = rng.choice(PLACES)
        injured = severity == choices.Severity.INJURY
        victim = (
            _victim(choices.PartyRole.PEDESTRIAN, "受害方")
            if injured
            else _victim(choices.PartyRole.OWNER, "受害方", _plate(rng))
        )
        plans.append(
            AccidentPlan(
                unit=unit,
                occurred_at=when,
                road=road,
                place=place,
                severity=severity,
                handling_mode=choices.HandlingMode.GENERAL,
                hit_and_run=True,
                solved_at=when + dt.timedelta(days=days_to_solve, hours=5),
                solved_how=how,
                parties=[victim],
            )
        )
    return plans


def _advance_accident(spec: AdvanceSpec) -> AccidentPlan:
    return AccidentPlan(
        unit=spec.unit,
        occurred_at=spec.occurred,
        road=spec.road,
        place="路口",
        severity=spec.severity,
        handling_mode=choices.HandlingMode.GENERAL,
        hit_and_run=spec.hit_and_run,
        solved_at=spec.solved,
        solved_how=spec.solved_how,
        parties=[_victim(choices.PartyRole.PEDESTRIAN, spec.beneficiary.removesuffix("家属"))],
    )


def plan_accidents(demo: DemoContext) -> list[AccidentPlan]:
    """Half a year of ordinary accidents, the hit-and-run cases and the accidents of the
    fund's advances: the same list on every run."""
    rng = demo.rng("incidents.accidents")
    plans = [
        _ordinary_accident(rng, unit, day)
        for day in days(REPORT_START, REPORT_END)
        for unit in SQUADRONS
        if rng.random() < DAILY_CHANCE
    ]
    plans.extend(_hit_and_run_accidents(rng))
    plans.extend(_advance_accident(spec) for spec in ADVANCES)
    _cluster(plans)
    return plans


def seed(demo: DemoContext) -> None:
    users = demo.users("officer", "clerk", "commander")
    accidents = seed_accidents(demo, plan_accidents(demo), users.get("officer"))
    seed_fund(accidents, users)
    replay_black_spots(demo)


def replay_nights() -> list[tuple[dt.date, dt.datetime]]:
    """The nights the black spots of the half year are replayed on: (the last day its
    window counts, the time the run is stamped), each Sunday of the half year and its last
    day, run at 02:00 the night after."""
    last_days = [day for day in days(REPORT_START, REPORT_END) if day.weekday() == 6]
    if last_days[-1] != REPORT_END:
        last_days.append(REPORT_END)
    return [(day, at(day + dt.timedelta(days=1), 2)) for day in last_days]


def replay_black_spots(demo: DemoContext) -> None:
    """The nightly black spot recompute replayed over the half year, then today's: each
    spot is stamped with the night it was first found (the report's "black spots
    identified"), and the spots the rolling window no longer finds are kept, not current.
    Again: the same rows, the same days."""
    for last_day, night in replay_nights():
        black_spots.recompute_all(on=last_day, now=night)
    black_spots.recompute_all()
    identified = BlackSpot.objects.filter(
        unit__code__in=SQUADRONS, created_at__date__range=(REPORT_START, REPORT_END)
    ).count()
    demo.log(f"  black spots: {identified} identified in the half year")


def seed_accidents(
    demo: DemoContext, plans: list[AccidentPlan], recorder: User | None
) -> dict[tuple[str, dt.datetime, str], Accident]:
    """Create the planned accidents that are not there yet; return all by natural key."""
    units = demo.units
    existing = {
        (a.unit.code, a.occurred_at, a.road): a
        for a in Accident.objects.filter(unit__code__in=SQUADRONS).select_related("unit")
    }
    created = 0
    for plan in plans:
        key = (plan.unit, plan.occurred_at, plan.road)
        latitude, longitude = plan.position
        if key in existing:
            found = existing[key]
            if (found.latitude, found.longitude) != (latitude, longitude):
                # seeded before accidents had a position, or before the clusters: placed
                # again below
                Accident.objects.filter(pk=found.pk).update(
                    latitude=latitude, longitude=longitude, gazetteer_place=None
                )
            continue
        accident = Accident.objects.create(
            unit=units[plan.unit],
            occurred_at=plan.occurred_at,
            road=plan.road,
            place=plan.place,
            latitude=latitude,
            longitude=longitude,
            severity=plan.severity,
            handling_mode=plan.handling_mode,
            mediation=plan.mediation,
            hit_and_run=plan.hit_and_run,
            solved_at=plan.solved_at,
            solved_how=plan.solved_how,
            solved_by=recorder if plan.solved_at else None,
            recorded_by=recorder,
        )
        for party in plan.parties:
            AccidentParty.objects.create(accident=accident, **party)
        existing[key] = accident
        created += 1
    # the cells and places of accidents seeded before the gazetteer, or just moved
    locate_all(Accident.objects.filter(unit__code__in=SQUADRONS))
    demo.log(f"  accidents: {created} created, {len(existing)} in all")
    return existing


def seed_fund(
    accidents: dict[tuple[str, dt.datetime, str], Accident], users: dict[str, User]
) -> None:
    requester, approver, desk = users.get("officer"), users.get("commander"), users.get("clerk")
    for spec in ADVANCES:
        accident = accidents[(spec.unit, spec.occurred, spec.road)]
        recovered = sum((Decimal(a) for _d, _p, a in spec.recoveries), Decimal("0.00"))
        decided = spec.status != choices.AdvanceStatus.REQUESTED
        advance, _created = FundAdvance.objects.get_or_create(
            accident=accident,
            beneficiary=spec.beneficiary,
            purpose=spec.purpose,
            defaults={
                "payee": spec.payee,
                "amount": Decimal(spec.amount),
                "status": spec.status,
                "requested_by": requester,
                "approved_by": approver if decided else None,
                "approved_at": (spec.paid or spec.occurred + dt.timedelta(days=2))
                - dt.timedelta(days=1)
                if decided
                else None,
                "rejected_reason": spec.reason,
                "paid_at": spec.paid,
                "recovery_due": (spec.paid.date() + dt.timedelta(days=365)) if spec.paid else None,
                "amount_recovered": recovered,
            },
        )
        for received_on, payer, amount in spec.recoveries:
            Recovery.objects.get_or_create(
                advance=advance,
                received_on=received_on,
                amount=Decimal(amount),
                defaults={"payer": payer, "recorded_by": desk},
            )


def fund_total(until: dt.date) -> Decimal:
    """What the demo's advances paid by ``until`` add up to (FIGURES.md row 11)."""
    return sum(
        (Decimal(s.amount) for s in ADVANCES if s.paid and s.paid.date() <= until),
        Decimal("0.00"),
    )
