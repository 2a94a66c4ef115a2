"""What the outreach pages share: the officers' order, the events' totals, the scoped list
with its ``campaign`` filter, and one page to log or correct a record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.db import models
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView
from django_filters.filterset import FilterSet

from brigade.core import history
from brigade.core.forms import submit
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DUTY
from brigade.core.urls import page_name
from brigade.core.views import ScopedFilterListView
from brigade.duty.models import Officer
from outreach.models import OutreachCampaign, PublicityEvent

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Label

RECENT = 20  # rows of each kind on an officer's or a unit's page

OFFICERS = Prefetch("officers", queryset=Officer.objects.order_by("badge_no"))


def names(officers: Iterable[Officer]) -> str:
    return "、".join(o.name for o in officers)


def event_totals(events: QuerySet[PublicityEvent]) -> dict[str, int]:
    """How many events, people educated and consultations answered."""
    return events.order_by().aggregate(
        events=Count("pk"),
        people=Sum("audience", default=0),
        consultations=Sum("consultations", default=0),
    )


def history_entries(obj: models.Model, m2m: str | None = None) -> list[dict[str, Any]]:
    """Who changed what and when, newest first: one entry per saved version."""
    return history.history_entries(obj, m2m=m2m)


class OutreachListView(ScopedFilterListView):
    """A scoped, filtered list whose ``campaign`` filter means an outreach campaign."""

    def get_filterset(self, filterset_class: type[FilterSet]) -> FilterSet:
        filterset = super().get_filterset(filterset_class)
        if "campaign" in filterset.filters:
            campaigns = OutreachCampaign.objects.visible_to(self.request.user)
            filterset.form.fields["campaign"].queryset = campaigns
            filterset.filters["campaign"].queryset = campaigns
        return filterset


class RecordFormView(RoleRequiredMixin, TemplateView):
    """Log (no ``pk``) or correct a record: its form, its service, a message, a redirect (to
    the record's page)."""

    read_roles = DUTY
    write_roles = DUTY
    form_class: Callable[..., forms.BaseForm]
    record_kwarg = ""  # the form's keyword for the record being corrected
    context_name = ""  # the record's name in the page (``record_kwarg`` if empty)
    saved: Label = ""
    created: Label = ""  # the message when a record is logged (``saved`` if empty)
    upload = False  # a new record's form takes files
    service: Callable[..., models.Model]

    def editable(self) -> QuerySet[Any]:
        """The records this user may correct (out of it: 404, as out of scope)."""
        raise NotImplementedError

    def save(self, record: Any, data: dict[str, Any]) -> models.Model:
        """The record saved by ``service``, called with the user as ``by``, the record being
        corrected (``record_kwarg``) and the form's data."""
        return self.service(by=self.request.user, **{self.record_kwarg: record}, **data)

    def get_record(self) -> Any:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.editable(), pk=self.kwargs["pk"])

    def get_form(self, record: models.Model | None, *args: Any) -> forms.BaseForm:
        extra = {self.record_kwarg: record} if record is not None else {}
        return self.form_class(*args, user=self.request.user, **extra)

    def done(self, record: models.Model) -> HttpResponse:
        return redirect(page_name(record, "detail"), pk=record.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        name = self.context_name or self.record_kwarg
        if name not in context:
            context[name] = self.get_record()
        context.setdefault("form", self.get_form(context[name]))
        return context

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        record = self.get_record()
        files = (request.FILES,) if self.upload and record is None else ()
        form = self.get_form(record, request.POST, *files)
        result = submit(form, lambda data: self.save(record, data))
        if result.ok and result.result is not None:
            messages.success(
                request, self.created if record is None and self.created else self.saved
            )
            return self.done(result.result)
        name = self.context_name or self.record_kwarg
        return self.render_to_response(self.get_context_data(form=form, **{name: record}))
