"""The history every detail page shows: labels, names, newest first, constant queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from brigade.core.history import history_entries
from outreach.choices import VenueKind
from tests.brigade.factories import OfficerFactory, UnitFactory
from tests.incidents.factories import FundAdvanceFactory
from tests.outreach.factories import PublicityEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # labels are lazy: they are read in the language active when shown
    with translation.override("en"):
        yield


def _edit_event(event, officers, times):  # type: ignore[no-untyped-def]
    for n in range(times):
        event.audience += 10
        event.save()
        event.officers.set(officers[: n % len(officers) + 1])


def test_changes_are_shown_as_a_reader_reads_them_newest_first(commander, unit):
    wang, li = OfficerFactory(unit=unit, name="王伟"), OfficerFactory(unit=unit, name="李娜")
    event = PublicityEventFactory(unit=unit, audience=100, officers=[wang])
    event._history_user = commander  # type: ignore[attr-defined]
    event.venue_kind = VenueKind.COMMUNITY
    event.audience = 120
    event.save()
    event.officers.set([wang, li])
    entries = history_entries(event, m2m="officers")
    assert entries[-1]["action"] == "Created" and entries[-1]["changes"] == []
    newest = entries[0]
    [officers] = newest["changes"]
    assert str(officers["field"]) == "officers present"
    assert officers["old"] == str(wang) and officers["new"] == f"{wang}、{li}"
    changed = entries[1]
    assert changed["who"] == "commander"
    shown = {str(c["field"]): (c["old"], c["new"]) for c in changed["changes"]}
    assert shown["venue kind"] == ("School", "Community")
    assert shown["people educated"] == ("100", "120")
    assert "updated at" not in shown  # bookkeeping is not a change a reader cares about


def test_money_related_records_and_initial_values(commander):
    advance = FundAdvanceFactory(amount=Decimal("12345.60"), beneficiary="张三")
    [created] = history_entries(advance, ("accident", "beneficiary", "amount"), show_initial=True)
    shown = {str(c["field"]): c["new"] for c in created["changes"]}
    assert shown["amount (CNY)"] == "12,345.60"
    assert shown["beneficiary"] == "张三"
    assert shown["accident"] == str(advance.accident)
    assert created["who"] == "system"


def test_queries_do_not_grow_with_the_history(django_assert_num_queries):
    unit = UnitFactory()
    officers = [OfficerFactory(unit=unit) for _ in range(3)]
    short = PublicityEventFactory(unit=unit, officers=officers[:1])
    long = PublicityEventFactory(unit=unit, officers=officers[:1])
    _edit_event(short, officers, 1)
    _edit_event(long, officers, 12)
    # history rows, unit names, copies of the officers, officer names
    with django_assert_num_queries(4):
        few = history_entries(short, m2m="officers")
    with django_assert_num_queries(4):
        many = history_entries(long, m2m="officers")
    assert len(many) > len(few) >= 2
