"""Two exports for the 12345 platform at the same moment: between them every action is
taken exactly once (the conditional update of the export); and two clerks signing one
ticket at once record one action for the platform. Threads with their own connections,
on SQLite and (marked postgres) on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from brigade.core.roles import Role
from petitions import services
from petitions.choices import PlatformActionKind
from petitions.models import PlatformAction, PlatformExport, Ticket
from petitions.services.platform import record_action
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory
from tests.petitions.factories import TicketFactory


def _clerks(unit) -> list:
    clerks = []
    for n in range(2):
        user = UserFactory(username=f"race-clerk-{n}", roles=[Role.CLERK])
        OfficerFactory(user=user, unit=unit)
        clerks.append(user)
    return clerks


def _at_once(job, users: list) -> None:
    barrier = threading.Barrier(len(users))

    def run(user) -> None:
        try:
            barrier.wait(timeout=10)
            job(user)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _two_exports_at_once() -> None:
    # given: forty actions of one unit, not yet exported
    unit = UnitFactory()
    clerks = _clerks(unit)
    for _ in range(20):
        ticket = TicketFactory(unit=unit)
        record_action(ticket=ticket, kind=PlatformActionKind.SIGN, by=clerks[0])
        record_action(ticket=ticket, kind=PlatformActionKind.REPLY, by=clerks[0], text="已处理")
    # when: both clerks export at the same moment
    _at_once(lambda user: services.platform_export(by=user), clerks)
    # then: two exports, and each action in exactly one of them
    exports = list(PlatformExport.objects.all())
    assert len(exports) == 2
    assert sum(e.rows for e in exports) == 40
    assert not PlatformAction.objects.filter(export__isnull=True).exists()


def _two_signs_at_once() -> None:
    unit = UnitFactory()
    clerks = _clerks(unit)
    ticket = TicketFactory(unit=unit)
    _at_once(
        lambda user: services.ticket_sign(ticket=Ticket.objects.get(pk=ticket.pk), by=user), clerks
    )
    assert PlatformAction.objects.filter(ticket=ticket, kind=PlatformActionKind.SIGN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_exports_at_once_take_each_action_once():
    _two_exports_at_once()


@pytest.mark.django_db(transaction=True)
def test_two_signs_at_once_record_one_action():
    _two_signs_at_once()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_exports_at_once_take_each_action_once_on_postgres():
    _two_exports_at_once()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_signs_at_once_record_one_action_on_postgres():
    _two_signs_at_once()
