"""The spreadsheet columns an advance shows, in the advances' export and in the ledger's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from brigade.core.spreadsheets import Column

PAID_AT = Column(gettext_lazy("Paid at"), "paid_at", width=18)
ACCIDENT = Column(gettext_lazy("Accident"), "accident", width=28)
BENEFICIARY = Column(gettext_lazy("Beneficiary"), "beneficiary")
PAYEE = Column(gettext_lazy("Payee"), "payee", width=20)
PURPOSE = Column(gettext_lazy("Purpose"), "get_purpose_display")
RECOVER_BY = Column(gettext_lazy("Recover by"), "recovery_due")
