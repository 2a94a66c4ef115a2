"""Pages of the incidents app: accidents (with the quick-settlement form for phones),
hit-and-run cases, fund advances, and the ledger. Thin views: reads through the querysets,
writes through ``incidents.services`` (ValidationError → form errors,
TransitionNotAllowed → a message, PermissionDenied → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Model
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import DetailView

from brigade.core import history
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import apply_service_errors
from brigade.core.kpi import HoursBetween
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import DESK, DUTY, EVERYONE, STAFF
from brigade.core.spreadsheets import Column, ExcelExportMixin, Sheet, xlsx_response
from brigade.core.units import require_unit
from brigade.core.uploads import file_response
from brigade.core.views import ScopedFilterListView
from brigade.core.ytd import period_query
from incidents import services
from incidents.choices import RecoveryWarning
from incidents.filtersets import AccidentFilterSet, FundAdvanceFilterSet
from incidents.forms import (
    AccidentForm,
    AdvanceForm,
    DocumentForm,
    LedgerForm,
    PartyForm,
    PayForm,
    QuickSettlementForm,
    RecoveryForm,
    RejectForm,
    SolveForm,
)
from incidents.ledger import build_ledger
from incidents.models import Accident, AccidentDocument, AccidentParty, FundAdvance, Recovery
from incidents.transitions import ACCIDENT_TRANSITIONS, ADVANCE_TRANSITIONS

# --- history: who changed what, when --------------------------------------------------------


def history_entries(record: Model, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The record's history, newest first, the first entry with the values it was created with."""
    return history.history_entries(record, fields, show_initial=True)


ACCIDENT_HISTORY = (
    "occurred_at",
    "road",
    "place",
    "severity",
    "handling_mode",
    "hit_and_run",
    "solved_at",
    "solved_how",
    "mediation",
    "notes",
)
ADVANCE_HISTORY = (
    "beneficiary",
    "payee",
    "purpose",
    "amount",
    "status",
    "rejected_reason",
    "paid_at",
    "recovery_due",
    "amount_recovered",
    "notes",
)


# --- accidents ------------------------------------------------------------------------------


class AccidentListView(ExcelExportMixin, ScopedFilterListView):
    model = Accident
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
    export_filename = "accidents"
    export_columns = (
        Column(gettext_lazy("Occurred at"), "occurred_at", width=18),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Road"), "road", width=20),
        Column(gettext_lazy("Place"), "place", width=24),
        Column(pgettext_lazy("accident", "Severity"), "get_severity_display"),
        Column(gettext_lazy("Handling"), "get_handling_mode_display"),
        Column(gettext_lazy("Hit-and-run"), "hit_and_run"),
        Column(gettext_lazy("Solved at"), "solved_at", width=18),
        Column(gettext_lazy("Mediation"), "get_mediation_display"),
    )

    def get_queryset(self) -> Any:
        return (
            Accident.objects.visible_to(self.request.user)
            .for_list()
            .order_by("-occurred_at", "-pk")
        )


class AccidentCreateView(RoleRequiredMixin, View):
    """The full accident form (parties and documents are added on the record's page)."""

    read_roles = EVERYONE
    write_roles = EVERYONE
    template_name = "incidents/accident_form.html"
    form_class: Any = AccidentForm
    title = gettext_lazy("Record an accident")

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.form_class(user=request.user))

    def render(self, form: Any) -> HttpResponse:
        return render(
            request=self.request,
            template_name=self.template_name,
            context={"form": form, "page_title": self.title},
        )

    def unit_of(self, form: Any) -> Any:
        return require_unit(
            self.request.user,
            form.cleaned_data.get("unit"),
            message=_("Choose the unit of this accident."),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid():
            try:
                accident = self.save(form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Accident recorded."))
                return redirect("incidents:accident_detail", pk=accident.pk)
        return self.render(form)

    def save(self, form: Any) -> Accident:
        data = dict(form.cleaned_data)
        data.pop("unit", None)
        data["mediation"] = data.get("mediation") or ""
        return services.accident_record(unit=self.unit_of(form), by=self.request.user, **data)


class QuickSettlementView(AccidentCreateView):
    """快处快赔 in under a minute on a phone: time defaults to now, road, two plates."""

    template_name = "incidents/accident_quick_settlement.html"
    form_class = QuickSettlementForm
    title = gettext_lazy("Quick settlement")

    def save(self, form: Any) -> Accident:
        data = form.cleaned_data
        return services.quick_settlement(
            unit=self.unit_of(form),
            by=self.request.user,
            road=data["road"],
            occurred_at=data["occurred_at"],
            parties=form.parties(),
        )


class AccidentEditView(AccidentCreateView):
    """Correct an accident's details, or record the mediation outcome when it comes."""

    title = gettext_lazy("Edit the accident")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
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

    def post(self, request: HttpRequest) -> HttpResponse:
        accident = self.get_accident()
        form = AccidentForm(request.POST, user=request.user)
        form.fields.pop("unit", None)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["mediation"] = data.get("mediation") or ""
            try:
                services.accident_update(accident=accident, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Accident updated."))
                return redirect("incidents:accident_detail", pk=accident.pk)
        return self.render(form)


class AccidentDetailView(RoleRequiredMixin, DetailView):
    model = Accident

    def get_queryset(self) -> Any:
        return Accident.objects.visible_to(self.request.user).select_related(
            "unit", "recorded_by", "solved_by"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        accident = self.object
        user = self.request.user
        context.update(
            parties=AccidentParty.objects.filter(accident=accident).order_by("pk"),
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


class AccidentActionView(RoleRequiredMixin, View):
    """Base of the POST actions on one accident (scoped: another unit's is a 404)."""

    http_method_names = ["post"]
    write_roles: Any = EVERYONE

    def get_accident(self, pk: int) -> Accident:
        return get_object_or_404(Accident.objects.visible_to(self.request.user), pk=pk)

    def redisplay(self, accident: Accident, **forms: Any) -> HttpResponse:
        view = AccidentDetailView()
        view.setup(self.request, pk=accident.pk)
        view.object = accident
        return render(
            self.request,
            "incidents/accident_detail.html",
            view.get_context_data(object=accident, **forms),
            status=400,
        )


class PartyAddView(AccidentActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_accident(pk)
        form = PartyForm(request.POST)
        if form.is_valid():
            try:
                services.party_add(accident=accident, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Party added."))
                return redirect("incidents:accident_detail", pk=accident.pk)
        return self.redisplay(accident, party_form=form)


class DocumentAddView(AccidentActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_accident(pk)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.document_attach(accident=accident, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Document attached."))
                return redirect("incidents:accident_detail", pk=accident.pk)
        return self.redisplay(accident, document_form=form)


class DocumentDownloadView(RoleRequiredMixin, View):
    """A document, to a user who may see its accident (else 404)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        document = get_object_or_404(AccidentDocument.objects.visible_to(request.user), pk=pk)
        return file_response(document.file)


class SolveView(AccidentActionView):
    write_roles = DUTY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_accident(pk)
        form = SolveForm(request.POST)
        if form.is_valid():
            try:
                services.accident_solve(accident=accident, by=request.user, **form.cleaned_data)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("incidents:accident_detail", pk=accident.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Case marked solved."))
                return redirect("incidents:accident_detail", pk=accident.pk)
        return self.redisplay(accident, solve_form=form)


class HitAndRunListView(ScopedFilterListView):
    """Hit-and-run cases: the open ones by age (oldest first), then the solved ones with
    their time to solve."""

    model = Accident
    filterset_class = AccidentFilterSet
    filter_fields = ("unit", "date_from", "date_to", "open_case")
    page_title = gettext_lazy("Hit-and-run cases")
    template_name = "incidents/accident_hit_and_run_list.html"

    def get_queryset(self) -> Any:
        # open first (solved_at null), oldest first within each group
        from django.db.models import F

        return (
            Accident.objects.visible_to(self.request.user)
            .hit_and_run()
            .for_list()
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


# --- the relief fund --------------------------------------------------------------------------


class AdvanceListView(ExcelExportMixin, ScopedFilterListView):
    model = FundAdvance
    filterset_class = FundAdvanceFilterSet
    filter_fields = ("unit", "status", "purpose", "paid_from", "paid_to", "outstanding")
    page_title = gettext_lazy("Relief-fund advances")
    template_name = "incidents/fundadvance_list.html"
    export_filename = "fund-advances"
    export_columns = (
        Column(gettext_lazy("Accident"), "accident", width=28),
        Column(gettext_lazy("Beneficiary"), "beneficiary"),
        Column(gettext_lazy("Payee"), "payee", width=20),
        Column(gettext_lazy("Purpose"), "get_purpose_display"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Amount (CNY)"), "amount"),
        Column(gettext_lazy("Paid at"), "paid_at", width=18),
        Column(gettext_lazy("Recovered (CNY)"), "amount_recovered"),
        Column(gettext_lazy("Outstanding (CNY)"), "outstanding"),
        Column(gettext_lazy("Recover by"), "recovery_due"),
    )

    def get_queryset(self) -> Any:
        return (
            FundAdvance.objects.visible_to(self.request.user)
            .for_list()
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


class AdvanceCreateView(AccidentActionView):
    """Request an advance for an accident."""

    http_method_names = ["get", "post"]
    read_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_accident(pk)
        return self.show(accident, AdvanceForm())

    def show(self, accident: Accident, form: AdvanceForm) -> HttpResponse:
        return render(
            self.request,
            "incidents/fundadvance_form.html",
            {"accident": accident, "form": form, "page_title": _("Request an advance")},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_accident(pk)
        form = AdvanceForm(request.POST)
        if form.is_valid():
            try:
                advance = services.advance_request(
                    accident=accident, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Advance requested: a commander must approve it."))
                return redirect("incidents:fundadvance_detail", pk=advance.pk)
        return self.show(accident, form)


class AdvanceDetailView(RoleRequiredMixin, DetailView):
    model = FundAdvance
    template_name = "incidents/fundadvance_detail.html"
    context_object_name = "advance"

    def get_queryset(self) -> Any:
        return FundAdvance.objects.visible_to(self.request.user).for_list()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        advance = self.object
        user = self.request.user
        is_requester = advance.requested_by_id == user.pk
        # the buttons: what the advance's transition table allows this user now
        actions = ADVANCE_TRANSITIONS.offered(advance, lambda roles: has_role(user, roles))
        context.update(
            recoveries=Recovery.objects.filter(advance=advance)
            .select_related("recorded_by")
            .order_by("received_on", "pk"),
            history=history_entries(advance, ADVANCE_HISTORY),
            warning=advance.recovery_warning(),
            # never on one's own request (four eyes on the fund)
            can_decide=(actions["approve"] or actions["reject"]) and not is_requester,
            own_request=is_requester and ADVANCE_TRANSITIONS.allows(advance.status, "approve"),
            can_pay=actions["pay"],
            can_recover=actions["recover"],
            reject_form=kwargs.get("reject_form") or RejectForm(),
            pay_form=kwargs.get("pay_form")
            or PayForm(initial={"recovery_due": advance.recovery_due}),
            recovery_form=kwargs.get("recovery_form") or RecoveryForm(),
        )
        return context


class AdvanceActionView(RoleRequiredMixin, View):
    http_method_names = ["post"]
    write_roles: Any = STAFF
    form_class: Any = None
    form_name = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        advance = get_object_or_404(FundAdvance.objects.visible_to(request.user), pk=pk)
        form = self.form_class(request.POST) if self.form_class else None
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            try:
                message = self.act(advance, data)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            except PermissionDenied:
                raise
            except ValidationError as exc:
                assert form is not None
                apply_service_errors(form, exc)
                return self.redisplay(advance, form)
            else:
                messages.success(request, message)
            return redirect("incidents:fundadvance_detail", pk=advance.pk)
        return self.redisplay(advance, form)

    def redisplay(self, advance: FundAdvance, form: Any) -> HttpResponse:
        view = AdvanceDetailView()
        view.setup(self.request, pk=advance.pk)
        view.object = advance
        context = view.get_context_data(object=advance, **{self.form_name: form})
        return render(self.request, "incidents/fundadvance_detail.html", context, status=400)

    def act(self, advance: FundAdvance, data: dict[str, Any]) -> str:
        raise NotImplementedError


class AdvanceApproveView(AdvanceActionView):
    def act(self, advance: FundAdvance, data: dict[str, Any]) -> str:
        services.advance_approve(advance=advance, by=self.request.user)
        return _("Advance approved.")


class AdvanceRejectView(AdvanceActionView):
    form_class = RejectForm
    form_name = "reject_form"

    def act(self, advance: FundAdvance, data: dict[str, Any]) -> str:
        services.advance_reject(advance=advance, by=self.request.user, reason=data["reason"])
        return _("Advance rejected.")


class AdvancePayView(AdvanceActionView):
    write_roles = DESK
    form_class = PayForm
    form_name = "pay_form"

    def act(self, advance: FundAdvance, data: dict[str, Any]) -> str:
        services.advance_pay(
            advance=advance, by=self.request.user, recovery_due=data.get("recovery_due")
        )
        return _("Advance marked paid.")


class RecoveryAddView(AdvanceActionView):
    write_roles = DESK
    form_class = RecoveryForm
    form_name = "recovery_form"

    def act(self, advance: FundAdvance, data: dict[str, Any]) -> str:
        services.recovery_record(advance=advance, by=self.request.user, **data)
        return _("Recovery recorded.")


# --- the ledger -------------------------------------------------------------------------------

LEDGER_COLUMNS = (
    Column(gettext_lazy("Paid at"), "paid_at", width=18),
    Column(gettext_lazy("Unit"), "accident.unit.name"),
    Column(gettext_lazy("Accident"), "accident", width=28),
    Column(gettext_lazy("Beneficiary"), "beneficiary"),
    Column(gettext_lazy("Payee"), "payee", width=20),
    Column(gettext_lazy("Purpose"), "get_purpose_display"),
    Column(gettext_lazy("Paid (CNY)"), "amount"),
    Column(gettext_lazy("Recovered (CNY)"), "recovered_by_end"),
    Column(gettext_lazy("Outstanding (CNY)"), "outstanding_at_end"),
    Column(gettext_lazy("Recover by"), "recovery_due"),
)
RECOVERY_COLUMNS = (
    Column(pgettext_lazy("recovery", "Received on"), "received_on"),
    Column(gettext_lazy("Advance"), "advance", width=30),
    Column(gettext_lazy("Payer"), "payer", width=20),
    Column(gettext_lazy("Amount (CNY)"), "amount"),
)


class LedgerView(RoleRequiredMixin, View):
    """The fund's ledger for any period, with totals and an Excel export."""

    template_name = "incidents/ledger.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        today = timezone.localdate()
        first, last = LedgerForm.default_period(today)
        form = LedgerForm(request.GET or None, initial={"date_from": first, "date_to": last})
        if request.GET and form.is_valid():
            first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        elif request.GET:
            return render(request, self.template_name, {"form": form, "ledger": None}, status=400)
        ledger = build_ledger(request.user, first, last)
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                f"fund-ledger-{first:%Y%m%d}-{last:%Y%m%d}",
                [
                    Sheet(_("Advances paid"), LEDGER_COLUMNS, [*ledger.advances, _Totals(ledger)]),
                    Sheet(
                        _("Recoveries"),
                        RECOVERY_COLUMNS,
                        [*ledger.recoveries, _RecoveryTotal(ledger)],
                    ),
                ],
            )
        query = request.GET.copy()
        query.update(period_query(first, last))
        query["export"] = "xlsx"
        context = {
            "form": form,
            "ledger": ledger,
            "today": today,
            "export_url": "?" + query.urlencode(),
            "page_title": _("Relief-fund ledger"),
            "warning_kinds": RecoveryWarning,
        }
        return render(request, self.template_name, context)


class _Totals:
    """The totals row at the foot of the exported ledger."""

    def __init__(self, ledger: Any) -> None:
        self.paid_at = None
        self.accident = None
        self.beneficiary = _("Total")
        self.payee = ""
        self.amount = ledger.total_paid
        self.recovered_by_end = ledger.total_recovered
        self.outstanding_at_end = ledger.total_outstanding
        self.recovery_due = None

    def get_purpose_display(self) -> str:
        return ""


class _RecoveryTotal:
    def __init__(self, ledger: Any) -> None:
        self.received_on = None
        self.advance = _("Total")
        self.payer = ""
        self.amount = ledger.total_received
