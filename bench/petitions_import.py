"""Benchmark of the 12345 platform's import against a bare bulk_create of the same rows.

    .venv/bin/python bench/petitions_import.py                      # 100,000 rows
    .venv/bin/python bench/petitions_import.py --rows 100000 --import-rows 20000 --reuse

On the benchmark database (``--rows`` tickets, bench/petitions_data.py; made unless
``--reuse`` finds it), a CSV export of ``--import-rows`` new tickets as the platform writes
it (its Chinese headers, categories and units by name, times as "2026-06-13 09:30:00") is
imported by the brigade-wide commander through the app's import path,
``services.tickets_import`` (reading the file, validation of every row, the numbers
already known looked up in bulk, deadlines from the categories' rules, the tickets and
their history rows written in batches, the KPI weeks marked). The baseline is
``Ticket.objects.bulk_create`` of the same tickets, built beforehand (no per-row
``save()``, no history, no validation), in batches of the import's size. Each run is
one transaction rolled back afterwards; the two run in turns, ``--repeat`` times, best of
each, and both must write the same tickets (compared by a digest of every written
column the file decides).

Goal: the import within 3x of the bare bulk_create. Exits 1 when missed (0 with
--report-only), 2 when the two write different tickets or the import reports errors.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import petitions_data as data
from common import save_results, section, setup_django, summary

LIMIT = 3.0
PREFIX = "9"  # the generated tickets' numbers start with 2: the imported ones are new
HEADERS = [
    "工单编号",
    "受理时间",
    "诉求分类",
    "诉求内容",
    "承办单位",
    "来源渠道",
    "诉求人",
    "联系电话",
    "事发地点",
]
CHANNELS = ["12345热线", "网站", "微信", "app", "信件"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="brigade_petitions_bench")
    parser.add_argument("--rows", type=int, default=1_000_000, help="tickets already there")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the file")
    parser.add_argument("--seed", type=int, default=20220613)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best of)")
    parser.add_argument("--reuse", action="store_true", help="keep a database of the same size")
    parser.add_argument("--report-only", action="store_true", help="exit 0 when missed")
    return parser.parse_args()


def export_file(rows: int, seed: int) -> bytes:
    """The platform's CSV export of ``rows`` new tickets over the last year."""
    rnd = random.Random(seed + 1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    start = dt.datetime.now() - dt.timedelta(days=365)
    for i in range(rows):
        when = start + dt.timedelta(minutes=rnd.randrange(364 * 24 * 60))
        _code, name, *_rules = rnd.choice(data.CATEGORIES)
        writer.writerow(
            [
                f"{PREFIX}{i:011d}",
                when.strftime("%Y-%m-%d %H:%M:%S"),
                name,
                f"{rnd.choice(data.TEXTS)}（导入{i}）",
                f"Unit {rnd.randrange(1, data.UNITS + 1)}",
                rnd.choice(CHANNELS),
                rnd.choice(data.NAMES),
                f"139{rnd.randrange(10**8):08d}",
                rnd.choice(data.PLACES),
            ]
        )
    return out.getvalue().encode("utf-8")


def bare_objects(content: bytes, user: Any) -> list[Any]:
    """The same tickets as Ticket objects, built outside the timing (the file parsed by
    hand, deadlines from the same rules)."""
    from django.utils import timezone

    from brigade.duty.models import Unit
    from petitions.choices import TicketStatus
    from petitions.models import Ticket, TicketCategory
    from petitions.services import _channel_lookup, deadlines_for

    categories = {c.name: c for c in TicketCategory.objects.all()}
    units = {u.name: u.pk for u in Unit.objects.all()}
    channels = _channel_lookup()
    objects = []
    reader = csv.reader(io.StringIO(content.decode("utf-8")))
    next(reader)
    for number, when, category, text, unit, channel, name, phone, place in reader:
        received = timezone.make_aware(dt.datetime.fromisoformat(when))
        dues = deadlines_for(categories[category], received)
        objects.append(
            Ticket(
                number=number,
                status=TicketStatus.RECEIVED,
                next_due=dues["sign_due"],
                created_by=user,
                channel=channels[channel.lower()],
                received_at=received,
                citizen_name=name,
                citizen_phone=phone,
                category_id=categories[category].pk,
                content=text,
                location=place,
                unit_id=units[unit],
                **dues,
            )
        )
    return objects


DIGEST = f"""
SELECT COUNT(*), md5(string_agg(concat_ws('|', number, channel, received_at, citizen_name,
    citizen_phone, category_id, content, location, unit_id, status, round, sign_due,
    reply_due, close_due, next_due, created_by_id), ',' ORDER BY number))
FROM petitions_ticket WHERE number LIKE '{PREFIX}%%'
"""


def digest() -> tuple[int, str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(DIGEST)
        count, md5 = cur.fetchone()
    return int(count), md5 or ""


def main() -> int:
    args = parse_args()
    setup_django(args.db)
    meta = data.prepare(args.db, args.rows, args.seed, args.reuse)
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from petitions import services
    from petitions.models import Ticket

    user = User.objects.get(username=data.COMMANDER)
    with section(f"the platform's export of {args.import_rows:,} new tickets"):
        content = export_file(args.import_rows, args.seed)
        objects = bare_objects(content, user)
        print(f"   {len(content) / 1048576:.1f} MB")

    def run_import() -> tuple[float, tuple[int, str], Any]:
        upload = SimpleUploadedFile("export.csv", content, content_type="text/csv")
        with transaction.atomic():
            start = time.perf_counter()
            report = services.tickets_import(upload=upload, by=user)
            seconds = time.perf_counter() - start
            written = digest()
            history = Ticket.history.filter(number__startswith=PREFIX).count()
            transaction.set_rollback(True)
        return seconds, written, (report, history)

    def run_bare() -> tuple[float, tuple[int, str]]:
        names = [f.attname for f in Ticket._meta.concrete_fields]
        fresh = [Ticket(**{name: getattr(o, name) for name in names}) for o in objects]
        with transaction.atomic():
            start = time.perf_counter()
            Ticket.objects.bulk_create(fresh, batch_size=services.IMPORT_BATCH)
            seconds = time.perf_counter() - start
            written = digest()
            transaction.set_rollback(True)
        return seconds, written

    import_times: list[float] = []
    bare_times: list[float] = []
    wrong: list[str] = []
    with section(f"import and bare bulk_create in turns, {args.repeat} runs each"):
        for _ in range(args.repeat):
            seconds, bare_written = run_bare()
            bare_times.append(seconds)
            seconds, written, (report, history) = run_import()
            import_times.append(seconds)
            if not report.ok or report.created != args.import_rows:
                wrong.append(f"the import reported {report.as_dict()['errors'][:3]}")
            if written != bare_written:
                wrong.append(f"the import wrote {written}, the bare bulk_create {bare_written}")
            if history != args.import_rows:
                wrong.append(f"{history} history rows for {args.import_rows} tickets")
            print(
                f"   bare {bare_times[-1]:.2f}s, import {seconds:.2f}s "
                f"({written[0]:,} tickets, {history:,} history rows)",
                flush=True,
            )
    ratio = min(import_times) / min(bare_times)
    print(f"   import:           {summary(import_times)}")
    print(f"   bare bulk_create: {summary(bare_times)}")
    ok = ratio <= LIMIT
    path = save_results(
        "petitions_import",
        {
            "meta": meta,
            "args": vars(args),
            "import_s": import_times,
            "bare_s": bare_times,
            "ratio": ratio,
            "ok": ok,
            "wrong": wrong,
        },
    )
    print(f"\nresults: {path}\n\nSUMMARY ({args.import_rows:,} rows into {int(meta['rows']):,})")
    print(
        f"  {'ok    ' if ok else 'MISSED'} import / bare bulk_create: {ratio:.2f} "
        f"(goal <= {LIMIT}) - {min(import_times):.2f}s against {min(bare_times):.2f}s"
    )
    for problem in wrong:
        print(f"  WRONG  {problem}")
    if wrong:
        return 2
    return 0 if ok or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
