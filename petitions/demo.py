"""The petitions part of the demo data (``manage.py seed_demo``).

FIGURES.md rows 12-15 for 2022-01-01..2022-06-30: 1,620 12345 tickets (承办单) spread over
the categories, squadrons, handlers, channels and the half year, every one replied to,
closed and called back satisfied or basically satisfied (办结率/反馈率/满意率 100%); 592
questions answered by phone or in person; 5 legislators' proposals answered in person.
Plus a dozen tickets open now, so the clerk's queue has work in it.

Idempotent: tickets are found by their platform number, consultations by unit and time,
proposals by title; the random choices come from ``demo.rng("petitions")``. Writes are
bulk (with their history rows): the KPI engine is paused during the seed and recomputes
everything at its end.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from brigade.duty.demo import (
    REPORT_END,
    REPORT_START,
    DemoContext,
    at,
    days,
    english_name,
    report_window,
)
from brigade.duty.models import Officer
from petitions import choices, models
from petitions.deadlines import add_workdays
from petitions.services import deadlines_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TICKETS = 1620  # row 12
CONSULTATIONS = 592  # row 13
BATCH = 500

CATEGORIES = [
    # code, name, sign, reply, close (working days), reply templates, what citizens say
    (
        "jam",
        "交通拥堵",
        1,
        3,
        5,
        [
            "您反映的路口拥堵问题，我大队已在高峰时段增派警力疏导，感谢您的监督。",
            "经核实，该路段拥堵系施工占道所致，已协调施工方调整围挡并安排民警值守。",
        ],
        ["早高峰拥堵严重，请求增派警力疏导", "路口车辆排队过长，通行缓慢"],
    ),
    (
        "parking",
        "违法停车",
        1,
        3,
        5,
        ["您反映的违法停车问题，我大队已安排民警现场整治并加强巡查。"],
        ["人行道被车辆长期占用", "小区门口乱停车堵塞消防通道"],
    ),
    (
        "signal",
        "信号灯与标志标线",
        1,
        5,
        10,
        ["您反映的信号灯问题，已通知设施维护单位检修，现已恢复正常。"],
        ["信号灯配时不合理，绿灯时间太短", "路口标线模糊，请求重新施划"],
    ),
    (
        "road",
        "道路设施与施工",
        1,
        5,
        10,
        ["您反映的施工路段安全问题，已督促施工单位完善警示标志和防护设施。"],
        ["施工路段夜间没有警示灯", "道路护栏损坏存在安全隐患"],
    ),
    (
        "accident",
        "事故处理",
        1,
        5,
        10,
        ["您反映的事故处理问题，承办民警已与您联系并说明处理进度。"],
        ["事故处理进度咨询", "对事故责任认定有疑问"],
    ),
    (
        "enforcement",
        "执法监督",
        1,
        5,
        15,
        ["您反映的执法问题，我大队已调查核实并将处理结果向您反馈。"],
        ["对违法处罚有异议", "反映执勤民警态度问题"],
    ),
    (
        "vehicle",
        "车驾管业务",
        1,
        3,
        5,
        ["您咨询的业务，可携带身份证明到车管所窗口办理，我们已电话告知详细流程。"],
        ["驾驶证到期换证流程咨询", "电动车上牌地点咨询"],
    ),
    (
        "other",
        "其他",
        1,
        5,
        10,
        ["您反映的问题已转交相关部门处理，我们将持续跟进。"],
        ["建议增设过街设施", "学校门口上下学时段秩序混乱"],
    ),
]
# The categories' English names (shown on English pages), by code.
CATEGORY_NAMES_EN = {
    "jam": "Congestion",
    "parking": "Illegal parking",
    "signal": "Signals, signs and markings",
    "road": "Road facilities and works",
    "accident": "Accident handling",
    "enforcement": "Enforcement oversight",
    "vehicle": "Vehicle and licence services",
    "other": "Other",
}
CATEGORY_WEIGHTS = [30, 22, 12, 10, 8, 4, 8, 6]
CHANNELS = [
    (choices.TicketChannel.HOTLINE, 70),
    (choices.TicketChannel.WEB, 10),
    (choices.TicketChannel.APP, 8),
    (choices.TicketChannel.WECHAT, 10),
    (choices.TicketChannel.LETTER, 2),
]
ROADS = [
    "花园路",
    "东昌东路",
    "建设东路",
    "兴华路大桥",
    "柳园路",
    "东关街",
    "湖南路",
    "光岳路",
    "鲁化路",
    "向阳路",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明"]
SQUADRONS = ("sq1", "sq2", "sq3")
CONSULTATION_TOPICS = [
    ("驾驶证换证需要哪些材料", "携带身份证、体检证明到车管所或通过交管12123办理。"),
    ("电动自行车如何上牌", "携带购车发票、合格证和身份证到指定登记点办理。"),
    ("违章记录如何查询和处理", "可通过交管12123 App查询，并在线缴纳罚款。"),
    ("轻微事故如何快处快赔", "双方无人伤、车能动时拍照取证后撤离现场，线上定责。"),
    ("学校门口接送车辆停放", "请按指定临时停车区停放，即停即走。"),
    ("货车限行时间和路段", "市区主干道7:00-20:00限行，具体以标志为准。"),
    ("头盔佩戴要求", "骑乘电动自行车、摩托车须规范佩戴安全头盔。"),
]
PROPOSALS = [
    (
        choices.ProposalKind.NPC,
        "刘代表",
        choices.ProposerGrade.CITY,
        "关于在实验小学门前增设信号灯的建议",
    ),
    (
        choices.ProposalKind.CPPCC,
        "陈委员",
        choices.ProposerGrade.CITY,
        "关于规范电动自行车通行秩序的提案",
    ),
    (
        choices.ProposalKind.NPC,
        "赵代表",
        choices.ProposerGrade.DISTRICT,
        "关于缓解花园路早高峰拥堵的建议",
    ),
    (
        choices.ProposalKind.CPPCC,
        "孙委员",
        choices.ProposerGrade.DISTRICT,
        "关于增设老旧小区周边停车泊位的提案",
    ),
    (
        choices.ProposalKind.NPC,
        "周代表",
        choices.ProposerGrade.PROVINCIAL,
        "关于加强农村道路交通安全的建议",
    ),
]


CODES = [c[0] for c in CATEGORIES]
SAID = {c[0]: c[6] for c in CATEGORIES}
OPEN_STATES = [
    choices.TicketStatus.RECEIVED,
    choices.TicketStatus.RECEIVED,
    choices.TicketStatus.RECEIVED,
    choices.TicketStatus.SIGNED,
    choices.TicketStatus.SIGNED,
    choices.TicketStatus.HANDLING,
    choices.TicketStatus.HANDLING,
    choices.TicketStatus.HANDLING,
    choices.TicketStatus.REPLIED,
    choices.TicketStatus.REPLIED,
    choices.TicketStatus.HANDLING,
    choices.TicketStatus.RECEIVED,
]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def seed_categories() -> dict[str, models.TicketCategory]:
    categories = {}
    for code, name, sign, reply, close, templates, _said in CATEGORIES:
        categories[code], _created = models.TicketCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sign_days": sign,
                "reply_days": reply,
                "close_days": close,
                "reply_templates": templates,
            },
        )
        english_name(categories[code], CATEGORY_NAMES_EN.get(code, ""))
    return categories


def _handlers(demo: DemoContext) -> dict[str, list[Officer]]:
    """Per unit code, the officers who handle cases (not desk staff), in badge order."""
    by_unit = demo.road_officers()
    return {code: by_unit[unit.pk] for code, unit in demo.units.items() if unit.pk in by_unit}


def seed(demo: DemoContext) -> None:
    rng = demo.rng("petitions")
    categories = seed_categories()
    users = demo.users("clerk", "commander")
    clerk, commander = users.get("clerk"), users.get("commander")
    handlers = _handlers(demo)
    created = _seed_tickets(demo, rng, categories, handlers, (clerk, commander))
    consultations = _seed_consultations(demo, rng, handlers)
    proposals = _seed_proposals(demo, rng, handlers)
    open_now = _seed_open_tickets(demo, rng, categories, handlers, clerk)
    open_now += _seed_due_now_tickets(demo, categories, handlers, clerk)
    demo.log(
        f"  petitions: {created} tickets, {consultations} consultations, {proposals} "
        f"proposals, {open_now} open tickets written"
    )


def _new_ticket(
    number: str,
    received: dt.datetime,
    category: models.TicketCategory,
    road: str,
    said: str,
    dues: dict[str, dt.date],
    **fields: Any,
) -> models.Ticket:
    """A ticket as the platform hands it over, with its deadlines (``dues``)."""
    return models.Ticket(
        number=number,
        received_at=received,
        category=category,
        content=f"{road}：{said}。",
        location=road,
        **dues,
        **fields,
    )


def _plan_tickets(rng: random.Random, handlers: dict[str, list[Officer]]) -> list[dict[str, Any]]:
    """The half year's tickets as drawn (the same list on every run), by time received."""
    last_receipt = REPORT_END - dt.timedelta(days=12)
    span = (last_receipt - REPORT_START).days
    channels, channel_weights = zip(*CHANNELS, strict=True)
    plans: list[dict[str, Any]] = []
    for _index in range(TICKETS):
        day = REPORT_START + dt.timedelta(days=rng.randint(0, span))
        received = at(day, rng.randint(7, 21), rng.randint(0, 59))
        code = rng.choices(CODES, weights=CATEGORY_WEIGHTS)[0]
        unit_code = rng.choices(SQUADRONS, weights=(40, 35, 25))[0]
        plans.append(
            {
                "received": received,
                "code": code,
                "unit": unit_code,
                "handler": rng.choice(handlers[unit_code]),
                "channel": rng.choices(channels, weights=channel_weights)[0],
                "name": _name(rng),
                "phone": _phone(rng),
                "road": rng.choice(ROADS),
                "said": rng.choice(SAID[code]),
                "reply_after": rng.random(),
                "close_after": rng.random(),
                "late": rng.random() < 0.03,
                "satisfied": rng.random() < 0.86,
                "callback_hours": rng.randint(20, 50),
            }
        )
    plans.sort(key=lambda p: p["received"])
    return plans


def _closed_ticket(
    demo: DemoContext,
    number: str,
    plan: dict[str, Any],
    category: models.TicketCategory,
    clerk: User | None,
) -> models.Ticket:
    """A ticket of the half year: signed, replied and closed (a few late), by the plan."""
    dues = deadlines_for(category, plan["received"])
    signed = plan["received"] + dt.timedelta(hours=2)
    reply_day = _spread(
        timezone.localdate(plan["received"]), dues["reply_due"], plan["reply_after"]
    )
    replied = max(at(reply_day, 16, 30), signed + dt.timedelta(hours=3))
    close_due = dues["close_due"]
    if plan["late"]:
        close_day = add_workdays(close_due, 1)
    else:
        close_day = _spread(timezone.localdate(replied), close_due, plan["close_after"])
    close_day = min(close_day, REPORT_END - dt.timedelta(days=2))
    closed = max(at(close_day, 17, 30), replied + dt.timedelta(hours=1))
    return _new_ticket(
        number,
        plan["received"],
        category,
        plan["road"],
        plan["said"],
        dues,
        channel=plan["channel"],
        citizen_name=plan["name"],
        citizen_phone=plan["phone"],
        unit=demo.units[plan["unit"]],
        handler=plan["handler"],
        status=choices.TicketStatus.CLOSED,
        round=1,
        next_due=None,
        signed_at=signed,
        signed_by=clerk,
        replied_at=replied,
        reply=category.reply_templates[0],
        closed_at=closed,
        closed_by=clerk,
        closed_on_time=timezone.localdate(closed) <= close_due,
        callback_round=1,
        created_by=clerk,
    )


def _seed_tickets(
    demo: DemoContext,
    rng: random.Random,
    categories: dict[str, models.TicketCategory],
    handlers: dict[str, list[Officer]],
    desk: tuple[User | None, User | None],
) -> int:
    """Row 12 and 14: 1,620 tickets of the half year, all replied, closed, called back."""
    clerk, commander = desk
    plans = _plan_tickets(rng, handlers)
    numbers = [f"{p['received']:%Y%m%d}{i + 1:05d}" for i, p in enumerate(plans)]
    have = set(models.Ticket.objects.filter(number__in=numbers).values_list("number", flat=True))
    tickets, written = [], []
    for number, plan in zip(numbers, plans, strict=True):
        if number not in have:
            tickets.append(_closed_ticket(demo, number, plan, categories[plan["code"]], clerk))
            written.append(plan)
    for start in range(0, len(tickets), BATCH):
        bulk_create_with_history(tickets[start : start + BATCH], models.Ticket, default_user=clerk)
    replies, callbacks = [], []
    for ticket, plan in zip(tickets, written, strict=True):
        replies.append(
            models.TicketReply(
                ticket=ticket,
                round=1,
                text=ticket.reply,
                replied_at=ticket.replied_at,
                replied_by=clerk,
            )
        )
        result = (
            choices.CallbackResult.SATISFIED
            if plan["satisfied"]
            else choices.CallbackResult.BASICALLY_SATISFIED
        )
        at_ = ticket.closed_at + dt.timedelta(hours=plan["callback_hours"])
        callbacks.append(
            models.TicketCallback(
                ticket=ticket, unit_id=ticket.unit_id, round=1, result=result, by=commander, at=at_
            )
        )
    bulk_create_with_history(replies, models.TicketReply, batch_size=BATCH, default_user=clerk)
    bulk_create_with_history(
        callbacks, models.TicketCallback, batch_size=BATCH, default_user=commander
    )
    return len(tickets)


def _spread(first: dt.date, last: dt.date, share: float) -> dt.date:
    """A working day between ``first`` and ``last`` (inclusive), ``share`` of the way."""
    workdays = [day for day in days(first, last) if add_workdays(day, 0) == day]
    if not workdays:
        return add_workdays(first, 0)
    return workdays[min(int(share * len(workdays)), len(workdays) - 1)]


def _seed_consultations(
    demo: DemoContext, rng: random.Random, handlers: dict[str, list[Officer]]
) -> int:
    """Row 13: 592 questions answered by phone or in person in the half year."""
    span = (REPORT_END - REPORT_START).days
    plans: list[dict[str, Any]] = []
    for _index in range(CONSULTATIONS):
        day = REPORT_START + dt.timedelta(days=rng.randint(0, span))
        unit_code = rng.choices(("hq", *SQUADRONS), weights=(10, 35, 30, 25))[0]
        plans.append(
            {
                "at": at(day, rng.randint(8, 17), rng.randint(0, 59)),
                "unit": demo.units[unit_code],
                "officer": rng.choice(handlers[unit_code]),
                "channel": rng.choices(
                    (choices.ConsultationChannel.PHONE, choices.ConsultationChannel.IN_PERSON),
                    weights=(6, 4),
                )[0],
                "topic": rng.choice(CONSULTATION_TOPICS),
            }
        )
    # one second apart within a minute when two land on the same minute of a unit
    seen: set[tuple[int, dt.datetime]] = set()
    for plan in plans:
        while (plan["unit"].pk, plan["at"]) in seen:
            plan["at"] += dt.timedelta(seconds=1)
        seen.add((plan["unit"].pk, plan["at"]))
    start, end = report_window()
    have = set(
        models.Consultation.objects.filter(at__gte=start, at__lt=end).values_list("unit_id", "at")
    )
    new = [
        models.Consultation(
            channel=plan["channel"],
            topic=plan["topic"][0],
            answer=plan["topic"][1],
            answered_by=plan["officer"],
            at=plan["at"],
            unit=plan["unit"],
        )
        for plan in plans
        if (plan["unit"].pk, plan["at"]) not in have
    ]
    bulk_create_with_history(new, models.Consultation, batch_size=BATCH)
    return len(new)


def _seed_proposals(
    demo: DemoContext, rng: random.Random, handlers: dict[str, list[Officer]]
) -> int:
    """Row 15: five proposals, each answered in person (上门答复)."""
    have = set(models.Proposal.objects.values_list("title", flat=True))
    new = []
    for index, (kind, proposer, grade, title) in enumerate(PROPOSALS):
        received = dt.date(2022, 2 + index // 2, 8 + 5 * index)
        unit_code = SQUADRONS[index % len(SQUADRONS)]
        if title in have:
            continue
        new.append(
            models.Proposal(
                kind=kind,
                proposer=proposer,
                grade=grade,
                title=title,
                content=title.removeprefix("关于").removesuffix("的建议").removesuffix("的提案"),
                received_on=received,
                due_on=received + dt.timedelta(days=60),
                reply_mode=choices.ReplyMode.IN_PERSON,
                reply="大队领导带队上门答复，介绍整改措施并听取意见，代表（委员）表示满意。",
                replied_at=at(received + dt.timedelta(days=rng.randint(10, 25)), 10),
                unit=demo.units[unit_code],
                handler=handlers[unit_code][0],
            )
        )
    bulk_create_with_history(new, models.Proposal)
    return len(new)


def _seed_open_tickets(
    demo: DemoContext,
    rng: random.Random,
    categories: dict[str, models.TicketCategory],
    handlers: dict[str, list[Officer]],
    clerk: User | None,
) -> int:
    """A dozen tickets open now in every state (one overdue), for the clerk's queue."""
    numbers = [f"DEMO{index + 1:04d}" for index in range(len(OPEN_STATES))]
    have = set(models.Ticket.objects.filter(number__in=numbers).values_list("number", flat=True))
    now = timezone.now()
    new = []
    for index, (number, status) in enumerate(zip(numbers, OPEN_STATES, strict=True)):
        code = CODES[index % len(CODES)]
        category = categories[code]
        unit_code = "sq1" if index % 3 else SQUADRONS[index % len(SQUADRONS)]
        # the last one came in weeks ago: overdue
        days_ago = 20 if index == len(OPEN_STATES) - 1 else index % 4
        received = now - dt.timedelta(days=days_ago, hours=rng.randint(1, 6))
        road = rng.choice(ROADS)
        name, phone = _name(rng), _phone(rng)
        ticket = _new_ticket(
            number,
            received,
            category,
            road,
            rng.choice(SAID[code]),
            deadlines_for(category, received),
            channel=choices.TicketChannel.HOTLINE,
            citizen_name=name,
            citizen_phone=phone,
            unit=demo.units[unit_code],
            status=status,
            created_by=clerk,
        )
        if status != choices.TicketStatus.RECEIVED:
            ticket.signed_at, ticket.signed_by = received + dt.timedelta(hours=1), clerk
        if status in (choices.TicketStatus.HANDLING, choices.TicketStatus.REPLIED):
            ticket.handler = handlers[unit_code][index % len(handlers[unit_code])]
        if status == choices.TicketStatus.REPLIED:
            ticket.replied_at = received + dt.timedelta(hours=3)
            ticket.reply = category.reply_templates[0]
        ticket.next_due = ticket.due_for(status)
        if number not in have:
            new.append(ticket)
    bulk_create_with_history(new, models.Ticket, default_user=clerk)
    replies = [
        models.TicketReply(
            ticket=t, round=1, text=t.reply, replied_at=t.replied_at, replied_by=clerk
        )
        for t in new
        if t.status == choices.TicketStatus.REPLIED and t.replied_at
    ]
    bulk_create_with_history(replies, models.TicketReply)
    return len(new)


# Tickets whose next deadline is today or the next working day, whenever the demo is seeded:
# (number, status, the deadline it works towards, category, road, what the citizen said)
DUE_NOW = [
    ("NOW0001", choices.TicketStatus.RECEIVED, "sign_due", "parking", "柳园路", 0),
    ("NOW0002", choices.TicketStatus.HANDLING, "reply_due", "jam", "东昌东路", 1),
    ("NOW0003", choices.TicketStatus.REPLIED, "close_due", "signal", "兴华路", 0),
]


def _received_for(
    category: models.TicketCategory, deadline: str, now: dt.datetime
) -> tuple[dt.datetime, dict[str, dt.date]]:
    """The latest morning before ``now`` on which a ticket of ``category`` received has its
    ``deadline`` today or on the next working day (the day's digest lists it)."""
    today = timezone.localdate(now)
    soon = {add_workdays(today, 0), add_workdays(today, 1)}
    received = now - dt.timedelta(hours=1)
    for back in range(31):
        received = min(at(today - dt.timedelta(days=back), 9), now - dt.timedelta(hours=1))
        dues = deadlines_for(category, received)
        if dues[deadline] in soon:
            return received, dues
    return received, deadlines_for(category, received)


def _seed_due_now_tickets(
    demo: DemoContext,
    categories: dict[str, models.TicketCategory],
    handlers: dict[str, list[Officer]],
    clerk: User | None,
) -> int:
    """Three tickets of 一中队 due now (to sign, to reply, to close), received in the days
    before the seed, so that the daily digest and the reminders have work the day the demo
    is loaded. Found again by their number: a later run changes nothing. Never inside the
    report's half year (a clock set back there seeds none)."""
    have = set(
        models.Ticket.objects.filter(number__in=[row[0] for row in DUE_NOW]).values_list(
            "number", flat=True
        )
    )
    now = timezone.now()
    new = []
    for number, status, deadline, code, road, said in DUE_NOW:
        category = categories[code]
        received, dues = _received_for(category, deadline, now)
        if number in have or timezone.localdate(received) <= REPORT_END:
            continue
        ticket = _new_ticket(
            number,
            received,
            category,
            road,
            SAID[code][said],
            dues,
            channel=choices.TicketChannel.HOTLINE,
            citizen_name="陈女士",
            citizen_phone="13800005678",
            unit=demo.units["sq1"],
            status=status,
            created_by=clerk,
        )
        if status != choices.TicketStatus.RECEIVED:
            ticket.signed_at, ticket.signed_by = received + dt.timedelta(hours=1), clerk
            ticket.handler = handlers["sq1"][0]
        if status == choices.TicketStatus.REPLIED:
            ticket.replied_at = received + dt.timedelta(hours=4)
            ticket.reply = category.reply_templates[0]
        ticket.next_due = ticket.due_for(status)
        new.append(ticket)
    bulk_create_with_history(new, models.Ticket, default_user=clerk)
    bulk_create_with_history(
        [
            models.TicketReply(
                ticket=t, round=1, text=t.reply, replied_at=t.replied_at, replied_by=clerk
            )
            for t in new
            if t.status == choices.TicketStatus.REPLIED and t.replied_at
        ],
        models.TicketReply,
    )
    return len(new)
