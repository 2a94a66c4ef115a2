"""Template context: the user's roles, the navigation each role may follow, in its groups,
and the bell of their unread notices."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from brigade.core.nav import navigation
from brigade.core.notices.context import bell
from brigade.core.scope import scope_of


def roles(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(getattr(request, "user", None))
    return {
        "scope": scope,
        "roles": scope.roles,
        "brigade_name": settings.BRIGADE_NAME,
        "nav_groups": navigation.grouped(scope, request.path) if scope.roles else [],
        # the navigation's bell: its count is read only where a page draws it
        "bell": bell(request) if scope.roles else None,
    }
