"""Settings: production refuses to start without its secrets and passes ``check --deploy``; CI
runs the suite on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
GOOD_ENV = {
    "DJANGO_SETTINGS_MODULE": "trackii.settings.production",
    "SECRET_KEY": "x7Hq2Lm9Vb4Nc8Rt1Yw6Zp3Ks5Dj0Fg_a-Qe2Wr9Ty4Ui7Op1As3Df6Gh8Jk0Lz",
    "DATABASE_URL": "postgres://trackii:secret@db.internal:5432/trackii",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "trackii.example.org",
    "EMAIL_URL": "smtp://mail.internal:25",
}


def manage(*args, drop=(), **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY"))}
    env.update(GOOD_ENV)
    env.update(overrides)
    for name in drop:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_the_documented_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("drop", "overrides", "message"),
    [
        (["SECRET_KEY"], {}, "Set the SECRET_KEY environment variable"),
        ([], {"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50"),
        (["DATABASE_URL"], {}, "Set the DATABASE_URL environment variable"),
        (["REDIS_URL"], {}, "REDIS_URL must name the Redis server"),
        (["ALLOWED_HOSTS"], {}, "Set the ALLOWED_HOSTS environment variable"),
        ([], {"DEBUG": "true"}, "DEBUG must be off in production"),
    ],
)
def test_production_refuses_to_start_without_its_configuration(drop, overrides, message):
    result = manage("check", drop=drop, **overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_wsgi_and_celery_never_default_to_development_settings():
    for module in ("trackii/wsgi.py", "trackii/asgi.py", "trackii/celery.py"):
        text = (ROOT / module).read_text()
        assert 'setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.production")' in text


def test_ci_runs_on_postgresql():
    if not IN_CI:
        pytest.skip("outside CI the suite may run on SQLite")
    assert connection.vendor == "postgresql", "CI must set DATABASE_URL to PostgreSQL"


def test_ci_has_redis():
    if not IN_CI:
        pytest.skip("outside CI the broker tests may skip")
    assert settings.TEST_REDIS_URL.startswith("redis://")
