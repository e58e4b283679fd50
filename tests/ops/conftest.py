"""Fixtures of the operations tests: the backup key, and pg_dump / pg_restore on PostgreSQL."""

import shutil

import pytest
from django.db import connection

from tests.conftest import require_service

KEY = "test-backup-key-0123456789-abcdefghijklmnopqrstuv"


@pytest.fixture
def backup_tools():
    if connection.vendor == "postgresql":
        require_service(
            bool(shutil.which("pg_dump") and shutil.which("pg_restore")),
            "pg_dump / pg_restore are not installed (Debian: postgresql-client)",
        )


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("BACKUP_KEY", KEY)
    return KEY
