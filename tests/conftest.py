"""Named personas shared by every app's tests.

Two squadrons (``unit`` and ``other_unit``) and a headquarters; each persona is a user with
one role and an officer profile in ``unit`` unless said otherwise.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords cheaply: production's PBKDF2 costs ~0.3 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads of a test go to its own folder, never into the project's media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _private_cache(request, settings):
    """Each test gets an empty in-process cache, so cached dashboard payloads and the
    recompute flags never leak between tests (or from a shared Redis). Tests marked
    ``redis`` keep the configured cache, as a worker shares it."""
    if request.node.get_closest_marker("redis") is None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": request.node.nodeid,
            }
        }
        from django.core.cache import cache

        cache.clear()  # never on Redis: clearing it there would flush the broker's queues


@pytest.fixture
def unit(db):
    return UnitFactory(code="sq1", name="一中队")


@pytest.fixture
def other_unit(db):
    return UnitFactory(code="sq2", name="二中队")


@pytest.fixture
def hq(db):
    return UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)


def _persona(username: str, role: str | None, unit) -> object:
    user = UserFactory(username=username, roles=[role] if role else [])
    if unit is not None:
        OfficerFactory(user=user, unit=unit, name=username)
    return user


@pytest.fixture
def officer(unit):
    return _persona("officer", Role.OFFICER, unit)


@pytest.fixture
def other_officer(other_unit):
    return _persona("other_officer", Role.OFFICER, other_unit)


@pytest.fixture
def clerk(unit):
    return _persona("clerk", Role.CLERK, unit)


@pytest.fixture
def commander(unit):
    """A squadron commander: sees their own unit only."""
    return _persona("commander", Role.COMMANDER, unit)


@pytest.fixture
def brigade_commander(hq):
    """The brigade commander at headquarters: sees every unit."""
    return _persona("brigade_commander", Role.COMMANDER, hq)


@pytest.fixture
def admin_user(db):
    return _persona("admin", Role.ADMIN, None)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    """``api_as(user)``: an API client authenticated as ``user``."""

    def login(user):
        api.force_authenticate(user)
        return api

    return login
