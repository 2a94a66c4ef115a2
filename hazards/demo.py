"""The hazards of the 2022 half-year report (FIGURES.md rows 6-8): 13 hazards found and
13 verified by 13 June, every key vehicle cleared, and the facility works (15 signals,
18 signs and poles, 6 school fronts, 260 parking bays); plus two hazards reported late in
June that are still open, so the queue and the map have work in them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from brigade.duty.demo import DemoContext, at
from brigade.duty.demo.places import point_on
from brigade.duty.places import locate_all
from hazards import choices
from hazards.models import FacilityWork, Hazard, HazardCheck, KeyVehicle, KeyVehicleImport

if TYPE_CHECKING:
    from django.contrib.auth.models import User

E, S, Sev = choices.Element, choices.HazardSource, choices.Severity

# (unit, found on, element, source, severity, road, place, description, measures, party);
# the rectified hazards name their measures and are verified before 13 June.
HAZARDS = [
    (
        "sq1",
        dt.date(2022, 1, 12),
        E.ROAD,
        S.PATROL,
        Sev.HIGH,
        "花园路",
        "花园路与东昌东路交叉口",
        "中央隔离护栏被撞断约6米",
        "更换护栏6米，设置反光警示桩",
        "市政设施养护所",
    ),
    (
        "sq2",
        dt.date(2022, 1, 26),
        E.ENVIRONMENT,
        S.INSPECTION,
        Sev.MEDIUM,
        "东昌东路",
        "东昌东路18号",
        "行道树遮挡限速标志",
        "修剪树枝，恢复标志视认",
        "园林绿化所",
    ),
    (
        "sq3",
        dt.date(2022, 2, 16),
        E.ROAD,
        S.ACCIDENT,
        Sev.CRITICAL,
        "建设东路",
        "建设东路弯道",
        "弯道缺少减速标线，近期连发两起追尾",
        "施划减速标线，增设急弯标志",
        "区交通局",
    ),
    (
        "sq1",
        dt.date(2022, 2, 28),
        E.VEHICLE,
        S.INSPECTION,
        Sev.HIGH,
        "兴华路",
        "兴华路物流园",
        "物流企业3辆货车逾期未检仍在运营",
        "车辆停运送检，企业签订承诺书",
        "兴华物流有限公司",
    ),
    (
        "sq2",
        dt.date(2022, 3, 10),
        E.ENTERPRISE,
        S.INSPECTION,
        Sev.MEDIUM,
        "建设东路",
        "长江客运站",
        "客运企业动态监控值守记录缺失",
        "落实24小时值守，补全监控台账",
        "长江客运公司",
    ),
    (
        "sq3",
        dt.date(2022, 3, 24),
        E.PEOPLE,
        S.TICKET,
        Sev.MEDIUM,
        "兴华路",
        "兴华路小学门前",
        "上下学时段行人随意横穿马路",
        "增设护学岗，施划人行横道",
        "兴华路小学",
    ),
    (
        "sq1",
        dt.date(2022, 4, 7),
        E.ROAD,
        S.PATROL,
        Sev.HIGH,
        "东昌东路",
        "东昌东路桥头",
        "路面坑槽直径约1米",
        "坑槽修补，设置施工警示",
        "市政设施养护所",
    ),
    (
        "sq2",
        dt.date(2022, 4, 19),
        E.MANAGEMENT,
        S.ACCIDENT,
        Sev.LOW,
        "花园路",
        "花园路公交站",
        "公交站台占用非机动车道，停靠混乱",
        "调整站台位置，施划港湾式停靠区",
        "公交集团",
    ),
    (
        "sq3",
        dt.date(2022, 4, 28),
        E.ENVIRONMENT,
        S.PATROL,
        Sev.MEDIUM,
        "兴华路大桥",
        "兴华路大桥北引道",
        "夜间照明路灯损坏5盏",
        "更换路灯灯具5盏",
        "路灯管理所",
    ),
    (
        "sq1",
        dt.date(2022, 5, 9),
        E.ROAD,
        S.TICKET,
        Sev.MEDIUM,
        "花园路",
        "花园路32号",
        "信号灯绿灯时间过短，行人来不及通过",
        "调整信号配时，行人绿灯延长至30秒",
        "交通信号中心",
    ),
    (
        "sq2",
        dt.date(2022, 5, 18),
        E.VEHICLE,
        S.PATROL,
        Sev.HIGH,
        "东昌东路",
        "东昌东路加油站",
        "低速电动车聚集路边违规载客",
        "联合整治，劝离并教育驾驶人",
        "东昌街道办事处",
    ),
    (
        "sq3",
        dt.date(2022, 5, 25),
        E.ROAD,
        S.INSPECTION,
        Sev.LOW,
        "建设东路",
        "建设东路与兴华路口",
        "导向箭头标线磨损不清",
        "重新施划导向箭头",
        "区交通局",
    ),
    (
        "sq1",
        dt.date(2022, 6, 1),
        E.ENTERPRISE,
        S.INSPECTION,
        Sev.MEDIUM,
        "花园路",
        "花园路建材市场",
        "货运车辆占道装卸",
        "划定装卸区，错峰装卸",
        "花园建材市场管理处",
    ),
    # Reported after 13 June and not yet fixed (no measures yet): the queue and the map.
    (
        "sq2",
        dt.date(2022, 6, 21),
        E.ROAD,
        S.PATROL,
        Sev.HIGH,
        "东昌东路",
        "东昌东路55号",
        "雨后路面积水深约20厘米",
        "",
        "市政设施养护所",
    ),
    (
        "sq3",
        dt.date(2022, 6, 27),
        E.ENVIRONMENT,
        S.TICKET,
        Sev.MEDIUM,
        "兴华路",
        "兴华路菜市场",
        "摊点占道经营，视线受阻",
        "",
        "",
    ),
]

# (plate, kind, owner, reason, flagged on, cleared on, evidence)
KEY_VEHICLES = [
    (
        "鲁PK3521",
        choices.VehicleKind.TRUCK,
        "兴华物流有限公司",
        choices.KeyVehicleReason.OVERDUE_INSPECTION,
        dt.date(2022, 1, 10),
        dt.date(2022, 2, 22),
        "inspection",
    ),
    (
        "鲁PM5208",
        choices.VehicleKind.TRUCK,
        "兴华物流有限公司",
        choices.KeyVehicleReason.OVERDUE_INSPECTION,
        dt.date(2022, 1, 10),
        dt.date(2022, 3, 3),
        "inspection",
    ),
    (
        "鲁PC7615",
        choices.VehicleKind.TRUCK,
        "兴华物流有限公司",
        choices.KeyVehicleReason.OVERDUE_INSPECTION,
        dt.date(2022, 1, 10),
        dt.date(2022, 3, 15),
        "inspection",
    ),
    (
        "鲁PH2330",
        choices.VehicleKind.COACH,
        "长江客运公司",
        choices.KeyVehicleReason.SCRAPPING,
        dt.date(2022, 1, 10),
        dt.date(2022, 4, 8),
        "scrapping",
    ),
    (
        "鲁PD8117",
        choices.VehicleKind.COACH,
        "长江客运公司",
        choices.KeyVehicleReason.SCRAPPING,
        dt.date(2022, 1, 10),
        dt.date(2022, 4, 20),
        "scrapping",
    ),
    (
        "鲁PF9402",
        choices.VehicleKind.SCHOOL_BUS,
        "育才校车服务公司",
        choices.KeyVehicleReason.OVERDUE_INSPECTION,
        dt.date(2022, 2, 14),
        dt.date(2022, 2, 28),
        "inspection",
    ),
    (
        "鲁PT1776",
        choices.VehicleKind.HAZMAT,
        "东昌燃气运输公司",
        choices.KeyVehicleReason.VIOLATIONS,
        dt.date(2022, 2, 14),
        dt.date(2022, 3, 30),
        "violations",
    ),
    (
        "鲁PP6093",
        choices.VehicleKind.PASSENGER,
        "花园租车公司",
        choices.KeyVehicleReason.VIOLATIONS,
        dt.date(2022, 2, 14),
        dt.date(2022, 5, 12),
        "violations",
    ),
    (
        "鲁PN4851",
        choices.VehicleKind.TRUCK,
        "建设渣土运输队",
        choices.KeyVehicleReason.SCRAPPING,
        dt.date(2022, 3, 7),
        dt.date(2022, 5, 26),
        "scrapping",
    ),
    (
        "鲁PR2318",
        choices.VehicleKind.TRUCK,
        "建设渣土运输队",
        choices.KeyVehicleReason.OVERDUE_INSPECTION,
        dt.date(2022, 3, 7),
        dt.date(2022, 6, 8),
        "inspection",
    ),
]

# (unit, kind, quantity, place, done on): 15 / 18 / 6 / 260 (FIGURES.md row 8)
FACILITY_WORKS = [
    ("sq1", choices.FacilityKind.SIGNAL, 5, "花园路沿线路口", dt.date(2022, 2, 18)),
    ("sq2", choices.FacilityKind.SIGNAL, 4, "东昌东路沿线路口", dt.date(2022, 3, 22)),
    ("sq3", choices.FacilityKind.SIGNAL, 3, "建设东路沿线路口", dt.date(2022, 4, 26)),
    ("sq1", choices.FacilityKind.SIGNAL, 3, "花园路32号行人过街信号", dt.date(2022, 5, 13)),
    ("sq1", choices.FacilityKind.SIGN_POLE, 6, "花园路", dt.date(2022, 1, 20)),
    ("sq2", choices.FacilityKind.SIGN_POLE, 5, "东昌东路", dt.date(2022, 3, 4)),
    ("sq3", choices.FacilityKind.SIGN_POLE, 7, "建设东路、兴华路", dt.date(2022, 4, 14)),
    ("sq3", choices.FacilityKind.SCHOOL_FRONT, 2, "兴华路小学", dt.date(2022, 3, 30)),
    ("sq1", choices.FacilityKind.SCHOOL_FRONT, 2, "花园路小学", dt.date(2022, 4, 12)),
    ("sq2", choices.FacilityKind.SCHOOL_FRONT, 1, "东昌中学", dt.date(2022, 5, 10)),
    ("sq3", choices.FacilityKind.SCHOOL_FRONT, 1, "育才幼儿园", dt.date(2022, 5, 31)),
    ("sq1", choices.FacilityKind.PARKING_BAY, 80, "花园路建材市场周边", dt.date(2022, 3, 16)),
    ("sq2", choices.FacilityKind.PARKING_BAY, 100, "东昌东路商圈", dt.date(2022, 4, 21)),
    ("sq3", choices.FacilityKind.PARKING_BAY, 80, "兴华路菜市场周边", dt.date(2022, 6, 9)),
]

OFFICERS_OF_UNIT = {"sq1": "051311", "sq2": "051321", "sq3": "051331"}


def seed(demo: DemoContext) -> None:
    """Hazards, key vehicles and facility works of the half year."""
    with transaction.atomic():
        seed_hazards(demo)
        seed_key_vehicles(demo)
        seed_facility_works(demo)


def _position(rng: random.Random, road: str) -> tuple[Decimal, Decimal]:
    """A point along the road (brigade.duty.demo.places), in Liaocheng."""
    return point_on(road, (rng.randint(-30, 30) + 30) / 60)


@dataclass(frozen=True)
class _Draws:
    """A hazard's random values, drawn in this order whether or not the hazard exists, so
    that a second run draws the same values for the hazards after it."""

    found_at: dt.datetime
    position: tuple[Decimal, Decimal]
    assign_hours: int
    fix_days: int
    fix_hour: int
    check_days: int

    @classmethod
    def of(cls, rng: random.Random, found_on: dt.date, road: str, days: int) -> _Draws:
        return cls(
            found_at=at(found_on, rng.randint(8, 17), rng.choice((0, 15, 30, 45))),
            position=_position(rng, road),
            assign_hours=rng.randint(2, 20),
            fix_days=rng.randint(1, max(days - 1, 1)),
            fix_hour=rng.randint(9, 17),
            check_days=rng.randint(1, 2),
        )


def _verify(
    hazard: Hazard,
    draws: _Draws,
    days: int,
    measures: str,
    commander: User | None,
) -> None:
    """Fixed within the deadline, checked a day or two later, all before 13 June."""
    found_on = hazard.found_at.date()
    deadline = found_on + dt.timedelta(days=days)
    rectified_on = min(found_on + dt.timedelta(days=draws.fix_days), dt.date(2022, 6, 10))
    rectified_at = at(rectified_on, draws.fix_hour)
    verified_at = min(
        rectified_at + dt.timedelta(days=draws.check_days), at(dt.date(2022, 6, 12), 16)
    )
    hazard.status = choices.HazardStatus.VERIFIED
    hazard.deadline = deadline
    hazard.measures = measures
    hazard.assigned_at = draws.found_at + dt.timedelta(hours=draws.assign_hours)
    hazard.rectified_at = rectified_at
    hazard.rectified_on_time = rectified_on <= deadline
    hazard.verified_at = verified_at
    hazard.verified_by = commander
    hazard.closed_at = verified_at


def seed_hazards(demo: DemoContext) -> None:
    rng = demo.rng("hazards.hazards")
    commander = demo.users("commander").get("commander")
    made = 0
    for row in HAZARDS:
        unit_code, found_on, element, source, severity, road, place, text, measures, party = row
        days = choices.DEFAULT_DEADLINE_DAYS[choices.Severity(severity)]
        draws = _Draws.of(rng, found_on, road, days)
        found = Hazard.objects.filter(road=road, found_at=draws.found_at)
        if found.exists():
            # a demo seeded before its points moved to Liaocheng: move them
            found.exclude(latitude=draws.position[0], longitude=draws.position[1]).update(
                latitude=draws.position[0], longitude=draws.position[1], gazetteer_place=None
            )
            continue
        hazard = Hazard(
            unit=demo.units[unit_code],
            element=element,
            source=source,
            severity=severity,
            road=road,
            location=place,
            description=text,
            latitude=draws.position[0],
            longitude=draws.position[1],
            found_at=draws.found_at,
            reported_by=demo.officers.get(OFFICERS_OF_UNIT[unit_code]),
            responsible_party=party,
        )
        if measures:
            _verify(hazard, draws, days, measures, commander)
        elif party:
            hazard.status = choices.HazardStatus.ASSIGNED
            hazard.deadline = found_on + dt.timedelta(days=days)
            hazard.assigned_at = draws.found_at + dt.timedelta(hours=3)
        hazard.save()
        if hazard.status == choices.HazardStatus.VERIFIED:
            HazardCheck.objects.create(
                hazard=hazard,
                result=choices.CheckResult.PASSED,
                checked_by=commander,
                checked_at=hazard.verified_at,
            )
        made += 1
    # the cells and places of hazards seeded before the gazetteer, or just moved
    locate_all(Hazard.objects.filter(latitude__isnull=False))
    demo.log(f"Hazards: {made} created.")


def seed_key_vehicles(demo: DemoContext) -> None:
    commander = demo.users("commander").get("commander")
    unit = demo.units["sq1"]
    created = 0
    batch = None
    for plate, kind, owner, reason, flagged_on, cleared_on, evidence in KEY_VEHICLES:
        if KeyVehicle.objects.filter(plate=plate).exists():
            continue
        if batch is None:
            batch = KeyVehicleImport.objects.create(
                unit=unit,
                imported_by=commander,
                file_name="重点车辆清单2022.xlsx",
                total=len(KEY_VEHICLES),
                created=len(KEY_VEHICLES),
            )
        KeyVehicle.objects.create(
            unit=unit,
            plate=plate,
            kind=kind,
            owner=owner,
            reason=reason,
            status=choices.KeyVehicleStatus.CLEARED,
            flagged_at=at(flagged_on, 9),
            cleared_at=at(cleared_on, 15),
            cleared_by=commander,
            inspection_date=cleared_on if evidence == "inspection" else None,
            scrapping_certificate=f"BF{cleared_on:%Y%m%d}{plate[-3:]}"
            if evidence == "scrapping"
            else "",
            clearance_note="违法记录已全部处理完毕" if evidence == "violations" else "",
            last_import=batch,
        )
        created += 1
    demo.log(f"Key vehicles: {created} created, all cleared.")


def seed_facility_works(demo: DemoContext) -> None:
    created = 0
    for unit_code, kind, quantity, place, done_on in FACILITY_WORKS:
        _work, made = FacilityWork.objects.get_or_create(
            unit=demo.units[unit_code],
            kind=kind,
            place=place,
            done_on=done_on,
            defaults={"quantity": quantity},
        )
        created += made
    demo.log(f"Facility works: {created} created.")
