"""The OpenAPI schema as a signed-in client reads it (anonymous callers get a 401)."""

from __future__ import annotations

from typing import Any


def read_schema() -> dict[str, Any]:
    """Read at collection time, before any test database exists: a user that is never
    saved will do."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model()(username="schema-reader"))
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    return response.json()
