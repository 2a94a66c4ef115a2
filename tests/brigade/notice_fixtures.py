"""Due items for the digest's tests: the registry of sources replaced, for one test, by a
source over 12345 tickets waiting to be signed (holder: the ticket's handler), so that the
digest is tested on its own, whatever sources the apps register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import BooleanField, Case, F, Value, When

from brigade.core.notices.models import NoticeAction
from brigade.core.notices.registry import Source, notice_sources
from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from petitions.choices import TicketStatus
from petitions.models import Ticket
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _to_sign(day: dt.date, until: dt.date) -> Any:
    return Ticket.objects.filter(status=TicketStatus.RECEIVED, next_due__lte=until).values(
        "unit_id",
        item_id=F("pk"),
        due=F("next_due"),
        holder_id=F("handler__user_id"),
        title=F("number"),
        overdue=Case(
            When(next_due__lt=day, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


TO_SIGN = Source(
    action=NoticeAction.SIGN,
    label="tickets to sign",
    model="petitions.Ticket",
    query=_to_sign,
    url_name="petitions:ticket_detail",
)


@pytest.fixture
def ticket_source(monkeypatch: pytest.MonkeyPatch) -> Iterator[Source]:
    """Only the test's source is registered, for the test."""
    monkeypatch.setattr(notice_sources, "_sources", {TO_SIGN.key: TO_SIGN})
    yield TO_SIGN


@dataclass
class Desk:
    """A unit with its clerk and commander (and their officer rows)."""

    unit: Any
    clerk: Any
    clerk_officer: Any
    commander: Any


def desk(n: int, *, robot: str = "", hq: bool = False) -> Desk:
    unit = UnitFactory(
        code=f"u{n}",
        name=f"第{n}中队",
        robot_webhook_url=robot,
        kind=UnitKind.HEADQUARTERS if hq else UnitKind.SQUADRON,
    )
    clerk = UserFactory(username=f"clerk{n}", email=f"clerk{n}@example.cn", roles=[Role.CLERK])
    officer = OfficerFactory(user=clerk, unit=unit, name=f"内勤{n}")
    commander = UserFactory(
        username=f"boss{n}", email=f"boss{n}@example.cn", roles=[Role.COMMANDER]
    )
    OfficerFactory(user=commander, unit=unit, name=f"中队长{n}")
    return Desk(unit=unit, clerk=clerk, clerk_officer=officer, commander=commander)


def ticket(d: Desk, due: dt.date, number: str, *, held: bool = True) -> Any:
    """A ticket received the day before ``due``, to sign by ``due``."""
    received = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(9), tzinfo=SHANGHAI)
    category = TicketCategoryFactory(code="notice-test")
    return TicketFactory(
        number=number,
        unit=d.unit,
        category=category,
        received_at=received,
        handler=d.clerk_officer if held else None,
        sign_due=due,
        next_due=due,
    )
