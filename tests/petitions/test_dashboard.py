"""The petitions panel of the commanders' dashboard: overdue tickets and extension
requests awaiting a decision, counted and a few listed, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from petitions import services
from petitions.panels import panel_context
from tests.petitions.factories import TicketCategoryFactory, TicketFactory

# clock: reads "now" (today, this week, deadlines); CI re-runs it at set instants
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_hidden_from_clerks(clerk):
    assert panel_context(clerk, None) is None


@pytest.mark.parametrize("overdue", [1, 8])
def test_counts_and_lists_in_fixed_queries(
    commander, clerk, unit, other_unit, overdue, django_assert_num_queries
):
    # given overdue tickets of the commander's unit, one of another unit, one on time
    today = timezone.localdate()
    category = TicketCategoryFactory()
    late = TicketFactory.create_batch(
        overdue, unit=unit, category=category, next_due=today - dt.timedelta(days=3)
    )
    TicketFactory(unit=other_unit, category=category, next_due=today - dt.timedelta(days=3))
    TicketFactory(unit=unit, category=category, next_due=today + dt.timedelta(days=9))
    services.extension_request(
        ticket=late[0], new_due=late[0].close_due + dt.timedelta(days=5), reason="需协调", by=clerk
    )
    panel_context(commander, None)  # the commander's scope is cached after one call
    # when
    with django_assert_num_queries(4):
        context = panel_context(commander, None)
    # then
    assert context is not None
    assert context["overdue_count"] == overdue
    assert len(context["overdue"]) == min(overdue, 5)
    assert context["pending_count"] == 1
    assert context["pending"][0].ticket_id == late[0].pk
