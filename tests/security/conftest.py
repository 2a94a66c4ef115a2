"""Records shared by a whole security module, built once.

The permission matrix's world (every route's records, in the personas' unit and in
another) is built in a transaction opened for the module and rolled back at its end; each
test runs in a savepoint inside it, so tests still leave nothing behind, on SQLite as on
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.test_permission_matrix import World, build_world


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def world(module_transaction, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        return build_world()
