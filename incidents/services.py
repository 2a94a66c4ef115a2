"""Every write of the incidents app: accidents and their parties (and the logged showing of
a party's phone number), hit-and-run solutions, fund advances through their states, and
recoveries.

Transitions are conditional updates (``filter(pk=, status=FROM).update()``: zero rows means
the state moved under us → TransitionNotAllowed naming the current state), inside
``transaction.atomic``. A recovery locks its advance's row (``select_for_update`` on
PostgreSQL; SQLite's IMMEDIATE transactions let one writer in at a time), checks in Decimal
that the new total stays within the amount paid, and writes it with a compare-and-set on the
total it read: of two concurrent recoveries that together would pass the amount, the second
waits for the first, reads its total and is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from brigade.core import dates, geo
from brigade.core.errors import StaleVersion, TransitionNotAllowed
from brigade.core.investigations import Investigation
from brigade.core.models import RevealWay
from brigade.core.permissions import four_eyes, has_role
from brigade.core.privacy import Seen, mask_name, record_views
from brigade.core.roles import Role
from brigade.core.timecheck import not_in_future
from brigade.core.transitions import move, record_change
from brigade.core.versions import require_version
from brigade.duty.models import Unit
from brigade.duty.places import check_place as _check_place
from brigade.duty.places import point_from_place as _point_from_place
from incidents.choices import AdvanceStatus, HandlingMode, Severity
from incidents.models import (
    CENT,
    Accident,
    AccidentDocument,
    AccidentParty,
    BlackSpot,
    FundAdvance,
    Recovery,
)
from incidents.transitions import ACCIDENT_TRANSITIONS, ADVANCE_TRANSITIONS, NOT_HIT_AND_RUN

PARTY_FIELDS = ("role", "name", "phone", "plate", "vehicle_kind", "insurer", "liability")
# When, where and how bad the accident was and how it is handled, in the order the API
# shows them: then a recorder's other fields.
SCENE_FIELDS = (
    "occurred_at",
    "road",
    "place",
    "latitude",
    "longitude",
    "gazetteer_place",
    "severity",
    "handling_mode",
)
ACCIDENT_FIELDS = (*SCENE_FIELDS, "hit_and_run", "mediation", "notes")


def _not_in_future(field: str, value: dt.datetime, model: type[Model] = Accident) -> None:
    not_in_future(field, value, model)


def _money(field: str, value: Any) -> Decimal:
    """A positive amount in yuan with at most two decimals."""
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:
        raise ValidationError({field: _("Enter an amount in yuan.")}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan.")})
    if amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("An amount has at most two decimals (fen).")})
    if amount >= Decimal("1e12"):
        raise ValidationError({field: _("This amount is too large.")})
    return amount.quantize(CENT)


def _check_accident(data: Mapping[str, Any]) -> None:
    occurred_at = data.get("occurred_at")
    if occurred_at is not None:
        _not_in_future("occurred_at", occurred_at)
    # placed by both coordinates or by neither (the hazards' rule)
    geo.check_point(data.get("latitude"), data.get("longitude"))
    if data.get("hit_and_run") and data.get("handling_mode") == HandlingMode.QUICK:
        raise ValidationError(
            {"handling_mode": _("A hit-and-run cannot be settled quickly: one party is missing.")}
        )
    if (
        data.get("handling_mode") == HandlingMode.QUICK
        and data.get("severity", Severity.PROPERTY) != Severity.PROPERTY
    ):
        raise ValidationError(
            {
                "handling_mode": _(
                    "Only an accident with property damage only can be settled quickly."
                )
            }
        )


# --- accidents ----------------------------------------------------------------------------


@transaction.atomic
def accident_record(
    *,
    unit: Unit,
    by: Any,
    road: str,
    occurred_at: dt.datetime | None = None,
    parties: Iterable[Mapping[str, Any]] = (),
    **details: Any,
) -> Accident:
    """Record an accident with its parties (time now unless given)."""
    unknown = set(details) - set(ACCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown accident fields: {sorted(unknown)}")
    occurred_at = occurred_at or timezone.now()
    data = {"occurred_at": occurred_at, "road": road, **details}
    if not road.strip():
        raise ValidationError({"road": _("Name the road.")})
    _check_accident(data)
    _check_place(data.get("gazetteer_place"))
    _point_from_place(data)
    accident = Accident(unit=unit, recorded_by=by, **data)
    accident.full_clean(exclude=["unit", "recorded_by"])
    accident.save()
    for party in parties:
        party_add(accident=accident, **{k: v for k, v in party.items() if k in PARTY_FIELDS})
    return accident


@transaction.atomic
def accident_update(*, accident: Accident, **changes: Any) -> Accident:
    """Change an accident's details; the hit-and-run case's solution has its own action."""
    unknown = set(changes) - set(ACCIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown accident fields: {sorted(unknown)}")
    data = {name: getattr(accident, name) for name in ACCIDENT_FIELDS}
    moved = any(
        name in changes and changes[name] != data[name] for name in ("latitude", "longitude")
    )
    data.update(changes)
    _check_accident(data)
    if data["gazetteer_place"] != accident.gazetteer_place:
        _check_place(data["gazetteer_place"])
    elif moved:
        # the point moved and the place did not: the place nearest to the new point
        changes["gazetteer_place"] = None
    if data["latitude"] is None and data["longitude"] is None and data["gazetteer_place"]:
        _point_from_place(data)
        changes.update(latitude=data["latitude"], longitude=data["longitude"])
    if accident.solved_at and not data["hit_and_run"]:
        raise ValidationError(
            {"hit_and_run": _("This case has been solved: it stays a hit-and-run.")}
        )
    for name, value in changes.items():
        setattr(accident, name, value)
    accident.full_clean(exclude=["unit", "recorded_by", "solved_by"])
    accident.save()
    return accident


@transaction.atomic
def quick_settlement(
    *,
    unit: Unit,
    by: Any,
    road: str,
    parties: Iterable[Mapping[str, Any]],
    occurred_at: dt.datetime | None = None,
    place: str = "",
    notes: str = "",
    **location: Any,
) -> Accident:
    """快处快赔: a minor accident with property damage only, settled on the spot between
    (at least) two parties identified by plate and insurer; ``location`` is its
    ``latitude``/``longitude`` and ``gazetteer_place``, if given."""
    unknown = set(location) - {"latitude", "longitude", "gazetteer_place"}
    if unknown:
        raise TypeError(f"unknown location fields: {sorted(unknown)}")
    parties = [p for p in parties if any(p.get(k) for k in ("plate", "insurer", "name"))]
    if len(parties) < 2:
        raise ValidationError({"parties": _("A quick settlement needs both parties.")})
    missing = [i for i, p in enumerate(parties, 1) if not p.get("plate")]
    if missing:
        raise ValidationError({"parties": _("Enter the plate of each vehicle.")})
    return accident_record(
        unit=unit,
        by=by,
        road=road,
        occurred_at=occurred_at,
        place=place,
        notes=notes,
        severity=Severity.PROPERTY,
        handling_mode=HandlingMode.QUICK,
        parties=parties,
        **location,
    )


@transaction.atomic
def party_add(*, accident: Accident, **fields: Any) -> AccidentParty:
    """Add a party (a person and their vehicle) to an accident."""
    party = AccidentParty(accident=accident, **fields)
    if not (party.name or party.plate):
        raise ValidationError({"name": _("Give at least a name or a plate.")})
    party.full_clean(exclude=["accident"])
    party.save()
    Accident.objects.filter(pk=accident.pk).update(updated_at=timezone.now())
    return party


def _party_label(party: AccidentParty, accident: Accident) -> str:
    """What the log calls a party: the accident and the party's role and masked name."""
    who = mask_name(party.name) or party.plate or "—"
    return f"{accident} · {party.get_role_display()} {who}"


@transaction.atomic
def party_reveal(
    *, accident: Accident, parties: Iterable[AccidentParty], user: Any, ip: str | None = None
) -> list[dict[str, Any]]:
    """The parties' phone numbers, whole; each one shown is written to the log (a party
    without a phone number shows nothing and is not logged)."""
    shown = [party for party in parties if party.phone]
    record_views(
        [Seen(p, _party_label(p, accident), accident.unit_id) for p in shown],
        user=user,
        ip=ip,
        way=RevealWay.REVEAL,
    )
    return [{"id": p.pk, "name": p.name, "phone": p.phone} for p in shown]


@transaction.atomic
def document_attach(*, accident: Accident, by: Any, title: str, file: Any) -> AccidentDocument:
    """Attach a PDF or photo (checked by content) to an accident."""
    document = AccidentDocument(accident=accident, uploaded_by=by, title=title, file=file)
    document.full_clean(exclude=["accident", "uploaded_by"])
    document.save()
    return document


@transaction.atomic
def accident_solve(
    *, accident: Accident, by: Any, solved_how: str, solved_at: dt.datetime | None = None
) -> Accident:
    """Mark a hit-and-run case solved (the driver identified): when and how."""
    solved_at = solved_at or timezone.now()
    _not_in_future("solved_at", solved_at)
    current = Accident.objects.filter(pk=accident.pk).only("hit_and_run", "solved_at").first()
    if current is None or ACCIDENT_TRANSITIONS.state(current) == NOT_HIT_AND_RUN:
        raise TransitionNotAllowed(
            _("Only a hit-and-run case can be solved; this accident is not one."),
            state="not_hit_and_run",
        )
    if solved_at < accident.occurred_at:
        raise ValidationError({"solved_at": _("A case cannot be solved before the accident.")})
    from incidents.choices import SolvedHow

    if solved_how not in SolvedHow.values:
        raise ValidationError({"solved_how": _("Say how the case was solved.")})
    move(
        accident,
        ACCIDENT_TRANSITIONS,
        "solve",
        changes={"solved_at": solved_at, "solved_how": solved_how, "solved_by": by},
        refuse=lambda: TransitionNotAllowed(
            _("This case has already been solved."), state="solved"
        ),
    )
    return accident


# --- the relief fund ----------------------------------------------------------------------


@transaction.atomic
def advance_request(
    *,
    accident: Accident,
    by: Any,
    beneficiary: str,
    payee: str,
    purpose: str,
    amount: Any,
    recovery_due: dt.date | None = None,
    notes: str = "",
) -> FundAdvance:
    """Ask the relief fund to advance money for an accident's victim."""
    advance = FundAdvance(
        accident=accident,
        requested_by=by,
        beneficiary=beneficiary,
        payee=payee,
        purpose=purpose,
        amount=_money("amount", amount),
        recovery_due=recovery_due,
        notes=notes,
    )
    advance.full_clean(exclude=["accident", "requested_by", "approved_by"])
    advance.save()
    return advance


# What may change after the decision: the recovery deadline and the notes.
CHANGEABLE_AFTER_DECISION = frozenset({"recovery_due", "notes"})
ADVANCE_CHANGE_FIELDS = frozenset({"beneficiary", "payee", "purpose", "amount"})


def may_edit_advance(advance: FundAdvance, user: Any) -> bool:
    """Its requester, or a clerk on the requester's behalf (four eyes: nobody else changes
    what a commander will approve)."""
    return (advance.requested_by_id is not None and advance.requested_by_id == user.pk) or (
        has_role(user, {Role.CLERK})
    )


def require_editor(advance: FundAdvance, user: Any) -> None:
    """``may_edit_advance`` or PermissionDenied (403) saying who may."""
    if not may_edit_advance(advance, user):
        raise PermissionDenied(
            _("Only the requester, or a clerk on their behalf, may change this request.")
        )


def refuse_decided_changes(advance: FundAdvance, changes: Mapping[str, Any]) -> None:
    """A decided advance keeps what it was decided on (409 naming its state)."""
    locked = {
        k
        for k in changes
        if k not in CHANGEABLE_AFTER_DECISION and changes[k] != getattr(advance, k)
    }
    if locked and not ADVANCE_TRANSITIONS.allows(advance.status, "change"):
        raise TransitionNotAllowed(
            _("Only a request not yet approved can be changed (it is %(state)s).")
            % {"state": advance.get_status_display()},
            state=advance.status,
        )


@transaction.atomic
def advance_update(*, advance: FundAdvance, by: Any, **changes: Any) -> FundAdvance:
    """Correct a request before it is decided; after the decision only the deadline and
    notes. Only the requester, or a clerk on their behalf (recorded), changes it."""
    unknown = set(changes) - ADVANCE_CHANGE_FIELDS - CHANGEABLE_AFTER_DECISION
    if unknown:
        raise TypeError(f"unknown advance fields: {sorted(unknown)}")
    require_editor(advance, by)
    if "amount" in changes:
        changes["amount"] = _money("amount", changes["amount"])
    refuse_decided_changes(advance, changes)
    for name, value in changes.items():
        setattr(advance, name, value)
    advance.edited_by = by
    advance.full_clean(exclude=["accident", "requested_by", "approved_by", "edited_by"])
    # the status must still be what we checked: a concurrent approval wins
    updated = FundAdvance.objects.filter(pk=advance.pk, status=advance.status).update(
        **changes, edited_by=by, updated_at=timezone.now()
    )
    if not updated:
        _refused(advance)
    if advance.requested_by_id != by.pk:
        advance._change_reason = _("Changed by %(clerk)s on behalf of the requester.") % {  # type: ignore[attr-defined]
            "clerk": by.get_full_name() or by.get_username()
        }
    record_change(advance)
    return advance


def _refusal(advance: FundAdvance, message: str | None = None) -> TransitionNotAllowed:
    state = FundAdvance.objects.filter(pk=advance.pk).values_list("status", flat=True).first()
    label = AdvanceStatus(state).label if state in AdvanceStatus.values else state
    return TransitionNotAllowed(
        message or _("Not possible now: this advance is %(state)s.") % {"state": label},
        state=state,
    )


def _refused(advance: FundAdvance, message: str | None = None) -> None:
    raise _refusal(advance, message)


def _decider(advance: FundAdvance, by: Any, action: str, message: str) -> bool:
    """The four-eyes rule for a decision on ``advance`` (read again: its requester as it
    is now); True when ``by`` decides as the second approver."""
    requester = (
        FundAdvance.objects.filter(pk=advance.pk).values_list("requested_by", flat=True).first()
    )
    return four_eyes(
        by=by,
        doer_id=requester if requester is not None else advance.requested_by_id,
        roles=ADVANCE_TRANSITIONS[action].roles or (),
        message=message,
    )


@transaction.atomic
def advance_approve(*, advance: FundAdvance, by: Any, version: str | None) -> FundAdvance:
    """A commander approves a request; never their own (four eyes on the fund), and only
    the version they read (``version``: its ETag; the amount changed since → StaleVersion,
    412; none → VersionRequired, 428). A repeat on an approved advance answers with it."""
    as_second = _decider(
        advance,
        by,
        "approve",
        _("You requested this advance: another commander must approve it."),
    )
    current = FundAdvance.objects.select_for_update().filter(pk=advance.pk).first()
    if current is not None and current.status == AdvanceStatus.REQUESTED:
        require_version(current, version)

    def refuse() -> Exception:
        # still a request, but no longer the version read: changed in between
        if _current_status(advance) == AdvanceStatus.REQUESTED:
            return StaleVersion(_("This request has changed since you read it: read it again."))
        return _refusal(
            advance,
            _("Only a request can be approved; this advance is %(state)s.")
            % {"state": _current_label(advance)},
        )

    move(
        advance,
        ADVANCE_TRANSITIONS,
        "approve",
        changes={
            "approved_by": by,
            "approved_at": timezone.now(),
            "approved_by_second_approver": as_second,
        },
        extra={"updated_at": current.updated_at} if current is not None else None,
        refuse=refuse,
    )
    return advance


def _current_status(advance: FundAdvance) -> str | None:
    return FundAdvance.objects.filter(pk=advance.pk).values_list("status", flat=True).first()


def _current_label(advance: FundAdvance) -> str:
    state = FundAdvance.objects.filter(pk=advance.pk).values_list("status", flat=True).first()
    return str(AdvanceStatus(state).label) if state in AdvanceStatus.values else str(state)


def _move_advance(
    advance: FundAdvance, action: str, changes: Mapping[str, object], refused: str
) -> None:
    """Action ``action`` of the advance's transition table; refused, ``refused`` says what
    it needs (``%(state)s`` is the state the advance is in now)."""
    move(
        advance,
        ADVANCE_TRANSITIONS,
        action,
        changes=changes,
        refuse=lambda: _refusal(advance, refused % {"state": _current_label(advance)}),
    )


@transaction.atomic
def advance_reject(*, advance: FundAdvance, by: Any, reason: str) -> FundAdvance:
    """Refuse a request (with the reason); it cannot be paid afterwards."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    as_second = _decider(
        advance, by, "reject", _("You requested this advance: another commander must decide.")
    )
    _move_advance(
        advance,
        "reject",
        {
            "approved_by": by,
            "approved_at": timezone.now(),
            "rejected_reason": reason.strip(),
            "approved_by_second_approver": as_second,
        },
        _("Only a request can be rejected; this advance is %(state)s."),
    )
    return advance


@transaction.atomic
def advance_pay(
    *,
    advance: FundAdvance,
    by: Any,
    paid_at: dt.datetime | None = None,
    recovery_due: dt.date | None = None,
) -> FundAdvance:
    """Record that an approved advance has been paid out."""
    paid_at = paid_at or timezone.now()
    _not_in_future("paid_at", paid_at, FundAdvance)
    dates.check_fields(FundAdvance, recovery_due=recovery_due)
    changes: dict[str, Any] = {"paid_at": paid_at}
    if recovery_due is not None:
        if recovery_due < timezone.localdate(paid_at):
            raise ValidationError(
                {"recovery_due": _("The recovery deadline cannot be before the payment.")}
            )
        changes["recovery_due"] = recovery_due
    _move_advance(
        advance,
        "pay",
        changes,
        _("Only an approved advance can be paid; this advance is %(state)s."),
    )
    return advance


@transaction.atomic
def recovery_record(
    *,
    advance: FundAdvance,
    by: Any,
    payer: str,
    amount: Any,
    received_on: dt.date | None = None,
    notes: str = "",
) -> Recovery:
    """Record a repayment against a paid advance; never more than is outstanding."""
    amount = _money("amount", amount)
    received_on = received_on or timezone.localdate()
    if not payer.strip():
        raise ValidationError({"payer": _("Say who paid.")})
    dates.check_fields(Recovery, received_on=received_on)
    # Lock the advance's row (PostgreSQL; SQLite's IMMEDIATE transactions already let one
    # writer in at a time): of two concurrent recoveries the second reads the first's total.
    locked = FundAdvance.objects.select_for_update().filter(pk=advance.pk).first()
    if locked is None or not ADVANCE_TRANSITIONS.allows(locked.status, "recover"):
        _refused(
            advance,
            _("Only a paid advance can be recovered; this advance is %(state)s.")
            % {"state": _current_label(advance)},
        )
    assert locked is not None and locked.paid_at is not None
    if received_on < timezone.localdate(locked.paid_at):
        raise ValidationError(
            {"received_on": _("A recovery cannot be received before the advance was paid.")}
        )
    # The arithmetic in Decimal here, not in SQL: SQLite would add in floating point.
    if locked.amount_recovered + amount > locked.amount:
        raise ValidationError(
            {
                "amount": _(
                    "This is more than is outstanding: ¥%(outstanding)s of ¥%(paid)s "
                    "remains to be recovered."
                )
                % {
                    "outstanding": f"{locked.outstanding:,.2f}",
                    "paid": f"{locked.paid_amount:,.2f}",
                }
            }
        )
    # Compare-and-set on the total just read: should anything have moved it meanwhile, no
    # row matches and nothing is written.
    updated = FundAdvance.objects.filter(
        pk=advance.pk, status=AdvanceStatus.PAID, amount_recovered=locked.amount_recovered
    ).update(amount_recovered=locked.amount_recovered + amount, updated_at=timezone.now())
    if not updated:
        raise TransitionNotAllowed(
            _("This advance changed while the recovery was recorded: reload it and try again."),
            state=AdvanceStatus.PAID,
        )
    recovery = advance.recoveries.create(
        payer=payer.strip(),
        amount=amount,
        received_on=received_on,
        recorded_by=by,
        notes=notes,
    )
    record_change(advance)
    return recovery


# --- black spots ------------------------------------------------------------------------------

# the accidents a hazard's description lists (the rest: "and N more")
LISTED_ACCIDENTS = 30


class SpotInvestigated(TransitionNotAllowed):
    """The black spot already has an open hazard investigation (409, naming it)."""

    def __init__(self, message: str, *, hazard: Investigation) -> None:
        super().__init__(message, state="investigating")
        self.hazard = hazard


def spot_accidents(spot: BlackSpot) -> list[Accident]:
    """The accidents a stored spot counts (its window, cells or place, unit), latest first."""
    from incidents.black_spots import accidents_of

    rows = accidents_of(spot, spot.window_from, spot.window_to)
    return list(rows.order_by("-occurred_at", "-pk"))


def _spot_description(spot: BlackSpot, accidents: list[Accident]) -> str:
    lines = [
        _(
            "Black spot found by accident analysis: %(n)s accidents with injuries or deaths "
            "from %(first)s to %(last)s (%(injuries)s with injuries, %(fatal)s fatal)."
        )
        % {
            "n": len(accidents),
            "first": spot.window_from.isoformat(),
            "last": spot.window_to.isoformat(),
            "injuries": spot.injuries,
            "fatal": spot.fatalities,
        }
    ]
    for accident in accidents[:LISTED_ACCIDENTS]:
        when = timezone.localtime(accident.occurred_at)
        lines.append(
            f"- #{accident.pk} {when:%Y-%m-%d %H:%M} {accident.road} "
            f"({accident.get_severity_display()})"
        )
    if len(accidents) > LISTED_ACCIDENTS:
        lines.append(_("… and %(n)s more.") % {"n": len(accidents) - LISTED_ACCIDENTS})
    return "\n".join(lines)


@transaction.atomic
def black_spot_open_hazard(*, spot: BlackSpot, by: Any) -> Investigation:
    """Open a hazard investigation at a black spot (source: accident analysis): the spot's
    centre and name as its location, its accidents listed in the description and kept on
    the spot, the latest as the hazard's source accident. A spot whose hazard is still
    open: ``SpotInvestigated`` naming it; a spot no longer current: 409 too."""
    from brigade.core.investigations import Opening, investigations

    hooks = investigations()
    locked = BlackSpot.objects.select_for_update().get(pk=spot.pk)
    if not locked.current:
        raise TransitionNotAllowed(
            _("This is no longer a black spot: its accidents fell below the thresholds."),
            state="retired",
        )
    if locked.hazard_id is not None:
        hazard = hooks.find([locked.hazard_id]).get(locked.hazard_id)
        if hazard is not None and hazard.is_open:
            raise SpotInvestigated(
                _("A hazard investigation is already open at this black spot: #%(id)s.")
                % {"id": hazard.id},
                hazard=hazard,
            )
    accidents = spot_accidents(locked)
    roads = [a.road for a in accidents if a.road]
    road = locked.name or (max(set(roads), key=roads.count) if roads else "")
    hazard = hooks.open(
        Opening(
            unit_id=locked.unit_id,
            road=road or _("Black spot"),
            location=_("Black spot of accidents (%(cell)s)") % {"cell": locked.h3_cell}
            if locked.h3_cell
            else "",
            latitude=locked.latitude,
            longitude=locked.longitude,
            description=_spot_description(locked, accidents),
            accident_id=accidents[0].pk if accidents else None,
            by=by,
        )
    )
    locked.hazard_id = hazard.id
    locked.hazard_opened_at = timezone.now()
    locked.accidents_before = locked.accidents_after = None
    locked.save(
        update_fields=[
            "hazard",
            "hazard_opened_at",
            "accidents_before",
            "accidents_after",
            "updated_at",
        ]
    )
    locked.investigated_accidents.set(accidents)
    return hazard
