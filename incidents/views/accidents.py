"""Accident pages: the list, the full form and the quick-settlement form for phones, the
record's page with its actions (parties, documents, solving), and the hit-and-run cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Avg, F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from brigade.core.clientip import client_ip
from brigade.core.columns import columns
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import submit
from brigade.core.idempotency import not_kept
from brigade.core.kpi import HoursBetween
from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.privacy import may_reveal
from brigade.core.roles import DUTY, EVERYONE, REVEAL
from brigade.core.spreadsheets import ExcelExportMixin
from brigade.core.units import require_unit
from brigade.core.uploads import file_response
from brigade.core.views import ScopedFilterListView
from brigade.duty.models import Unit
from incidents import services
from incidents.filtersets import AccidentFilterSet
from incidents.forms import AccidentForm, DocumentForm, PartyForm, QuickSettlementForm, SolveForm
from incidents.models import Accident, AccidentDocument, AccidentParty, FundAdvance
from incidents.transitions import ACCIDENT_TRANSITIONS
from incidents.views.history import ACCIDENT_HISTORY, history_entries


def to_accident(request: HttpRequest, accident: Accident, message: str) -> HttpResponse:
    """Say what was done and go back to the accident's page."""
    messages.success(request, message)
    return redirect("incidents:accident_detail", pk=accident.pk)


class AccidentListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = AccidentFilterSet
    filter_fields = (
        "unit",
        "date_from",
        "date_to",
        "severity",
        "handling_mode",
        "hit_and_run",
        "q",
    )
    page_title = gettext_lazy("Accidents")
    use_for_list = True
    ordering = ("-occurred_at", "-pk")
    export_filename = "accidents"
    export_columns = columns(
        Accident,
        "occurred_at",
        "unit.name",
        ("road", 20),
        ("place", 24),
        ("latitude", 11),
        ("longitude", 11),
        "severity",
        "handling_mode",
        "hit_and_run",
        "solved_at",
        "mediation",
    )


class AccidentCreateView(RoleRequiredMixin, View):
    """The full accident form (parties and documents are added on the record's page)."""

    read_roles = EVERYONE
    write_roles = EVERYONE
    template_name = "incidents/accident_form.html"
    form_class: type[AccidentForm] | type[QuickSettlementForm] = AccidentForm
    title = gettext_lazy("Record an accident")
    done = gettext_lazy("Accident recorded.")

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.form_class(user=request.user))

    def render(self, form: forms.Form) -> HttpResponse:
        return render(
            request=self.request,
            template_name=self.template_name,
            context={"form": form, "page_title": self.title},
        )

    def unit_of(self, form: forms.Form) -> Unit:
        return require_unit(
            self.request.user,
            form.cleaned_data.get("unit"),
            message=_("Choose the unit of this accident."),
        )

    def bound_form(self, request: HttpRequest) -> forms.Form:
        return self.form_class(request.POST, user=request.user)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.bound_form(request)
        submitted = submit(form, lambda data: self.save(form))
        if submitted.ok and submitted.result is not None:
            return to_accident(request, submitted.result, str(self.done))
        return self.render(form)

    def save(self, form: forms.Form) -> Accident:
        data = dict(form.cleaned_data)
        data.pop("unit", None)
        data["mediation"] = data.get("mediation") or ""
        return services.accident_record(unit=self.unit_of(form), by=self.request.user, **data)


class QuickSettlementView(AccidentCreateView):
    """快处快赔 in under a minute on a phone: time defaults to now, road, two plates."""

    template_name = "incidents/accident_quick_settlement.html"
    form_class = QuickSettlementForm
    title = gettext_lazy("Quick settlement")

    def save(self, form: forms.Form) -> Accident:
        assert isinstance(form, QuickSettlementForm)
        data = form.cleaned_data
        return services.quick_settlement(
            unit=self.unit_of(form),
            by=self.request.user,
            road=data["road"],
            occurred_at=data["occurred_at"],
            parties=form.parties(),
            **form.location(),
        )


class AccidentEditView(AccidentCreateView):
    """Correct an accident's details, or record the mediation outcome when it comes."""

    title = gettext_lazy("Edit the accident")
    done = gettext_lazy("Accident updated.")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.accident = kwargs.pop("pk", None)
        return super().dispatch(request, *args, **kwargs)

    def get_accident(self) -> Accident:
        return get_object_or_404(Accident.objects.visible_to(self.request.user), pk=self.accident)

    def get(self, request: HttpRequest) -> HttpResponse:
        accident = self.get_accident()
        initial = {name: getattr(accident, name) for name in services.ACCIDENT_FIELDS}
        initial["occurred_at"] = timezone.localtime(accident.occurred_at).strftime("%Y-%m-%dT%H:%M")
        form = AccidentForm(user=request.user, initial=initial)
        form.fields.pop("unit", None)  # an accident stays with its unit
        return self.render(form)

    def bound_form(self, request: HttpRequest) -> forms.Form:
        self.record = self.get_accident()
        form = AccidentForm(request.POST, user=request.user)
        form.fields.pop("unit", None)
        return form

    def save(self, form: forms.Form) -> Accident:
        data = dict(form.cleaned_data)
        data["mediation"] = data.get("mediation") or ""
        services.accident_update(accident=self.record, **data)
        return self.record


class AccidentDetailView(RoleRequiredMixin, DetailView):
    model = Accident

    def get_queryset(self) -> QuerySet[Accident]:
        return Accident.objects.visible_to(self.request.user).select_related(
            "unit", "recorded_by", "solved_by", "gazetteer_place"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        accident = self.object
        user = self.request.user
        context.update(
            parties=AccidentParty.objects.filter(accident=accident).order_by("pk"),
            can_reveal=may_reveal(user),
            documents=AccidentDocument.objects.filter(accident=accident).select_related(
                "uploaded_by"
            ),
            advances=FundAdvance.objects.filter(accident=accident).order_by("created_at"),
            history=history_entries(accident, ACCIDENT_HISTORY),
            party_form=kwargs.get("party_form") or PartyForm(),
            document_form=kwargs.get("document_form") or DocumentForm(),
            can_solve=ACCIDENT_TRANSITIONS.can(accident, "solve", lambda r: has_role(user, r)),
            solve_form=kwargs.get("solve_form") or SolveForm(),
            today=timezone.now(),
        )
        return context


class AccidentActionView(RecordActionView):
    """Base of the POST actions on one accident (scoped: another unit's is a 404)."""

    model = Accident
    write_roles: frozenset[str] = EVERYONE

    def redisplay(self, accident: Accident, **forms: forms.Form) -> HttpResponse:
        view = AccidentDetailView()
        view.setup(self.request, pk=accident.pk)
        view.object = accident
        return render(
            self.request,
            "incidents/accident_detail.html",
            view.get_context_data(object=accident, **forms),
            status=400,
        )

    def act(
        self,
        accident: Accident,
        form_name: str,
        form: forms.Form,
        service: Callable[[dict[str, Any]], object],
        done: str,
    ) -> HttpResponse:
        """Form → service → errors on the accident's page (shown again with the errors)."""
        if submit(form, service).ok:
            return to_accident(self.request, accident, done)
        return self.redisplay(accident, **{form_name: form})


class PartyAddView(AccidentActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_record()
        return self.act(
            accident,
            "party_form",
            PartyForm(request.POST),
            lambda data: services.party_add(accident=accident, **data),
            _("Party added."),
        )


class PartyRevealView(RecordActionView):
    """ "Show" on a party's masked phone number (the desk, in scope): the number, whole, in
    place of the mask; each showing is written to the log."""

    model = AccidentParty
    write_roles = REVEAL

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = self.get_record()
        shown = services.party_reveal(
            accident=party.accident, parties=[party], user=request.user, ip=client_ip(request)
        )
        context = {"party": party, "phone": shown[0]["phone"] if shown else ""}
        # the number is not kept with the request's key: a repeat shows (and logs) it again
        return not_kept(render(request, "incidents/partials/party_phone.html", context))


class PartyDetailView(RoleRequiredMixin, View):
    """A party's place: its accident's page (where the log of phone numbers links to)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        party = get_object_or_404(AccidentParty.objects.visible_to(request.user), pk=pk)
        url = reverse("incidents:accident_detail", args=[party.accident_id])
        return redirect(f"{url}#party-{party.pk}")


class DocumentAddView(AccidentActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_record()
        return self.act(
            accident,
            "document_form",
            DocumentForm(request.POST, request.FILES),
            lambda data: services.document_attach(accident=accident, by=request.user, **data),
            _("Document attached."),
        )


class DocumentDownloadView(RoleRequiredMixin, View):
    """A document, to a user who may see its accident (else 404)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        document = get_object_or_404(AccidentDocument.objects.visible_to(request.user), pk=pk)
        return file_response(document.file)


class SolveView(AccidentActionView):
    write_roles = DUTY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_record()
        try:
            return self.act(
                accident,
                "solve_form",
                SolveForm(request.POST),
                lambda data: services.accident_solve(accident=accident, by=request.user, **data),
                _("Case marked solved."),
            )
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("incidents:accident_detail", pk=accident.pk)


class HitAndRunListView(ScopedFilterListView):
    """Hit-and-run cases: the open ones by age (oldest first), then the solved ones with
    their time to solve."""

    filterset_class = AccidentFilterSet
    filter_fields = ("unit", "date_from", "date_to", "open_case")
    page_title = gettext_lazy("Hit-and-run cases")
    template_name = "incidents/accident_hit_and_run_list.html"
    use_for_list = True

    def get_queryset(self) -> QuerySet[Accident]:
        # open first (solved_at null), oldest first within each group
        return (
            super()
            .get_queryset()
            .hit_and_run()
            .order_by(F("solved_at").asc(nulls_first=True), "occurred_at", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        qs = self.filterset.qs
        context["now"] = timezone.now()
        context["open_count"] = qs.unsolved().count()
        # time to solve, over every solved case the filter selects (not only this page)
        hours = qs.solved().aggregate(mean=Avg(HoursBetween("solved_at", "occurred_at")))["mean"]
        context["mean_days_to_solve"] = None if hours is None else round(hours / 24, 1)
        return context
