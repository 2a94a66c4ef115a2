"""Who does what with accidents and the relief fund (role sets of the incidents app's
views; one place, so the API and the pages agree)."""

from brigade.choices import Role

ADMIN_ONLY = frozenset({Role.ADMIN})
# Hit-and-run cases are worked by officers and their commanders.
CASE_ROLES = frozenset({Role.OFFICER, Role.COMMANDER, Role.ADMIN})
# Commanders approve or reject advances (never their own request).
APPROVERS = frozenset({Role.COMMANDER, Role.ADMIN})
# The desk pays approved advances and records recoveries; commanders may too.
FUND_DESK = frozenset({Role.CLERK, Role.COMMANDER, Role.ADMIN})
# Money records are never deleted nor a recovery edited: a wrong request is rejected.
NOBODY: frozenset[str] = frozenset()
