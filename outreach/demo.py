"""The outreach part of the demo data (``manage.py seed_demo``): FIGURES.md rows 16-20.

By 14 June 2022 the brigade went into 6 enterprises, 10 schools and 8 communities, ran 7
key-date campaigns (plus a few visits to villages, families, workplaces and stations),
answered 1,500 questions and educated 15,000 people at those events; it helped the public
40 times, received 15 banners (and a few letters) and runs 5 love stations with a daily
visit tally. The school "yellow cap & reflective uniform" project runs with the education
bureau, the elderly-friendly publicity with the civil affairs bureau.

Idempotent like the brigade's part: records are looked up by a natural key first, and the
random choices come from ``demo.rng("outreach...")``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from simple_history.utils import bulk_create_with_history

from brigade.duty.demo import REPORT_END, REPORT_START, DemoContext, at, days, english_name
from brigade.duty.models import DutyPost, Officer, Unit
from outreach import models, services
from outreach.choices import AssistanceKind, CommendationKind, GoalKind, VenueKind

EVENTS_BY = dt.date(2022, 6, 14)  # "截至6月14日"
PEOPLE_EDUCATED = 15_000
CONSULTATIONS = 1_500
SQUADRONS = ("sq1", "sq2", "sq3")

YELLOW_CAP = "“小黄帽·反光校服”护学行动"
ELDERLY = "适老化交通安全宣传"
# The campaigns' English names (shown on English pages).
CAMPAIGN_NAMES_EN = {
    YELLOW_CAP: "Yellow caps and reflective uniforms for pupils",
    ELDERLY: "Road safety for older people",
}
CAMPAIGNS = [
    # name, partner, lead unit, starts, ends, goal, target, description
    (
        YELLOW_CAP,
        "市教育局",
        "hq",
        dt.date(2022, 2, 14),
        dt.date(2022, 7, 8),
        GoalKind.SCHOOLS,
        10,
        "为城区中小学生配发小黄帽、反光校服，进校园开展交通安全第一课。",
    ),
    (
        ELDERLY,
        "市民政局",
        "hq",
        dt.date(2022, 3, 1),
        dt.date(2022, 12, 31),
        GoalKind.COMMUNITIES,
        8,
        "走进社区，为老年人讲解电动三轮车、过街安全与防骗常识。",
    ),
]

# (venue kind, venue name, topic, weight of the audience, date window)
H1 = (dt.date(2022, 1, 4), EVENTS_BY)
SCHOOL_TERM = (dt.date(2022, 2, 14), EVENTS_BY)
ENTERPRISES = [
    ("聊城交运集团", "“两客一危”驾驶人安全教育"),
    ("鲁西化工物流公司", "危化品运输车辆安全警示"),
    ("东昌建设工程公司", "渣土车规范通行宣讲"),
    ("城区公交公司", "驾驶人文明礼让宣传"),
    ("顺丰速运东昌营业部", "快递外卖骑手交通安全培训"),
    ("美团外卖聊城站点", "外卖骑手头盔佩戴宣传"),
]
SCHOOLS = [
    ("花园路实验小学", "开学交通安全第一课"),
    ("东昌中学", "上下学交通安全讲座"),
    ("建设路小学", "小黄帽发放暨安全宣讲"),
    ("柳园小学", "反光校服发放仪式"),
    ("兴华路小学", "交通手势进课堂"),
    ("振兴路幼儿园", "“小手拉大手”交通安全"),
    ("聊城第三中学", "电动车安全骑行讲座"),
    ("东关民族小学", "交通安全知识竞赛"),
    ("湖西小学", "暑期前交通安全教育"),
    ("光明小学", "安全出行主题班会"),
]
COMMUNITIES = [
    ("柳园社区", "老年人过街安全讲座"),
    ("花园社区", "电动三轮车安全使用"),
    ("东昌社区", "防范“碰瓷”与交通安全"),
    ("兴华社区", "头盔佩戴宣传"),
    ("建设社区", "文明交通进家庭"),
    ("古楼社区", "老年代步车安全提示"),
    ("湖南路社区", "酒驾醉驾危害宣传"),
    ("振兴社区", "夏季出行安全提示"),
]
KEY_DATES = [
    (dt.date(2022, 1, 1), "东昌路百货大楼广场", "元旦节日交通安全宣传"),
    (dt.date(2022, 1, 24), "聊城汽车总站", "春运交通安全宣传"),
    (dt.date(2022, 2, 15), "古楼商业街", "元宵节文明出行宣传"),
    (dt.date(2022, 4, 2), "东昌湖游客中心", "清明节出行安全宣传"),
    (dt.date(2022, 4, 30), "振兴路商场", "“五一”假期交通安全宣传"),
    (dt.date(2022, 6, 2), "花园路步行街", "端午节交通安全宣传"),
    (dt.date(2022, 6, 10), "东昌东路人民广场", "“安全生产月”集中宣传"),
]
OTHERS = [
    (VenueKind.VILLAGE, "阎寺街道后菜村", "农村面包车超员宣传"),
    (VenueKind.VILLAGE, "道口铺街道前八里屯", "三轮车载人安全宣传"),
    (VenueKind.VILLAGE, "凤凰街道郭庄", "农忙时节交通安全"),
    (VenueKind.FAMILY, "花园社区王家", "入户交通安全提示"),
    (VenueKind.FAMILY, "柳园社区李家", "入户头盔发放"),
    (VenueKind.WORKPLACE, "东昌东路施工工地", "雨污分流工地安全宣传"),
    (VenueKind.WORKPLACE, "城区环卫所", "环卫工人作业安全"),
    (VenueKind.STATION, "聊城汽车总站", "客运站驾乘人员宣传"),
    (VenueKind.STATION, "聊城火车站东广场", "出租车驾驶人宣传"),
]
# Rough audience per event by venue kind (before scaling to the report's total).
AUDIENCE_WEIGHT = {
    VenueKind.ENTERPRISE: 150,
    VenueKind.SCHOOL: 900,
    VenueKind.COMMUNITY: 200,
    VenueKind.KEY_DATE: 600,
    VenueKind.VILLAGE: 120,
    VenueKind.FAMILY: 8,
    VenueKind.WORKPLACE: 80,
    VenueKind.STATION: 300,
}

# FIGURES.md row 17: about 40 times; mixed kinds.
ASSISTANCE = {
    AssistanceKind.MEDICAL_ESCORT: 10,
    AssistanceKind.REUNITED: 9,
    AssistanceKind.LOST_PROPERTY: 11,
    AssistanceKind.EXAM_ESCORT: 6,
    AssistanceKind.OTHER: 4,
}
ASSISTANCE_STORIES = {
    AssistanceKind.MEDICAL_ESCORT: ("突发疾病群众", "警车开道送医，及时救治"),
    AssistanceKind.REUNITED: ("走失老人或儿童", "帮助其与家人团聚"),
    AssistanceKind.LOST_PROPERTY: ("遗失财物", "物归原主"),
    AssistanceKind.EXAM_ESCORT: ("考生", "护送考生按时到达考点"),
    AssistanceKind.OTHER: ("车辆故障群众", "协助推车脱险"),
}
PLACES = [
    "花园路与东昌路交叉口",
    "东昌东路柳园路口",
    "建设东路兴华路口",
    "兴华路大桥",
    "振兴路商场门前",
    "百货大楼路口",
    "聊城东高速收费站出口",
    "古楼商业街",
]
EXAM_DAYS = [
    dt.date(2022, 6, 7),
    dt.date(2022, 6, 7),
    dt.date(2022, 6, 8),
    dt.date(2022, 6, 8),
    dt.date(2022, 6, 18),
    dt.date(2022, 6, 19),
]

BANNERS = 15
LETTERS = 4
GIVERS = [
    "张大爷一家",
    "李女士",
    "王先生",
    "花园路实验小学",
    "赵女士家属",
    "刘先生",
    "交运集团驾驶员",
    "孙阿姨",
    "东昌中学高三家长",
    "陈先生",
    "周女士",
    "柳园社区居委会",
    "吴先生",
    "郑女士",
    "外卖骑手马师傅",
    "考生家长代表",
    "钱先生",
    "冯女士",
    "何大爷",
]
WORDINGS = [
    "人民交警为人民",
    "热心助民 情系百姓",
    "拾金不昧 品德高尚",
    "危难之中显身手 救死扶伤好警察",
    "护航高考 情暖人心",
    "执法为民 文明服务",
]

# FIGURES.md row 18: five love stations at police kiosks, for outdoor workers.
STATIONS = [
    # name, unit, post name (or None), location, opened on
    ("花园路爱心驿站", "sq1", "百货大楼固定岗", "东昌路百货大楼路口警务岗亭", dt.date(2021, 12, 1)),
    ("实验小学爱心驿站", "sq1", "实验小学助学岗", "花园路实验小学门前岗亭", dt.date(2022, 1, 10)),
    ("振兴路爱心驿站", "sq2", "振兴路商场固定岗", "振兴路与东昌东路口岗亭", dt.date(2022, 2, 21)),
    ("兴华路爱心驿站", "sq3", "兴华路大桥固定岗", "兴华路大桥西桥头岗亭", dt.date(2022, 3, 15)),
    ("大队部爱心驿站", "hq", None, "大队部一楼服务大厅", dt.date(2022, 4, 1)),
]
STATION_SERVICES = "饮水、热饭、充电、休息、如厕、应急药品"


def seed(demo: DemoContext) -> None:
    """The outreach records, in dependency order."""
    units = demo.units or {u.code: u for u in Unit.objects.all()}
    crews = _crews(demo, units)
    campaigns = seed_campaigns(units)
    seed_events(demo, units, crews, campaigns)
    seed_assistance(demo, units, crews)
    seed_commendations(demo, units, crews)
    seed_stations(demo, units)


def _crews(demo: DemoContext, units: dict[str, Unit]) -> dict[str, list[Officer]]:
    officers = list(demo.officers.values()) or list(Officer.objects.select_related("unit"))
    crews: dict[str, list[Officer]] = {code: [] for code in units}
    for officer in sorted(officers, key=lambda o: o.badge_no):
        crews[officer.unit.code].append(officer)
    return crews


def seed_campaigns(units: dict[str, Unit]) -> dict[str, models.OutreachCampaign]:
    found = {}
    for name, partner, unit, starts, ends, goal, target, description in CAMPAIGNS:
        found[name], _ = models.OutreachCampaign.objects.get_or_create(
            name=name,
            defaults={
                "partner": partner,
                "unit": units[unit],
                "starts_on": starts,
                "ends_on": ends,
                "goal_kind": goal,
                "goal_target": target,
                "description": description,
            },
        )
        english_name(found[name], CAMPAIGN_NAMES_EN.get(name, ""))
    return found


def exact_split(rng: random.Random, weights: Sequence[float], total: int) -> list[int]:
    """Whole numbers near ``weights`` (jittered) that add up to exactly ``total``."""
    jittered = [w * rng.uniform(0.7, 1.3) for w in weights]
    scale = total / sum(jittered)
    parts = [int(w * scale) for w in jittered]
    # hand the rounding remainder to the largest shares, one each
    remainder = total - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: jittered[i] * scale - parts[i], reverse=True)
    for i in order[:remainder]:
        parts[i] += 1
    return parts


def _day(rng: random.Random, window: tuple[dt.date, dt.date], avoid: set[dt.date]) -> dt.date:
    first, last = window
    while True:
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        winter_break = dt.date(2022, 1, 15) <= day <= dt.date(2022, 2, 13)
        if day not in avoid and not winter_break and day.isoweekday() <= 6:
            return day


def plan_events(demo: DemoContext) -> list[dict[str, Any]]:
    """The events of the half year: venue kind, name, topic, day, squadron, counts."""
    rng = demo.rng("outreach.events")
    plans: list[dict[str, Any]] = []
    used: set[dt.date] = set()
    for kind, venues, window in (
        (VenueKind.ENTERPRISE, ENTERPRISES, H1),
        (VenueKind.SCHOOL, SCHOOLS, SCHOOL_TERM),
        (VenueKind.COMMUNITY, COMMUNITIES, (dt.date(2022, 3, 1), EVENTS_BY)),
    ):
        for name, topic in venues:
            day = _day(rng, window, used)
            used.add(day)
            plans.append({"kind": kind, "name": name, "topic": topic, "day": day})
    for day, name, topic in KEY_DATES:
        plans.append({"kind": VenueKind.KEY_DATE, "name": name, "topic": topic, "day": day})
    for kind, name, topic in OTHERS:
        day = _day(rng, H1, used)
        used.add(day)
        plans.append({"kind": kind, "name": name, "topic": topic, "day": day})
    plans.sort(key=lambda p: (p["day"], p["name"]))
    weights = [AUDIENCE_WEIGHT[p["kind"]] for p in plans]
    audiences = exact_split(rng, weights, PEOPLE_EDUCATED)
    # questions come with the crowd: about one in ten
    consultations = exact_split(rng, audiences, CONSULTATIONS)
    for plan, audience, asked in zip(plans, audiences, consultations, strict=True):
        plan["audience"] = audience
        plan["consultations"] = asked
        plan["materials"] = int(audience * rng.uniform(0.5, 1.2))
        # key-date campaigns are the brigade's; the rest go to a squadron
        plan["unit"] = "hq" if plan["kind"] == VenueKind.KEY_DATE else rng.choice(SQUADRONS)
        plan["crew_size"] = rng.randint(2, 4)
    return plans


def seed_events(
    demo: DemoContext,
    units: dict[str, Unit],
    crews: dict[str, list[Officer]],
    campaigns: dict[str, models.OutreachCampaign],
) -> None:
    rng = demo.rng("outreach.crews")
    existing = set(models.PublicityEvent.objects.values_list("held_on", "venue_name"))
    created = 0
    for plan in plan_events(demo):
        crew = crews.get(plan["unit"]) or []
        officers = rng.sample(crew, k=min(plan["crew_size"], len(crew)))
        if (plan["day"], plan["name"]) in existing:
            continue
        campaign = None
        if plan["kind"] == VenueKind.SCHOOL:
            campaign = campaigns[YELLOW_CAP]
        elif plan["kind"] == VenueKind.COMMUNITY:
            campaign = campaigns[ELDERLY]
        if campaign is not None and not campaign.is_running(plan["day"]):
            campaign = None
        event = services.event_save(
            by=None,
            held_on=plan["day"],
            venue_kind=plan["kind"],
            venue_name=plan["name"],
            topic=plan["topic"],
            officers=officers,
            audience=plan["audience"],
            consultations=plan["consultations"],
            materials=plan["materials"],
            campaign=campaign,
        )
        if event.unit.code != plan["unit"]:
            event.unit = units[plan["unit"]]
            event.save(update_fields=["unit", "updated_at"])
        created += 1
    demo.log(f"  publicity events: {created} recorded now.")


def plan_assistance(demo: DemoContext) -> list[dict[str, Any]]:
    rng = demo.rng("outreach.assistance")
    plans = []
    exam_days = iter(EXAM_DAYS)
    for kind, count in ASSISTANCE.items():
        for _n in range(count):
            if kind == AssistanceKind.EXAM_ESCORT:
                day = next(exam_days)
                hour = rng.choice((7, 8, 13, 14))
            else:
                day = REPORT_START + dt.timedelta(days=rng.randint(0, 180))
                hour = rng.randint(6, 21)
            who, outcome = ASSISTANCE_STORIES[kind]
            plans.append(
                {
                    "kind": kind,
                    "at": at(day, hour, rng.choice((0, 10, 20, 30, 40, 50))),
                    "place": rng.choice(PLACES),
                    "who": who,
                    "outcome": outcome,
                    "unit": rng.choice(SQUADRONS),
                    "crew_size": rng.randint(1, 2),
                }
            )
    return plans


def seed_assistance(
    demo: DemoContext, units: dict[str, Unit], crews: dict[str, list[Officer]]
) -> None:
    rng = demo.rng("outreach.assistance.crews")
    existing = set(models.AssistanceEvent.objects.values_list("occurred_at", "location"))
    created = 0
    for plan in plan_assistance(demo):
        officers = rng.sample(crews[plan["unit"]], k=plan["crew_size"])
        if (plan["at"], plan["place"]) in existing:
            continue
        services.assistance_save(
            by=None,
            kind=plan["kind"],
            occurred_at=plan["at"],
            location=plan["place"],
            outcome=plan["outcome"],
            description=f"执勤中发现{plan['who']}需要帮助，{plan['outcome']}。",
            officers=officers,
        )
        existing.add((plan["at"], plan["place"]))
        created += 1
    demo.log(f"  assistance to the public: {created} recorded now.")


def seed_commendations(
    demo: DemoContext, units: dict[str, Unit], crews: dict[str, list[Officer]]
) -> None:
    rng = demo.rng("outreach.commendations")
    existing = set(models.Commendation.objects.values_list("received_on", "giver"))
    created = 0
    kinds = [CommendationKind.BANNER] * BANNERS + [CommendationKind.LETTER] * LETTERS
    for n, kind in enumerate(kinds):
        giver = GIVERS[n % len(GIVERS)]
        day = REPORT_START + dt.timedelta(days=rng.randint(5, (EVENTS_BY - REPORT_START).days))
        unit_code = rng.choice(SQUADRONS)
        to_unit = rng.random() < 0.2
        officer = None if to_unit else rng.choice(crews[unit_code])
        wording = rng.choice(WORDINGS)
        if (day, giver) in existing:
            continue
        services.commendation_save(
            by=None,
            kind=kind,
            giver=giver,
            received_on=day,
            officer=officer,
            recipient_unit=units[unit_code] if to_unit else None,
            wording=wording if kind == CommendationKind.BANNER else "",
            reason="感谢民警热心帮助。",
        )
        existing.add((day, giver))
        created += 1
    demo.log(f"  commendations: {created} recorded now.")


def seed_stations(demo: DemoContext, units: dict[str, Unit]) -> None:
    rng = demo.rng("outreach.stations")
    posts = {p.name: p for p in DutyPost.objects.filter(name__in=[s[2] for s in STATIONS if s[2]])}
    new_days = []
    for name, unit, post, location, opened in STATIONS:
        station, _ = models.LoveStation.objects.get_or_create(
            name=name,
            defaults={
                "unit": units[unit],
                "post": posts.get(post) if post else None,
                "location": location,
                "opening_hours": "全天" if unit == "hq" else "07:00-20:00",
                "services": STATION_SERVICES,
                "opened_on": opened,
            },
        )
        have = set(
            models.StationVisitDay.objects.filter(station=station).values_list("day", flat=True)
        )
        for day in days(max(opened, REPORT_START), REPORT_END):
            # winter mornings and summer heat bring the most outdoor workers in
            visits = rng.randint(4, 14) + (6 if day.month in (1, 2, 6) else 0)
            if day not in have:
                new_days.append(models.StationVisitDay(station=station, day=day, visits=visits))
    if new_days:
        bulk_create_with_history(new_days, models.StationVisitDay, batch_size=500)
    demo.log(f"  love stations: {len(STATIONS)}, {len(new_days)} visit days recorded now.")
