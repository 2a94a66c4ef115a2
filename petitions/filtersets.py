"""One FilterSet per model, shared by the API and the HTML lists."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from brigade.core.clientip import client_ip
from brigade.core.filters import FilterSet, date_range, model_filterset
from brigade.core.privacy import may_reveal, phone_forms
from brigade.duty.models import Officer, Unit
from petitions.choices import DeadlineState
from petitions.models import Consultation, Proposal, Ticket, TicketCategory


def _units(request):
    return Unit.objects.visible_to(getattr(request, "user", None))


def _officers(request):
    return Officer.objects.visible_to(getattr(request, "user", None)).active()


class TicketFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("Number, phone or text"))
    category = filters.ModelChoiceFilter(queryset=TicketCategory.objects.all(), label=_("Category"))
    unit = filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    handler = filters.ModelChoiceFilter(queryset=_officers, label=_("Handler"))
    open = filters.BooleanFilter(method="only_open", label=_("Open only"))
    urgency = filters.ChoiceFilter(
        choices=DeadlineState.choices, method="by_urgency", label=_("Urgency")
    )
    date_from, date_to = date_range(
        "received_at", of_time=True, labels=(_("Received from"), _("Received until"))
    )
    # what the 12345 platform said (petitions/services/platform.py)
    callback_mismatch = filters.BooleanFilter(label=_("Callbacks disagree"))
    supervised = filters.BooleanFilter(
        field_name="supervised_at", lookup_expr="isnull", exclude=True, label=_("Supervised")
    )

    class Meta:
        model = Ticket
        fields = ["status", "channel", "category", "unit", "handler", "round"]

    def search(self, queryset, name, value):
        """A whole phone number finds tickets only for those who may see it, and each
        ticket it finds is logged for them (``brigade.core.privacy``)."""
        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        by_phone = may_reveal(user) and bool(phone_forms(value))
        if by_phone:
            from petitions.services import log_phone_search

            ip = client_ip(request) if request is not None else None
            log_phone_search(tickets=queryset, text=value, user=user, ip=ip)
        return queryset.search(value, by_phone=by_phone)

    def only_open(self, queryset, name, value):
        return queryset.open() if value else queryset

    def by_urgency(self, queryset, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        if value == DeadlineState.OVERDUE:
            return queryset.overdue(today)
        if value == DeadlineState.DUE_TODAY:
            return queryset.due_today(today)
        if value == DeadlineState.DUE_SOON:
            return queryset.due_soon(today)
        return queryset.due_later(today)


TicketCategoryFilterSet = model_filterset(TicketCategory, fields=["is_active"])


class ConsultationFilterSet(FilterSet):
    unit = filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    date_from, date_to = date_range("at", of_time=True)
    q = filters.CharFilter(
        field_name="topic", lookup_expr="icontains", label=pgettext_lazy("consultation", "Topic")
    )

    class Meta:
        model = Consultation
        fields = ["channel", "unit", "answered_by"]


class ProposalFilterSet(FilterSet):
    unit = filters.ModelChoiceFilter(queryset=_units, label=_("Unit"))
    answered = filters.BooleanFilter(
        field_name="replied_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )
    date_from, date_to = date_range("received_on", labels=(_("Received from"), _("Received until")))

    class Meta:
        model = Proposal
        fields = ["kind", "grade", "reply_mode", "unit"]
