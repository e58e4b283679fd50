"""Development on one machine: SQLite, in-process Celery and e-mail into files under var/mail/
unless the environment says otherwise. Every relaxation of ``base`` is written here, explicitly."""

import os
from pathlib import Path

_BASE_DIR = Path(__file__).resolve().parent.parent.parent

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_BASE_DIR / 'var' / 'db.sqlite3'}")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TRACKII_REQUIRE_MFA", "false")
# localhost, not 127.0.0.1: passkeys refuse an IP address as the site's origin (make run sets
# the port it serves on).
os.environ.setdefault("TRACKII_BASE_URL", "http://localhost:8000")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# E-mail is written to files under var/mail/ (one per message sent), not sent nor printed, so
# `make run`'s console stays readable; EMAIL_URL still chooses another backend.
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _BASE_DIR / "var" / "mail"
# seed_demo keeps the token of the demo's invitation link here, to show it again on later runs
# (dialogues.demo.demo_summary); the same link is in its e-mail under var/mail/.
TRACKII_DEMO_LINKS_FILE = _BASE_DIR / "var" / "demo-links.json"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Passkeys need no relaxation: fido2 accepts http://localhost:8000 as an origin (and browsers
# refuse WebAuthn on http://127.0.0.1), so MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN stays off (base.py).
# Static files are served from the source folders as they change (no collectstatic needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
