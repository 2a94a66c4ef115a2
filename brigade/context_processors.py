"""Template context: the user's roles, so the navigation shows each role its work."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from brigade.roles import scope_of


def roles(request: HttpRequest) -> dict[str, Any]:
    scope = scope_of(getattr(request, "user", None))
    return {
        "scope": scope,
        "roles": scope.roles,
        "brigade_name": settings.BRIGADE_NAME,
    }
