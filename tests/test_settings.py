"""Settings: production refuses to start without its secrets and passes ``check --deploy``; CI
runs the suite on PostgreSQL."""

import json
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
        ([], {"TRACKII_REQUIRE_MFA": "false"}, "TRACKII_REQUIRE_MFA cannot be switched off"),
        (
            [],
            {"S3_BUCKET": "trackii", "PRIVATE_STORAGE_X_ACCEL_PREFIX": "/_private/"},
            "S3_BUCKET and PRIVATE_STORAGE_X_ACCEL_PREFIX exclude each other",
        ),
    ],
)
def test_production_refuses_to_start_without_its_configuration(drop, overrides, message):
    result = manage("check", drop=drop, **overrides)
    assert result.returncode != 0
    assert message in result.stderr


PRODUCTION_FACTS = """
import json
from allauth.account import app_settings as account
from django.conf import settings as s
print(json.dumps({
    "mfa": s.TRACKII_REQUIRE_MFA,
    "cache": s.CACHES["default"]["BACKEND"],
    "session_engine": s.SESSION_ENGINE,
    "login_failed": account.RATE_LIMITS["login_failed"],
    "login": account.RATE_LIMITS["login"],
    "reset_password": account.RATE_LIMITS["reset_password"],
    "idle": s.SESSION_IDLE_TIMEOUT,
    "lifetime": s.SESSION_ABSOLUTE_LIFETIME,
    "middleware": s.MIDDLEWARE,
    "hsts": [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT],
    "cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY],
    "headers": [s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY,
                s.SECURE_CROSS_ORIGIN_OPENER_POLICY],
    "csp": s.CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "reports": [s.DEFAULT_EXCEPTION_REPORTER, s.DEFAULT_EXCEPTION_REPORTER_FILTER],
    "task_results": [s.CELERY_TASK_IGNORE_RESULT, s.CELERY_RESULT_BACKEND],
}))
"""


def test_production_requires_mfa_counts_sign_ins_in_redis_and_limits_sessions():
    result = manage("shell", "--no-imports", "-c", PRODUCTION_FACTS)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["mfa"] is True
    assert facts["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert facts["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert facts["login_failed"] == "10/m/ip,5/5m/key"
    assert facts["login"] == "30/m/ip"
    assert facts["reset_password"] == "20/m/ip,5/m/key"
    assert (facts["idle"], facts["lifetime"]) == (30 * 60, 8 * 60 * 60)
    # Sessions are known, then timed out (or their activity recorded), then held to the MFA rule.
    in_order = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "allauth.account.middleware.AccountMiddleware",
        "trackii.middleware.SessionTimeoutMiddleware",
        "participants.accounts.middleware.RequireMFAMiddleware",
    ]
    assert sorted(in_order, key=facts["middleware"].index) == in_order
    # Replaced by the one above, which records activity once a minute, not on every request.
    assert "allauth.usersessions.middleware.UserSessionsMiddleware" not in facts["middleware"]
    assert "csp.middleware.CSPMiddleware" in facts["middleware"]
    assert facts["hsts"] == [31536000, True, True]
    assert facts["cookies"] == [True, True, True]
    assert facts["headers"] == ["DENY", True, "same-origin", "same-origin"]
    assert all("unsafe" not in " ".join(v) for v in facts["csp"].values())
    assert facts["csp"]["frame-ancestors"] == ["'none'"]
    assert facts["reports"] == [
        "trackii.reporting.ConfidentialExceptionReporter",
        "trackii.reporting.ConfidentialExceptionReporterFilter",
    ]
    assert facts["task_results"] == [True, None]


WEBAUTHN_FACTS = """
import json
from allauth.core import context
from allauth.mfa import app_settings as mfa
from allauth.mfa.webauthn.internal.auth import get_server
from django.test import RequestFactory
request = RequestFactory().get("/", HTTP_HOST="trackii.example.org", secure=True)
with context.request_context(request):
    server = get_server()
print(json.dumps({
    "insecure_origin": mfa.WEBAUTHN_ALLOW_INSECURE_ORIGIN,
    "types": mfa.SUPPORTED_TYPES,
    "passkey_login": mfa.PASSKEY_LOGIN_ENABLED,
    "passkey_signup": mfa.PASSKEY_SIGNUP_ENABLED,
    "passkey_login_limit": mfa.RATE_LIMITS.get("webauthn_login"),
    "rp_id": server.rp.id,
    "origins": {
        origin: bool(server._verify(origin))
        for origin in ("https://trackii.example.org", "https://trackii.example.org.evil.test",
                       "https://evil.test", "http://trackii.example.org")
    },
}))
"""


@pytest.mark.parametrize(
    "settings_module", ["trackii.settings.production", "trackii.settings.local"]
)
def test_the_webauthn_origin_check_is_never_switched_off(settings_module):
    """allauth's insecure-origin allowance would accept a key's answer made for any origin (a
    look-alike site relaying it): it is off in production, and needed nowhere, since fido2
    already accepts http://localhost. The same keys sign in with passkeys; nobody signs up."""
    result = manage(
        "shell", "--no-imports", "-c", WEBAUTHN_FACTS, DJANGO_SETTINGS_MODULE=settings_module
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts == {
        "insecure_origin": False,
        "types": ["totp", "webauthn", "recovery_codes"],
        "passkey_login": True,
        "passkey_signup": False,
        "passkey_login_limit": "10/m/ip",
        "rp_id": "trackii.example.org",
        "origins": {
            "https://trackii.example.org": True,
            "https://trackii.example.org.evil.test": False,
            "https://evil.test": False,
            "http://trackii.example.org": False,
        },
    }


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


BROKER_FACTS = """
import json
from django.conf import settings
print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))
"""


@pytest.mark.parametrize(
    ("overrides", "options"),
    [
        # kombu's own scan for jobs whose worker died: every 10th look, one look each 10 s.
        ({}, {"visibility_timeout": 3600}),
        # make cluster-check: a killed worker's job comes back within seconds.
        (
            {"CELERY_VISIBILITY_TIMEOUT": "15", "CELERY_UNACKED_RESTORE_SECONDS": "2"},
            {
                "visibility_timeout": 15,
                "unacked_restore_interval": 2,
                "unacked_restore_throttle": 1,
            },
        ),
    ],
)
def test_a_dead_workers_job_comes_back_on_the_brokers_clock(overrides, options):
    result = manage("shell", "--no-imports", "-c", BROKER_FACTS, **overrides)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == options
