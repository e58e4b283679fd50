"""The test suite: SQLite unless DATABASE_URL is set (CI sets PostgreSQL), fast hashing, mail kept
in memory, private files in a temporary folder. Celery runs in-process; tests that need a real
broker start their own worker on REDIS_URL (tests/conftest.py)."""

import os
import tempfile
from pathlib import Path

_BASE_DIR = Path(__file__).resolve().parent.parent.parent

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_BASE_DIR / 'var' / 'test.sqlite3'}")
os.environ["TRACKII_REQUIRE_MFA"] = "true"

# The real broker, if any, is for the broker tests only; the rest of the suite runs tasks
# in-process.
TEST_REDIS_URL = os.environ.pop("REDIS_URL", "")

from .base import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_STORAGE_ROOT = Path(tempfile.mkdtemp(prefix="trackii-test-private-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Static files are found in place (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
