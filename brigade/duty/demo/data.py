"""What the demo brigade is made of: units, officers, users, posts, campaigns, road works,
school breaks and training of the 2022 half-year report, and the odds the patrols and shifts
are drawn with. Declarative lists only: the code that writes them is next to this module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from brigade.core.roles import Role
from brigade.duty.choices import OfficerKind, PostKind, UnitKind, ViolationKind, Weather

SHIFT_DAYS = 7  # today and the next six days
SHIFT_DUTY = "定人定岗定责"

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


def _squadron(
    number: int, police: str, auxiliaries: str, security: str, desk: str = ""
) -> list[OfficerSpec]:
    """Squadron ``number``'s officers, badges in order: its police officers (0513N1…, all of
    the motorcycle course), its auxiliaries (F051N1…, ``desk`` at the desk) and its security
    guard (B050N1)."""
    unit = f"sq{number}"
    return [
        *(
            OfficerSpec(f"0513{number}{i}", name, P, unit, motorcycle=True)
            for i, name in enumerate(police.split(), 1)
        ),
        *(
            OfficerSpec(f"F051{number}{i}", name, A, unit, desk=name == desk)
            for i, name in enumerate(auxiliaries.split(), 1)
        ),
        OfficerSpec(f"B050{number}1", security, S, unit),
    ]


OFFICERS = [
    OfficerSpec("051300", "王建国", P, "hq"),  # brigade commander, over 50
    OfficerSpec("051301", "刘芳", P, "hq", desk=True),
    OfficerSpec("051302", "张伟", P, "hq", motorcycle=True),
    OfficerSpec("051303", "李强", P, "hq", motorcycle=True),
    OfficerSpec("051304", "陈磊", P, "hq", motorcycle=True),
    OfficerSpec("B05001", "赵大勇", S, "hq"),
    *_squadron(1, "孙浩 周晓东 吴涛 郑凯 冯军", "何亮 许婷 邓超 曹阳", "彭立新", desk="许婷"),
    *_squadron(2, "马骏 胡文斌 朱鹏 郭志强 高峰", "林海 罗杰 梁子豪 宋刚", "韩庆丰"),
    *_squadron(3, "唐明 董浩然 于洋 袁帅 蒋睿", "蔡宁 贾旭 丁一鸣 魏东", "薛国庆"),
]


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    badge_no: str | None  # the officer profile; None for the administrator
    superuser: bool = False


# the demo users' e-mail addresses: ``<username>@brigade.example``
DEMO_EMAIL_DOMAIN = "brigade.example"
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


PostRow = tuple[str, str, str, tuple[str, str, str]]  # name, kind, location, hours


def _peak_posts(crossing: str, location: str) -> list[PostRow]:
    """A crossing's two peak-hour posts: the morning's and the evening's."""
    return [
        (f"{crossing}早高峰岗", PostKind.PEAK_HOUR, location, AM_PEAK),
        (f"{crossing}晚高峰岗", PostKind.PEAK_HOUR, location, PM_PEAK),
    ]


# unit -> its posts
POSTS: dict[str, list[PostRow]] = {
    "sq1": [
        *_peak_posts("花园路东昌路口", "花园路与东昌路交叉口"),
        ("实验小学助学岗", PostKind.SCHOOL, "花园路实验小学门前", SCHOOL_IN),
        ("实验小学放学助学岗", PostKind.SCHOOL, "花园路实验小学门前", SCHOOL_OUT),
        ("百货大楼固定岗", PostKind.FIXED, "东昌路百货大楼路口", DAYTIME),
        ("花园路铁骑巡逻区", PostKind.PATROL_ZONE, "花园路全线", ALL_DAY),
    ],
    "sq2": [
        *_peak_posts("东昌东路柳园路口", "东昌东路与柳园路交叉口"),
        ("东昌中学助学岗", PostKind.SCHOOL, "东昌东路东昌中学门前", SCHOOL_IN),
        ("振兴路商场固定岗", PostKind.FIXED, "振兴路与东昌东路口", DAYTIME),
        ("东昌东路铁骑巡逻区", PostKind.PATROL_ZONE, "东昌东路全线", ALL_DAY),
    ],
    "sq3": [
        *_peak_posts("建设东路兴华路口", "建设东路与兴华路交叉口"),
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
        [ViolationKind.ILLEGAL_PASSENGERS, ViolationKind.EXCESS_PASSENGERS, ViolationKind.SPEEDING],
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

# The English names of the squadrons and crackdowns (shown on English pages).
NAMES_EN = {
    "大队部": "Brigade HQ",
    "一中队": "1st Squadron",
    "二中队": "2nd Squadron",
    "三中队": "3rd Squadron",
    "低速电动车集中整治": "Low-speed EV crackdown",
    "老旧报废车辆清查整治": "Old and scrapped vehicle sweep",
    "非客运车辆载客及超员超速整治": "Illegal passengers, overcrowding and speeding",
    "酒驾醉驾百日整治": "100-day drink-driving crackdown",
    "“四类交通陋习”整治": "Bad road habits crackdown",
}

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

# --- patrols and shifts -----------------------------------------------------------------

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
        ViolationKind.EXCESS_PASSENGERS,
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


# How often a shift of the half year at a post no patrol above went to is still worked: a
# spell of duty at the post, started from the shift (so checked in at its start), with no
# tallies. With the patrols' own check-ins, about nine planned post-days in ten are staffed.
SHIFT_WORKED_CHANCE = 0.82
DESK_BADGES = frozenset(spec.badge_no for spec in OFFICERS if spec.desk)
