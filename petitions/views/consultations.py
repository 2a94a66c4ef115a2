"""Consultations and proposals: their lists, forms and pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from brigade.core import history
from brigade.core.columns import columns
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import apply_service_errors
from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DESK, EVERYONE
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import ScopedFilterListView
from petitions import services
from petitions.filtersets import ConsultationFilterSet, ProposalFilterSet
from petitions.forms import (
    ConsultationForm,
    ProposalAnswerForm,
    ProposalForm,
)
from petitions.models import Consultation, Proposal


class ConsultationListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = ConsultationFilterSet
    template_name = "petitions/consultation_list.html"
    page_title = pgettext_lazy("records", "Consultations")
    filter_fields = ("q", "channel", "unit", "date_from", "date_to")
    select_related = ("unit", "answered_by")
    ordering = ("-at", "-pk")
    export_filename = "consultations"
    export_columns = columns(
        Consultation,
        "at",
        "channel",
        Column(gettext_lazy("Question"), "topic", width=30),
        Column(gettext_lazy("Answer given"), "answer", width=40),
        "answered_by.name",
        "unit.name",
    )


class ConsultationCreateView(RoleRequiredMixin, View):
    """The quick log of a question answered by phone or in person."""

    read_roles = EVERYONE
    write_roles = EVERYONE

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of(request.user)
        initial = {"channel": "phone", "unit": scope.unit_id, "answered_by": scope.officer_id}
        form = ConsultationForm(user=request.user, initial=initial)
        return render(request, "petitions/consultation_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConsultationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.consultation_log(**form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Question logged."))
                return redirect("petitions:consultation_list")
        return render(request, "petitions/consultation_form.html", {"form": form}, status=400)


class ProposalListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = ProposalFilterSet
    template_name = "petitions/proposal_list.html"
    read_roles = DESK
    page_title = gettext_lazy("Proposals")
    filter_fields = ("kind", "grade", "reply_mode", "answered", "unit", "date_from", "date_to")
    select_related = ("unit", "handler")
    ordering = ("-received_on", "-pk")
    export_filename = "proposals"
    export_columns = columns(
        Proposal,
        ("kind", 24),
        "proposer",
        "grade",
        ("title", 40),
        "received_on",
        "reply_mode",
        Column(gettext_lazy("Replied at"), "replied_at", width=18),
        "unit.name",
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["answer_form"] = ProposalAnswerForm()
        return context


class ProposalCreateView(RoleRequiredMixin, View):
    read_roles = DESK
    write_roles = DESK

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ProposalForm(
            user=request.user,
            initial={"unit": scope_of(request.user).unit_id, "received_on": timezone.localdate()},
        )
        return render(request, "petitions/proposal_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.proposal_save(**form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Proposal recorded."))
                return redirect("petitions:proposal_list")
        return render(request, "petitions/proposal_form.html", {"form": form}, status=400)


def record_history(record: Model, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Who changed what and when on a plain record (one query), newest first."""
    return history.history_entries(record, fields, created=_("Recorded"), show_initial=True)


class ProposalDetailView(RoleRequiredMixin, View):
    """A proposal, its answer, and its history."""

    read_roles = DESK

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = get_object_or_404(
            Proposal.objects.visible_to(request.user).select_related("unit", "handler"), pk=pk
        )
        history = record_history(
            proposal,
            (
                "title",
                "proposer",
                "grade",
                "received_on",
                "due_on",
                "reply_mode",
                "reply",
                "replied_at",
            ),
        )
        context = {"proposal": proposal, "history": history, "answer_form": ProposalAnswerForm()}
        return render(request, "petitions/proposal_detail.html", context)


class ProposalAnswerView(RecordActionView):
    model = Proposal
    read_roles = DESK
    write_roles = DESK

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.get_record()
        form = ProposalAnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose how the proposal was answered."))
        else:
            try:
                services.proposal_answer(proposal=proposal, **form.cleaned_data)
                messages.success(request, _("Answer recorded."))
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("petitions:proposal_list")
