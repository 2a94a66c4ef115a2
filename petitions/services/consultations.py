"""Consultations answered by phone or in person, and legislators' proposals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from brigade.core.errors import TransitionNotAllowed
from brigade.core.kpi.weeks import local_date
from brigade.core.transitions import record_change
from brigade.duty.models import Officer, Unit
from petitions.choices import (
    ReplyMode,
)
from petitions.models import (
    Consultation,
    Proposal,
)
from petitions.services.common import _not_in_future, _now


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
