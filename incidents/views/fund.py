"""Relief-fund pages: the advances' list, requesting an advance for an accident, the
advance's page and its actions (approve, reject, pay, record a recovery)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from brigade.core.errors import StaleVersion, TransitionNotAllowed, VersionRequired
from brigade.core.forms import apply_service_errors, submit
from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin, actions_for
from brigade.core.roles import DESK, EVERYONE, STAFF
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.versions import version_of
from brigade.core.views import ScopedFilterListView
from incidents import services
from incidents.filtersets import FundAdvanceFilterSet
from incidents.forms import AdvanceForm, ApproveForm, PayForm, RecoveryForm, RejectForm
from incidents.models import Accident, FundAdvance, Recovery
from incidents.transitions import ADVANCE_TRANSITIONS
from incidents.views.accidents import AccidentActionView
from incidents.views.columns import ACCIDENT, BENEFICIARY, PAID_AT, PAYEE, PURPOSE, RECOVER_BY
from incidents.views.history import ADVANCE_HISTORY, history_entries

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


# An advance as the advances' export and the ledger describe it: its accident, who it is
# for, who was paid, and for what.
ADVANCE_COLUMNS = (ACCIDENT, BENEFICIARY, PAYEE, PURPOSE)


class AdvanceListView(ExcelExportMixin, ScopedFilterListView):
    filterset_class = FundAdvanceFilterSet
    filter_fields = ("unit", "status", "purpose", "paid_from", "paid_to", "outstanding")
    page_title = gettext_lazy("Relief-fund advances")
    show_today = True
    use_for_list = True
    ordering = ("-created_at", "-pk")
    export_filename = "fund-advances"
    export_columns = (
        *ADVANCE_COLUMNS,
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Amount (CNY)"), "amount"),
        PAID_AT,
        Column(gettext_lazy("Recovered (CNY)"), "amount_recovered"),
        Column(gettext_lazy("Outstanding (CNY)"), "outstanding"),
        RECOVER_BY,
    )


class AdvanceCreateView(AccidentActionView):
    """Request an advance for an accident."""

    http_method_names = ["get", "post"]
    read_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_record()
        return self.show(accident, AdvanceForm())

    def show(self, accident: Accident, form: AdvanceForm) -> HttpResponse:
        return render(
            self.request,
            "incidents/fundadvance_form.html",
            {"accident": accident, "form": form, "page_title": _("Request an advance")},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        accident = self.get_record()
        form = AdvanceForm(request.POST)
        submitted = submit(
            form, lambda data: services.advance_request(accident=accident, by=request.user, **data)
        )
        if submitted.ok and submitted.result is not None:
            messages.success(request, _("Advance requested: a commander must approve it."))
            return redirect("incidents:fundadvance_detail", pk=submitted.result.pk)
        return self.show(accident, form)


class AdvanceDetailView(RoleRequiredMixin, DetailView):
    model = FundAdvance
    template_name = "incidents/fundadvance_detail.html"
    context_object_name = "advance"

    def get_queryset(self) -> QuerySet[FundAdvance]:
        return FundAdvance.objects.visible_to(self.request.user).for_list()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        advance = self.object
        user = self.request.user
        is_requester = advance.requested_by_id == user.pk
        # the buttons: what the advance's transition table allows this user now
        actions = actions_for(ADVANCE_TRANSITIONS, advance, user)
        context.update(
            recoveries=Recovery.objects.filter(advance=advance)
            .select_related("recorded_by")
            .order_by("received_on", "pk"),
            history=history_entries(advance, ADVANCE_HISTORY),
            warning=advance.recovery_warning(),
            # never on one's own request (four eyes on the fund)
            can_decide=(actions["approve"] or actions["reject"]) and not is_requester,
            own_request=is_requester and ADVANCE_TRANSITIONS.allows(advance.status, "approve"),
            # the approve button approves the version shown
            version=version_of(advance),
            can_pay=actions["pay"],
            can_recover=actions["recover"],
            reject_form=kwargs.get("reject_form") or RejectForm(),
            pay_form=kwargs.get("pay_form")
            or PayForm(initial={"recovery_due": advance.recovery_due}),
            recovery_form=kwargs.get("recovery_form") or RecoveryForm(),
        )
        return context


def _context_name(form: forms.Form) -> str:
    """The advance's page names each form after its class: ``PayForm`` is ``pay_form``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(form).__name__).lower()


class AdvanceActionView(RecordActionView):
    """Base of the POST actions on one advance: its ``service`` is called with the advance,
    the user as ``by`` and the form's data, and ``done`` says what it did; a refused
    transition is a message, a service's ValidationError the form shown again."""

    model = FundAdvance
    write_roles: frozenset[str] = STAFF
    # approve and reject check the request: also open to the second approver
    check_action = True
    form_class: type[forms.Form] | None = None
    service: Callable[..., object]
    done: StrOrPromise = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        advance = self.get_record()
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.redisplay(advance, form)
        data = form.cleaned_data if form is not None else {}
        try:
            self.service(advance=advance, by=request.user, **data)
        except (TransitionNotAllowed, StaleVersion, VersionRequired) as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            assert form is not None
            apply_service_errors(form, exc)
            return self.redisplay(advance, form)
        else:
            messages.success(request, str(self.done))
        return redirect("incidents:fundadvance_detail", pk=advance.pk)

    def redisplay(self, advance: FundAdvance, form: forms.Form) -> HttpResponse:
        view = AdvanceDetailView()
        view.setup(self.request, pk=advance.pk)
        view.object = advance
        context = view.get_context_data(object=advance, **{_context_name(form): form})
        return render(self.request, "incidents/fundadvance_detail.html", context, status=400)


class AdvanceApproveView(AdvanceActionView):
    form_class = ApproveForm
    service = staticmethod(services.advance_approve)
    done = gettext_lazy("Advance approved.")


class AdvanceRejectView(AdvanceActionView):
    form_class = RejectForm
    service = staticmethod(services.advance_reject)
    done = gettext_lazy("Advance rejected.")


class AdvancePayView(AdvanceActionView):
    write_roles = DESK
    check_action = False
    form_class = PayForm
    service = staticmethod(services.advance_pay)
    done = gettext_lazy("Advance marked paid.")


class RecoveryAddView(AdvanceActionView):
    write_roles = DESK
    check_action = False
    form_class = RecoveryForm
    service = staticmethod(services.recovery_record)
    done = gettext_lazy("Recovery recorded.")
