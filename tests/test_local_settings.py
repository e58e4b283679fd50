"""Local settings (`make run`): e-mail into files under var/mail/ unless EMAIL_URL says
otherwise, and links on localhost (passkeys refuse an IP address as the site's origin)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND, "
    "str(getattr(s, 'EMAIL_FILE_PATH', '')), s.TRACKII_BASE_URL, s.ALLOWED_HOSTS, "
    "str(s.TRACKII_DEMO_LINKS_FILE)]))"
)


def _shown_by_local_settings(code: str, *, dropped: tuple[str, ...], **overrides) -> list:
    """What ``code`` prints (JSON) in a new process on the settings of ``make run``, with the
    environment's variables starting with ``dropped`` removed and ``overrides`` set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(DJANGO_SETTINGS_MODULE="trackii.settings.local", **overrides)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def local_settings(**overrides) -> list:
    dropped = ("DJANGO_", "EMAIL_", "TRACKII_", "ALLOWED_HOSTS", "DATABASE_URL")
    return _shown_by_local_settings(SHOW, dropped=dropped, **overrides)


def test_local_settings_write_mail_under_var_and_link_to_localhost():
    assert local_settings() == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(ROOT / "var" / "mail"),
        "http://localhost:8000",
        ["127.0.0.1", "localhost"],
        str(ROOT / "var" / "demo-links.json"),
    ]


def test_email_url_and_the_base_url_from_the_environment_still_win():
    shown = local_settings(EMAIL_URL="consolemail://", TRACKII_BASE_URL="http://localhost:8001")
    assert shown[0] == "django.core.mail.backends.console.EmailBackend"
    assert shown[2] == "http://localhost:8001"


STORAGE = (
    "import json; from dialogues.storage import private_storage; s = private_storage(); "
    "s._setup(); print(json.dumps([type(s._wrapped).__name__, getattr(s, 'bucket_name', None)]))"
)


def private_storage_of(**overrides) -> list:
    return _shown_by_local_settings(STORAGE, dropped=("DJANGO_", "S3_"), **overrides)


def test_make_run_keeps_private_files_on_local_disk_unless_a_bucket_is_named():
    assert private_storage_of() == ["PrivateFileSystemStorage", None]
    named = private_storage_of(S3_BUCKET="papers", S3_ENDPOINT_URL="http://127.0.0.1:9")
    assert named == ["PrivateS3Storage", "papers"]
