"""The access matrix's world, built once for the whole package inside a transaction that is
rolled back at the end (nothing of it reaches the other tests); each test runs in a savepoint of
its own (pytest-django's ``db``), and each request of the matrix in one more."""

import pytest
from django.db import transaction

from . import matrix
from .world import ROLES, build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        block.__exit__(None, None, None)


@pytest.fixture
def clients(world):
    """One client per role, signed in afresh for each test (the session's activity clock is
    never older than the test)."""
    return matrix.clients_for(world, ROLES)
