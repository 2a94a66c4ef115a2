"""Reads of the petitions app; ``visible_to(user)`` scopes every list to the user's unit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from brigade.core.privacy import phone_forms
from brigade.core.querysets import ScopedQuerySet
from petitions.choices import OPEN_STATUSES


def _soon(today: dt.date) -> dt.date:
    from petitions.deadlines import DUE_SOON_WORKDAYS, add_workdays

    return add_workdays(today, DUE_SOON_WORKDAYS)


class TicketQuerySet(ScopedQuerySet):
    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self) -> TicketQuerySet:
        return self.exclude(status__in=OPEN_STATUSES)

    def queue(self) -> TicketQuerySet:
        """Open tickets by urgency: overdue, due today, due soon, then the rest (the
        earliest next deadline first, which is that order); served by the partial
        ``ticket_queue`` indexes."""
        return self.filter(next_due__isnull=False).order_by("next_due", "id")

    def overdue(self, today: dt.date) -> TicketQuerySet:
        return self.filter(next_due__lt=today)

    def due_today(self, today: dt.date) -> TicketQuerySet:
        return self.filter(next_due=today)

    def due_soon(self, today: dt.date) -> TicketQuerySet:
        """Next deadline after today and within the due-soon working days."""
        return self.filter(next_due__gt=today, next_due__lte=_soon(today))

    def due_later(self, today: dt.date) -> TicketQuerySet:
        return self.filter(next_due__gt=_soon(today))

    def queue_after(self, day: dt.date, pk: int) -> TicketQuerySet:
        """Keyset pagination of the queue: the rows after ``(next_due, id)``."""
        return self.filter(Q(next_due__gt=day) | Q(next_due=day, pk__gt=pk))

    def history_before(self, when: dt.datetime, pk: int) -> TicketQuerySet:
        """Keyset pagination of the history: the rows before ``(received_at, id)``."""
        return self.filter(Q(received_at__lt=when) | Q(received_at=when, pk__lt=pk))

    def for_list(self) -> TicketQuerySet:
        """Everything a list row shows, in the row query."""
        return self.select_related("category", "unit", "handler")

    def search(self, text: str, *, by_phone: bool = False) -> TicketQuerySet:
        """By platform number (whole or its end) or words of the content; with
        ``by_phone`` (for those who may see phone numbers, ``brigade.core.privacy``) also
        by the citizen's whole phone number, never by a part of it (that would tell what
        the mask hides)."""
        text = (text or "").strip()
        if not text:
            return self
        digits = text.replace(" ", "").replace("-", "")
        phones = phone_forms(text) if by_phone else []
        if digits.isdigit() and len(digits) >= 4:
            match = Q(number=text) | Q(number__endswith=digits)
        else:
            match = Q(number=text) | Q(content__icontains=text) | Q(location__icontains=text)
        if phones:
            match |= Q(citizen_phone__in=phones)
        return self.filter(match)

    def state_counts(self) -> dict[str, int]:
        """Open tickets per state in ONE grouped query (every open state present, 0 if
        none). Closed and returned tickets are history that grows for ever: they are not
        counted here, so the queue's header costs the same at a thousand tickets as at
        millions (an index-only scan of the open tickets' partial index)."""
        counts: dict[str, int] = {status: 0 for status in OPEN_STATUSES}
        rows = self.filter(next_due__isnull=False).order_by().values("status")
        for row in rows.annotate(n=Count("*")):
            if row["status"] in counts:
                counts[row["status"]] = row["n"]
        return counts


class ReplyQuerySet(ScopedQuerySet):
    unit_path = "ticket__unit_id"


class CallbackQuerySet(ScopedQuerySet):
    pass


class ExtensionQuerySet(ScopedQuerySet):
    unit_path = "ticket__unit_id"

    def pending(self) -> ExtensionQuerySet:
        from petitions.choices import ExtensionStatus

        return self.filter(status=ExtensionStatus.PENDING)


class ConsultationQuerySet(ScopedQuerySet):
    pass


class ProposalQuerySet(ScopedQuerySet):
    def answered(self) -> ProposalQuerySet:
        return self.filter(replied_at__isnull=False)


class PlatformExportQuerySet(ScopedQuerySet):
    """A unit's exports to its people; the brigade's (no unit) to the brigade-wide only."""


class PlatformActionQuerySet(ScopedQuerySet):
    def not_exported(self) -> PlatformActionQuerySet:
        return self.filter(export__isnull=True)


class TicketSupervisionQuerySet(ScopedQuerySet):
    pass
