"""The import of the 12345 platform's CSV/XLSX export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core import dates
from brigade.core.fields import too_long
from brigade.core.kpi.weeks import local_date
from brigade.core.text import normalise_identifier, trim_text
from brigade.duty.models import Unit
from petitions.choices import (
    TicketStatus,
)
from petitions.models import (
    Ticket,
    TicketCategory,
)
from petitions.services.common import _received_at_message, deadlines_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from brigade.core.imports import ImportReport, Table
    from brigade.core.scope import Scope


class _Named(Protocol):
    name: str
    name_en: str
    code: str


_Coded = TypeVar("_Coded", bound=_Named)

IMPORT_COLUMNS: dict[str, list[str]] = {
    "number": ["工单编号", "工单号", "编号", "platform number", "ticket number"],
    "received_at": ["受理时间", "派单时间", "来电时间", "received", "received at"],
    "category": ["诉求分类", "问题分类", "类别", "分类"],
    "content": ["诉求内容", "内容", "问题描述"],
    "unit": ["承办单位", "办理单位", "单位"],
    "channel": ["来源渠道", "渠道", "来源"],
    "citizen_name": ["诉求人", "来电人", "姓名", "citizen", "name"],
    "citizen_phone": ["联系电话", "电话", "手机", "phone"],
    "location": ["事发地点", "地点", "地址", "address"],
}
IMPORT_REQUIRED = ("number", "received_at", "category", "content", "unit")
IMPORT_MAX_ROWS = 200_000
IMPORT_BATCH = 2_000
# Fields a re-import takes from the platform (the brigade's own progress is kept).
PLATFORM_FIELDS = (
    "channel",
    "received_at",
    "citizen_name",
    "citizen_phone",
    "category_id",
    "content",
    "location",
    "unit_id",
)
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def _parse_when(text: str) -> dt.datetime | None:
    text = text.strip()
    if len(text) >= 16 and text[4] == "-":
        # the platform's usual "2022-06-13 09:30[:00]": the fast path
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                return timezone.make_aware(parsed)
            return parsed
    for fmt in _DATE_FORMATS:
        try:
            naive = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive)
    return None


def _channel_lookup() -> dict[str, str]:
    from petitions.choices import TicketChannel

    lookup = {}
    for value, label in TicketChannel.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    # the platform's own spellings
    lookup.update(
        {
            "12345": TicketChannel.HOTLINE,
            "电话": TicketChannel.HOTLINE,
            "热线": TicketChannel.HOTLINE,
            "12345热线": TicketChannel.HOTLINE,
            "网站": TicketChannel.WEB,
            "网络": TicketChannel.WEB,
            "app": TicketChannel.APP,
            "微信": TicketChannel.WECHAT,
            "信件": TicketChannel.LETTER,
            "来信": TicketChannel.LETTER,
            "其他": TicketChannel.OTHER,
        }
    )
    return lookup


def _in_chunks(values: list[str], size: int = 5_000) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class _ImportContext:
    """What every row of one import is checked against, read once in bulk."""

    by: User | AnonymousUser
    scope: Scope
    report: ImportReport
    categories: dict[str, TicketCategory]
    units: dict[str, Unit]
    channels: dict[str, str]
    existing: dict[str, dict[str, Any]] = field(default_factory=dict)
    new: list[Ticket] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def _by_name_and_code(records: Iterable[_Coded]) -> dict[str, _Coded]:
    lookup: dict[str, _Coded] = {}
    for record in records:
        # a name in either language (the English one where it was given), or the code
        if record.name_en:
            lookup[record.name_en.lower()] = record
        lookup[record.name.lower()] = record
        lookup[record.code.lower()] = record
    return lookup


def _numbers_in_file(table: Table, report: ImportReport) -> dict[str, int]:
    """Each platform number with the first row it is on; a number twice is an error."""
    first_row: dict[str, int] = {}
    for row, values in table:
        number = values["number"]
        if number in first_row:
            report.add_error(
                row,
                "number",
                _("Platform number %(number)s is also on row %(row)s.")
                % {"number": number, "row": first_row[number]},
            )
        elif number:
            first_row[number] = row
    return first_row


def _known_tickets(numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The tickets already imported under these numbers, by number (platform fields only)."""
    existing: dict[str, dict[str, Any]] = {}
    fields = ("pk", "number", "status", "round", *PLATFORM_FIELDS)
    for chunk in _in_chunks(numbers):
        for values in Ticket.objects.filter(number__in=chunk).values(*fields):
            existing[values["number"]] = values
    return existing


def _check_when(ctx: _ImportContext, row: int, text: str) -> dt.datetime | None:
    when = _parse_when(text) if text else None
    if when is None:
        ctx.report.add_error(
            row,
            "received_at",
            _("“%(value)s” is not a date and time (e.g. 2022-06-13 09:30).") % {"value": text}
            if text
            else _("The time of receipt is required."),
        )
    elif not dates.in_window(when, dates.HAPPENED):
        ctx.report.add_error(row, "received_at", _received_at_message())
    return when


# the ticket's free-text fields a row gives (the platform's words, kept as they are)
_TEXTS = ("content", "citizen_name", "citizen_phone", "location")


def _texts(values: dict[str, str]) -> dict[str, str]:
    return {name: values.get(name, "") for name in _TEXTS}


def _check_row(
    ctx: _ImportContext, row: int, values: dict[str, str]
) -> tuple[dt.datetime, TicketCategory, Unit, dict[str, Any]] | None:
    """The row's ticket fields, or None after adding its errors to the report."""
    report = ctx.report
    errors_before = len(report.errors)
    number = values["number"]
    if not number:
        report.add_error(row, "number", _("The platform number is required."))
    when = _check_when(ctx, row, values["received_at"])
    category = ctx.categories.get(values["category"].lower())
    if category is None:
        report.add_error(
            row, "category", _("Unknown category “%(value)s”.") % {"value": values["category"]}
        )
    unit = ctx.units.get(values["unit"].lower())
    if unit is None:
        report.add_error(
            row,
            "unit",
            _("Unknown unit, or not one of yours: “%(value)s”.") % {"value": values["unit"]},
        )
    if not values["content"]:
        report.add_error(row, "content", _("The content of the ticket is required."))
    for name, message in too_long(Ticket, {"number": number, **_texts(values)}).items():
        report.add_error(row, name, message)
    channel_text = values.get("channel", "")
    channel = ctx.channels.get(channel_text.lower()) if channel_text else "hotline"
    if channel is None:
        report.add_error(
            row, "channel", _("Unknown channel “%(value)s”.") % {"value": channel_text}
        )
    known = ctx.existing.get(number)
    scope = ctx.scope
    if known is not None and not (scope.brigade_wide or known["unit_id"] == scope.unit_id):
        report.add_error(row, "number", _("This number belongs to a ticket of another unit."))
    if len(report.errors) > errors_before:
        return None
    assert when is not None and category is not None and unit is not None
    record = {
        "channel": channel,
        "received_at": when,
        **_texts(values),
        "category_id": category.pk,
        "unit_id": unit.pk,
    }
    return when, category, unit, record


def _plan_row(ctx: _ImportContext, row: int, values: dict[str, str]) -> None:
    """Check one row, then queue it as a new ticket, a change, or count it unchanged."""
    checked = _check_row(ctx, row, values)
    if checked is None:
        return
    when, category, unit, record = checked
    number = values["number"]
    known = ctx.existing.get(number)
    if known is None:
        dues = deadlines_for(category, when)
        ctx.new.append(
            Ticket(
                number=number,
                status=TicketStatus.RECEIVED,
                next_due=dues["sign_due"],
                # the pages and the API let only signed-in staff import
                created_by=cast("User", ctx.by),
                **dues,
                **record,
            )
        )
    elif any(known[name] != record[name] for name in PLATFORM_FIELDS):
        ctx.changed.append((known, record))
    else:
        ctx.report.unchanged += 1
    if len(ctx.report.preview) < 20:
        ctx.report.preview.append(
            {
                "row": row,
                "number": number,
                "action": "create" if known is None else "update",
                "received_at": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                "category": category.shown_name,
                "unit": unit.shown_name,
                "content": values["content"][:80],
            }
        )


def tickets_import(
    *, upload: IO[bytes], by: User | AnonymousUser, dry_run: bool = False
) -> ImportReport:
    """Import the 12345 platform's CSV/XLSX export, all or nothing.

    A platform number seen before updates that ticket (what the platform says), a new one
    creates a ticket; nothing is duplicated. Validation reads the database in bulk (the
    numbers already known, the categories and units), writes go in batches with their
    history rows, and the KPI weeks of every touched ticket are marked for recompute.
    Rows outside the importing user's units are errors, like unknown categories.
    """
    from brigade.core.imports import ImportReport, TableError, max_lengths, read_table
    from brigade.core.scope import scope_of

    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(
            upload,
            columns=IMPORT_COLUMNS,
            required=IMPORT_REQUIRED,
            max_rows=IMPORT_MAX_ROWS,
            max_lengths=max_lengths(Ticket, "number"),
        )
    except TableError as exc:
        for problem in exc.problems:
            report.add_error(1, "", problem)
        return report
    report.total = table.total
    report.errors.extend(table.errors)
    for _row, values in table:
        # as the ticket stores them: a look-alike number is the ticket already on file
        values["number"] = normalise_identifier(values["number"])
        for name in _TEXTS:
            values[name] = trim_text(values.get(name, ""))
    ctx = _ImportContext(
        by=by,
        scope=scope_of(by),
        report=report,
        categories=_by_name_and_code(TicketCategory.objects.filter(is_active=True)),
        units=_by_name_and_code(Unit.objects.visible_to(by)),
        channels=_channel_lookup(),
    )
    ctx.existing = _known_tickets(list(_numbers_in_file(table, report)))
    for row, values in table:
        _plan_row(ctx, row, values)
    if report.errors:
        # all or nothing: a file with any bad row writes nothing
        report.unchanged = 0
        return report
    report.created, report.updated = len(ctx.new), len(ctx.changed)
    if dry_run:
        return report
    _write_import(ctx.new, ctx.changed, ctx.categories, by)
    return report


@transaction.atomic
def _write_import(
    new: list[Ticket],
    changed: list[tuple[dict[str, Any], dict[str, Any]]],
    categories: dict[str, TicketCategory],
    by: User | AnonymousUser,
) -> None:
    """Bulk writes with their history rows, then the KPI weeks they move."""
    from brigade.core.kpi.engine import mark_dirty

    touched: set[tuple[dt.date, int]] = set()
    if new:
        for start in range(0, len(new), IMPORT_BATCH):
            batch = Ticket.objects.bulk_create(new[start : start + IMPORT_BATCH])
            _copy_history([t.pk for t in batch], "+", by)
        touched |= {(local_date(t.received_at), t.unit_id) for t in new}
    if changed:
        by_pk = {category.pk: category for category in categories.values()}
        tickets = Ticket.objects.in_bulk([known["pk"] for known, _record in changed])
        objs = []
        for known, record in changed:
            ticket = tickets[known["pk"]]
            touched.add((local_date(known["received_at"]), known["unit_id"]))
            for name, value in record.items():
                setattr(ticket, name, value)
            if ticket.status == TicketStatus.RECEIVED:
                # not yet signed: the deadlines follow what the platform now says
                dues = deadlines_for(by_pk[record["category_id"]], record["received_at"])
                for name, value in dues.items():
                    setattr(ticket, name, value)
                ticket.next_due = dues["sign_due"]
            ticket.updated_at = timezone.now()
            touched.add((local_date(ticket.received_at), ticket.unit_id))
            objs.append(ticket)
        fields = [*PLATFORM_FIELDS, "sign_due", "reply_due", "close_due", "next_due", "updated_at"]
        for start in range(0, len(objs), IMPORT_BATCH):
            batch = objs[start : start + IMPORT_BATCH]
            Ticket.objects.bulk_update(batch, fields)
            _copy_history([t.pk for t in batch], "~", by)
    mark_dirty(touched, model=Ticket)


def _copy_history(ids: list[int], kind: str, by: User | AnonymousUser) -> None:
    """The history rows of bulk-written tickets, copied from the rows themselves in one
    INSERT ... SELECT (what simple-history's save() would have written, one row each)."""
    from django.db import connection

    if not ids:
        return
    historical = Ticket.history.model
    own = {f.attname for f in historical._meta.concrete_fields}
    columns = [
        f.column
        for f in Ticket._meta.concrete_fields
        if f.attname in own and f.attname != "history_id"
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({names}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {names}, %s, %s, %s, %s FROM {quote(Ticket._meta.db_table)} "
        f"WHERE {quote('id')} IN ({marks})"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, "import", kind, getattr(by, "pk", None), *ids])
