"""Types the core's signatures share: who is asking.

``Visitor`` is what ``request.user`` is (signed in or anonymous); ``User`` a signed-in
user. The core modules load with the app registry, before the auth models can be
imported, so the aliases name those models for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth import models as auth

User: TypeAlias = "auth.User"
Visitor: TypeAlias = "auth.AbstractBaseUser | auth.AnonymousUser"
