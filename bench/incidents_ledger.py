"""Benchmark of the relief-fund ledger: a period's report over many advances and
recoveries, against one plain GROUP BY in SQL, and the totals checked to the cent.

    .venv/bin/python bench/incidents_ledger.py                 # 20,000 advances, ~1 min
    .venv/bin/python bench/incidents_ledger.py --advances 2000 # quick

A database of its own (``brigade_incidents_bench`` unless ``--db``) is created, migrated and
filled through the ORM's bulk_create from a fixed seed: 4 units, one accident per advance,
``--advances`` paid advances over three years, about two recoveries each (never more than
the amount). Then the ledger of one year (``build_ledger``, as the page and the API build
it) runs ``--repeat`` times against a bare SQL query of the same figures; both must agree to
the cent (exit 2 if not).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import connect, create_database, save_results, section, setup_django, summary, timed


def fill(advances: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from brigade.duty.choices import UnitKind
    from brigade.duty.models import Unit
    from incidents.choices import AdvanceStatus, Severity
    from incidents.models import Accident, FundAdvance, Recovery

    rng = random.Random(seed)
    units = [
        Unit.objects.create(code=f"b{i}", name=f"第{i}中队", kind=UnitKind.SQUADRON)
        for i in range(4)
    ]
    get_user_model().objects.create_superuser("bench", password="bench-pass-1")
    start = dt.datetime(2023, 1, 1, 9, tzinfo=dt.UTC)
    accidents = Accident.objects.bulk_create(
        Accident(
            unit=rng.choice(units),
            road="花园路",
            severity=Severity.INJURY,
            occurred_at=start + dt.timedelta(hours=rng.randrange(0, 3 * 365 * 24)),
        )
        for _ in range(advances)
    )
    rows, recoveries = [], []
    for accident in accidents:
        amount = Decimal(rng.randrange(100_00, 200_000_00)) / 100
        paid_at = accident.occurred_at + dt.timedelta(days=rng.randrange(1, 20))
        parts = [Decimal(rng.randrange(1, int(amount * 100) // 3 + 2)) / 100 for _ in range(2)]
        rows.append(
            FundAdvance(
                accident=accident,
                beneficiary="受助人",
                payee="医院",
                purpose="rescue",
                amount=amount,
                status=AdvanceStatus.PAID,
                paid_at=paid_at,
                amount_recovered=sum(parts, Decimal("0.00")),
            )
        )
        recoveries.append((paid_at, parts))
    saved = FundAdvance.objects.bulk_create(rows, batch_size=5000)
    Recovery.objects.bulk_create(
        (
            Recovery(
                advance=advance,
                payer="肇事方",
                amount=part,
                received_on=timezone.localdate(paid_at) + dt.timedelta(days=30 * (i + 1)),
            )
            for advance, (paid_at, parts) in zip(saved, recoveries, strict=True)
            for i, part in enumerate(parts)
        ),
        batch_size=5000,
    )


BARE_SQL = """
SELECT COUNT(*), COALESCE(SUM(a.amount), 0), COALESCE(SUM(r.total), 0)
FROM incidents_fundadvance a
LEFT JOIN (SELECT advance_id, SUM(amount) AS total FROM incidents_recovery
           WHERE received_on <= %(last)s GROUP BY advance_id) r ON r.advance_id = a.id
WHERE a.status = 'paid'
  AND (a.paid_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(first)s AND %(last)s
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="brigade_incidents_bench")
    parser.add_argument("--advances", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20220531)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with section(f"database {args.db}: create and migrate"):
        create_database(args.db)
    setup_django(args.db)
    with section(f"fill: {args.advances} paid advances, ~{2 * args.advances} recoveries"):
        fill(args.advances, args.seed)
        with connect(args.db) as conn, conn.cursor() as cur:
            cur.execute("ANALYZE")

    from django.contrib.auth import get_user_model

    from incidents.ledger import build_ledger

    user = get_user_model().objects.get(username="bench")
    first, last = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    ledger_times, sql_times = [], []
    ledger = None
    bare = None
    with section(f"ledger of {first}..{last}, {args.repeat} runs each"):
        for _ in range(args.repeat):
            seconds, ledger = timed(lambda: build_ledger(user, first, last))
            ledger_times.append(seconds)
            with connect(args.db) as conn, conn.cursor() as cur:
                seconds, _ = timed(lambda: cur.execute(BARE_SQL, {"first": first, "last": last}))
                bare = cur.fetchone()
            sql_times.append(seconds)
    assert ledger is not None and bare is not None
    rows, paid, recovered = bare
    print(f"   build_ledger: {summary(ledger_times)}")
    print(f"   bare SQL:     {summary(sql_times)}")
    totals = f"paid {ledger.total_paid}, recovered {ledger.total_recovered}"
    print(f"   {len(ledger.advances)} rows; {totals}")
    agree = (len(ledger.advances), ledger.total_paid, ledger.total_recovered) == (
        rows,
        Decimal(paid),
        Decimal(recovered),
    )
    print("   totals agree with SQL to the cent" if agree else f"   MISMATCH: SQL says {bare}")
    path = save_results(
        "incidents_ledger",
        {
            "advances": args.advances,
            "rows": len(ledger.advances),
            "ledger_s": ledger_times,
            "sql_s": sql_times,
            "agree": agree,
        },
    )
    print(f"   results: {path}")
    return 0 if agree else 2


if __name__ == "__main__":
    raise SystemExit(main())
