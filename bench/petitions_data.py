"""The petitions benchmarks' data: 12345 tickets with their callbacks and extension
requests, consultations and proposals, over 8 units, from a fixed seed, loaded with COPY.

A database of its own is created and migrated (``common.create_database``), then filled:
8 units (the first the headquarters), 50 officers each, 12 ticket categories with their
deadline rules, ``rows`` tickets over ``days`` days ending ``last_day``. Older tickets are
mostly closed (on time or late against their deadlines, counted in working days by the
app's own calendar); about 3% are returned; a few old ones are still open and overdue;
the last month's are spread over the open states. About 60% of the closed tickets have a
callback, 4% were reopened, 1% of the open ones have an extension request. Consultations
are a tenth of the tickets; 300 proposals. Then a clerk of the second unit and a
brigade-wide commander, each with an API token.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import random
import time
from typing import Any

from common import connect

UNITS = 8
OFFICERS_PER_UNIT = 50
DAYS = 3 * 365
CHUNK = 100_000
LOCAL_OFFSET = 8 * 3600  # Asia/Shanghai: no daylight saving time
META = "bench_meta"
CLERK, COMMANDER = "bench-clerk", "bench-commander"
# (code, name, sign, reply, close) in working days
CATEGORIES = [
    ("c01", "交通拥堵", 1, 3, 5),
    ("c02", "违法停车", 1, 3, 5),
    ("c03", "信号灯故障", 1, 2, 5),
    ("c04", "交通设施", 1, 5, 10),
    ("c05", "事故处理", 1, 5, 15),
    ("c06", "执法投诉", 1, 5, 15),
    ("c07", "噪音扰民", 1, 3, 10),
    ("c08", "占道经营", 1, 5, 10),
    ("c09", "非机动车", 1, 3, 7),
    ("c10", "学校周边", 1, 2, 5),
    ("c11", "道路施工", 1, 5, 10),
    ("c12", "其他", 1, 5, 10),
]
CHANNELS = ["hotline"] * 6 + ["web", "app", "wechat", "letter"]
NAMES = ["张三丰", "李四", "王五", "赵敏", "钱多多", "孙悟空", "周芷若", "吴用"]
PLACES = ["花园路与东昌东路交叉口", "建设东路", "兴华路大桥", "实验小学门前", "火车站广场"]
TEXTS = [
    "早高峰拥堵严重，请求增派警力疏导。",
    "小区门口长期有车辆违停，影响通行。",
    "路口信号灯不亮，存在安全隐患。",
    "施工路段缺少警示标志。",
    "电动车逆行现象严重。",
]
OPEN_STATES = ["received", "signed", "handling", "replied"]
RESULTS = (
    ["satisfied"] * 14
    + ["basically_satisfied"] * 3
    + ["dissatisfied", "unreachable", "unreachable"]
)


def _ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


def _local_day(epoch: float) -> dt.date:
    return dt.datetime.fromtimestamp(epoch + LOCAL_OFFSET, dt.UTC).date()


def _copy(cur: Any, table: str, columns: str, lines: list[str]) -> None:
    if lines:
        cur.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", io.StringIO("\n".join(lines) + "\n")
        )


def _n(value: Any) -> str:
    return "\\N" if value is None else str(value)


TICKET_COLUMNS = (
    "id, created_at, updated_at, number, channel, received_at, citizen_name, citizen_phone, "
    "category_id, content, location, latitude, longitude, unit_id, handler_id, status, round, "
    "sign_due, reply_due, close_due, next_due, signed_at, signed_by_id, replied_at, reply, "
    "closed_at, closed_by_id, closed_on_time, returned_at, return_reason, reopened_at, "
    "callback_round, created_by_id"
)


def read_meta(db: str) -> dict[str, str] | None:
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [META])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT key, value FROM {META}")
        return dict(cur.fetchall())


def load(db: str, rows: int, seed: int, last_day: dt.date, days: int = DAYS) -> dict[str, Any]:
    """Fill the freshly migrated ``db`` (Django set up on it: the deadlines use the app's
    calendar); returns what was made (also kept in bench_meta)."""
    from petitions.deadlines import add_workdays

    rnd = random.Random(seed)
    first_day = last_day - dt.timedelta(days=days - 1)
    now_epoch = time.time()
    now = _ts(now_epoch)
    today = _local_day(now_epoch)
    conn = connect(db)
    cur = conn.cursor()
    cur.execute("SET session_replication_role = replica")  # FKs right by construction

    units = list(range(1, UNITS + 1))
    _copy(
        cur,
        "brigade_unit",
        "id, created_at, updated_at, name, code, kind",
        [f"{u}\t{now}\t{now}\tUnit {u}\tu{u}\t{'hq' if u == 1 else 'squadron'}" for u in units],
    )
    officers: dict[int, list[int]] = {}
    lines = []
    for u in units:
        for i in range(OFFICERS_PER_UNIT):
            oid = (u - 1) * OFFICERS_PER_UNIT + i + 1
            officers.setdefault(u, []).append(oid)
            lines.append(
                f"{oid}\t{now}\t{now}\tB{oid:05d}\tOfficer {oid}\tpolice\tf\t\tt\t\\N\t{u}"
            )
    _copy(
        cur,
        "brigade_officer",
        "id, created_at, updated_at, badge_no, name, kind, motorcycle_certified, phone, "
        "is_active, user_id, unit_id",
        lines,
    )
    _copy(
        cur,
        "petitions_ticketcategory",
        "id, created_at, updated_at, name, code, sign_days, reply_days, close_days, "
        "reply_templates, is_active",
        [
            f"{i}\t{now}\t{now}\t{name}\t{code}\t{s}\t{r}\t{c}\t[]\tt"
            for i, (code, name, s, r, c) in enumerate(CATEGORIES, start=1)
        ],
    )

    midnight = calendar.timegm(first_day.timetuple()) - LOCAL_OFFSET
    counts = dict.fromkeys(
        ("open", "closed", "returned", "reopened", "overdue", "callbacks", "extensions"), 0
    )
    ticket_lines: list[str] = []
    callback_lines: list[str] = []
    extension_lines: list[str] = []
    callback_id = extension_id = 0
    for tid in range(1, rows + 1):
        unit = rnd.choice(units)
        cat = rnd.randrange(len(CATEGORIES))
        _code, _name, sign_days, reply_days, close_days = CATEGORIES[cat]
        day_index = rnd.randrange(days)
        received = midnight + day_index * 86400 + rnd.randrange(7 * 3600, 22 * 3600)
        received_day = first_day + dt.timedelta(days=day_index)
        sign_due = add_workdays(received_day, sign_days)
        reply_due = add_workdays(received_day, reply_days)
        close_due = add_workdays(received_day, close_days)
        age = (today - received_day).days
        handler = rnd.choice(officers[unit])
        status, rnd_round = "closed", 1
        signed = replied = closed = returned = reopened = None
        on_time = next_due = None
        reply = return_reason = ""
        handler_id: int | None = handler
        roll = rnd.random()
        if roll < 0.03:
            status, handler_id = "returned", None
            returned = received + rnd.randrange(1, 30) * 3600
            return_reason = "不属于交警职责"
        elif age > 30 and roll < 0.033:
            status = "handling"  # an old ticket still open: overdue
            signed = received + 3600
        elif age <= 30:
            status = rnd.choice([*OPEN_STATES, "closed"] if age > 3 else OPEN_STATES)
            signed = received + 3600 if status != "received" else None
            if status == "signed":
                handler_id = None
            if status == "received":
                handler_id = None
        if status in ("closed", "replied"):
            signed = received + 3600
            replied = received + rnd.randrange(4, 8 * 24) * 3600
            reply = "已安排警力核实处理，并向诉求人反馈。"
        if status == "closed":
            closed = replied + rnd.randrange(1, 3 * 24) * 3600  # type: ignore[operator]
            if closed > now_epoch:
                closed = now_epoch - 60
                replied = min(replied, closed - 60)  # type: ignore[type-var]
            on_time = _local_day(closed) <= close_due
            if rnd.random() < 0.04:
                rnd_round = 2
                reopened = replied - 1800  # type: ignore[operator]
        if status in OPEN_STATES:
            next_due = {"received": sign_due, "signed": reply_due, "handling": reply_due}.get(
                status, close_due
            )
            counts["open"] += 1
            if next_due < today:
                counts["overdue"] += 1
            if rnd.random() < 0.01:
                extension_id += 1
                requested = max(received + 86400, now_epoch - 86400 * rnd.randrange(1, 5))
                extension_lines.append(
                    f"{extension_id}\t{_ts(requested)}\t{_ts(requested)}\t{tid}\t"
                    f"{close_due + dt.timedelta(days=10)}\t{close_due}\t需现场勘查\tpending"
                    "\t\\N\t\\N\t\\N"
                )
        if status in ("closed", "returned"):
            counts[status] += 1
        callback_round = 0
        if status == "closed" and rnd.random() < 0.6:
            callback_id += 1
            callback_round = rnd_round
            at = min(closed + rnd.randrange(2, 48) * 3600, now_epoch - 30)  # type: ignore[operator]
            callback_lines.append(
                f"{callback_id}\t{_ts(at)}\t{_ts(at)}\t{tid}\t{unit}\t{rnd_round}\t"
                f"{rnd.choice(RESULTS)}\t\\N\t{_ts(at)}\t"
            )
        if reopened is not None:
            counts["reopened"] += 1
        received_text = _ts(received)
        phone = f"138{rnd.randrange(10**8):08d}"
        ticket_lines.append(
            "\t".join(
                [
                    str(tid),
                    received_text,
                    _ts(max(x for x in (received, signed, replied, closed, returned) if x)),
                    f"2{tid:011d}",
                    rnd.choice(CHANNELS),
                    received_text,
                    rnd.choice(NAMES),
                    phone,
                    str(cat + 1),
                    f"{rnd.choice(TEXTS)}（{tid}）",
                    rnd.choice(PLACES),
                    "\\N",
                    "\\N",
                    str(unit),
                    _n(handler_id),
                    status,
                    str(rnd_round),
                    sign_due.isoformat(),
                    reply_due.isoformat(),
                    close_due.isoformat(),
                    _n(next_due),
                    _n(signed and _ts(signed)),
                    "\\N",
                    _n(replied and _ts(replied)),
                    reply,
                    _n(closed and _ts(closed)),
                    "\\N",
                    _n(None if on_time is None else ("t" if on_time else "f")),
                    _n(returned and _ts(returned)),
                    return_reason,
                    _n(reopened and _ts(reopened)),
                    str(callback_round),
                    "\\N",
                ]
            )
        )
        if len(ticket_lines) >= CHUNK:
            _copy(cur, "petitions_ticket", TICKET_COLUMNS, ticket_lines)
            ticket_lines = []
    _copy(cur, "petitions_ticket", TICKET_COLUMNS, ticket_lines)
    _copy(
        cur,
        "petitions_ticketcallback",
        "id, created_at, updated_at, ticket_id, unit_id, round, result, by_id, at, notes",
        callback_lines,
    )
    _copy(
        cur,
        "petitions_ticketextension",
        "id, created_at, updated_at, ticket_id, new_due, old_due, reason, status, "
        "requested_by_id, decided_by_id, decided_at",
        extension_lines,
    )
    counts["callbacks"], counts["extensions"] = callback_id, extension_id

    lines = []
    for cid in range(1, rows // 10 + 1):
        unit = rnd.choice(units)
        at = midnight + rnd.randrange(days) * 86400 + rnd.randrange(8 * 3600, 18 * 3600)
        lines.append(
            f"{cid}\t{_ts(at)}\t{_ts(at)}\t{rnd.choice(['phone', 'in_person'])}\t驾驶证换证"
            f"\t携带身份证办理\t{rnd.choice(officers[unit])}\t{_ts(at)}\t{unit}"
        )
    _copy(
        cur,
        "petitions_consultation",
        "id, created_at, updated_at, channel, topic, answer, answered_by_id, at, unit_id",
        lines,
    )
    counts["consultations"] = len(lines)
    lines = []
    for pid in range(1, 301):
        unit = rnd.choice(units)
        received_on = first_day + dt.timedelta(days=rnd.randrange(days))
        answered = received_on + dt.timedelta(days=rnd.randrange(5, 60))
        if answered < today and rnd.random() < 0.9:
            mode = rnd.choice(["in_person", "letter", "phone"])
            replied = _ts(calendar.timegm(answered.timetuple()) - LOCAL_OFFSET + 10 * 3600)
        else:
            mode, replied = "", "\\N"
        lines.append(
            f"{pid}\t{now}\t{now}\t{rnd.choice(['npc', 'cppcc'])}\t代表{pid}\tcity\t建议{pid}\t"
            f"\t{received_on}\t\\N\t{mode}\t\t{replied}\t{unit}\t\\N"
        )
    _copy(
        cur,
        "petitions_proposal",
        "id, created_at, updated_at, kind, proposer, grade, title, content, received_on, "
        "due_on, reply_mode, reply, replied_at, unit_id, handler_id",
        lines,
    )
    counts["proposals"] = len(lines)

    for table in (
        "brigade_unit",
        "brigade_officer",
        "petitions_ticketcategory",
        "petitions_ticket",
        "petitions_ticketcallback",
        "petitions_ticketextension",
        "petitions_consultation",
        "petitions_proposal",
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    meta = {
        "rows": rows,
        "seed": seed,
        "days": days,
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        **counts,
    }
    cur.execute(f"CREATE TABLE {META} (key text PRIMARY KEY, value text NOT NULL)")
    cur.executemany(f"INSERT INTO {META} VALUES (%s, %s)", [(k, str(v)) for k, v in meta.items()])
    conn.commit()
    cur.close()
    conn.close()
    return meta


def make_users() -> dict[str, str]:
    """A clerk of the second unit and a commander at headquarters (brigade-wide), with API
    tokens; returns username → token."""
    from django.contrib.auth.models import Group, User

    from brigade.core.roles import Role
    from brigade.core.tokens import issue_token
    from brigade.duty.models import Officer

    tokens = {}
    for username, role, unit_id, badge in (
        (CLERK, Role.CLERK, 2, "BENCH-C"),
        (COMMANDER, Role.COMMANDER, 1, "BENCH-H"),
    ):
        user, _ = User.objects.get_or_create(username=username)
        user.groups.add(Group.objects.get(name=role))
        Officer.objects.update_or_create(
            user=user, defaults={"badge_no": badge, "name": username, "unit_id": unit_id}
        )
        tokens[username] = issue_token(user)
    return tokens


def vacuum_analyze(db: str) -> None:
    conn = connect(db)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    conn.close()


def prepare(db: str, rows: int, seed: int, reuse: bool, days: int = DAYS) -> dict[str, Any]:
    """The benchmark database of ``rows`` tickets (made unless ``reuse`` finds it), Django
    set up on it, the benchmark users made."""
    from zoneinfo import ZoneInfo

    from common import create_database, database_exists, migrate, section, setup_django

    meta = read_meta(db) if reuse and database_exists(db) else None
    if meta and (int(meta["rows"]), int(meta["seed"]), int(meta["days"])) == (rows, seed, days):
        print(f"reusing {db}: {meta}")
        migrate(db)
        setup_django(db)
    else:
        with section(f"create {db}, migrate"):
            create_database(db)
        setup_django(db)
        last_day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
        with section(f"generate and COPY {rows:,} tickets (seed {seed})"):
            meta = load(db, rows, seed, last_day, days)
            print(f"   {meta}")
        with section("VACUUM ANALYZE"):
            vacuum_analyze(db)
    make_users()
    return meta
