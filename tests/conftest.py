"""Fixtures shared by the whole suite, and the rules for tests that need real services."""

import os

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(available: bool, reason: str) -> None:
    """Skip with a stated reason on a laptop; fail in CI, where every service must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this service: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    url = settings.TEST_REDIS_URL
    require_service(bool(url), "REDIS_URL is not set: the real-broker tests need Redis")
    return url


def enable_totp(user) -> None:
    """Give an account a TOTP authenticator, as if its owner had set one up."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def enable_mfa(user) -> None:
    """Give an account every second factor production may ask of it: TOTP, and a security key
    (WebAuthn, which staff and convenors must hold; see participants.middleware)."""
    from allauth.mfa.models import Authenticator

    from tests.webauthn import add_security_key

    enable_totp(user)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists():
        add_security_key(user)


@pytest.fixture
def login(client):
    """Sign a member's account in; facilitators and staff get MFA first, as production demands."""

    def _login(membership_or_user):
        user = getattr(getattr(membership_or_user, "person", None), "user", membership_or_user)
        if user.is_staff or getattr(membership_or_user, "is_convening", False):
            enable_mfa(user)
        client.force_login(user)
        return client

    return _login


def restore_reference_data() -> None:
    """Put back what the data migrations seed (the confidentiality scale): a transactional test
    empties every table when it ends, and the tests after it still need the scale."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("dialogues.migrations.0003_default_confidentiality_levels")
    migration.create_levels(apps, None)


@pytest.fixture
def reference_data(transactional_db):
    restore_reference_data()
