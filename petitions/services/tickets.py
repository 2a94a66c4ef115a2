"""Tickets and their transitions, callbacks, extension requests and the audited reveal of
a citizen's phone.

Transitions are conditional updates (``filter(pk=, status__in=FROM).update()``: zero rows
means another clerk moved the ticket first), inside ``transaction.atomic``, so two clerks
can never both sign, close or call back one ticket, on SQLite as on Postgres. The loser
gets ``TransitionNotAllowed`` naming the state the ticket is in now (HTTP 409).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Required, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core import dates, geo
from brigade.core.errors import TransitionNotAllowed
from brigade.core.fields import too_long
from brigade.core.kpi.weeks import local_date
from brigade.core.models import RevealWay
from brigade.core.permissions import four_eyes
from brigade.core.privacy import Seen, phone_forms, record_views
from brigade.core.text import is_blank, normalise_identifier, trim_text
from brigade.core.transitions import move, record_change, refusal
from brigade.core.typing import Visitor
from brigade.duty.models import Officer, Unit
from petitions.choices import (
    CallbackResult,
    ExtensionStatus,
    PlatformActionKind,
    TicketStatus,
)
from petitions.models import (
    Ticket,
    TicketCallback,
    TicketCategory,
    TicketExtension,
    TicketReply,
)
from petitions.querysets import TicketQuerySet
from petitions.services.common import (
    _not_in_future,
    _now,
    _received_at_message,
    deadlines_for,
    required_text,
    state_label,
)
from petitions.services.platform import (
    RESULT_WORDS,
    record_action,
    verdicts_differ,
    withdraw_close,
)
from petitions.transitions import CLOSE_UNDO_SECONDS, EXTENSION_DECIDERS, TICKET_TRANSITIONS


def _refuse(ticket: Ticket, message: str) -> TransitionNotAllowed:
    """The 409 of a transition: ``message`` plus the state the ticket is in now."""
    return refusal(
        ticket, _("%(message)s The ticket is %(state)s."), label=state_label, message=message
    )


def _move(
    ticket: Ticket,
    name: str,
    *,
    changes: Mapping[str, object],
    message: str,
    extra: Mapping[str, object] | None = None,
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
    *,
    number: str,
    category: TicketCategory,
    unit: Unit,
    content: str,
    received_at: dt.datetime,
    **texts: str,
) -> None:
    errors: dict[str, str] = too_long(Ticket, {"number": number, "content": content, **texts})
    if not number:
        errors["number"] = _("The platform number is required.")
    if is_blank(content or ""):
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
    number = normalise_identifier(number or "")
    content, citizen_name, citizen_phone, location = (
        trim_text(text or "") for text in (content, citizen_name, citizen_phone, location)
    )
    _check_ticket_fields(
        number=number,
        category=category,
        unit=unit,
        content=content,
        received_at=received_at,
        citizen_name=citizen_name,
        citizen_phone=citizen_phone,
        location=location,
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


class ClientTicket(TypedDict, total=False):
    """What a client program says of a ticket: ``ticket_create``'s fields but the number,
    the time and the channel, which the ticket gets on arrival."""

    category: Required[TicketCategory]
    unit: Required[Unit]
    content: Required[str]
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    citizen_name: str
    citizen_phone: str


def ticket_from_client(*, by: Visitor, **ticket: Unpack[ClientTicket]) -> Ticket:
    """A ticket filed by a client program (the Open311 endpoint), received now: it gets a
    number of its own (``OPEN311-<local time>-<random>``) and the Open311 channel."""
    from petitions.choices import TicketChannel

    now = _now()
    number = f"OPEN311-{timezone.localtime(now):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    return ticket_create(
        number=number, received_at=now, channel=TicketChannel.OPEN311, created_by=by, **ticket
    )


@transaction.atomic
def ticket_update(*, ticket: Ticket, **fields: str) -> Ticket:
    """Correct what the platform sent (content, location, citizen, channel)."""
    allowed = {"content", "location", "citizen_name", "citizen_phone", "channel"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    fields = {name: trim_text(str(value)) for name, value in fields.items()}
    if "content" in fields and is_blank(fields["content"]):
        raise ValidationError({"content": _("The content of the ticket is required.")})
    errors = too_long(Ticket, fields)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=[*fields, "updated_at"])
    return ticket


@transaction.atomic
def ticket_sign(*, ticket: Ticket, by: Visitor) -> Ticket:
    """签收: the brigade accepts the ticket; the reply deadline is next."""
    now = _now()
    moved = move(
        ticket,
        TICKET_TRANSITIONS,
        "sign",
        changes={"signed_at": now, "signed_by": by, "next_due": F("reply_due")},
        refuse=lambda: _refuse(ticket, _("Only a received ticket can be signed.")),
    )
    if moved:
        record_action(ticket=ticket, kind=PlatformActionKind.SIGN, by=by, at=now)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, handler: Officer, by: Visitor) -> Ticket:
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
    text = required_text("text", text, _("Write the reply given to the citizen."))
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
    record_action(ticket=ticket, kind=PlatformActionKind.REPLY, by=by, at=now, text=text)
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, by: Visitor) -> Ticket:
    """办结: done; on time when closed on or before the closing deadline."""
    now = _now()
    moved = move(
        ticket,
        TICKET_TRANSITIONS,
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
        refuse=lambda: _refuse(ticket, _("Only a replied ticket can be closed.")),
    )
    if moved:
        record_action(ticket=ticket, kind=PlatformActionKind.CLOSE, by=by, at=now)
    return ticket


def _undo_refusal(ticket: Ticket, by: Visitor) -> TransitionNotAllowed:
    """Why a close cannot be undone now: not closed any more, closed by someone else, or
    too late (the window is over, or the round has had its callback)."""
    row = Ticket.objects.filter(pk=ticket.pk).values("status", "closed_by").first() or {}
    if row.get("status") != TicketStatus.CLOSED:
        message = _("Only a ticket just closed can have its close undone.")
    elif row.get("closed_by") != getattr(by, "pk", None):
        message = _("Only whoever closed the ticket can undo the close.")
    else:
        message = _("The close can be undone only within %(seconds)s seconds.") % {
            "seconds": CLOSE_UNDO_SECONDS
        }
    return _refuse(ticket, message)


@transaction.atomic
def ticket_undo_close(*, ticket: Ticket, by: Visitor) -> Ticket:
    """Take back a close just made (a mis-click on 办结): only by whoever closed the ticket,
    within CLOSE_UNDO_SECONDS and before the round's callback. The ticket is replied again,
    its closing deadline next; the history keeps the close and its undo (with a reason)."""
    fresh = _now() - dt.timedelta(seconds=CLOSE_UNDO_SECONDS)
    ticket._change_reason = _("Close undone by whoever closed it")  # type: ignore[attr-defined]
    try:
        move(
            ticket,
            TICKET_TRANSITIONS,
            "undo_close",
            changes={
                "closed_at": None,
                "closed_by": None,
                "closed_on_time": None,
                "next_due": F("close_due"),
            },
            refuse=lambda: _undo_refusal(ticket, by),
            extra={
                "closed_by": getattr(by, "pk", None),
                "closed_at__gte": fresh,
                "callback_round__lt": F("round"),
            },
        )
    finally:
        del ticket._change_reason  # type: ignore[attr-defined]
    withdraw_close(ticket=ticket, by=by)
    return ticket


def _round_deadlines(ticket: Ticket, at: dt.datetime) -> dict[str, object]:
    """A reopened ticket's new round: reply and close deadlines counted from today."""
    dues = deadlines_for(ticket.category, at)
    return {"reply_due": dues["reply_due"], "close_due": dues["close_due"]}


def _reopen_changes(ticket: Ticket, at: dt.datetime) -> dict[str, object]:
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
    changes: dict[str, object] = {
        "callback_round": round_,
        # the platform's own callback, if it came in first, against this one
        "callback_mismatch": verdicts_differ(ticket.platform_result, result),
    }
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
    callback = ticket.callbacks.create(
        unit_id=ticket.unit_id,
        round=round_,
        result=result,
        by=by,
        at=at,
        notes=notes.strip(),
    )
    words = RESULT_WORDS[result] + (f" {callback.notes}" if callback.notes else "")
    record_action(ticket=ticket, kind=PlatformActionKind.CALLBACK, by=by, at=at, text=words)
    return callback


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: Visitor, reason: str = "") -> Ticket:
    """A commander sends a closed ticket back for another round (e.g. after a complaint)."""
    now = _now()
    ticket = _move(
        ticket,
        "reopen",
        changes=_reopen_changes(ticket, now),
        message=_("Only a closed ticket can be reopened."),
    )
    record_action(
        ticket=ticket, kind=PlatformActionKind.REOPEN, by=by, at=now, text=(reason or "").strip()
    )
    return ticket


@transaction.atomic
def ticket_return(*, ticket: Ticket, reason: str, by: Visitor) -> Ticket:
    """退单: not the brigade's matter; sent back to the platform with the reason."""
    reason = required_text("reason", reason, _("Say why the ticket is returned."))
    now = _now()
    ticket = _move(
        ticket,
        "return",
        changes={
            "returned_at": now,
            "return_reason": reason,
            "next_due": None,
        },
        message=_("Only a ticket not yet being handled can be returned."),
    )
    record_action(ticket=ticket, kind=PlatformActionKind.RETURN, by=by, at=now, text=reason)
    return ticket


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
def extension_decide(*, extension: TicketExtension, approve: bool, by: Visitor) -> TicketExtension:
    """A commander approves (the deadlines move) or rejects an extension request; never
    the one who asked for it (four eyes), the second approver also."""
    requester = (
        TicketExtension.objects.filter(pk=extension.pk)
        .values_list("requested_by", flat=True)
        .first()
    )
    as_second = four_eyes(
        by=by,
        doer_id=requester,
        roles=EXTENSION_DECIDERS,
        message=_("You requested this extension: someone else must decide on it."),
    )
    status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    updated = TicketExtension.objects.filter(
        pk=extension.pk, status=ExtensionStatus.PENDING
    ).update(
        status=status,
        decided_by=by,
        decided_at=_now(),
        decided_by_second_approver=as_second,
        updated_at=_now(),
    )
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
        # the platform hears of the deadline the request was for (延期 approved)
        record_action(
            ticket=ticket,
            kind=PlatformActionKind.EXTENSION,
            by=by,
            text=extension.reason,
            new_due=ticket.close_due,
        )
    return extension


@transaction.atomic
def reveal_phone(*, ticket: Ticket, user: Any, ip: str | None = None) -> dict[str, str]:
    """The citizen's name and phone, unmasked; every reveal is written to the audit log."""
    record_views([_seen(ticket)], user=user, ip=ip, way=RevealWay.REVEAL)
    return {"citizen_name": ticket.citizen_name, "citizen_phone": ticket.citizen_phone}


def _seen(ticket: Ticket) -> Seen:
    return Seen(record=ticket, label=ticket.number, unit_id=ticket.unit_id)


@transaction.atomic
def log_phone_search(
    *, tickets: TicketQuerySet, text: str, user: Any, ip: str | None = None
) -> int:
    """A whole-number search by someone who may see phone numbers: each ticket of
    ``tickets`` (the searcher's scope) that it found by the citizen's phone is logged (way
    "search"), as if its number had been shown. Returns how many were found."""
    found = list(
        tickets.filter(citizen_phone__in=phone_forms(text))
        .select_related(None)
        .order_by("pk")
        .only("pk", "number", "unit_id")
    )
    record_views([_seen(t) for t in found], user=user, ip=ip, way=RevealWay.SEARCH)
    return len(found)
