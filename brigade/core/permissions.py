"""Role rules, declared once per view: ``read_roles`` and ``write_roles``.

A view (API viewset or page) names the roles that may read it and write through it;
scoping to the user's unit is the queryset's job (``visible_to``), so an object outside
the scope answers 404 while a role that lacks the right answers 403.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from brigade.core.roles import EVERYONE, STAFF
from brigade.core.scope import scope_of


def has_role(user: object, roles: Collection[str]) -> bool:
    return scope_of(user).has_any(*roles)


class RolePermission(BasePermission):
    """DRF permission: the viewset's ``read_roles`` for safe methods, else ``write_roles``.

    An action may override with ``action_roles = {"end": {...}}``.
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
        return has_role(request.user, roles)


class RoleRequiredMixin(AccessMixin):
    """Page views: anonymous → login; signed in without the role → 403."""

    read_roles: Collection[str] = EVERYONE
    write_roles: Collection[str] = STAFF

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        roles = self.read_roles if request.method in SAFE_METHODS else self.write_roles
        if not has_role(request.user, roles):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
