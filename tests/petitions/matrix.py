"""The petitions app's routes in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.matrix import SIGNED_IN, Rule, api

MATRIX: dict[str, Rule] = {
    "petitions-api:api-root": api(get=SIGNED_IN),
}


def objects(unit: Any, officer: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The records this app's routes name, made in ``unit`` (for ``officer``)."""
    return {}
