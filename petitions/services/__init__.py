"""Every write of the petitions app: tickets and their transitions, callbacks, extension
requests, the audited reveal of a citizen's phone, consultations and proposals, and the
import of the 12345 platform's export. Each topic has its module; this package names them
all, so callers write ``services.ticket_sign(...)``."""

from petitions.services.common import deadlines_for, state_label
from petitions.services.consultations import (
    consultation_log,
    consultation_update,
    proposal_answer,
    proposal_save,
)
from petitions.services.imports import (
    IMPORT_BATCH,
    IMPORT_COLUMNS,
    IMPORT_MAX_ROWS,
    IMPORT_REQUIRED,
    PLATFORM_FIELDS,
    _channel_lookup,
    _parse_when,
    tickets_import,
)
from petitions.services.platform import (
    platform_callbacks_import,
    platform_export,
    supervisions_import,
)
from petitions.services.tickets import (
    extension_decide,
    extension_request,
    log_phone_search,
    reveal_phone,
    ticket_assign,
    ticket_callback,
    ticket_close,
    ticket_create,
    ticket_from_client,
    ticket_reopen,
    ticket_reply,
    ticket_return,
    ticket_sign,
    ticket_undo_close,
    ticket_update,
)

__all__ = [
    "IMPORT_BATCH",
    "IMPORT_COLUMNS",
    "IMPORT_MAX_ROWS",
    "IMPORT_REQUIRED",
    "PLATFORM_FIELDS",
    "_channel_lookup",
    "_parse_when",
    "consultation_log",
    "consultation_update",
    "deadlines_for",
    "extension_decide",
    "extension_request",
    "log_phone_search",
    "platform_callbacks_import",
    "platform_export",
    "proposal_answer",
    "proposal_save",
    "reveal_phone",
    "state_label",
    "supervisions_import",
    "ticket_assign",
    "ticket_callback",
    "ticket_close",
    "ticket_create",
    "ticket_from_client",
    "ticket_reopen",
    "ticket_reply",
    "ticket_return",
    "ticket_sign",
    "ticket_undo_close",
    "ticket_update",
    "tickets_import",
]
