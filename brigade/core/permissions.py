"""Role rules, declared once per view: ``read_roles`` and ``write_roles``; and the four-eyes
rule, written once: whoever did the work does not check it.

A view (API viewset or page) names the roles that may read it and write through it;
scoping to the user's unit is the queryset's job (``visible_to``), so an object outside
the scope answers 404 while a role that lacks the right answers 403.

Four eyes: an action that checks someone's work (approve a fund advance, verify a
rectification, decide a ticket's extension: ``Action(check=True)`` in the app's transition
table) is never done by the one who did the work (``four_eyes``: 403). A brigade with a
single commander names a second person in ``settings.SECOND_APPROVER`` (a username) who
may do those checks whatever their role; the record then says it was checked by the second
approver. Nobody ever checks their own work, the second approver included.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from brigade.core.roles import EVERYONE, STAFF
from brigade.core.scope import scope_of

if TYPE_CHECKING:
    from django.db.models import Model

    from brigade.core.transitions import TransitionTable


def has_role(user: object, roles: Collection[str]) -> bool:
    return scope_of(user).has_any(*roles)


# --- four eyes ------------------------------------------------------------------------------


def is_second_approver(user: object) -> bool:
    """Is ``user`` the active person ``settings.SECOND_APPROVER`` names (none: nobody)?"""
    name = getattr(settings, "SECOND_APPROVER", "") or ""
    return bool(
        name
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and user.get_username() == name  # type: ignore[attr-defined]
    )


def may_check(user: object, roles: Collection[str]) -> bool:
    """May ``user`` do a check (approve, verify) that ``roles`` do: by role, or as the
    second approver."""
    return has_role(user, roles) or is_second_approver(user)


def four_eyes(*, by: Any, doer_id: object, roles: Collection[str], message: str) -> bool:
    """The rule for every check of someone's work: ``by`` may not be its doer (user id
    ``doer_id``; None: nobody recorded), and needs one of ``roles`` or to be the brigade's
    second approver; else ``PermissionDenied`` (403) with ``message`` (or the role's).

    True when ``by`` checks as the second approver rather than by role: the record keeps it.
    """
    if doer_id is not None and doer_id == getattr(by, "pk", None):
        raise PermissionDenied(message)
    if has_role(by, roles):
        return False
    if is_second_approver(by):
        return True
    raise PermissionDenied(RolePermission.message)


def actions_for(table: TransitionTable, record: Model, user: object) -> dict[str, bool]:
    """The actions of ``table`` this user may do on ``record`` now (a page's buttons):
    by their roles, and the checks also as the second approver. Whether the user did the
    work being checked is the page's to say (it knows which field records the doer)."""
    return table.offered(
        record, lambda roles: has_role(user, roles), checker=is_second_approver(user)
    )


class RolePermission(BasePermission):
    """DRF permission: the viewset's ``read_roles`` for safe methods, else ``write_roles``.

    An action may override with ``action_roles = {"end": {...}}``; the actions named in
    ``check_actions`` (a transition table's ``checks()``) are also open to the second
    approver.
    """

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        action = getattr(view, "action", None)
        action_roles = getattr(view, "action_roles", {})
        if action in action_roles:
            roles = action_roles[action]
        elif request.method in SAFE_METHODS:
            roles = getattr(view, "read_roles", EVERYONE)
        else:
            roles = getattr(view, "write_roles", STAFF)
        if action in getattr(view, "check_actions", ()):
            return may_check(request.user, roles)
        return has_role(request.user, roles)


class RoleRequiredMixin(AccessMixin):
    """Page views: anonymous → login; signed in without the role → 403. A page that posts
    a check of someone's work (``check_action``) is also open to the second approver."""

    read_roles: Collection[str] = EVERYONE
    write_roles: Collection[str] = STAFF
    check_action: bool = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        safe = request.method in SAFE_METHODS
        roles = self.read_roles if safe else self.write_roles
        allowed = (
            may_check(request.user, roles)
            if self.check_action and not safe
            else has_role(request.user, roles)
        )
        if not allowed:
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
