"""Who may do what in the petitions app (declared once, used by the API and the pages)."""

from __future__ import annotations

from brigade.choices import Role

# The clerks' desk: receive, sign, assign, reply, close, call back, import, answer proposals.
DESK_ROLES = frozenset({Role.CLERK, Role.COMMANDER, Role.ADMIN})
# Approving an extension and reopening a closed ticket are a commander's calls.
COMMAND_ROLES = frozenset({Role.COMMANDER, Role.ADMIN})
ADMIN_ONLY = frozenset({Role.ADMIN})
ALL_ROLES = frozenset(Role.values)
