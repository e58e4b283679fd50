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
# A worker process started by a test is handed the suite's folder through the environment.
PRIVATE_STORAGE_ROOT = Path(
    os.environ.get("PRIVATE_STORAGE_ROOT") or tempfile.mkdtemp(prefix="trackii-test-private-")
)
# The bucket the environment names, if any (CI's SeaweedFS), is for the tests of the bucket only
# (tests/storage switch to it); the rest of the suite keeps private files in that folder.
TEST_S3 = PRIVATE_STORAGE_S3  # noqa: F405
PRIVATE_STORAGE_S3 = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = False
# Passkey sign-ins are limited per address too (allauth: 10 a minute); every test signs in from
# 127.0.0.1 into one in-process cache, so the suite's own sign-ins must not count.
MFA_RATE_LIMITS = False
# WebAuthn's origin check stays on (base.py): the tests reach the server as localhost.
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Static files are found in place (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Broker tests: a worker that dies mid-task leaves its message unacknowledged; Redis hands it to
# another worker after this many seconds (production: CELERY_VISIBILITY_TIMEOUT, an hour).
# kombu looks for such messages when a worker starts consuming and then only every
# interval x throttle seconds (100 s by default): checked every second here.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
