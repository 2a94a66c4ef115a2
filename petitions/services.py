"""Every write of the petitions app: tickets and their transitions, callbacks, extension
requests, the audited reveal of a citizen's phone, consultations and proposals.

Transitions are conditional updates (``filter(pk=, status__in=FROM).update()``: zero rows
means another clerk moved the ticket first), inside ``transaction.atomic``, so two clerks
can never both sign, close or call back one ticket, on SQLite as on Postgres. The loser
gets ``TransitionNotAllowed`` naming the state the ticket is in now (HTTP 409).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core import dates, geo
from brigade.core.errors import TransitionNotAllowed
from brigade.core.kpi.weeks import local_date
from brigade.core.timecheck import not_in_future
from brigade.core.transitions import move, record_change
from brigade.duty.models import Officer, Unit
from petitions.choices import (
    CallbackResult,
    ExtensionStatus,
    ReplyMode,
    TicketStatus,
)
from petitions.deadlines import add_workdays
from petitions.models import (
    Consultation,
    PhoneViewLog,
    Proposal,
    Ticket,
    TicketCallback,
    TicketCategory,
    TicketExtension,
    TicketReply,
)
from petitions.transitions import TICKET_TRANSITIONS


def _now() -> dt.datetime:
    return timezone.now()


_not_in_future = not_in_future


def _received_at_message() -> str:
    return dates.message(dates.HAPPENED, Ticket._meta.get_field("received_at").verbose_name)


# --- deadlines -----------------------------------------------------------------------------


def deadlines_for(category: TicketCategory, received_at: dt.datetime) -> dict[str, dt.date]:
    """Sign, reply and close deadlines from the category's rule, in working days."""
    day = local_date(received_at)
    return {
        "sign_due": add_workdays(day, category.sign_days),
        "reply_due": add_workdays(day, category.reply_days),
        "close_due": add_workdays(day, category.close_days),
    }


def state_label(state: str) -> str:
    return str(TicketStatus(state).label) if state in TicketStatus.values else state


def _refuse(ticket: Ticket, message: str) -> TransitionNotAllowed:
    """The 409 of a transition: ``message`` plus the state the ticket is in now."""
    state = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
    state = state or ticket.status
    return TransitionNotAllowed(
        _("%(message)s The ticket is %(state)s.")
        % {"message": message, "state": state_label(state)},
        state=state,
    )


def _move(
    ticket: Ticket,
    name: str,
    *,
    changes: dict[str, Any],
    message: str,
    extra: dict[str, Any] | None = None,
) -> Ticket:
    """Action ``name`` of the ticket's table (petitions/transitions.py) with ``changes``:
    the conditional update, then the ticket reloaded with its history row; a repeat of a
    repeatable action returns the ticket as it is (brigade/core/transitions.py)."""
    move(
        ticket,
        TICKET_TRANSITIONS,
        name,
        changes=changes,
        refuse=lambda: _refuse(ticket, message),
        extra=extra,
    )
    return ticket


# --- tickets --------------------------------------------------------------------------------


def _check_ticket_fields(
    *, number: str, category: TicketCategory, unit: Unit, content: str, received_at: dt.datetime
) -> None:
    errors: dict[str, str] = {}
    if not (number or "").strip():
        errors["number"] = _("The platform number is required.")
    if not (content or "").strip():
        errors["content"] = _("The content of the ticket is required.")
    if not category.is_active:
        errors["category"] = _("This category is no longer in use.")
    if not dates.in_window(received_at, dates.HAPPENED):
        errors["received_at"] = _received_at_message()
    if errors:
        raise ValidationError(errors)


def _check_point(latitude: Decimal | None, longitude: Decimal | None) -> None:
    """A WGS-84 point: both coordinates or neither (the error on the missing one), each
    within its range (the ticket's fields carry no bounds)."""
    geo.check_point(latitude, longitude, on_missing=True, bounded=True)


@transaction.atomic
def ticket_create(
    *,
    number: str,
    category: TicketCategory,
    unit: Unit,
    content: str,
    received_at: dt.datetime,
    channel: str,
    citizen_name: str = "",
    citizen_phone: str = "",
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    created_by: Any = None,
) -> Ticket:
    """Enter one ticket (by hand, or from a client program); its deadlines come from the
    category's rule."""
    number = (number or "").strip()
    _check_ticket_fields(
        number=number, category=category, unit=unit, content=content, received_at=received_at
    )
    _check_point(latitude, longitude)
    if Ticket.objects.filter(number=number).exists():
        raise ValidationError({"number": _("A ticket with this platform number exists.")})
    dues = deadlines_for(category, received_at)
    try:
        with transaction.atomic():
            return Ticket.objects.create(
                number=number,
                category=category,
                unit=unit,
                content=content.strip(),
                received_at=received_at,
                channel=channel,
                citizen_name=citizen_name.strip(),
                citizen_phone=citizen_phone.strip(),
                location=location.strip(),
                latitude=latitude,
                longitude=longitude,
                created_by=created_by,
                status=TicketStatus.RECEIVED,
                next_due=dues["sign_due"],
                **dues,
            )
    except IntegrityError as exc:  # the same number entered at the same moment
        raise ValidationError({"number": _("A ticket with this platform number exists.")}) from exc


def ticket_from_client(
    *,
    category: TicketCategory,
    unit: Unit,
    content: str,
    by: Any,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    citizen_name: str = "",
    citizen_phone: str = "",
) -> Ticket:
    """A ticket filed by a client program (the Open311 endpoint), received now: it gets a
    number of its own (``OPEN311-<local time>-<random>``) and the Open311 channel."""
    from petitions.choices import TicketChannel

    now = _now()
    number = f"OPEN311-{timezone.localtime(now):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    return ticket_create(
        number=number,
        category=category,
        unit=unit,
        content=content,
        received_at=now,
        channel=TicketChannel.OPEN311,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        location=location,
        latitude=latitude,
        longitude=longitude,
        created_by=by,
    )


@transaction.atomic
def ticket_update(*, ticket: Ticket, **fields: Any) -> Ticket:
    """Correct what the platform sent (content, location, citizen, channel)."""
    allowed = {"content", "location", "citizen_name", "citizen_phone", "channel"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if "content" in fields and not str(fields["content"]).strip():
        raise ValidationError({"content": _("The content of the ticket is required.")})
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=[*fields, "updated_at"])
    return ticket


@transaction.atomic
def ticket_sign(*, ticket: Ticket, by: Any) -> Ticket:
    """签收: the brigade accepts the ticket; the reply deadline is next."""
    return _move(
        ticket,
        "sign",
        changes={
            "signed_at": _now(),
            "signed_by": by,
            "next_due": F("reply_due"),
        },
        message=_("Only a received ticket can be signed."),
    )


@transaction.atomic
def ticket_assign(*, ticket: Ticket, handler: Officer, by: Any) -> Ticket:
    """Give a signed ticket (or one in hand) to an officer of its unit to handle."""
    if handler.unit_id != ticket.unit_id or not handler.is_active:
        raise ValidationError({"handler": _("Choose an active officer of the ticket's unit.")})
    return _move(
        ticket,
        "assign",
        changes={"handler": handler},
        message=_("Only a signed ticket or one being handled can be assigned."),
    )


@transaction.atomic
def ticket_reply(*, ticket: Ticket, text: str, by: Any) -> Ticket:
    """反馈: the reply given to the citizen, kept for this round; closing is next."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply given to the citizen.")})
    now = _now()
    ticket = _move(
        ticket,
        "reply",
        changes={
            "replied_at": now,
            "reply": text,
            "next_due": F("close_due"),
        },
        message=_("Only a signed ticket or one being handled can be replied to."),
    )
    TicketReply.objects.create(
        ticket=ticket, round=ticket.round, text=text, replied_at=now, replied_by=by
    )
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, by: Any) -> Ticket:
    """办结: done; on time when closed on or before the closing deadline."""
    now = _now()
    return _move(
        ticket,
        "close",
        changes={
            "closed_at": now,
            "closed_by": by,
            # against the deadline as it is in the row (an extension may have moved it)
            "closed_on_time": Case(
                When(close_due__gte=local_date(now), then=Value(True)), default=Value(False)
            ),
            "next_due": None,
        },
        message=_("Only a replied ticket can be closed."),
    )


def _round_deadlines(ticket: Ticket, at: dt.datetime) -> dict[str, Any]:
    """A reopened ticket's new round: reply and close deadlines counted from today."""
    dues = deadlines_for(ticket.category, at)
    return {"reply_due": dues["reply_due"], "close_due": dues["close_due"]}


def _reopen_changes(ticket: Ticket, at: dt.datetime) -> dict[str, Any]:
    dues = _round_deadlines(ticket, at)
    return {
        "status": TicketStatus.HANDLING if ticket.handler_id else TicketStatus.SIGNED,
        "round": F("round") + 1,
        "reopened_at": at,
        "closed_at": None,
        "closed_by": None,
        "closed_on_time": None,
        "replied_at": None,
        "next_due": dues["reply_due"],
        **dues,
    }


@transaction.atomic
def ticket_callback(
    *, ticket: Ticket, result: str, by: Any, notes: str = "", at: dt.datetime | None = None
) -> TicketCallback:
    """回访: the citizen's verdict on a closed round, by someone other than the handler;
    dissatisfied reopens the ticket for another round."""
    if result not in CallbackResult.values:
        raise ValidationError({"result": _("Choose the result of the callback.")})
    at = at or _now()
    _not_in_future("at", at, TicketCallback)
    handler_user = (
        Officer.objects.filter(pk=ticket.handler_id).values_list("user_id", flat=True).first()
        if ticket.handler_id
        else None
    )
    if handler_user is not None and handler_user == getattr(by, "pk", None):
        raise PermissionDenied(_("The handler of a ticket cannot record its callback."))
    round_ = ticket.round
    changes: dict[str, Any] = {"callback_round": round_}
    if result == CallbackResult.DISSATISFIED:
        changes.update(_reopen_changes(ticket, at))
    # One callback per round: the round must still be the ticket's, closed, not called back.
    ticket = _move(
        ticket,
        "callback",
        changes=changes,
        extra={"round": round_, "callback_round__lt": round_},
        message=_("Only a closed ticket not yet called back can be called back."),
    )
    return TicketCallback.objects.create(
        ticket=ticket,
        unit_id=ticket.unit_id,
        round=round_,
        result=result,
        by=by,
        at=at,
        notes=notes.strip(),
    )


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: Any, reason: str = "") -> Ticket:
    """A commander sends a closed ticket back for another round (e.g. after a complaint)."""
    now = _now()
    return _move(
        ticket,
        "reopen",
        changes=_reopen_changes(ticket, now),
        message=_("Only a closed ticket can be reopened."),
    )


@transaction.atomic
def ticket_return(*, ticket: Ticket, reason: str, by: Any) -> Ticket:
    """退单: not the brigade's matter; sent back to the platform with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is returned.")})
    return _move(
        ticket,
        "return",
        changes={
            "returned_at": _now(),
            "return_reason": reason,
            "next_due": None,
        },
        message=_("Only a ticket not yet being handled can be returned."),
    )


@transaction.atomic
def extension_request(*, ticket: Ticket, new_due: dt.date, reason: str, by: Any) -> TicketExtension:
    """延期: ask for a later closing deadline; a commander approves or rejects it."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why more time is needed.")
    if new_due <= ticket.close_due:
        errors["new_due"] = _("The new deadline must be after the current one (%(due)s).") % {
            "due": ticket.close_due.isoformat()
        }
    elif not dates.in_window(new_due, dates.PLANNED):
        label = TicketExtension._meta.get_field("new_due").verbose_name
        errors["new_due"] = dates.message(dates.PLANNED, label)
    if errors:
        raise ValidationError(errors)
    current = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
    if current is None or not TICKET_TRANSITIONS.allows(current, "extend"):
        raise _refuse(ticket, _("Only an open ticket can be extended."))
    try:
        with transaction.atomic():
            return TicketExtension.objects.create(
                ticket=ticket,
                new_due=new_due,
                old_due=ticket.close_due,
                reason=reason,
                requested_by=by,
            )
    except IntegrityError as exc:
        raise TransitionNotAllowed(
            _("This ticket already has an extension awaiting approval."),
            state=ExtensionStatus.PENDING,
        ) from exc


@transaction.atomic
def extension_decide(*, extension: TicketExtension, approve: bool, by: Any) -> TicketExtension:
    """A commander approves (the deadlines move) or rejects an extension request."""
    status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    updated = TicketExtension.objects.filter(
        pk=extension.pk, status=ExtensionStatus.PENDING
    ).update(status=status, decided_by=by, decided_at=_now(), updated_at=_now())
    if not updated:
        current = TicketExtension.objects.get(pk=extension.pk).status
        raise TransitionNotAllowed(
            _("This request has already been decided: %(state)s.")
            % {"state": ExtensionStatus(current).label},
            state=current,
        )
    record_change(extension)
    if approve:
        ticket = Ticket.objects.select_for_update().get(pk=extension.ticket_id)
        ticket.close_due = max(ticket.close_due, extension.new_due)
        ticket.reply_due = max(ticket.reply_due, min(extension.new_due, ticket.close_due))
        if ticket.is_open:
            ticket.next_due = ticket.due_for(ticket.status)
        ticket.save(update_fields=["close_due", "reply_due", "next_due", "updated_at"])
    return extension


@transaction.atomic
def reveal_phone(*, ticket: Ticket, user: Any, ip: str | None = None) -> dict[str, str]:
    """The citizen's name and phone, unmasked; every reveal is written to the audit log."""
    PhoneViewLog.objects.create(ticket=ticket, user=user, ip=ip or None)
    return {"citizen_name": ticket.citizen_name, "citizen_phone": ticket.citizen_phone}


# --- consultations and proposals -----------------------------------------------------------


def _officer_of_unit(field: str, officer: Officer | None, unit: Unit) -> None:
    """The officer named on a record (who answered, who handles) is one of its unit's."""
    if officer is not None and officer.unit_id != unit.pk:
        raise ValidationError({field: _("Choose an officer of this unit.")})


@transaction.atomic
def consultation_log(
    *,
    channel: str,
    topic: str,
    unit: Unit,
    answered_by: Officer | None = None,
    at: dt.datetime | None = None,
    answer: str = "",
) -> Consultation:
    """Log a question answered by phone or in person."""
    at = at or _now()
    _not_in_future("at", at, Consultation)
    if not (topic or "").strip():
        raise ValidationError({"topic": _("Say what the question was about.")})
    _officer_of_unit("answered_by", answered_by, unit)
    return Consultation.objects.create(
        channel=channel,
        topic=topic.strip(),
        unit=unit,
        answered_by=answered_by,
        at=at,
        answer=answer.strip(),
    )


@transaction.atomic
def consultation_update(*, consultation: Consultation, **fields: Any) -> Consultation:
    """Correct a logged consultation; who answered stays one of its unit's officers."""
    for name, value in fields.items():
        setattr(consultation, name, value)
    if "answered_by" in fields:
        _officer_of_unit("answered_by", consultation.answered_by, consultation.unit)
    consultation.save()
    return consultation


@transaction.atomic
def proposal_save(*, proposal: Proposal | None = None, **fields: Any) -> Proposal:
    """Record or correct a legislator's proposal; its handler is one of its unit's officers."""
    proposal = proposal or Proposal()
    for name, value in fields.items():
        setattr(proposal, name, value)
    _officer_of_unit("handler", proposal.handler, proposal.unit)
    proposal.save()
    return proposal


@transaction.atomic
def proposal_answer(
    *,
    proposal: Proposal,
    reply_mode: str,
    reply: str = "",
    replied_at: dt.datetime | None = None,
) -> Proposal:
    """Record the answer to a proposal: how (in person, letter, phone) and when."""
    if reply_mode not in ReplyMode.values:
        raise ValidationError({"reply_mode": _("Choose how the proposal was answered.")})
    replied_at = replied_at or _now()
    _not_in_future("replied_at", replied_at, Proposal)
    if local_date(replied_at) < proposal.received_on:
        raise ValidationError({"replied_at": _("The answer cannot be before the proposal.")})
    updated = Proposal.objects.filter(pk=proposal.pk, replied_at__isnull=True).update(
        reply_mode=reply_mode, reply=reply.strip(), replied_at=replied_at, updated_at=_now()
    )
    if not updated:
        raise TransitionNotAllowed(_("This proposal has already been answered."), state="answered")
    record_change(proposal)
    return proposal


# --- import of the 12345 platform's export --------------------------------------------------

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


def tickets_import(*, upload: Any, by: Any, dry_run: bool = False) -> Any:
    """Import the 12345 platform's CSV/XLSX export, all or nothing.

    A platform number seen before updates that ticket (what the platform says), a new one
    creates a ticket; nothing is duplicated. Validation reads the database in bulk (the
    numbers already known, the categories and units), writes go in batches with their
    history rows, and the KPI weeks of every touched ticket are marked for recompute.
    Rows outside the importing user's units are errors, like unknown categories.
    """
    from brigade.core.imports import ImportReport, TableError, read_table
    from brigade.core.scope import scope_of

    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(
            upload, columns=IMPORT_COLUMNS, required=IMPORT_REQUIRED, max_rows=IMPORT_MAX_ROWS
        )
    except TableError as exc:
        for problem in exc.problems:
            report.add_error(1, "", problem)
        return report
    report.total = len(table)
    scope = scope_of(by)
    categories: dict[str, TicketCategory] = {}
    for category in TicketCategory.objects.filter(is_active=True):
        categories[category.name.lower()] = category
        categories[category.code.lower()] = category
    units: dict[str, Unit] = {}
    for unit in Unit.objects.visible_to(by):
        units[unit.name.lower()] = unit
        units[unit.code.lower()] = unit
    channels = _channel_lookup()

    # duplicates inside the file
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

    existing: dict[str, dict[str, Any]] = {}
    fields = ("pk", "number", "status", "round", *PLATFORM_FIELDS)
    for chunk in _in_chunks(list(first_row)):
        for values in Ticket.objects.filter(number__in=chunk).values(*fields):
            existing[values["number"]] = values

    new: list[Ticket] = []
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row, values in table:
        errors_before = len(report.errors)
        number = values["number"]
        if not number:
            report.add_error(row, "number", _("The platform number is required."))
        when = _parse_when(values["received_at"]) if values["received_at"] else None
        if when is None:
            report.add_error(
                row,
                "received_at",
                _("“%(value)s” is not a date and time (e.g. 2022-06-13 09:30).")
                % {"value": values["received_at"]}
                if values["received_at"]
                else _("The time of receipt is required."),
            )
        elif not dates.in_window(when, dates.HAPPENED):
            report.add_error(row, "received_at", _received_at_message())
        category = categories.get(values["category"].lower())
        if category is None:
            report.add_error(
                row,
                "category",
                _("Unknown category “%(value)s”.") % {"value": values["category"]},
            )
        unit = units.get(values["unit"].lower())
        if unit is None:
            report.add_error(
                row,
                "unit",
                _("Unknown unit, or not one of yours: “%(value)s”.") % {"value": values["unit"]},
            )
        if not values["content"]:
            report.add_error(row, "content", _("The content of the ticket is required."))
        channel_text = values.get("channel", "")
        channel = channels.get(channel_text.lower()) if channel_text else "hotline"
        if channel is None:
            report.add_error(
                row, "channel", _("Unknown channel “%(value)s”.") % {"value": channel_text}
            )
        known = existing.get(number)
        if known is not None and not (scope.brigade_wide or known["unit_id"] == scope.unit_id):
            report.add_error(row, "number", _("This number belongs to a ticket of another unit."))
        if len(report.errors) > errors_before:
            continue
        assert when is not None and category is not None and unit is not None
        record = {
            "channel": channel,
            "received_at": when,
            "citizen_name": values.get("citizen_name", "")[:50],
            "citizen_phone": values.get("citizen_phone", "")[:30],
            "category_id": category.pk,
            "content": values["content"],
            "location": values.get("location", "")[:200],
            "unit_id": unit.pk,
        }
        if known is None:
            dues = deadlines_for(category, when)
            new.append(
                Ticket(
                    number=number,
                    status=TicketStatus.RECEIVED,
                    next_due=dues["sign_due"],
                    created_by=by,
                    **dues,
                    **record,
                )
            )
        elif any(known[name] != record[name] for name in PLATFORM_FIELDS):
            changed.append((known, record))
        else:
            report.unchanged += 1
        if len(report.preview) < 20:
            report.preview.append(
                {
                    "row": row,
                    "number": number,
                    "action": "create" if known is None else "update",
                    "received_at": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                    "category": category.name,
                    "unit": unit.name,
                    "content": values["content"][:80],
                }
            )
    if report.errors:
        # all or nothing: a file with any bad row writes nothing
        report.unchanged = 0
        return report
    report.created, report.updated = len(new), len(changed)
    if dry_run:
        return report
    _write_import(new, changed, categories, by)
    return report


@transaction.atomic
def _write_import(
    new: list[Ticket],
    changed: list[tuple[dict[str, Any], dict[str, Any]]],
    categories: dict[str, TicketCategory],
    by: Any,
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


def _copy_history(ids: list[int], kind: str, by: Any) -> None:
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
