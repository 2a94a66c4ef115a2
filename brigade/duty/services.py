"""Every write of the brigade app: patrols, tallies, shifts and training records.

Transitions are conditional updates (``filter(state).update()``: zero rows means the
state moved under us), inside ``transaction.atomic``, so two requests can never both end
one patrol, on SQLite as on Postgres.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from brigade.core import dates
from brigade.core.errors import TransitionNotAllowed
from brigade.core.services import add_to_count
from brigade.core.timecheck import not_in_future
from brigade.core.transitions import record_change, transition
from brigade.duty import models
from brigade.duty.choices import AssessmentResult, ViolationKind


def _not_in_future(field: str, value: dt.datetime) -> None:
    # "at", the arrival at a post, is kept as the patrol's checked_in_at
    not_in_future(
        field, value, models.PatrolLog, model_field="checked_in_at" if field == "at" else None
    )


def _open_patrol_message(open_patrol: models.PatrolLog) -> str:
    started = date_format(timezone.localtime(open_patrol.started_at), "DATETIME_FORMAT")
    return _(
        "You already have a patrol in progress (started %(started)s). End it before "
        "starting another."
    ) % {"started": started}


@transaction.atomic
def patrol_start(
    *,
    officer: models.Officer,
    mode: str,
    post: models.DutyPost | None = None,
    zone: models.RoadWorksZone | None = None,
    campaign: models.Campaign | None = None,
    weather: str = "",
    notes: str = "",
    started_at: dt.datetime | None = None,
    shift: models.Shift | None = None,
) -> models.PatrolLog:
    """Start a patrol for ``officer``; refused while they have one open.

    Started from one of the officer's shifts, the patrol is duty at the shift's post and
    checks in there at its start: the officer is at the post, so the post counts as staffed
    that day. Started without a shift, the officer checks in by hand on arrival.
    """
    started_at = started_at or timezone.now()
    _not_in_future("started_at", started_at)
    if shift is not None:
        _check_shift(shift=shift, officer=officer, at=started_at)
        post = shift.post
    if campaign is not None:
        day = timezone.localdate(started_at)
        if campaign.starts_on > day or (campaign.ends_on and campaign.ends_on < day):
            raise ValidationError({"campaign": _("This campaign is not running on that day.")})
    open_patrol = models.PatrolLog.objects.filter(officer=officer).open().first()
    if open_patrol is not None:
        raise TransitionNotAllowed(_open_patrol_message(open_patrol), state="open")
    try:
        with transaction.atomic():
            patrol = models.PatrolLog.objects.create(
                officer=officer,
                unit_id=officer.unit_id,
                mode=mode,
                post=post,
                zone=zone,
                campaign=campaign,
                weather=weather,
                notes=notes,
                started_at=started_at,
            )
    except IntegrityError as exc:
        # A concurrent start won the race for the one-open-patrol constraint.
        raise TransitionNotAllowed(
            _("You already have a patrol in progress. End it before starting another."),
            state="open",
        ) from exc
    if shift is not None:
        patrol_check_in(patrol=patrol, post=shift.post, at=started_at)
    return patrol


def _check_shift(*, shift: models.Shift, officer: models.Officer, at: dt.datetime) -> None:
    """A patrol starts from the officer's own shift, on a day the shift covers."""
    if shift.officer_id != officer.pk:
        raise ValidationError({"shift": _("This is not one of your shifts.")})
    if not models.Shift.objects.filter(pk=shift.pk).on_day(timezone.localdate(at)).exists():
        raise ValidationError({"shift": _("This shift is not on the day the patrol starts.")})


@transaction.atomic
def patrol_end(
    *, patrol: models.PatrolLog, ended_at: dt.datetime | None = None, notes: str | None = None
) -> models.PatrolLog:
    """End an open patrol; the end must come after the start and not in the future."""
    ended_at = ended_at or timezone.now()
    _not_in_future("ended_at", ended_at)
    if ended_at <= patrol.started_at:
        raise ValidationError({"ended_at": _("The end must be after the start of the patrol.")})
    changes: dict[str, object] = {"ended_at": ended_at, "updated_at": timezone.now()}
    if notes is not None:
        changes["notes"] = notes
    moved = transition(
        models.PatrolLog,
        pk=patrol.pk,
        source={"ended_at__isnull": True},
        changes=changes,
        refuse=lambda: TransitionNotAllowed(_("This patrol has already ended."), state="ended"),
        # ended already (a repeat whose first answer was lost): the outcome is there
        already={"ended_at__isnull": False},
    )
    if moved:
        record_change(patrol)
    else:
        patrol.refresh_from_db()
    return patrol


def _require_open(patrol: models.PatrolLog) -> None:
    if not models.PatrolLog.objects.filter(pk=patrol.pk, ended_at__isnull=True).exists():
        raise TransitionNotAllowed(_("This patrol has already ended."), state="ended")


@transaction.atomic
def patrol_check_in(
    *, patrol: models.PatrolLog, post: models.DutyPost | None = None, at: dt.datetime | None = None
) -> models.PatrolLog:
    """Record arrival at a post (the patrol's own post unless another is given)."""
    _require_open(patrol)
    post = post or patrol.post
    if post is None:
        raise ValidationError({"post": _("Choose the post you are checking in at.")})
    at = at or timezone.now()
    _not_in_future("at", at)
    if at < patrol.started_at:
        raise ValidationError({"at": _("The check-in cannot be before the patrol started.")})
    patrol.post = post
    patrol.checked_in_at = at
    patrol.save(update_fields=["post", "checked_in_at", "updated_at"])
    return patrol


@transaction.atomic
def patrol_update_details(
    *, patrol: models.PatrolLog, weather: str | None = None, notes: str | None = None
) -> models.PatrolLog:
    """Change the weather or notes of a patrol (allowed after it ended, to fix a typo)."""
    fields = ["updated_at"]
    if weather is not None:
        patrol.weather = weather
        fields.append("weather")
    if notes is not None:
        patrol.notes = notes
        fields.append("notes")
    patrol.save(update_fields=fields)
    return patrol


@transaction.atomic
def patrol_tally(
    *, patrol: models.PatrolLog, kind: str, delta: int, at: dt.datetime | None = None
) -> int:
    """Add ``delta`` (may be negative) to one violation count; returns the new count.

    ``at``, when the tap was made (sent later from a phone's queue), is checked to lie in
    the patrol: the count is credited to the patrol's start, so to the week it was made."""
    if kind not in ViolationKind.values:
        raise ValidationError({"kind": _("Unknown violation type.")})
    if at is not None:
        _not_in_future("at", at)
        if at < patrol.started_at:
            raise ValidationError({"at": _("The tap cannot be before the patrol started.")})
    _require_open(patrol)
    count = add_to_count(models.ViolationTally, "count", delta, patrol=patrol, kind=kind)
    models.PatrolLog.objects.filter(pk=patrol.pk).update(updated_at=timezone.now())
    return count


@transaction.atomic
def patrol_set_tallies(*, patrol: models.PatrolLog, counts: dict[str, int]) -> dict[str, int]:
    """Set absolute counts per violation type (e.g. typed in after the patrol)."""
    errors = {}
    for kind, count in counts.items():
        if kind not in ViolationKind.values:
            errors[kind] = _("Unknown violation type.")
        elif count < 0:
            errors[kind] = _("The count cannot be negative.")
    if errors:
        raise ValidationError(errors)
    for kind, count in counts.items():
        models.ViolationTally.objects.update_or_create(
            patrol=patrol, kind=kind, defaults={"count": count}
        )
    models.PatrolLog.objects.filter(pk=patrol.pk).update(updated_at=timezone.now())
    return dict(patrol.tallies.values_list("kind", "count"))


def shift_check(
    *, officer: models.Officer, starts_at: dt.datetime, ends_at: dt.datetime, exclude_pk: int | None
) -> None:
    """Refuse a shift that ends before it starts, lasts over a day, or double-books."""
    dates.check_fields(models.Shift, starts_at=starts_at, ends_at=ends_at)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise ValidationError({"ends_at": _("A shift cannot be longer than 24 hours.")})
    overlapping = models.Shift.objects.filter(
        officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if overlapping.exists():
        raise ValidationError(
            {"starts_at": _("This officer already has a shift that overlaps this time.")}
        )


@transaction.atomic
def shift_save(
    *,
    officer: models.Officer,
    post: models.DutyPost,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    duty: str = "",
    shift: models.Shift | None = None,
) -> models.Shift:
    """Create or change a shift; the unit follows the post, no officer is double-booked."""
    shift_check(
        officer=officer,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_pk=shift.pk if shift else None,
    )
    shift = shift or models.Shift()
    shift.officer = officer
    shift.post = post
    shift.unit_id = post.unit_id
    shift.starts_at = starts_at
    shift.ends_at = ends_at
    shift.duty = duty
    shift.save()
    return shift


@transaction.atomic
def attendance_record(
    *,
    session: models.TrainingSession,
    officer: models.Officer,
    attended: bool = True,
    result: str = AssessmentResult.NOT_ASSESSED,
    score: Decimal | None = None,
) -> models.Attendance:
    """Record (or correct) one officer's attendance and assessment at a session."""
    if not attended and result != AssessmentResult.NOT_ASSESSED:
        raise ValidationError({"result": _("Only an officer who attended can be assessed.")})
    if score is not None and result == AssessmentResult.NOT_ASSESSED:
        raise ValidationError({"score": _("A score needs an assessment result.")})
    attendance, _created = models.Attendance.objects.update_or_create(
        session=session,
        officer=officer,
        defaults={"attended": attended, "result": result, "score": score},
    )
    return attendance
