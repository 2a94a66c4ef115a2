"""The round trip with the 12345 platform: what the brigade did goes out as one spreadsheet
the clerk uploads there; what the platform did (supervision notices, its own callbacks)
comes in by platform number.

Out: every service that does something the platform must be told of (sign, reply, close,
return, an approved extension, a callback, a reopening) records a ``PlatformAction``. An
export takes the actions of the exporter's scope that no export has taken yet: it marks
them with one conditional ``UPDATE ... WHERE export IS NULL``, so that nothing is sent twice
(two exports at once cannot take the same row) and nothing is missed (an action recorded
late, back-dated before the last export, is still unexported and goes in the next one). A
unit's clerk exports the unit's actions; someone who sees the whole brigade exports every
unit's not yet exported. The file is written again from the export's actions on download.

In: two spreadsheets, read like the ticket import (CSV or XLSX, Chinese or English headers,
all or nothing, ``dry_run``): supervisions (督办, 催办) and the platform's callback results.
A number that is not a ticket of the importer's scope is a row error ("not found in your
unit"), whether it exists elsewhere or not.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from brigade.core import dates
from brigade.core.fields import NOTE_LENGTH
from brigade.core.imports import ImportReport, Table, TableError, read_table
from brigade.core.notices.models import NoticeAction, NoticeKind
from brigade.core.notices.registry import roster
from brigade.core.notices.send import NoticeSpec, create_notices
from brigade.core.roles import Role
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, Sheet, cell_value, write_xlsx
from brigade.core.text import normalise_identifier, trim_text
from brigade.core.typing import Visitor
from petitions.choices import (
    SATISFIED_RESULTS,
    CallbackResult,
    PlatformActionKind,
    SupervisionKind,
    TicketStatus,
)
from petitions.models import (
    PlatformAction,
    PlatformExport,
    Ticket,
    TicketCallback,
    TicketSupervision,
)
from petitions.services.imports import IMPORT_COLUMNS, _parse_when

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- the platform's words ---------------------------------------------------------------------

# The platform's files are Chinese whatever the page's language: these are a file format.
ACTION_WORDS: dict[str, str] = {
    PlatformActionKind.SIGN: "签收",
    PlatformActionKind.REPLY: "回复",
    PlatformActionKind.CLOSE: "办结",
    PlatformActionKind.UNDO_CLOSE: "撤销办结",
    PlatformActionKind.RETURN: "退单",
    PlatformActionKind.EXTENSION: "延期",
    PlatformActionKind.CALLBACK: "回访",
    PlatformActionKind.REOPEN: "重办",
}
RESULT_WORDS: dict[str, str] = {
    CallbackResult.SATISFIED: "满意",
    CallbackResult.BASICALLY_SATISFIED: "基本满意",
    CallbackResult.DISSATISFIED: "不满意",
    CallbackResult.UNREACHABLE: "联系不上",
}
SUPERVISION_WORDS: dict[str, str] = {
    SupervisionKind.SUPERVISE: "督办",
    SupervisionKind.URGE: "催办",
}


def _lookup(words: Mapping[str, str], *extra: tuple[str, str]) -> dict[str, str]:
    """A cell's text (the platform's word, our value, or an alias) → our value."""
    found = {value.lower(): value for value in words}
    found.update({word: value for value, word in words.items()})
    found.update({alias: value for alias, value in extra})
    return found


RESULTS = _lookup(
    RESULT_WORDS,
    ("非常满意", CallbackResult.SATISFIED),
    ("比较满意", CallbackResult.BASICALLY_SATISFIED),
    ("无法联系", CallbackResult.UNREACHABLE),
    ("未接通", CallbackResult.UNREACHABLE),
)
SUPERVISION_KINDS = _lookup(
    SUPERVISION_WORDS, ("督办单", SupervisionKind.SUPERVISE), ("催单", SupervisionKind.URGE)
)


def verdicts_differ(platform: str, ours: str | None) -> bool:
    """Do the platform's callback and ours disagree? Each is a verdict (satisfied or
    basically satisfied, against dissatisfied); unreachable, or no callback, is none, and
    no verdict disagrees with anything."""

    def verdict(result: str | None) -> bool | None:
        if not result or result == CallbackResult.UNREACHABLE:
            return None
        return result in SATISFIED_RESULTS

    theirs, mine = verdict(platform), verdict(ours)
    return theirs is not None and mine is not None and theirs != mine


def _user(by: object) -> User | None:
    """The signed-in user behind ``by`` (None for an anonymous visitor)."""
    return cast("User", by) if getattr(by, "pk", None) else None


# --- out: the actions and their export ----------------------------------------------------


def record_action(
    *,
    ticket: Ticket,
    kind: str,
    by: Visitor | None,
    at: dt.datetime | None = None,
    text: str = "",
    new_due: dt.date | None = None,
) -> PlatformAction:
    """Note that ``kind`` was done on ``ticket`` (by the service that did it), for the
    next export to the platform."""
    return PlatformAction.objects.create(
        ticket=ticket,
        unit_id=ticket.unit_id,
        kind=kind,
        at=at or timezone.now(),
        text=text,
        new_due=new_due,
        by=_user(by),
    )


def withdraw_close(*, ticket: Ticket, by: Visitor | None) -> None:
    """A close taken back at once: not yet exported, the platform never hears of it;
    already exported, the platform is told it was withdrawn."""
    close = (
        PlatformAction.objects.filter(ticket=ticket, kind=PlatformActionKind.CLOSE)
        .order_by("-id")
        .first()
    )
    if close is not None and close.export_id is None:
        close.delete()
    else:
        record_action(ticket=ticket, kind=PlatformActionKind.UNDO_CLOSE, by=by)


# The export's columns: the platform number and the unit under the ticket import's own first
# spelling (the import reads the export back), the rest in the platform's words.
EXPORT_HEADERS: dict[str, str] = {
    "number": IMPORT_COLUMNS["number"][0],
    "action": "办理动作",
    "at": "办理时间",
    "text": "办理意见",
    "unit": IMPORT_COLUMNS["unit"][0],
    "new_due": "新办结期限",
}


def _export_values(action: PlatformAction) -> dict[str, object]:
    return {
        "number": action.ticket.number,
        "action": ACTION_WORDS.get(action.kind, action.kind),
        "at": timezone.localtime(action.at).replace(tzinfo=None, microsecond=0),
        "text": action.text,
        "unit": action.unit.name,
        "new_due": action.new_due,
    }


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dates.local_tz())


@transaction.atomic
def platform_export(*, by: Visitor, until: dt.date | None = None) -> PlatformExport:
    """The next export of ``by``'s scope: every action done up to the end of ``until``
    (today by default) that no export has taken yet; possibly none."""
    scope = scope_of(by)
    today = timezone.localdate()
    last_day = min(until or today, today)
    export = PlatformExport.objects.create(
        by=_user(by),
        unit_id=None if scope.brigade_wide else scope.unit_id,
        until=_day_end(last_day),
    )
    due = PlatformAction.objects.visible_to(by).not_exported().filter(at__lt=export.until)
    # one conditional update: a row another export took meanwhile is not taken again
    taken = due.update(export=export)
    span = export.actions.aggregate(first=Min("id"), last=Max("id"))
    export.rows, export.first_action, export.last_action = taken, span["first"], span["last"]
    export.save(update_fields=["rows", "first_action", "last_action", "updated_at"])
    return export


def export_rows(export: PlatformExport) -> Iterable[dict[str, object]]:
    """The export's rows in the order they were recorded, in one query."""
    actions = export.actions.select_related("ticket", "unit").order_by("id")
    for action in actions.iterator(chunk_size=2000):
        yield _export_values(action)


def export_filename(export: PlatformExport, extension: str) -> str:
    return f"12345-{export.pk}-{timezone.localtime(export.created_at):%Y%m%d}.{extension}"


def export_xlsx(export: PlatformExport) -> IO[bytes]:
    columns = [Column(header, key, width=20) for key, header in EXPORT_HEADERS.items()]
    rows = [_RowView(values) for values in export_rows(export)]
    return write_xlsx([Sheet("12345", columns, rows)])


class _RowView:
    """A row's values read by ``Column.of`` as attributes."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def export_csv(export: PlatformExport) -> bytes:
    """The export as UTF-8 CSV with a byte-order mark (Excel opens it as Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS.values())
    for values in export_rows(export):
        cells = [cell_value(values[key]) for key in EXPORT_HEADERS]
        writer.writerow(["" if cell is None else cell for cell in cells])
    return out.getvalue().encode("utf-8-sig")


# --- in: supervisions and the platform's callbacks ----------------------------------------

SUPERVISION_COLUMNS: dict[str, list[str]] = {
    "number": IMPORT_COLUMNS["number"],
    "kind": ["督办类型", "督办方式", "类型", "kind"],
    "supervised_at": ["督办时间", "催办时间", "下发时间", "supervised at"],
    "due": ["督办期限", "办理期限", "期限", "deadline"],
    "text": ["督办意见", "督办内容", "催办内容", "text"],
}
SUPERVISION_REQUIRED = ("number", "kind", "supervised_at")

CALLBACK_COLUMNS: dict[str, list[str]] = {
    "number": IMPORT_COLUMNS["number"],
    "result": ["回访结果", "满意度", "评价结果", "result"],
    "called_at": ["回访时间", "评价时间", "called back at"],
}
CALLBACK_REQUIRED = ("number", "result", "called_at")
PLATFORM_IMPORT_MAX_ROWS = 20_000


def _read(
    upload: IO[bytes],
    columns: dict[str, list[str]],
    required: Sequence[str],
    report: ImportReport,
) -> Table | None:
    """The upload's table, or None after reporting why not; a missing required column is
    an error of row 1 (the header) naming the column."""
    try:
        table = read_table(
            upload,
            columns=columns,
            required=(),
            max_rows=PLATFORM_IMPORT_MAX_ROWS,
            max_lengths={"number": 40, "text": NOTE_LENGTH},
        )
    except TableError as exc:
        for problem in exc.problems:
            report.add_error(1, "", problem)
        return None
    for key in required:
        if key not in table.columns:
            names = " / ".join(dict.fromkeys([*columns[key][:3], key]))
            report.add_error(1, key, _("Required column missing: %(names)s.") % {"names": names})
    report.total = table.total
    report.errors.extend(table.errors)
    if not report.ok:
        return None
    for _row, values in table:
        values["number"] = normalise_identifier(values["number"])
    return table


def _tickets(table: Table, by: Visitor) -> dict[str, Ticket]:
    """The tickets of ``by``'s scope that the file names, by number (one query)."""
    numbers = {values["number"] for _row, values in table if values["number"]}
    tickets = Ticket.objects.visible_to(by).filter(number__in=numbers)
    return {ticket.number: ticket for ticket in tickets}


def _ticket_of(
    report: ImportReport, row: int, number: str, tickets: dict[str, Ticket]
) -> Ticket | None:
    if not number:
        report.add_error(row, "number", _("The platform number is required."))
        return None
    ticket = tickets.get(number)
    if ticket is None:
        # the same words whether it exists in another unit or nowhere: no leak
        report.add_error(
            row,
            "number",
            _("Ticket %(number)s not found in your unit.") % {"number": number},
        )
    return ticket


def _when(report: ImportReport, row: int, column: str, text: str) -> dt.datetime | None:
    when = _parse_when(text) if text else None
    if when is None:
        report.add_error(
            row,
            column,
            _("“%(value)s” is not a date and time (e.g. 2022-06-13 09:30).") % {"value": text}
            if text
            else _("A date and time is required."),
        )
    elif not dates.in_window(when, dates.HAPPENED) or when > timezone.now():
        report.add_error(row, column, _("The time is in the future or too far in the past."))
        return None
    return when


def _day(report: ImportReport, row: int, column: str, text: str) -> dt.date | None:
    when = _parse_when(text) if text else None
    if when is None:
        report.add_error(
            row, column, _("“%(value)s” is not a date (e.g. 2022-06-20).") % {"value": text}
        )
        return None
    day = timezone.localtime(when).date()
    if not dates.in_window(day, dates.PLANNED):
        report.add_error(row, column, dates.message(dates.PLANNED, _("supervision deadline")))
        return None
    return day


def _choice(
    report: ImportReport, row: int, column: str, text: str, lookup: dict[str, str]
) -> str | None:
    found = lookup.get(text.strip().lower()) if text else None
    if found is None:
        allowed = "、".join(dict.fromkeys(word for word in lookup if not word.isascii()))
        report.add_error(
            row,
            column,
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed},
        )
    return found


def supervisions_import(*, upload: IO[bytes], by: Visitor, dry_run: bool = False) -> ImportReport:
    """Import the platform's supervision notices (督办, 催办), all or nothing: each marks
    its ticket supervised, with its deadline. The same notice imported again is unchanged;
    the holder of each ticket is notified (``_notify``)."""
    report = ImportReport(dry_run=dry_run)
    table = _read(upload, SUPERVISION_COLUMNS, SUPERVISION_REQUIRED, report)
    if table is None:
        return report
    tickets = _tickets(table, by)
    known = set(
        TicketSupervision.objects.filter(ticket__in=list(tickets.values())).values_list(
            "ticket_id", "kind", "supervised_at"
        )
    )
    new: list[TicketSupervision] = []
    seen: set[tuple[int, str, dt.datetime]] = set()
    for row, values in table:
        ticket = _ticket_of(report, row, values["number"], tickets)
        kind = _choice(report, row, "kind", values["kind"], SUPERVISION_KINDS)
        when = _when(report, row, "supervised_at", values["supervised_at"])
        due = _day(report, row, "due", values["due"]) if values.get("due") else None
        text = trim_text(values.get("text", ""))
        if ticket is None or kind is None or when is None or report.errors:
            continue
        key = (ticket.pk, kind, when)
        if key in known or key in seen:
            report.unchanged += 1
            continue
        seen.add(key)
        new.append(
            TicketSupervision(
                ticket=ticket,
                unit_id=ticket.unit_id,
                kind=kind,
                supervised_at=when,
                due=due,
                text=text,
                imported_by=_user(by),
            )
        )
        if len(report.preview) < 20:
            report.preview.append(
                {
                    "row": row,
                    "number": ticket.number,
                    "kind": SUPERVISION_WORDS[kind],
                    "at": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                    "due": due.isoformat() if due else "",
                    "text": text[:80],
                }
            )
    if report.errors:
        report.unchanged = 0
        return report
    report.created = len(new)
    if not dry_run and new:
        _write_supervisions(new, by)
    return report


@transaction.atomic
def _write_supervisions(new: list[TicketSupervision], by: Visitor) -> list[TicketSupervision]:
    """The supervisions with their history, and each ticket's latest supervision."""
    user = _user(by)
    written = bulk_create_with_history(new, TicketSupervision, default_user=user)
    latest: dict[int, TicketSupervision] = {}
    for supervision in new:
        current = latest.get(supervision.ticket_id)
        if current is None or supervision.supervised_at > current.supervised_at:
            latest[supervision.ticket_id] = supervision
    tickets = []
    for supervision in latest.values():
        ticket = supervision.ticket
        if ticket.supervised_at is None or supervision.supervised_at >= ticket.supervised_at:
            ticket.supervised_at = supervision.supervised_at
            ticket.supervision_due = supervision.due
            ticket.updated_at = timezone.now()
            tickets.append(ticket)
    if tickets:
        bulk_update_with_history(
            tickets,
            Ticket,
            ["supervised_at", "supervision_due", "updated_at"],
            default_user=user,
            default_change_reason="supervision",
        )
    written = list(written)
    transaction.on_commit(lambda: _notify(written))
    return written


# What the holder of a supervised ticket is asked to do next, by the ticket's state.
_NEXT_STEP: dict[str, str] = {
    TicketStatus.RECEIVED: NoticeAction.SIGN,
    TicketStatus.SIGNED: NoticeAction.REPLY,
    TicketStatus.HANDLING: NoticeAction.REPLY,
    TicketStatus.REPLIED: NoticeAction.CLOSE,
}


def _notify(supervisions: Sequence[TicketSupervision]) -> None:
    """A notice per supervision to whoever holds its ticket: the handler (an officer with
    a login), else the clerks of the ticket's unit; once per supervision and person (key
    ``supervision:<id>``), in a fixed number of queries."""
    from django.contrib.contenttypes.models import ContentType

    if not supervisions:
        return
    handlers = dict(
        Ticket.objects.filter(
            pk__in={s.ticket_id for s in supervisions}, handler__user__isnull=False
        ).values_list("pk", "handler__user_id")
    )
    clerks: dict[int, list[int]] = {}
    for member in roster().members({Role.CLERK}):
        clerks.setdefault(member.unit_id, []).append(member.user_id)
    ticket_type = ContentType.objects.get_for_model(Ticket).pk
    specs = []
    for supervision in supervisions:
        ticket = supervision.ticket
        holder = handlers.get(ticket.pk)
        users = [holder] if holder else clerks.get(ticket.unit_id, [])
        title = _("%(kind)s from the 12345 platform: ticket %(number)s") % {
            "kind": SupervisionKind(supervision.kind).label,
            "number": ticket.number,
        }
        for user_id in users:
            specs.append(
                NoticeSpec(
                    user_id=user_id,
                    kind=NoticeKind.SUPERVISION,
                    key=f"supervision:{supervision.pk}",
                    title=title,
                    action=_NEXT_STEP.get(ticket.status, NoticeAction.OTHER),
                    item_type_id=ticket_type,
                    item_id=ticket.pk,
                    unit_id=ticket.unit_id,
                    due=supervision.due,
                    body=supervision.text,
                    url=reverse("petitions:ticket_detail", kwargs={"pk": ticket.pk}),
                )
            )
    create_notices(specs)


def platform_callbacks_import(
    *, upload: IO[bytes], by: Visitor, dry_run: bool = False
) -> ImportReport:
    """Import the platform's own callback results, all or nothing: each is kept on its
    ticket beside the brigade's callback, and a ticket whose two verdicts differ is flagged
    (``callback_mismatch``)."""
    report = ImportReport(dry_run=dry_run)
    table = _read(upload, CALLBACK_COLUMNS, CALLBACK_REQUIRED, report)
    if table is None:
        return report
    tickets = _tickets(table, by)
    ours = _latest_callbacks(tickets.values())
    changes: dict[int, tuple[Ticket, str, dt.datetime]] = {}
    for row, values in table:
        ticket = _ticket_of(report, row, values["number"], tickets)
        result = _choice(report, row, "result", values["result"], RESULTS)
        when = _when(report, row, "called_at", values["called_at"])
        if ticket is None or result is None or when is None or report.errors:
            continue
        before = changes.get(ticket.pk)
        if before is None or when >= before[2]:
            changes[ticket.pk] = (ticket, result, when)
        if len(report.preview) < 20:
            report.preview.append(
                {
                    "row": row,
                    "number": ticket.number,
                    "result": RESULT_WORDS[result],
                    "ours": RESULT_WORDS.get(ours.get(ticket.pk, ""), ""),
                    "at": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                    "mismatch": verdicts_differ(result, ours.get(ticket.pk)),
                }
            )
    if report.errors:
        return report
    changed = []
    for ticket, result, when in changes.values():
        if ticket.platform_result == result and ticket.platform_result_at == when:
            report.unchanged += 1
            continue
        ticket.platform_result, ticket.platform_result_at = result, when
        ticket.callback_mismatch = verdicts_differ(result, ours.get(ticket.pk))
        ticket.updated_at = timezone.now()
        changed.append(ticket)
    report.updated = len(changed)
    if dry_run or not changed:
        return report
    with transaction.atomic():
        bulk_update_with_history(
            changed,
            Ticket,
            ["platform_result", "platform_result_at", "callback_mismatch", "updated_at"],
            default_user=_user(by),
            default_change_reason="platform callback",
        )
    return report


def _latest_callbacks(tickets: Iterable[Ticket]) -> dict[int, str]:
    """The result of each ticket's latest callback by the brigade (one query)."""
    latest: dict[int, str] = {}
    rows = TicketCallback.objects.filter(ticket__in=list(tickets)).order_by("ticket_id", "round")
    for ticket_id, result in rows.values_list("ticket_id", "result"):
        latest[ticket_id] = result
    return latest


def sample_csv(kind: str) -> str:
    """The sample file of one import (``supervisions`` or ``callbacks``) as CSV text, with
    each column under its first (Chinese) spelling: docs/platform/ holds these."""
    columns = SUPERVISION_COLUMNS if kind == "supervisions" else CALLBACK_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names[0] for names in columns.values())
    for row in sample_rows()[kind]:
        writer.writerow(row.get(key, "") for key in columns)
    return out.getvalue()


def sample_rows() -> dict[str, list[dict[str, Any]]]:
    """What the sample files under docs/ hold (the README's examples)."""
    return {
        "supervisions": [
            {
                "number": "2022061300001",
                "kind": "督办",
                "supervised_at": "2022-06-15 09:00",
                "due": "2022-06-17",
                "text": "群众反映问题未解决，请于期限内办结并反馈。",
            },
            {
                "number": "2022061300002",
                "kind": "催办",
                "supervised_at": "2022-06-15 10:30",
                "due": "",
                "text": "请尽快签收。",
            },
        ],
        "callbacks": [
            {"number": "2022061300001", "result": "不满意", "called_at": "2022-06-20 15:00"},
            {"number": "2022061300002", "result": "满意", "called_at": "2022-06-20 15:10"},
        ],
    }
