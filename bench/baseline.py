"""The baseline: the brigade's weekly figures as bare SQL GROUP BYs, run with psycopg2 and
fetched, one query per metric side; and the year-to-date figures that follow from them.

Written from the metric definitions (brigade/duty/kpis.py docstrings and DESIGN.md), not from
the engine's generated SQL, so that the comparison checks the engine as well as timing it.
Rows are (metric, side, week, cohort year, unit, amount).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TZ = "Asia/Shanghai"
LOCAL_START = f"(p.started_at AT TIME ZONE '{TZ}')"
WEEK = f"CAST(DATE_TRUNC('week', {LOCAL_START}) AS DATE)"
YEAR = f"CAST(EXTRACT(YEAR FROM {LOCAL_START}) AS INTEGER)"
TODAY = f"CAST(NOW() AT TIME ZONE '{TZ}' AS DATE)"

# a post is planned on a calendar day c: its weekday, in service, and for a school post a
# working day outside the school breaks
PLANNED = (
    "p.is_active AND STRPOS(p.weekdays, CAST(c.isoweekday AS TEXT)) > 0 "
    "AND c.day >= p.active_from AND c.day <= " + TODAY + " "
    "AND (p.kind <> 'school' OR (c.is_workday AND NOT EXISTS ("
    "SELECT 1 FROM brigade_schoolbreak b WHERE c.day BETWEEN b.starts_on AND b.ends_on)))"
)

# (metric, side, SQL with rows (week, cohort year, unit, amount)); "{kind}" in a metric is
# the violation kind, the query's fifth column
QUERIES: list[tuple[str, str, str]] = [
    (
        "brigade.patrols",
        "n",
        f"SELECT {WEEK}, {YEAR}, p.unit_id, COUNT(*) FROM brigade_patrollog p GROUP BY 1, 2, 3",
    ),
    (
        "brigade.patrol_hours",
        "n",
        f"SELECT {WEEK}, {YEAR}, p.unit_id, "
        "SUM(EXTRACT(EPOCH FROM (p.ended_at - p.started_at)) / 3600.0) "
        "FROM brigade_patrollog p WHERE p.ended_at IS NOT NULL GROUP BY 1, 2, 3",
    ),
    (
        "brigade.violations_corrected",
        "n",
        f"SELECT {WEEK}, {YEAR}, p.unit_id, SUM(t.count) FROM brigade_violationtally t "
        "JOIN brigade_patrollog p ON p.id = t.patrol_id WHERE t.count > 0 GROUP BY 1, 2, 3",
    ),
    (
        "brigade.violations.{kind}",
        "n",
        f"SELECT {WEEK}, {YEAR}, p.unit_id, SUM(t.count), t.kind FROM brigade_violationtally t "
        "JOIN brigade_patrollog p ON p.id = t.patrol_id WHERE t.count > 0 GROUP BY 1, 2, 3, 5",
    ),
    (
        "brigade.post_coverage_rate",
        "n",
        "SELECT CAST(DATE_TRUNC('week', s.day) AS DATE), s.year, s.unit_id, COUNT(*) FROM ("
        "SELECT DISTINCT p.id, c.day, c.year, p.unit_id FROM brigade_patrollog l "
        "JOIN brigade_dutypost p ON p.id = l.post_id "
        f"JOIN brigade_calendarday c ON c.day = CAST(l.checked_in_at AT TIME ZONE '{TZ}' AS DATE) "
        f"WHERE {PLANNED}) s GROUP BY 1, 2, 3",
    ),
    (
        "brigade.post_coverage_rate",
        "d",
        "SELECT CAST(DATE_TRUNC('week', c.day) AS DATE), c.year, p.unit_id, COUNT(*) "
        f"FROM brigade_calendarday c JOIN brigade_dutypost p ON {PLANNED} GROUP BY 1, 2, 3",
    ),
]
_ATTENDANCE = (
    "SELECT CAST(DATE_TRUNC('week', s.held_on) AS DATE), CAST(EXTRACT(YEAR FROM s.held_on) AS "
    "INTEGER), s.unit_id, COUNT(*) FROM brigade_attendance a "
    "JOIN brigade_trainingsession s ON s.id = a.session_id{where} GROUP BY 1, 2, 3"
)
QUERIES += [
    ("brigade.training_attendance_rate", "n", _ATTENDANCE.format(where=" WHERE a.attended")),
    ("brigade.training_attendance_rate", "d", _ATTENDANCE.format(where="")),
    (
        "brigade.training_pass_rate",
        "n",
        _ATTENDANCE.format(where=" WHERE a.result = 'passed'"),
    ),
    (
        "brigade.training_pass_rate",
        "d",
        _ATTENDANCE.format(where=" WHERE a.result IN ('passed', 'failed')"),
    ),
]
RATES = {
    "brigade.post_coverage_rate",
    "brigade.training_attendance_rate",
    "brigade.training_pass_rate",
}

Key = tuple[str, str, dt.date, int, int]  # metric, side, week, cohort, unit
FOUR = Decimal("0.0001")


def run(
    conn: Any, seconds: dict[str, float] | None = None
) -> list[tuple[str, str, dt.date, int, int, Any]]:
    """Every metric side's grouped query, executed and fetched; with ``seconds``, the time
    of each (by metric/side) is added there."""
    out = []
    with conn.cursor() as cur:
        for metric, side, sql in QUERIES:
            start = time.perf_counter()
            cur.execute(sql)
            fetched = cur.fetchall()
            if seconds is not None:
                name = f"{metric.replace('.{kind}', '.')}/{side}"
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
            for row in fetched:
                key = metric.format(kind=row[4]) if "{kind}" in metric else metric
                out.append((key, side, row[0], int(row[1]), int(row[2]), row[3]))
    conn.rollback()
    return out


def flows(rows: Iterable[tuple[str, str, dt.date, int, int, Any]]) -> dict[Key, Decimal]:
    """The rows as the engine stores a flow: an amount rounded to the column's 4 places."""
    out: dict[Key, Decimal] = {}
    for metric, side, week, cohort, unit, amount in rows:
        if amount is None:
            continue
        out[(metric, side, week, cohort, unit)] = Decimal(amount).quantize(FOUR, ROUND_HALF_UP)
    return out


def ytd_year(monday: dt.date) -> int:
    return (monday + dt.timedelta(days=6)).year


def rollups(
    flow_amounts: dict[Key, Decimal], current_week: dt.date
) -> dict[tuple[str, dt.date, str], tuple[Decimal, Decimal | None]]:
    """Year-to-date (numerator, denominator) per metric, week and scope ("brigade" or a
    unit id) on every week from the first flow's to ``current_week``: the sum of the flows
    of the weeks up to it that end in the same year, of that year's cohort."""
    if not flow_amounts:
        return {}
    first = min(k[2] for k in flow_amounts)
    weeks = []
    monday = first
    while monday <= current_week:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    # (metric, scope) -> week -> side -> amount, for cohort == the week's ytd year
    weekly: dict[tuple[str, str], dict[dt.date, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    for (metric, side, week, cohort, unit), amount in flow_amounts.items():
        for scope in ("brigade", str(unit)):
            series = weekly[(metric, scope)]
            if cohort == ytd_year(week):
                series[week][side] += amount
            else:
                series.setdefault(week, defaultdict(Decimal))  # the scope has a flow
    out: dict[tuple[str, dt.date, str], tuple[Decimal, Decimal | None]] = {}
    for (metric, scope), series in weekly.items():
        n = d = Decimal(0)
        year = None
        for monday in weeks:
            if ytd_year(monday) != year:
                year, n, d = ytd_year(monday), Decimal(0), Decimal(0)
            sides = series.get(monday)
            if sides:
                n += sides.get("n", Decimal(0))
                d += sides.get("d", Decimal(0))
            out[(metric, monday, scope)] = (n, d if metric in RATES else None)
    return out
