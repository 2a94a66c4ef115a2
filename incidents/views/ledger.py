"""The relief fund's ledger for any period, with totals and an Excel export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from brigade.core.permissions import RoleRequiredMixin
from brigade.core.spreadsheets import Column, Sheet, xlsx_response
from brigade.core.ytd import period_query
from incidents.choices import RecoveryWarning
from incidents.forms import LedgerForm
from incidents.ledger import Ledger, build_ledger
from incidents.views.columns import PAID_AT, RECOVER_BY
from incidents.views.fund import ADVANCE_COLUMNS

LEDGER_COLUMNS = (
    PAID_AT,
    Column(gettext_lazy("Unit"), "accident.unit.shown_name"),
    *ADVANCE_COLUMNS,
    Column(gettext_lazy("Paid (CNY)"), "amount"),
    Column(gettext_lazy("Recovered (CNY)"), "recovered_by_end"),
    Column(gettext_lazy("Outstanding (CNY)"), "outstanding_at_end"),
    RECOVER_BY,
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
            return self.export(ledger, first, last)
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

    def export(self, ledger: Ledger, first: dt.date, last: dt.date) -> HttpResponseBase:
        """The ledger as a workbook: the advances paid and the recoveries, each with its total."""
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


class _Totals:
    """The totals row at the foot of the exported ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.paid_at: dt.datetime | None = None
        self.accident = None
        self.beneficiary = _("Total")
        self.payee = ""
        self.amount: Decimal = ledger.total_paid
        self.recovered_by_end: Decimal = ledger.total_recovered
        self.outstanding_at_end: Decimal = ledger.total_outstanding
        self.recovery_due: dt.date | None = None

    def get_purpose_display(self) -> str:
        return ""


class _RecoveryTotal:
    def __init__(self, ledger: Ledger) -> None:
        self.received_on: dt.date | None = None
        self.advance = _("Total")
        self.payer = ""
        self.amount: Decimal = ledger.total_received
