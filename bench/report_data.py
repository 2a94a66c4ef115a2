"""A city-scale year for the period report benchmark, loaded with COPY from a fixed seed.

Per year (``scale`` 1.0): 1,000,000 12345 tickets (most replied, closed and called back),
100,000 hazards, 100,000 accidents, 50,000 publicity events, and what surrounds them at
a city's proportions: consultations, key vehicles, facility works, relief fund advances and
recoveries, assistance, commendations, love stations, training with attendance, patrols
with violation tallies, road works. The records run from a month before the year to a
month after it, so that a report of the year has records on both sides of its edges and
closures, verifications and solutions that fall after its end.

Columns a row does not set take the model field's default (as Django would write it), so
a field added later with a default needs no change here. Django must be set up first.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from common import connect

UNITS = 8  # headquarters and seven squadrons
OFFICERS_PER_UNIT = 50
LOCAL = 8 * 3600  # Asia/Shanghai, no daylight saving time
DAY = 86400
META = "bench_report_meta"

PER_YEAR = {
    "tickets": 1_000_000,
    "hazards": 100_000,
    "accidents": 100_000,
    "events": 50_000,
    "consultations": 60_000,
    "key_vehicles": 5_000,
    "facility_works": 6_000,
    "advances": 3_000,
    "assistance": 20_000,
    "commendations": 3_000,
    "trainings": 1_000,
    "patrols": 300_000,
}


def _text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """COPY rows of one model: the columns a row sets, then every other non-null column
    with its field's default."""

    def __init__(self, model: Any, columns: Sequence[str], now: str) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)
        rest = []
        for field in model._meta.concrete_fields:
            if field.primary_key and field.column not in self.columns:
                continue
            if field.column in self.columns or field.null:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                rest.append((field.column, now))
                continue
            # text fields default to "" as Django writes them; others need a declared default
            default = field.get_default()
            if default is None:
                raise SystemExit(f"{self.table}.{field.column}: no value and no default")
            rest.append((field.column, _text(default)))
        self.all_columns = self.columns + [c for c, _ in rest]
        self.tail = "".join("\t" + text for _, text in rest)
        self.lines: list[str] = []
        self.count = 0

    def add(self, *values: Any) -> None:
        self.lines.append("\t".join(_text(v) for v in values) + self.tail)

    def raw(self, *texts: str) -> None:
        """Values already in COPY's text format (timestamps made by ``ts``)."""
        self.lines.append("\t".join(texts) + self.tail)

    def flush(self, cur: Any) -> None:
        if self.lines:
            data = io.StringIO("\n".join(self.lines) + "\n")
            cur.copy_expert(f"COPY {self.table} ({', '.join(self.all_columns)}) FROM STDIN", data)
            self.count += len(self.lines)
            self.lines = []


def ts(epoch: float) -> str:
    """A UTC timestamp in COPY's text format."""
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(int(epoch)))


def day_text(epoch_day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch_day * DAY))


def read_meta(db: str) -> dict[str, str] | None:
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [META])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT key, value FROM {META}")
        return dict(cur.fetchall())


def load(db: str, year: int, scale: float, seed: int) -> dict[str, Any]:
    """Fill the freshly migrated ``db`` around ``year``; returns the row counts."""
    from brigade.duty import models as b
    from brigade.duty.choices import ViolationKind
    from hazards import models as h
    from incidents import models as i
    from outreach import models as o
    from petitions import models as p

    rnd = random.Random(seed)
    first = dt.date(year - 1, 12, 1)
    last = dt.date(year + 1, 1, 31)
    first_day = (first - dt.date(1970, 1, 1)).days
    days = (last - first).days + 1
    span_years = days / 365

    def n(kind: str) -> int:
        return max(1, round(PER_YEAR[kind] * scale * span_years))

    def local_epoch(epoch_day: int, hour: float) -> float:
        """A local time of a day (days since 1970-01-01) as a UTC epoch."""
        return epoch_day * DAY + hour * 3600 - LOCAL

    def a_day() -> int:
        return first_day + rnd.randrange(days)

    def in_order(count: int) -> list[int]:
        """``count`` random days, earliest first: records are written as they come in, so
        a table's rows of one day lie together, as in a running system."""
        return sorted(a_day() for _ in range(count))

    now = ts(time.time())
    conn = connect(db)
    cur = conn.cursor()
    # a bulk load: foreign keys are right by construction, their per-row triggers skipped
    cur.execute("SET session_replication_role = replica")
    counts: dict[str, int] = {}

    def done(name: str, copier: Copier) -> None:
        copier.flush(cur)
        counts[name] = copier.count

    # --- the brigade ----------------------------------------------------------------------
    units = list(range(1, UNITS + 1))
    squadrons = units[1:]
    c = Copier(b.Unit, ["id", "name", "code", "kind"], now)
    for u in units:
        c.add(u, "大队部" if u == 1 else f"第{u - 1}中队", f"u{u}", "hq" if u == 1 else "squadron")
    done("units", c)
    officers: dict[int, list[int]] = {}
    c = Copier(b.Officer, ["id", "badge_no", "name", "kind", "unit_id"], now)
    for u in units:
        for k in range(OFFICERS_PER_UNIT):
            oid = (u - 1) * OFFICERS_PER_UNIT + k + 1
            officers.setdefault(u, []).append(oid)
            kind = "police" if k % 3 else rnd.choice(["auxiliary", "security"])
            c.add(oid, f"B{oid:05d}", f"警员{oid}", kind, u)
    done("officers", c)

    c = Copier(b.RoadWorksZone, ["name", "road", "unit_id", "starts_on", "ends_on"], now)
    for k in range(50):
        start = a_day()
        c.add(
            f"道路改造{k}",
            f"道路{k % 30}",
            rnd.choice(squadrons),
            day_text(start),
            day_text(start + rnd.randint(30, 200)),
        )
    done("zones", c)

    trainings = Copier(b.TrainingSession, ["id", "unit_id", "kind", "title", "held_on"], now)
    attend = Copier(b.Attendance, ["session_id", "officer_id", "attended", "result"], now)
    kinds = ["study"] * 4 + ["lecture", "education", "drill", "drill", "motorcycle"]
    for sid in range(1, n("trainings") + 1):
        u = rnd.choice(units)
        kind = rnd.choice(kinds)
        trainings.add(sid, u, kind, f"培训{sid}", day_text(a_day()))
        for oid in rnd.sample(officers[u], 12):
            result = "not_assessed"
            if kind == "motorcycle":
                result = "passed" if rnd.random() < 0.9 else "failed"
            attend.add(sid, oid, rnd.random() < 0.93, result)
    done("trainings", trainings)
    done("attendances", attend)

    patrols = Copier(
        b.PatrolLog, ["id", "officer_id", "unit_id", "mode", "started_at", "ended_at"], now
    )
    tallies = Copier(b.ViolationTally, ["patrol_id", "kind", "count"], now)
    violation_kinds = [kind.value for kind in ViolationKind]
    for pid, day in enumerate(in_order(n("patrols")), start=1):
        u = rnd.choice(squadrons)
        start = local_epoch(day, rnd.uniform(6, 21))
        patrols.raw(
            str(pid),
            str(rnd.choice(officers[u])),
            str(u),
            rnd.choice(["foot", "car", "motorcycle"]),
            ts(start),
            ts(start + rnd.randint(3600, 4 * 3600)),
        )
        for kind in rnd.sample(violation_kinds, rnd.randint(0, 3)):
            tallies.add(pid, kind, rnd.randint(1, 12))
        if pid % 100_000 == 0:
            patrols.flush(cur)
            tallies.flush(cur)
    done("patrols", patrols)
    done("violation tallies", tallies)

    # --- hazards --------------------------------------------------------------------------
    c = Copier(
        h.Hazard,
        [
            "unit_id",
            "element",
            "road",
            "location",
            "description",
            "status",
            "found_at",
            "verified_at",
            "closed_at",
            "rectified_at",
            "deadline",
        ],
        now,
    )
    elements = ["people", "vehicle", "road", "enterprise", "management", "environment"]
    for day in in_order(n("hazards")):
        found = local_epoch(day, rnd.uniform(8, 18))
        roll = rnd.random()
        verified = rectified = closed = None
        status = "reported"
        if roll < 0.8:
            rectified = found + rnd.randint(1, 15) * DAY
            verified = rectified + rnd.randint(1, 3) * DAY
            closed, status = verified, "verified"
        elif roll < 0.85:
            closed, status = found + DAY, "rejected"
        elif roll < 0.95:
            status = "assigned"
        c.raw(
            str(rnd.choice(squadrons)),
            rnd.choice(elements),
            f"道路{rnd.randrange(300)}",
            "路口",
            "隐患",
            status,
            ts(found),
            ts(verified) if verified else "\\N",
            ts(closed) if closed else "\\N",
            ts(rectified) if rectified else "\\N",
            day_text(day + 15),
        )
    done("hazards", c)
    c = Copier(
        h.KeyVehicle,
        ["unit_id", "plate", "owner", "reason", "status", "flagged_at", "cleared_at"],
        now,
    )
    for k in range(n("key_vehicles")):
        flagged = local_epoch(a_day(), 9)
        cleared = rnd.random() < 0.85
        c.raw(
            str(rnd.choice(squadrons)),
            f"鲁P{k:06d}",
            "运输公司",
            rnd.choice(["overdue_inspection", "scrapping", "violations"]),
            "cleared" if cleared else "flagged",
            ts(flagged),
            ts(flagged + rnd.randint(5, 60) * DAY) if cleared else "\\N",
        )
    done("key vehicles", c)
    c = Copier(h.FacilityWork, ["unit_id", "kind", "quantity", "place", "done_on"], now)
    for _ in range(n("facility_works")):
        kind = rnd.choice(["signal", "sign_pole", "marking", "parking_bay", "school_front"])
        c.add(
            rnd.choice(squadrons),
            kind,
            rnd.randint(1, 40 if kind == "parking_bay" else 5),
            "路段",
            day_text(a_day()),
        )
    done("facility works", c)

    # --- incidents ------------------------------------------------------------------------
    c = Copier(
        i.Accident,
        [
            "id",
            "occurred_at",
            "road",
            "severity",
            "handling_mode",
            "unit_id",
            "hit_and_run",
            "solved_at",
        ],
        now,
    )
    injured: list[tuple[int, float, int]] = []
    for aid, day in enumerate(in_order(n("accidents")), start=1):
        occurred = local_epoch(day, rnd.uniform(0, 24))
        roll = rnd.random()
        severity = "property" if roll < 0.8 else "injury" if roll < 0.98 else "fatal"
        mode = (
            ("quick" if rnd.random() < 0.7 else "simple") if severity == "property" else "general"
        )
        hit = rnd.random() < 0.03
        solved = ts(occurred + rnd.randint(1, 40) * DAY) if hit and rnd.random() < 0.85 else "\\N"
        u = rnd.choice(squadrons)
        c.raw(
            str(aid),
            ts(occurred),
            f"道路{rnd.randrange(300)}",
            severity,
            mode,
            str(u),
            "t" if hit else "f",
            solved,
        )
        if severity != "property":
            injured.append((aid, occurred, u))
    done("accidents", c)
    advances = Copier(
        i.FundAdvance,
        [
            "id",
            "accident_id",
            "beneficiary",
            "payee",
            "purpose",
            "amount",
            "status",
            "paid_at",
            "amount_recovered",
        ],
        now,
    )
    recoveries = Copier(i.Recovery, ["advance_id", "payer", "amount", "received_on"], now)
    for vid, (aid, occurred, _u) in enumerate(
        rnd.sample(injured, min(n("advances"), len(injured))), start=1
    ):
        amount = Decimal(rnd.randint(500_000, 12_000_000)) / 100
        paid = occurred + rnd.randint(1, 20) * DAY
        recovered = Decimal(0)
        if rnd.random() < 0.5:
            recovered = (amount * Decimal(rnd.randint(10, 100)) / 100).quantize(Decimal("0.01"))
            recoveries.add(
                vid, "肇事方", recovered, day_text(int(paid // DAY) + rnd.randint(10, 90))
            )
        advances.raw(
            str(vid),
            str(aid),
            f"伤者{vid}",
            "医院",
            rnd.choice(["rescue", "funeral"]),
            str(amount),
            "paid",
            ts(paid),
            str(recovered),
        )
    done("fund advances", advances)
    done("recoveries", recoveries)

    # --- petitions ------------------------------------------------------------------------
    categories = [
        p.TicketCategory.objects.create(
            name=f"类别{k}", code=f"c{k}", sign_days=1, reply_days=3, close_days=5 + k
        ).pk
        for k in range(8)
    ]
    tickets = Copier(
        p.Ticket,
        [
            "id",
            "number",
            "received_at",
            "citizen_name",
            "citizen_phone",
            "category_id",
            "content",
            "location",
            "unit_id",
            "status",
            "sign_due",
            "reply_due",
            "close_due",
            "signed_at",
            "replied_at",
            "closed_at",
            "closed_on_time",
            "callback_round",
        ],
        now,
    )
    callbacks = Copier(p.TicketCallback, ["ticket_id", "unit_id", "round", "result", "at"], now)
    results = (
        ["satisfied"] * 85
        + ["basically_satisfied"] * 8
        + ["dissatisfied"] * 4
        + ["unreachable"] * 3
    )
    end_epoch = local_epoch(first_day + days, 0)
    for tid, day in enumerate(in_order(n("tickets")), start=1):
        received = local_epoch(day, rnd.uniform(7, 22))
        u = rnd.choice(squadrons)
        roll = rnd.random()
        signed = received + 3600
        replied = closed = None
        status = "signed"
        if roll < 0.03:
            status = "returned"
        elif roll < 0.95:
            replied = received + rnd.uniform(0.3, 4) * DAY
            closed = replied + rnd.uniform(0.2, 5) * DAY
            status = "closed" if closed < end_epoch else "replied"
            if status == "replied":
                closed = None
        elif roll < 0.98:
            replied, status = received + DAY, "replied"
        tickets.raw(
            str(tid),
            f"T{tid:09d}",
            ts(received),
            "市民",
            "13800000000",
            str(rnd.choice(categories)),
            "反映问题",
            "路口",
            str(u),
            status,
            day_text(day + 1),
            day_text(day + 3),
            day_text(day + 7),
            ts(signed),
            ts(replied) if replied else "\\N",
            ts(closed) if closed else "\\N",
            ("t" if rnd.random() < 0.95 else "f") if closed else "\\N",
            "1" if closed else "0",
        )
        if closed and rnd.random() < 0.9:
            callbacks.raw(
                str(tid), str(u), "1", rnd.choice(results), ts(closed + rnd.uniform(0.5, 3) * DAY)
            )
        if tid % 100_000 == 0:
            tickets.flush(cur)
            callbacks.flush(cur)
    done("tickets", tickets)
    done("callbacks", callbacks)
    c = Copier(p.Consultation, ["channel", "topic", "answer", "at", "unit_id"], now)
    for k, day in enumerate(in_order(n("consultations"))):
        c.raw(
            rnd.choice(["phone", "in_person"]),
            "咨询",
            "解答",
            ts(local_epoch(day, 8) + k % 3600),
            str(rnd.choice(units)),
        )
    done("consultations", c)
    c = Copier(
        p.Proposal,
        [
            "kind",
            "proposer",
            "grade",
            "title",
            "content",
            "received_on",
            "reply_mode",
            "reply",
            "replied_at",
            "unit_id",
        ],
        now,
    )
    for k in range(max(5, round(200 * scale))):
        day = a_day()
        c.raw(
            "npc",
            f"代表{k}",
            "city",
            f"建议{k}",
            "内容",
            day_text(day),
            "in_person",
            "已答复",
            ts(local_epoch(day + 20, 10)),
            str(rnd.choice(squadrons)),
        )
    done("proposals", c)

    # --- outreach -------------------------------------------------------------------------
    c = Copier(
        o.PublicityEvent,
        ["held_on", "venue_kind", "venue_name", "topic", "unit_id", "audience", "consultations"],
        now,
    )
    venues = [
        "enterprise",
        "school",
        "school",
        "community",
        "village",
        "family",
        "workplace",
        "station",
        "key_date",
    ]
    for k, day in enumerate(in_order(n("events"))):
        audience = rnd.randint(10, 800)
        c.add(
            day_text(day),
            rnd.choice(venues),
            f"场所{k % 5000}",
            "交通安全宣传",
            rnd.choice(units),
            audience,
            audience // rnd.randint(8, 15),
        )
    done("events", c)
    c = Copier(
        o.AssistanceEvent,
        ["kind", "occurred_at", "location", "description", "outcome", "unit_id"],
        now,
    )
    for day in in_order(n("assistance")):
        c.raw(
            rnd.choice(["medical_escort", "reunited", "lost_property", "exam_escort", "other"]),
            ts(local_epoch(day, rnd.uniform(6, 22))),
            "路口",
            "救助",
            "已处置",
            str(rnd.choice(squadrons)),
        )
    done("assistance", c)
    c = Copier(
        o.Commendation, ["kind", "giver", "received_on", "unit_id", "recipient_unit_id"], now
    )
    for k in range(n("commendations")):
        u = rnd.choice(squadrons)
        c.add(
            "banner" if rnd.random() < 0.8 else "letter",
            f"群众{k}",
            day_text(a_day()),
            u,
            u,
        )
    done("commendations", c)
    c = Copier(
        o.LoveStation,
        ["name", "location", "opening_hours", "services", "unit_id", "opened_on", "is_active"],
        now,
    )
    for k in range(60):
        c.add(
            f"爱心驿站{k}",
            "岗亭",
            "全天",
            "饮水、休息",
            rnd.choice(units),
            day_text(first_day - 400 + rnd.randrange(days + 400)),
            rnd.random() < 0.9,
        )
    done("love stations", c)

    # identity sequences after explicit ids
    for table in (
        "brigade_unit",
        "brigade_officer",
        "brigade_trainingsession",
        "brigade_patrollog",
        "incidents_accident",
        "incidents_fundadvance",
        "petitions_ticket",
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )
    meta = {
        "year": str(year),
        "scale": str(scale),
        "seed": str(seed),
        **{k: str(v) for k, v in counts.items()},
    }
    cur.execute(f"CREATE TABLE {META} (key text PRIMARY KEY, value text NOT NULL)")
    cur.executemany(f"INSERT INTO {META} VALUES (%s, %s)", list(meta.items()))
    conn.commit()
    cur.close()
    conn.close()
    return meta


def sizes(meta: dict[str, str]) -> Iterable[str]:
    for key in ("tickets", "hazards", "accidents", "events", "callbacks", "patrols"):
        if key in meta:
            yield f"{int(meta[key]):,} {key}"
