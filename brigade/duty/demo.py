"""The brigade's part of the demo data (``manage.py seed_demo``).

The brigade of the 2022 half-year report: headquarters and three squadrons, their officers
and posts, the crackdown campaigns and road works the report names, the training of
2022-01-01..2022-06-30 exactly as the report counts it (FIGURES.md rows 1-5), half a year
of patrols, this week's shifts, and the four demo users.

Every part is idempotent: rows are looked up by a natural key before anything is written,
and the random choices come from a fixed seed, so a second run plans the same records,
finds them all, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from brigade.core.roles import Role
from brigade.duty import services
from brigade.duty.choices import (
    AssessmentResult,
    OfficerKind,
    PatrolMode,
    PostKind,
    TrainingKind,
    UnitKind,
    ViolationKind,
    Weather,
)
from brigade.duty.models import (
    Attendance,
    Campaign,
    DutyPost,
    Officer,
    PatrolLog,
    RoadWorksZone,
    SchoolBreak,
    Shift,
    TrainingSession,
    Unit,
)

SEED = 20220630
REPORT_START = dt.date(2022, 1, 1)
REPORT_END = dt.date(2022, 6, 30)
SHIFT_DAYS = 7  # today and the next six days
SHIFT_DUTY = "定人定岗定责"


class Output(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass
class DemoContext:
    """What every app's ``seed(demo)`` receives: the day, the output, seeded randomness."""

    stdout: Output
    today: dt.date = field(default_factory=timezone.localdate)
    seed: int = SEED
    # Filled by the brigade's part, for the apps seeded after it.
    units: dict[str, Unit] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """A generator of its own per part, so that a new part never shifts another's data."""
        return random.Random(f"{self.seed}:{part}")

    def log(self, message: str) -> None:
        self.stdout.write(message + "\n")


# --- the brigade ----------------------------------------------------------------------------

UNITS = [
    ("hq", "大队部", UnitKind.HEADQUARTERS),
    ("sq1", "一中队", UnitKind.SQUADRON),
    ("sq2", "二中队", UnitKind.SQUADRON),
    ("sq3", "三中队", UnitKind.SQUADRON),
]


@dataclass(frozen=True)
class OfficerSpec:
    badge_no: str
    name: str
    kind: str
    unit: str
    # Male police officers under 50: the 18 of the motorcycle-skills course (row 5).
    motorcycle: bool = False
    # Desk staff (内勤) take no road shifts and patrols.
    desk: bool = False


P, A, S = OfficerKind.POLICE, OfficerKind.AUXILIARY, OfficerKind.SECURITY
OFFICERS = [
    OfficerSpec("051300", "王建国", P, "hq"),  # brigade commander, over 50
    OfficerSpec("051301", "刘芳", P, "hq", desk=True),
    OfficerSpec("051302", "张伟", P, "hq", motorcycle=True),
    OfficerSpec("051303", "李强", P, "hq", motorcycle=True),
    OfficerSpec("051304", "陈磊", P, "hq", motorcycle=True),
    OfficerSpec("B05001", "赵大勇", S, "hq"),
    OfficerSpec("051311", "孙浩", P, "sq1", motorcycle=True),
    OfficerSpec("051312", "周晓东", P, "sq1", motorcycle=True),
    OfficerSpec("051313", "吴涛", P, "sq1", motorcycle=True),
    OfficerSpec("051314", "郑凯", P, "sq1", motorcycle=True),
    OfficerSpec("051315", "冯军", P, "sq1", motorcycle=True),
    OfficerSpec("F05111", "何亮", A, "sq1"),
    OfficerSpec("F05112", "许婷", A, "sq1", desk=True),
    OfficerSpec("F05113", "邓超", A, "sq1"),
    OfficerSpec("F05114", "曹阳", A, "sq1"),
    OfficerSpec("B05011", "彭立新", S, "sq1"),
    OfficerSpec("051321", "马骏", P, "sq2", motorcycle=True),
    OfficerSpec("051322", "胡文斌", P, "sq2", motorcycle=True),
    OfficerSpec("051323", "朱鹏", P, "sq2", motorcycle=True),
    OfficerSpec("051324", "郭志强", P, "sq2", motorcycle=True),
    OfficerSpec("051325", "高峰", P, "sq2", motorcycle=True),
    OfficerSpec("F05121", "林海", A, "sq2"),
    OfficerSpec("F05122", "罗杰", A, "sq2"),
    OfficerSpec("F05123", "梁子豪", A, "sq2"),
    OfficerSpec("F05124", "宋刚", A, "sq2"),
    OfficerSpec("B05021", "韩庆丰", S, "sq2"),
    OfficerSpec("051331", "唐明", P, "sq3", motorcycle=True),
    OfficerSpec("051332", "董浩然", P, "sq3", motorcycle=True),
    OfficerSpec("051333", "于洋", P, "sq3", motorcycle=True),
    OfficerSpec("051334", "袁帅", P, "sq3", motorcycle=True),
    OfficerSpec("051335", "蒋睿", P, "sq3", motorcycle=True),
    OfficerSpec("F05131", "蔡宁", A, "sq3"),
    OfficerSpec("F05132", "贾旭", A, "sq3"),
    OfficerSpec("F05133", "丁一鸣", A, "sq3"),
    OfficerSpec("F05134", "魏东", A, "sq3"),
    OfficerSpec("B05031", "薛国庆", S, "sq3"),
]


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    badge_no: str | None  # the officer profile; None for the administrator
    superuser: bool = False


DEMO_OFFICER_BADGE = "051311"  # the ``officer`` user: 孙浩 of 一中队
USERS = [
    UserSpec("officer", Role.OFFICER, DEMO_OFFICER_BADGE),
    UserSpec("clerk", Role.CLERK, "F05112"),
    UserSpec("commander", Role.COMMANDER, "051300"),  # at headquarters: sees every unit
    UserSpec("admin", Role.ADMIN, None, superuser=True),
]

WEEKDAYS, EVERY_DAY = "12345", "1234567"
# When each kind of post is staffed: (from, until, ISO weekdays)
AM_PEAK = ("07:00", "09:00", WEEKDAYS)
PM_PEAK = ("17:00", "19:00", WEEKDAYS)
SCHOOL_IN = ("07:10", "08:10", WEEKDAYS)
SCHOOL_OUT = ("16:20", "17:20", WEEKDAYS)
DAYTIME = ("09:00", "16:00", EVERY_DAY)
ALL_DAY = ("08:00", "20:00", EVERY_DAY)
# unit -> (post name, kind, location, hours)
POSTS = {
    "sq1": [
        ("花园路东昌路口早高峰岗", PostKind.PEAK_HOUR, "花园路与东昌路交叉口", AM_PEAK),
        ("花园路东昌路口晚高峰岗", PostKind.PEAK_HOUR, "花园路与东昌路交叉口", PM_PEAK),
        ("实验小学助学岗", PostKind.SCHOOL, "花园路实验小学门前", SCHOOL_IN),
        ("实验小学放学助学岗", PostKind.SCHOOL, "花园路实验小学门前", SCHOOL_OUT),
        ("百货大楼固定岗", PostKind.FIXED, "东昌路百货大楼路口", DAYTIME),
        ("花园路铁骑巡逻区", PostKind.PATROL_ZONE, "花园路全线", ALL_DAY),
    ],
    "sq2": [
        ("东昌东路柳园路口早高峰岗", PostKind.PEAK_HOUR, "东昌东路与柳园路交叉口", AM_PEAK),
        ("东昌东路柳园路口晚高峰岗", PostKind.PEAK_HOUR, "东昌东路与柳园路交叉口", PM_PEAK),
        ("东昌中学助学岗", PostKind.SCHOOL, "东昌东路东昌中学门前", SCHOOL_IN),
        ("振兴路商场固定岗", PostKind.FIXED, "振兴路与东昌东路口", DAYTIME),
        ("东昌东路铁骑巡逻区", PostKind.PATROL_ZONE, "东昌东路全线", ALL_DAY),
    ],
    "sq3": [
        ("建设东路兴华路口早高峰岗", PostKind.PEAK_HOUR, "建设东路与兴华路交叉口", AM_PEAK),
        ("建设东路兴华路口晚高峰岗", PostKind.PEAK_HOUR, "建设东路与兴华路交叉口", PM_PEAK),
        ("建设路小学助学岗", PostKind.SCHOOL, "建设东路小学门前", SCHOOL_IN),
        ("兴华路大桥固定岗", PostKind.FIXED, "兴华路大桥西桥头", DAYTIME),
        ("聊城东高速收费服务点", PostKind.CHECKPOINT, "聊城东高速收费站出口", ALL_DAY),
    ],
}

_HABITS = [
    ViolationKind.NO_HELMET,
    ViolationKind.NO_SEATBELT,
    ViolationKind.NOT_YIELDING,
    ViolationKind.LANE_WEAVING,
    ViolationKind.THROWING,
    ViolationKind.RED_LIGHT,
    ViolationKind.WRONG_WAY,
    ViolationKind.STOP_LINE,
    ViolationKind.RAILING_CLIMBING,
    ViolationKind.ILLEGAL_PARKING,
]
# The crackdowns of FIGURES.md row 23: (name, focus, starts, ends, description)
CAMPAIGNS = [
    (
        "低速电动车集中整治",
        [ViolationKind.LOW_SPEED_EV, ViolationKind.UNLICENSED],
        dt.date(2022, 3, 1),
        dt.date(2022, 6, 30),
        "低速电动车、无牌无证驾驶低速电动车集中整治行动。",
    ),
    (
        "老旧报废车辆清查整治",
        [ViolationKind.SCRAPPED_VEHICLE],
        dt.date(2022, 1, 1),
        dt.date(2022, 6, 30),
        "老旧、报废车辆上路行驶清查整治。",
    ),
    (
        "非客运车辆载客及超员超速整治",
        [ViolationKind.ILLEGAL_PASSENGERS, ViolationKind.OVERLOADING, ViolationKind.SPEEDING],
        dt.date(2022, 4, 1),
        dt.date(2022, 9, 30),
        "非客运车辆载客、超员、超速集中整治。",
    ),
    (
        "酒驾醉驾百日整治",
        [ViolationKind.DRUNK_DRIVING],
        dt.date(2022, 5, 1),
        dt.date(2022, 8, 8),
        "夏季夜查，严查酒后驾车。",
    ),
    (
        "“四类交通陋习”整治",
        _HABITS,
        dt.date(2022, 1, 1),
        dt.date(2022, 12, 31),
        "不戴头盔、不系安全带、不礼让斑马线、乱变道、车窗抛物、闯红灯、逆行、越线停车、"
        "行人翻越护栏、乱停乱放。",
    ),
]

# FIGURES.md row 22: the roads under rain/sewage separation works (雨污分流改造).
ZONES = [
    ("花园路雨污分流改造", "花园路", "sq1", dt.date(2022, 3, 15), dt.date(2022, 8, 31), 2),
    ("东昌东路雨污分流改造", "东昌东路", "sq2", dt.date(2022, 3, 1), dt.date(2022, 7, 31), 3),
    ("建设东路雨污分流改造", "建设东路", "sq3", dt.date(2022, 4, 6), dt.date(2022, 9, 30), 2),
    ("兴华路大桥改造施工", "兴华路大桥", "sq3", dt.date(2022, 2, 21), dt.date(2022, 6, 30), 2),
]

SCHOOL_BREAKS = [
    ("2022年寒假", dt.date(2022, 1, 15), dt.date(2022, 2, 13)),
    ("2022年暑假", dt.date(2022, 7, 9), dt.date(2022, 8, 31)),
]

# FIGURES.md rows 1-5, all held by headquarters before the report's mid-June dates.
STUDY = [
    (dt.date(2022, 1, 11), "“第一议题”集中学习研讨"),
    (dt.date(2022, 2, 22), "“三会一课”集中学习"),
    (dt.date(2022, 3, 8), "《内务条令》学习研讨"),
    (dt.date(2022, 3, 29), "教育整顿成果巩固集中学习"),
    (dt.date(2022, 4, 19), "全市公安交警系统“十严禁”学习"),
    (dt.date(2022, 5, 10), "“第一议题”集中学习研讨（五月）"),
    (dt.date(2022, 5, 24), "纪律作风教育整顿学习研讨"),
    (dt.date(2022, 6, 7), "“三会一课”集中学习（六月）"),
]
LECTURES = [
    (dt.date(2022, 3, 17), "党风廉政建设专题辅导"),
    (dt.date(2022, 5, 19), "道路交通安全法律法规专题辅导"),
]
EDUCATION = [
    (dt.date(2022, 1, 25), "警示教育片观看"),
    (dt.date(2022, 3, 24), "英模事迹纪录片观看"),
    (dt.date(2022, 4, 28), "警示教育片观看（二）"),
    (dt.date(2022, 6, 2), "英模教育纪录片观看（二）"),
]
# Six batches; police, auxiliaries and security staff, 150 attendances in all.
DRILLS = [
    (dt.date(2022, 2, 24), "队列训练（第一批）", 24),
    (dt.date(2022, 3, 15), "岗位练兵·指挥手势（第二批）", 26),
    (dt.date(2022, 4, 12), "队列训练（第三批）", 25),
    (dt.date(2022, 5, 6), "岗位练兵·执法规范（第四批）", 27),
    (dt.date(2022, 5, 27), "体能训练与达标测试（第五批）", 23),
    (dt.date(2022, 6, 9), "岗位练兵·警务实战（第六批）", 25),
]
MOTORCYCLE_COURSE = (dt.date(2022, 4, 25), "摩托车驾驶技能培训及支队考核")


def seed(demo: DemoContext) -> None:
    """The brigade's records, in dependency order."""
    demo.units = seed_units()
    demo.officers = seed_officers(demo.units)
    seed_users(demo)
    posts = seed_posts(demo.units)
    campaigns = seed_campaigns()
    zones = seed_zones(demo.units)
    seed_school_breaks()
    seed_training(demo)
    patrols = seed_patrols(demo, posts, campaigns, zones)
    seed_report_shifts(demo, posts, patrols)
    seed_shifts(demo, posts)


def seed_units() -> dict[str, Unit]:
    units = {}
    for code, name, kind in UNITS:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
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


def seed_users(demo: DemoContext) -> None:
    """The four demo users; an existing one keeps its password unless DEMO_PASSWORD is set."""
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


# --- patrols of 2022-01..06 -----------------------------------------------------------------

# Weather by month, most common first (the city's climate, roughly).
WEATHER_BY_MONTH = {
    1: [Weather.CLEAR] * 4 + [Weather.CLOUDY] * 3 + [Weather.FOG] * 2 + [Weather.SNOW],
    2: [Weather.CLEAR] * 4 + [Weather.CLOUDY] * 3 + [Weather.SNOW, Weather.FOG],
    3: [Weather.CLEAR] * 5 + [Weather.CLOUDY] * 2 + [Weather.WIND] * 2 + [Weather.RAIN],
    4: [Weather.CLEAR] * 5 + [Weather.CLOUDY] * 2 + [Weather.WIND, Weather.RAIN],
    5: [Weather.CLEAR] * 5 + [Weather.CLOUDY] * 2 + [Weather.RAIN, Weather.HEAT],
    6: [Weather.CLEAR] * 3
    + [Weather.CLOUDY, Weather.RAIN, Weather.HEAVY_RAIN]
    + [Weather.HEAT] * 2,
}
BAD_WEATHER = {Weather.SNOW, Weather.FOG, Weather.HEAVY_RAIN, Weather.WIND}
# What officers at each kind of post mostly correct.
POST_VIOLATIONS: dict[str, list[str]] = {
    PostKind.PEAK_HOUR: [
        ViolationKind.RED_LIGHT,
        ViolationKind.NO_HELMET,
        ViolationKind.STOP_LINE,
        ViolationKind.NOT_YIELDING,
        ViolationKind.LANE_WEAVING,
    ],
    PostKind.SCHOOL: [
        ViolationKind.ILLEGAL_PARKING,
        ViolationKind.NO_HELMET,
        ViolationKind.LOW_SPEED_EV,
        ViolationKind.WRONG_WAY,
    ],
    PostKind.FIXED: [
        ViolationKind.ILLEGAL_PARKING,
        ViolationKind.RAILING_CLIMBING,
        ViolationKind.WRONG_WAY,
        ViolationKind.NO_HELMET,
    ],
    PostKind.CHECKPOINT: [
        ViolationKind.OVERLOADING,
        ViolationKind.ILLEGAL_PASSENGERS,
        ViolationKind.NO_SEATBELT,
        ViolationKind.SCRAPPED_VEHICLE,
        ViolationKind.DRUNK_DRIVING,
    ],
    PostKind.PATROL_ZONE: [
        ViolationKind.SPEEDING,
        ViolationKind.LANE_WEAVING,
        ViolationKind.THROWING,
        ViolationKind.UNLICENSED,
        ViolationKind.ILLEGAL_PARKING,
    ],
}
# How likely a post is staffed on a day it is planned (the demo keeps half a year small).
STAFFING_CHANCE: dict[str, float] = {
    PostKind.PEAK_HOUR: 0.45,
    PostKind.SCHOOL: 0.45,
    PostKind.FIXED: 0.3,
    PostKind.CHECKPOINT: 0.4,
    PostKind.PATROL_ZONE: 0.35,
}


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


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _road_officers(demo: DemoContext) -> dict[int, list[Officer]]:
    """Per unit, the officers who take road duty (not desk staff), in badge order."""
    desk = {spec.badge_no for spec in OFFICERS if spec.desk}
    by_unit: dict[int, list[Officer]] = {}
    for badge_no in sorted(demo.officers):
        officer = demo.officers[badge_no]
        if badge_no not in desk:
            by_unit.setdefault(officer.unit_id, []).append(officer)
    return by_unit


def plan_patrols(
    demo: DemoContext,
    posts: list[DutyPost],
    campaigns: list[Campaign],
    zones: list[RoadWorksZone],
) -> list[PatrolPlan]:
    """Half a year of patrols, the same list on every run (fixed seed, no database reads
    except the school calendar)."""
    rng = demo.rng("brigade.patrols")
    by_unit = _road_officers(demo)
    plans = []
    for day in _days(REPORT_START, REPORT_END):
        weather = rng.choice(WEATHER_BY_MONTH[day.month])
        bad = weather in BAD_WEATHER
        running = [c for c in campaigns if c.starts_on <= day <= (c.ends_on or day)]
        planned = set(DutyPost.objects.planned_on(day).values_list("pk", flat=True))
        busy: set[int] = set()  # one patrol per officer per day
        for post in posts:
            chance = STAFFING_CHANCE[post.kind] + (0.3 if bad else 0.0)
            if post.pk not in planned or rng.random() >= chance:
                continue
            crew = [o for o in by_unit[post.unit_id] if o.pk not in busy]
            if post.kind == PostKind.PATROL_ZONE:
                crew = [o for o in crew if o.motorcycle_certified] or crew
            if not crew:
                continue
            officer = rng.choice(crew)
            busy.add(officer.pk)
            plans.append(_plan_one(rng, day, officer, post, weather, running, zones))
    return plans


def _mode(post: DutyPost, officer: Officer) -> str:
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
    started_at = _aware(day, post.start_time) + dt.timedelta(minutes=offset)
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
    mode = _mode(post, officer)

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


def seed_patrols(
    demo: DemoContext,
    posts: list[DutyPost],
    campaigns: list[Campaign],
    zones: list[RoadWorksZone],
) -> list[PatrolPlan]:
    """Each planned patrol goes through the officer's transitions: start, check in at the
    post, tallies, end. A patrol already recorded (same officer, same start) is skipped."""
    plans = plan_patrols(demo, posts, campaigns, zones)
    done = set(
        PatrolLog.objects.filter(
            started_at__gte=_aware(REPORT_START, dt.time.min),
            started_at__lt=_aware(REPORT_END + dt.timedelta(days=1), dt.time.min),
        ).values_list("officer_id", "started_at")
    )
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


# --- the half year's shifts -----------------------------------------------------------------

# How often a shift of the half year at a post no patrol above went to is still worked: a
# spell of duty at the post, started from the shift (so checked in at its start), with no
# tallies. With the patrols' own check-ins, about nine planned post-days in ten are staffed.
SHIFT_WORKED_CHANCE = 0.82


@dataclass
class ShiftPlan:
    officer: Officer
    post: DutyPost
    starts_at: dt.datetime
    ends_at: dt.datetime
    worked: bool  # a spell of post duty is started from the shift
    weather: str


def plan_report_shifts(
    demo: DemoContext, posts: list[DutyPost], patrols: list[PatrolPlan]
) -> list[ShiftPlan]:
    """One shift per post per day it is planned in 2022-01..06 (定人定岗): the officer of
    the day's patrol at the post if there is one, else a squadron colleague free that day,
    who works it on most days. The same list on every run (fixed seed)."""
    rng = demo.rng("brigade.shifts.2022")
    by_unit = _road_officers(demo)
    on_post: dict[tuple[int, dt.date], Officer] = {}
    busy: dict[dt.date, set[int]] = {}
    weather: dict[dt.date, str] = {}
    for patrol in patrols:
        day = timezone.localdate(patrol.started_at)
        if patrol.post is not None:
            on_post[(patrol.post.pk, day)] = patrol.officer
        busy.setdefault(day, set()).add(patrol.officer.pk)
        weather[day] = patrol.weather
    plans = []
    for day in _days(REPORT_START, REPORT_END):
        planned = set(DutyPost.objects.planned_on(day).values_list("pk", flat=True))
        taken = busy.setdefault(day, set())
        for post in posts:
            if post.pk not in planned:
                continue
            officer = on_post.get((post.pk, day))
            worked = False  # the patrol planned at the post checks in by itself
            if officer is None:
                crew = [o for o in by_unit[post.unit_id] if o.pk not in taken]
                if post.kind == PostKind.PATROL_ZONE:
                    crew = [o for o in crew if o.motorcycle_certified] or crew
                if not crew:
                    continue
                officer = rng.choice(crew)
                taken.add(officer.pk)
                worked = rng.random() < SHIFT_WORKED_CHANCE
            plans.append(
                ShiftPlan(
                    officer=officer,
                    post=post,
                    starts_at=_aware(day, post.start_time),
                    ends_at=_aware(day, post.end_time),
                    worked=worked,
                    weather=weather.get(day, ""),
                )
            )
    return plans


def seed_report_shifts(demo: DemoContext, posts: list[DutyPost], patrols: list[PatrolPlan]) -> None:
    """The half year's shifts, and the spells of post duty started from them (start from
    the shift, which checks in at its post; end at the shift's end). A shift or spell
    already recorded (same officer, post and start) is skipped."""
    plans = plan_report_shifts(demo, posts, patrols)
    window = (
        _aware(REPORT_START, dt.time.min),
        _aware(REPORT_END + dt.timedelta(days=1), dt.time.min),
    )
    shifts = {
        (shift.officer_id, shift.post_id, shift.starts_at): shift
        for shift in Shift.objects.filter(starts_at__gte=window[0], starts_at__lt=window[1])
    }
    done = set(
        PatrolLog.objects.filter(started_at__gte=window[0], started_at__lt=window[1]).values_list(
            "officer_id", "started_at"
        )
    )
    created_shifts = created_spells = 0
    for plan in plans:
        shift = shifts.get((plan.officer.pk, plan.post.pk, plan.starts_at))
        if shift is None:
            try:
                shift = services.shift_save(
                    officer=plan.officer,
                    post=plan.post,
                    starts_at=plan.starts_at,
                    ends_at=plan.ends_at,
                    duty=SHIFT_DUTY,
                )
            except ValidationError as exc:
                # A shift someone changed by hand since the last run: keep theirs.
                day = f"{plan.starts_at:%Y-%m-%d}"
                demo.log(f"Shift of {plan.officer} at {plan.post} on {day} kept: {exc}")
                continue
            created_shifts += 1
        if not plan.worked or (plan.officer.pk, plan.starts_at) in done:
            continue
        patrol = services.patrol_start(
            officer=plan.officer,
            mode=_mode(plan.post, plan.officer),
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


def plan_shifts(
    demo: DemoContext, posts: list[DutyPost]
) -> list[tuple[Officer, DutyPost, dt.datetime, dt.datetime]]:
    """Every post planned today and in the next six days gets one officer; the demo
    officer always has the first shift of their squadron's day."""
    by_unit = _road_officers(demo)
    demo_officer = demo.officers[DEMO_OFFICER_BADGE]
    plans = []
    for index in range(SHIFT_DAYS):
        day = demo.today + dt.timedelta(days=index)
        planned = set(DutyPost.objects.planned_on(day).values_list("pk", flat=True))
        booked: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
        day_posts = sorted((p for p in posts if p.pk in planned), key=lambda p: p.start_time)
        for post in day_posts:
            starts_at, ends_at = _aware(day, post.start_time), _aware(day, post.end_time)
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
        try:
            services.shift_save(
                officer=officer, post=post, starts_at=starts_at, ends_at=ends_at, duty=SHIFT_DUTY
            )
        except ValidationError as exc:
            # A shift someone changed by hand since the last run: keep theirs.
            demo.log(f"Shift of {officer} at {post} on {starts_at:%Y-%m-%d} kept: {exc}")
            continue
        created += 1
    demo.log(
        f"Shifts {demo.today}..{demo.today + dt.timedelta(days=SHIFT_DAYS - 1)}: "
        f"{len(plans)} planned, {created} recorded now."
    )


def summary() -> dict[str, Any]:
    """Row counts a person checks after seeding."""
    return {
        "units": Unit.objects.count(),
        "officers": Officer.objects.count(),
        "posts": DutyPost.objects.count(),
        "patrols": PatrolLog.objects.count(),
        "training sessions": TrainingSession.objects.count(),
        "shifts": Shift.objects.count(),
    }
