"""The vocabulary of the permission matrix (tests/test_permission_matrix.py): personas,
role sets, and the rules that say who may call a route.

Each app declares its routes in ``tests/<app>/matrix.py``: ``MATRIX`` (route name → rule)
and ``objects(unit, officer, users)`` returning the records its routes name (``obj``), one
set made for the personas' own unit and one for another unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from brigade.core.roles import Role

ANON = "anonymous"
OFFICER, CLERK, COMMANDER, ADMIN = Role.OFFICER, Role.CLERK, Role.COMMANDER, Role.ADMIN
PERSONAS = [ANON, OFFICER, CLERK, COMMANDER, ADMIN]
SIGNED_IN = frozenset({OFFICER, CLERK, COMMANDER, ADMIN})
STAFF = frozenset({COMMANDER, ADMIN})
DUTY = frozenset({OFFICER, COMMANDER, ADMIN})
ON_ROAD = frozenset({OFFICER, COMMANDER})
NOBODY: frozenset[str] = frozenset()
ADMIN_ONLY = frozenset({ADMIN})

# Routes outside this matrix, each with the reason.
NOT_IN_MATRIX = {
    "admin": "Django admin: staff-only by Django's own permission system (test_admin_*)",
    "static": "static files",
}


@dataclass(frozen=True)
class Rule:
    """Who may call a route with which method; ``obj`` names the object in its URL."""

    api: bool
    allow: dict[str, frozenset[str]]
    obj: str | None = None
    # Brigade-wide objects (campaigns, school breaks) are visible from every unit.
    shared: bool = False
    # Shared for reading only: another unit's object answers 404 to a write (outreach
    # campaigns are changed by their lead unit).
    writes_scoped: bool = False
    # Routes open to anonymous users (sign-in, language switch, API docs).
    public: bool = False
    # The officer's own duty actions: nobody else's patrol is reachable there, not even
    # a commander's in the same unit (they act through the patrol pages and the API).
    owner_only: bool = False
    # Of the roles allowed to write, those who may write this record once it is in their
    # scope (a fund advance's request: its requester, or a clerk on their behalf); the
    # others are refused with 403 by the record's own rule. None: every allowed role.
    writers: frozenset[str] | None = None
    extra_kwargs: dict[str, Any] = field(default_factory=dict)


def api(
    obj: str | None = None,
    shared: bool = False,
    writes_scoped: bool = False,
    writers: frozenset[str] | None = None,
    **allow: frozenset[str],
) -> Rule:
    return Rule(
        api=True,
        obj=obj,
        shared=shared,
        writes_scoped=writes_scoped,
        writers=writers,
        allow={k.upper(): v for k, v in allow.items()},
    )


def page(
    obj: str | None = None, public: bool = False, owner_only: bool = False, **allow: frozenset[str]
) -> Rule:
    return Rule(
        api=False,
        obj=obj,
        public=public,
        owner_only=owner_only,
        allow={k.upper(): v for k, v in allow.items()},
    )


def crud(
    obj: str,
    read: frozenset[str],
    write: frozenset[str],
    shared: bool = False,
    namespace: str = "brigade-api",
    delete: frozenset[str] | None = None,
) -> dict[str, Rule]:
    """The list and detail routes of a router-registered viewset."""
    return {
        f"{namespace}:{obj}-list": api(get=read, post=write),
        f"{namespace}:{obj}-detail": api(
            obj,
            shared=shared,
            get=read,
            put=write,
            patch=write,
            delete=write if delete is None else delete,
        ),
    }
