"""The whole day's digests, rendered, against one bare SQL query counting the same items.

1. data (bulk SQL, a database of its own, ``brigade_bench_notices``): 10 units (one the
   headquarters), ``--people`` users (per squadron one commander, five clerks, the rest
   officers holding tickets), ``--tickets`` 12345 tickets (one in twenty open, spread over
   the open states with deadlines from 20 days before the day to 20 after; one in ten
   without a handler, which falls to the unit's clerks) and ``--hazards`` hazards (one in
   ten being rectified or awaiting a check, which fall to the unit's commanders).
2. the digests: ``build_digests(day)`` and each one with content rendered to its e-mail
   (text and HTML), nothing written or sent; against one plain GROUP BY over the same
   tables counting each person's items (holders resolved in SQL the way the sources
   name them). Best of ``--repeat`` runs in turns. Goal: the digests within 3x.
3. the numbers: each person's count in the digests must equal the SQL's; any difference
   exits 2 (even with ``--report-only``).

``--small`` is the size CI could run in about a minute (100,000 tickets, 10,000 hazards,
the same 1,000 people); ``--report-only`` exits 0 when the goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    connect,
    create_database,
    database_exists,
    save_results,
    section,
    setup_django,
    summary,
    timed,
)

DB = "brigade_bench_notices"
LIMIT = 3.0
UNITS = 10
CLERKS_PER_UNIT = 5
DAY = dt.date(2022, 6, 13)  # a Monday
META = "bench_notices_meta"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="100,000 tickets, 10,000 hazards")
    parser.add_argument("--db", default=DB)
    parser.add_argument("--reuse", action="store_true", help="keep a database of this size")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report-only", action="store_true", help="exit 0 when missed")
    parser.add_argument(
        "--dump", metavar="PATH", help="also write every rendered mail to PATH (to diff)"
    )
    args = parser.parse_args()
    if args.small:
        args.tickets, args.hazards = 100_000, 10_000
    return args


# --- data -------------------------------------------------------------------------------


def size_of(args: argparse.Namespace) -> str:
    return f"{args.people}/{args.tickets}/{args.hazards}"


def read_meta(db: str) -> str | None:
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [META])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT size FROM {META}")
        row = cur.fetchone()
        return row[0] if row else None


def make_people(people: int) -> dict[str, Any]:
    """Units, users, officers and roles through the ORM (a thousand rows)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from brigade.core.roles import Role
    from brigade.duty.choices import UnitKind
    from brigade.duty.models import Officer, Unit

    User = get_user_model()
    units = [
        Unit(
            code=f"b{n}",
            name="大队部" if n == 0 else f"第{n}中队",
            kind=UnitKind.HEADQUARTERS if n == 0 else UnitKind.SQUADRON,
        )
        for n in range(UNITS)
    ]
    Unit.objects.bulk_create(units)
    users = User.objects.bulk_create(
        [
            User(username=f"p{n:05d}", email=f"p{n:05d}@example.cn", password="!")
            for n in range(people)
        ]
    )
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    officers, memberships = [], []
    holders: dict[int, list[int]] = {u.pk: [] for u in units[1:]}
    for n, user in enumerate(users):
        unit = units[n % UNITS]
        rank = n // UNITS  # 0: commander, 1..5: clerks, then officers
        role = (
            Role.COMMANDER if rank == 0 else Role.CLERK if rank <= CLERKS_PER_UNIT else Role.OFFICER
        )
        if unit.kind == UnitKind.HEADQUARTERS and role == Role.CLERK:
            role = Role.OFFICER
        officers.append(Officer(user=user, unit=unit, badge_no=f"{300000 + n}", name=f"警员{n}"))
        memberships.append(User.groups.through(user_id=user.pk, group_id=groups[role].pk))
    Officer.objects.bulk_create(officers)
    User.groups.through.objects.bulk_create(memberships)
    for officer, membership in zip(officers, memberships, strict=True):
        if membership.group_id == groups[Role.OFFICER].pk and officer.unit_id in holders:
            holders[officer.unit_id].append(officer.pk)
    return {"units": [u.pk for u in units[1:]], "holders": holders}


def load(args: argparse.Namespace) -> None:
    from hazards.choices import HazardStatus
    from petitions.choices import TicketStatus
    from petitions.models import TicketCategory

    made = make_people(args.people)
    category = TicketCategory.objects.get_or_create(
        code="bench",
        defaults={"name": "交通拥堵", "sign_days": 1, "reply_days": 3, "close_days": 5},
    )[0].pk
    squadrons = made["units"]
    # officer ids of each squadron, as a SQL array per unit index
    holder_rows = [made["holders"][u] for u in squadrons]
    day = DAY.isoformat()
    with connect(args.db) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE holders (idx int, officers bigint[])")
        cur.executemany("INSERT INTO holders VALUES (%s, %s)", list(enumerate(holder_rows)))
        cur.execute("CREATE TEMP TABLE squads (idx int, unit_id bigint)")
        cur.executemany("INSERT INTO squads VALUES (%s, %s)", list(enumerate(squadrons)))
        open_states = [
            TicketStatus.RECEIVED,
            TicketStatus.SIGNED,
            TicketStatus.HANDLING,
            TicketStatus.REPLIED,
        ]
        cur.execute(
            f"""
            INSERT INTO petitions_ticket (created_at, updated_at, number, channel, received_at,
                citizen_name, citizen_phone, category_id, content, location, unit_id,
                handler_id, status, round, sign_due, reply_due, close_due, next_due, reply,
                closed_at, closed_on_time, return_reason, callback_round)
            SELECT now(), now(), 'B' || lpad(g::text, 10, '0'), 'hotline',
                timestamptz '{day} 09:00+08' - (g %% 700) * interval '1 day',
                '张三', '13800000000', %(category)s, '路口拥堵，请求疏导。', '花园路', s.unit_id,
                CASE WHEN g %% 10 = 3 THEN NULL
                     ELSE h.officers[1 + (g / 10) %% array_length(h.officers, 1)] END,
                CASE WHEN g %% 20 = 0 THEN (%(states)s::text[])[1 + (g / 20) %% 4]
                     ELSE 'closed' END,
                1, date '{day}', date '{day}', date '{day}',
                CASE WHEN g %% 20 = 0
                     THEN date '{day}' + ((g::bigint * 7919) %% 41 - 20)::int END,
                '',
                CASE WHEN g %% 20 = 0 THEN NULL ELSE timestamptz '{day} 10:00+08' END,
                CASE WHEN g %% 20 = 0 THEN NULL ELSE true END, '', 0
            FROM generate_series(1, %(n)s) g
            JOIN squads s ON s.idx = g %% {len(squadrons)}
            JOIN holders h ON h.idx = g %% {len(squadrons)}
            """,
            {"category": category, "states": [str(s) for s in open_states], "n": args.tickets},
        )
        cur.execute(
            f"""
            INSERT INTO hazards_hazard (created_at, updated_at, unit_id, element, source,
                severity, road, location, description, status, found_at, responsible_party,
                deadline, measures, rectified_at, verified_at, verified_by_second_approver,
                rejection_reason)
            SELECT now(), now(), s.unit_id, 'road', 'patrol', 'medium', '东昌路', '路口',
                '标线缺失', st, timestamptz '{day} 09:00+08' - (g %% 300) * interval '1 day',
                '市政公司', date '{day}' + ((g::bigint * 7919) %% 41 - 20)::int, '',
                CASE WHEN st IN ('rectified', 'verified')
                     THEN timestamptz '{day} 10:00+08' - (g %% 5) * interval '1 day' END,
                CASE WHEN st = 'verified' THEN timestamptz '{day} 11:00+08' END, false, ''
            FROM (
                SELECT g, CASE WHEN g %% 10 = 0
                    THEN (ARRAY[%(assigned)s, %(rectifying)s, %(rectified)s])[1 + (g / 10) %% 3]
                    ELSE %(verified)s END AS st
                FROM generate_series(1, %(n)s) g
            ) x
            JOIN squads s ON s.idx = g %% {len(squadrons)}
            """,
            {
                "assigned": HazardStatus.ASSIGNED,
                "rectifying": HazardStatus.RECTIFYING,
                "rectified": HazardStatus.RECTIFIED,
                "verified": HazardStatus.VERIFIED,
                "n": args.hazards,
            },
        )
        cur.execute(f"CREATE TABLE {META} (size text)")
        cur.execute(f"INSERT INTO {META} VALUES (%s)", [size_of(args)])
    conn.close()
    vacuum = connect(args.db)
    vacuum.autocommit = True
    with vacuum.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    vacuum.close()


def empty(db: str) -> None:
    """Remove what an earlier load left (the migrated tables stay)."""
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {META}")
        cur.execute(
            "TRUNCATE petitions_ticket, petitions_ticketcategory, hazards_hazard, "
            "brigade_officer, auth_user, brigade_unit CASCADE"
        )
    conn.close()


def prepare(args: argparse.Namespace) -> None:
    if args.reuse and database_exists(args.db):
        if read_meta(args.db) == size_of(args):
            print(f"reusing {args.db} ({size_of(args)})")
            return
        print(f"reloading {args.db} (migrated already)")
        empty(args.db)
        setup_django(args.db)
        with section(f"{args.people:,} people, {args.tickets:,} tickets, {args.hazards:,} hazards"):
            load(args)
        return
    with section(f"create {args.db}, migrate"):
        create_database(args.db)
    setup_django(args.db)
    with section(
        f"{args.people:,} people, {args.tickets:,} tickets, {args.hazards:,} hazards (bulk SQL)"
    ):
        load(args)


# --- the two sides ------------------------------------------------------------------------


BARE_SQL = """
WITH desk AS (
    SELECT o.unit_id, o.user_id, g.name AS role
    FROM brigade_officer o
    JOIN auth_user u ON u.id = o.user_id AND u.is_active
    JOIN auth_user_groups ug ON ug.user_id = o.user_id
    JOIN auth_group g ON g.id = ug.group_id AND g.name IN ('clerk', 'commander')
    WHERE o.is_active
), items AS (
    SELECT t.unit_id, CASE WHEN o.is_active THEN o.user_id END AS holder, 'clerk' AS falls_to
    FROM petitions_ticket t
    LEFT JOIN brigade_officer o ON o.id = t.handler_id
    WHERE t.status IN ('received', 'signed', 'handling', 'replied') AND t.next_due <= %(until)s
    UNION ALL
    SELECT h.unit_id, NULL, 'commander'
    FROM hazards_hazard h
    WHERE (h.status IN ('assigned', 'rectifying') AND h.deadline <= %(until)s)
       OR (h.status = 'rectified' AND h.rectified_at IS NOT NULL
           AND (h.rectified_at AT TIME ZONE 'Asia/Shanghai')::date <= %(until)s)
)
SELECT COALESCE(i.holder, d.user_id) AS person, count(*)
FROM items i
LEFT JOIN desk d ON i.holder IS NULL AND d.unit_id = i.unit_id AND d.role = i.falls_to
GROUP BY 1
"""


def bare(db: str, until: dt.date) -> dict[int, int]:
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute(BARE_SQL, {"until": until})
        rows = cur.fetchall()
    conn.close()
    return {person: count for person, count in rows if person is not None}


def digests() -> tuple[dict[int, int], int, int]:
    """Every digest of the day, each one with content rendered: per person their own
    items' count, the number rendered, their size in bytes."""
    from brigade.core.notices.digest import build_digests, render

    counts: dict[int, int] = {}
    rendered = size = 0
    for digest in build_digests(DAY):
        if digest.count:
            counts[digest.user_id] = digest.count
        if digest.has_content:
            mail = render(digest)
            rendered += 1
            size += len(mail.text) + len(mail.html)
    return counts, rendered, size


def dump(path: str) -> None:
    """Every rendered mail (subject, text, HTML), person by person, into ``path``."""
    from brigade.core.notices.digest import build_digests, render

    with open(path, "w", encoding="utf-8") as out:
        for digest in build_digests(DAY):
            if digest.has_content:
                mail = render(digest)
                out.write(f"### {digest.user_id}\n{mail.subject}\n{mail.text}\n{mail.html}\n")


def main() -> int:
    args = parse_args()
    prepare(args)
    setup_django(args.db)
    from django.db import connection

    from brigade.core.notices.hours import window_end

    until = window_end(DAY)
    print(f"\nday {DAY}, items due by {until}; {args.repeat} runs of each, in turns")
    bare_times, digest_times = [], []
    want: dict[int, int] = {}
    got: dict[int, int] = {}
    rendered = size = queries = 0
    for _ in range(args.repeat):
        seconds, want = timed(lambda: bare(args.db, until))
        bare_times.append(seconds)
        connection.queries_log.clear()
        start = time.perf_counter()
        got, rendered, size = digests()
        digest_times.append(time.perf_counter() - start)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        digests()
    queries = len(captured)
    if args.dump:
        dump(args.dump)
    print(f"   bare SQL:  {summary(bare_times)}")
    print(f"   digests:   {summary(digest_times)}")
    print(f"   {rendered:,} digests rendered ({size / 1e6:.1f} MB), {queries} queries")
    ratio = min(digest_times) / min(bare_times)
    ok = ratio <= LIMIT
    wrong = [
        (p, want.get(p), got.get(p)) for p in set(want) | set(got) if want.get(p) != got.get(p)
    ]
    print(
        f"\n   people with items: SQL {len(want):,}, digests {len(got):,}; "
        f"items: SQL {sum(want.values()):,}, digests {sum(got.values()):,}"
    )
    print(f"   GOAL digests / bare SQL: {ratio:.2f}x (limit {LIMIT}) {'ok' if ok else 'MISSED'}")
    if wrong:
        print(f"   WRONG: {len(wrong)} people's counts differ, e.g. {wrong[:5]}")
    path = save_results(
        "notices_digest",
        {
            "size": size_of(args),
            "bare": bare_times,
            "digests": digest_times,
            "ratio": ratio,
            "rendered": rendered,
            "queries": queries,
            "wrong": len(wrong),
        },
    )
    print(f"   results: {path}")
    if wrong:
        return 2
    if not ok and not args.report_only:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
