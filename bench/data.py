"""The benchmark's brigade: patrols with violation tallies, posts and check-ins, training
attendance, over three years and eight units, from a fixed random seed, loaded with COPY.

Sizes for ``rows`` patrols: ~3 tallies per patrol (some of them zero, which no metric
counts), 20 posts per unit with a check-in on about a third of the patrols, two training
sessions per unit and week with a dozen officers called to each.
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
POSTS_PER_UNIT = 20
DAYS = 3 * 365
CHUNK = 100_000  # patrols per COPY batch
LOCAL_OFFSET = 8 * 3600  # Asia/Shanghai has had no daylight saving time since 1991

VIOLATION_KINDS = [
    "low_speed_ev",
    "unlicensed",
    "scrapped_vehicle",
    "illegal_passengers",
    "excess_passengers",
    "speeding",
    "drunk_driving",
    "no_helmet",
    "no_seatbelt",
    "not_yielding",
    "lane_weaving",
    "throwing",
    "red_light",
    "wrong_way",
    "stop_line",
    "railing_climbing",
    "illegal_parking",
]
POST_KINDS = ["peak", "school", "fixed", "checkpoint", "patrol_zone"]
WEEKDAYS = ["12345", "1234567", "12345", "67", "135", "1234567", "2345"]
MODES = ["foot", "car", "motorcycle"]
WEATHER = ["", "clear", "cloudy", "rain", "fog", "heat"]
TRAINING_KINDS = ["study", "lecture", "education", "drill", "motorcycle"]

META = "bench_meta"


def _ts(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


def _copy(cur: Any, table: str, columns: str, lines: list[str]) -> None:
    if lines:
        cur.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", io.StringIO("\n".join(lines) + "\n")
        )


def read_meta(db: str) -> dict[str, str] | None:
    with connect(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [META])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT key, value FROM {META}")
        return dict(cur.fetchall())


def load(db: str, rows: int, seed: int, last_day: dt.date) -> dict[str, Any]:
    """Fill the freshly migrated ``db``; returns what was generated (also kept in bench_meta).

    ``last_day`` is the last local day with patrols; the three years end there.
    """
    rnd = random.Random(seed)
    first_day = last_day - dt.timedelta(days=DAYS - 1)
    now = _ts(int(time.time()))
    counts: dict[str, int] = {}
    conn = connect(db)
    cur = conn.cursor()
    # Bulk load: foreign keys are right by construction, their per-row triggers are skipped.
    cur.execute("SET session_replication_role = replica")

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
    counts["officers"] = len(lines)

    posts: dict[int, list[int]] = {}
    lines = []
    for u in units:
        for i in range(POSTS_PER_UNIT):
            pid = (u - 1) * POSTS_PER_UNIT + i + 1
            posts.setdefault(u, []).append(pid)
            active_from = first_day + dt.timedelta(days=rnd.randrange(0, 400))
            lines.append(
                f"{pid}\t{now}\t{now}\tPost {pid}\t{POST_KINDS[i % len(POST_KINDS)]}\t\t\\N\t\\N"
                f"\t07:00\t19:00\t{rnd.choice(WEEKDAYS)}\t{'f' if rnd.random() < 0.05 else 't'}"
                f"\t{u}\t{active_from}"
            )
    _copy(
        cur,
        "brigade_dutypost",
        "id, created_at, updated_at, name, kind, location, latitude, longitude, start_time, "
        "end_time, weekdays, is_active, unit_id, active_from",
        lines,
    )
    counts["posts"] = len(lines)

    lines = []
    for year in range(first_day.year, last_day.year + 1):
        lines.append(f"{now}\t{now}\tWinter {year}\t{year}-01-15\t{year}-02-20")
        lines.append(f"{now}\t{now}\tSummer {year}\t{year}-07-05\t{year}-08-31")
    _copy(cur, "brigade_schoolbreak", "created_at, updated_at, name, starts_on, ends_on", lines)

    # patrols and their tallies, in batches
    midnight = calendar.timegm(first_day.timetuple()) - LOCAL_OFFSET  # local 00:00, as UTC
    tally_id = 0
    patrol_lines: list[str] = []
    tally_lines: list[str] = []
    patrol_cols = (
        "id, created_at, updated_at, mode, started_at, ended_at, checked_in_at, weather, notes, "
        "campaign_id, officer_id, post_id, zone_id, unit_id"
    )
    tally_cols = "id, kind, count, updated_at, patrol_id"
    tally_sizes = [0, 1, 2, 3, 3, 4, 4, 5, 6]
    checkins = 0
    for pid in range(1, rows + 1):
        unit = rnd.choice(units)
        officer = rnd.choice(officers[unit])
        day = rnd.randrange(DAYS)
        if rnd.random() < 0.9:
            minute = rnd.randrange(6 * 60, 22 * 60)
        else:  # late patrols, some past local midnight (another day and maybe week in UTC)
            minute = rnd.randrange(22 * 60, 26 * 60)
        start = midnight + day * 86400 + minute * 60
        end = start + rnd.randrange(20, 241) * 60
        started, ended = _ts(start), _ts(end)
        post, checked = "\\N", "\\N"
        if rnd.random() < 0.35:
            post = str(rnd.choice(posts[unit]))
            if rnd.random() < 0.9:
                checked = _ts(start + rnd.randrange(0, 16) * 60)
                checkins += 1
        patrol_lines.append(
            f"{pid}\t{started}\t{ended}\t{rnd.choice(MODES)}\t{started}\t{ended}\t{checked}"
            f"\t{rnd.choice(WEATHER)}\t\t\\N\t{officer}\t{post}\t\\N\t{unit}"
        )
        for kind in rnd.sample(VIOLATION_KINDS, rnd.choice(tally_sizes)):
            tally_id += 1
            tally_lines.append(f"{tally_id}\t{kind}\t{rnd.randrange(0, 7)}\t{ended}\t{pid}")
        if len(patrol_lines) >= CHUNK:
            _copy(cur, "brigade_patrollog", patrol_cols, patrol_lines)
            _copy(cur, "brigade_violationtally", tally_cols, tally_lines)
            patrol_lines, tally_lines = [], []
    _copy(cur, "brigade_patrollog", patrol_cols, patrol_lines)
    _copy(cur, "brigade_violationtally", tally_cols, tally_lines)
    counts["patrols"] = rows
    counts["tallies"] = tally_id
    counts["check_ins"] = checkins

    # training: two sessions per unit and week, a dozen officers called to each
    session_lines, attendance_lines = [], []
    sid = aid = 0
    for week in range(DAYS // 7):
        for u in units:
            for _ in range(2):
                sid += 1
                held = first_day + dt.timedelta(days=week * 7 + rnd.randrange(7))
                session_lines.append(
                    f"{sid}\t{now}\t{now}\t{rnd.choice(TRAINING_KINDS)}\tSession {sid}\t{held}"
                    f"\t\t\t{u}"
                )
                for officer in rnd.sample(officers[u], 12):
                    aid += 1
                    attended = rnd.random() < 0.92
                    roll = rnd.random()
                    result = (
                        "not_assessed"
                        if not attended or roll < 0.35
                        else ("passed" if roll < 0.9 else "failed")
                    )
                    attendance_lines.append(
                        f"{aid}\t{now}\t{now}\t{'t' if attended else 'f'}\t{result}\t\\N"
                        f"\t{officer}\t{sid}"
                    )
    _copy(
        cur,
        "brigade_trainingsession",
        "id, created_at, updated_at, kind, title, held_on, location, notes, unit_id",
        session_lines,
    )
    _copy(
        cur,
        "brigade_attendance",
        "id, created_at, updated_at, attended, result, score, officer_id, session_id",
        attendance_lines,
    )
    counts["training_sessions"] = sid
    counts["attendances"] = aid

    for table in (
        "brigade_unit",
        "brigade_officer",
        "brigade_dutypost",
        "brigade_schoolbreak",
        "brigade_patrollog",
        "brigade_violationtally",
        "brigade_trainingsession",
        "brigade_attendance",
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    meta = {
        "rows": rows,
        "seed": seed,
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


def vacuum_analyze(db: str, full: bool = True) -> None:
    conn = connect(db)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if full else "ANALYZE")
    conn.close()


KPI_TABLES = (
    "brigade_kpiflow",
    "brigade_kpirollup",
    "brigade_kpidirty",
    "brigade_kpiweek",
    "brigade_kpirun",
)


def vacuum_kpi(db: str) -> None:
    """What autovacuum does between two recomputes in production: the dead rows of the
    last recompute's DELETE + INSERT cleared, the statistics of the new ones taken."""
    conn = connect(db)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {', '.join(KPI_TABLES)}")
    conn.close()
