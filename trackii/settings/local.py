"""Development on one machine: SQLite and in-process Celery unless the environment says otherwise.
Every relaxation of ``base`` is written here, explicitly."""

import os
from pathlib import Path

_BASE_DIR = Path(__file__).resolve().parent.parent.parent

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_BASE_DIR / 'var' / 'db.sqlite3'}")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TRACKII_REQUIRE_MFA", "false")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Passkeys need no relaxation: fido2 accepts http://localhost:8000 as an origin (and browsers
# refuse WebAuthn on http://127.0.0.1), so MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN stays off (base.py).
# Static files are served from the source folders as they change (no collectstatic needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
