"""Pages of the incidents app: accidents (with the quick-settlement form for phones),
hit-and-run cases, fund advances, and the ledger. Thin views: reads through the querysets,
writes through ``incidents.services`` (ValidationError → form errors,
TransitionNotAllowed → a message, PermissionDenied → 403)."""

from incidents.views.accidents import (
    AccidentActionView,
    AccidentCreateView,
    AccidentDetailView,
    AccidentEditView,
    AccidentListView,
    DocumentAddView,
    DocumentDownloadView,
    HitAndRunListView,
    PartyAddView,
    QuickSettlementView,
    SolveView,
)
from incidents.views.fund import (
    AdvanceActionView,
    AdvanceApproveView,
    AdvanceCreateView,
    AdvanceDetailView,
    AdvanceListView,
    AdvancePayView,
    AdvanceRejectView,
    RecoveryAddView,
)
from incidents.views.history import ACCIDENT_HISTORY, ADVANCE_HISTORY, history_entries
from incidents.views.ledger import LEDGER_COLUMNS, RECOVERY_COLUMNS, LedgerView

__all__ = [
    "ACCIDENT_HISTORY",
    "ADVANCE_HISTORY",
    "LEDGER_COLUMNS",
    "RECOVERY_COLUMNS",
    "AccidentActionView",
    "AccidentCreateView",
    "AccidentDetailView",
    "AccidentEditView",
    "AccidentListView",
    "AdvanceActionView",
    "AdvanceApproveView",
    "AdvanceCreateView",
    "AdvanceDetailView",
    "AdvanceListView",
    "AdvancePayView",
    "AdvanceRejectView",
    "DocumentAddView",
    "DocumentDownloadView",
    "HitAndRunListView",
    "LedgerView",
    "PartyAddView",
    "QuickSettlementView",
    "RecoveryAddView",
    "SolveView",
    "history_entries",
]
