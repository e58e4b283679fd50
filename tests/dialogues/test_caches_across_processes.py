"""What one web process keeps in the shared cache is never served stale by another (issue 21).

Each test warms the cache through this process (Django's test client, its cache on the test's
Redis database, as every web process has it in production), checks that a viewer is kept there,
makes one change through the service that makes it, and asks a second web process
(tests/web_process.py, started once for the module on the same test database and Redis
database) for the next page. One test per event that can make a kept viewer stale: membership
state, role, clearance, side, attendance, the scale, a ground-rules version and its acceptance,
lockdown, named readers.

The second process must share the test database: PostgreSQL (committed data, so
``transactional_db``), and Redis. Without REDIS_URL these tests skip (in CI they fail: CI has
both).
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from dialogues.models import ConfidentialityLevel, Side
from dialogues.planning import services as planning
from dialogues.scale import services as scale
from dialogues.workspace import services as workspace
from participants.models import Membership
from participants.services import ground_rules_accept, membership_transition
from tests.conftest import FIRST_TEST_REDIS_DB, require_service
from tests.dialogues.test_briefing_worker import database_url
from tests.dialogues.test_nonpaper_pages import A_SECRET, a_comments, np_world  # noqa: F401
from tests.world import account, session
from trackii.ops.lockdown import person_lockdown

PROJECT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds: the bound of the second process's start

pytestmark = pytest.mark.slow


def _cache_url() -> str:
    """A Redis database of this module's own, as ``redis_test_url`` picks one per xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = FIRST_TEST_REDIS_DB + int(worker.removeprefix("gw"))
    return urlunsplit(urlsplit(settings.TEST_REDIS_URL)._replace(path=f"/{number}"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def other_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """The second web process, started once for the module; its address."""
    require_service(bool(settings.TEST_REDIS_URL), "REDIS_URL is not set: the cache is Redis")
    with django_db_blocker.unblock():
        vendor = connection.vendor
    require_service(
        vendor == "postgresql",
        "the second web process must share the test database: run with a PostgreSQL DATABASE_URL",
    )
    port = _free_port()
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.web_settings",
        DATABASE_URL=database_url(),
        TRACKII_TEST_CACHE_URL=_cache_url(),
        PRIVATE_STORAGE_ROOT=str(settings.PRIVATE_STORAGE_ROOT),
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path_factory.mktemp("web") / "web.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.web_process", str(port)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                requests.get(f"{address}/accounts/login/", timeout=WAIT)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the second web process did not start:\n{log.read_text()}")
                time.sleep(0.1)
        yield address
    finally:
        process.kill()
        process.wait(timeout=WAIT)


@pytest.fixture
def shared_cache(other_process, settings, reference_data):
    """This process's cache on the second process's Redis database, emptied before and after."""
    url = _cache_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "trackii",
        }
    }
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


def kept(redis_client, user_id: int) -> bool:
    """Whether a viewer of the account is kept under the current generation tokens."""
    from django.core.cache import cache

    tokens = cache.get_many(["viewers:generation", f"viewers:account:{user_id}:generation"])
    everyone = tokens.get("viewers:generation")
    own = tokens.get(f"viewers:account:{user_id}:generation")
    entries = f"trackii:1:viewers:{user_id}:{everyone}:{own}:*"
    return bool(everyone and own) and any(redis_client.scan_iter(match=entries))


@pytest.fixture
def pages(shared_cache, other_process, login, world):
    """Sign a member in; ``warm(member, path)``: their page through this process, a viewer then
    kept in the shared cache; ``there(member, path)``: the same through the second process."""
    signed_in = {}

    def sign(member):
        if member.pk not in signed_in:
            signed_in[member.pk] = login(member)
        return signed_in[member.pk]

    def warm(member, path):
        response = sign(member).get(path)
        assert kept(shared_cache, member.person.user_id), "the viewer is kept in the shared cache"
        return response

    def there(member, path):
        cookie = sign(member).cookies[settings.SESSION_COOKIE_NAME].value
        return requests.get(
            f"{other_process}{path}",
            cookies={settings.SESSION_COOKIE_NAME: cookie},
            allow_redirects=False,
            timeout=30,
        )

    return warm, there


def session_page(world, which="round_1") -> str:
    return reverse("dialogues:session_detail", args=[world["dialogue"].pk, world[which].pk])


def viewer_of(member):
    from dialogues.confidentiality import _viewer_built

    return _viewer_built(member.person.user)


def test_membership_state(pages, world):
    warm, there = pages
    member, path = world["participant"], session_page(world)
    assert warm(member, path).status_code == 200
    membership_transition(membership=member, to=Membership.State.DECLINED)
    assert there(member, path).status_code == 404


def _roster_change(world, member, **change):
    values = {"side": member.side, "role": member.role, "clearance": member.clearance, **change}
    convenor = world["convenor"]
    return workspace.roster_update_membership(
        membership=member, by=convenor.person.user, viewer=viewer_of(convenor), **values
    )


def test_role(pages, world):
    warm, there = pages
    member, path = world["participant"], session_page(world)
    # A rapporteur records outcomes (a facilitator would first be asked for a security key).
    record = reverse("dialogues:outcome_create", args=[world["dialogue"].pk, world["round_1"].pk])
    assert record not in warm(member, path).content.decode()
    _roster_change(world, member, role=Membership.Role.RAPPORTEUR)
    served = there(member, path)
    assert served.status_code == 200
    assert record in served.text


def test_clearance(pages, world):
    warm, there = pages
    member, path = world["participant"], session_page(world)
    assert "R1 Participants item" in warm(member, path).content.decode()
    _roster_change(world, member, clearance=ConfidentialityLevel.objects.get(name="Programme"))
    served = there(member, path)
    assert served.status_code == 200
    assert "R1 Programme item" in served.text
    assert "R1 Participants item" not in served.text


def test_side(pages, world, np_world):  # noqa: F811 (the fixture imported above)
    warm, there = pages
    a_comments(world, np_world)
    member = world["other_side"]
    path = reverse(
        "dialogues:non_paper_version",
        args=[world["dialogue"].pk, np_world["non_paper"].pk, 1],
    )
    assert A_SECRET not in warm(member, path).content.decode()
    _roster_change(world, member, side=Side.objects.get(dialogue=world["dialogue"], name="Side A"))
    served = there(member, path)
    assert served.status_code == 200
    assert A_SECRET in served.text


def test_attendance(pages, world):
    warm, there = pages
    member, path = world["other_side"], session_page(world, "pre")
    assert warm(member, path).status_code == 404
    planning.session_attendance_set(
        session=world["pre"], memberships=[world["participant"], member]
    )
    served = there(member, path)
    assert served.status_code == 200
    assert "Pre item" in served.text


def test_the_scale(pages, world):
    warm, there = pages
    member, path = world["participant"], session_page(world)
    assert "R1 Participants item" in warm(member, path).content.decode()
    participants = ConfidentialityLevel.objects.get(name="Participants")
    change = scale.scale_change_request(
        level=participants,
        values={
            "name": "Participants",
            "rank": participants.rank,
            "audience": ConfidentialityLevel.Audience.CONVENING_TEAM,
            "description": participants.description,
        },
        by=account(is_staff=True),
    )
    scale.scale_change_confirm(change=change, by=account(is_staff=True))
    served = there(member, path)
    assert served.status_code == 200
    assert "R1 Programme item" in served.text
    assert "R1 Participants item" not in served.text


def test_a_ground_rules_version_and_its_acceptance(pages, world):
    warm, there = pages
    member, path = world["participant"], session_page(world)
    assert warm(member, path).status_code == 200
    dialogue, convenor = world["dialogue"], world["convenor"]
    workspace.dialogue_update(
        dialogue=dialogue,
        expected_revision=dialogue.edit_revision,
        values={"ground_rules": "Speak for yourself, not for your government."},
        by=convenor.person.user,
        viewer=viewer_of(convenor),
    )
    assert there(member, path).status_code != 200  # the new rules first
    warm(member, reverse("dialogues:ground_rules", args=[dialogue.pk]))
    dialogue.refresh_from_db()
    ground_rules_accept(membership=member, version=dialogue.ground_rules_version)
    assert there(member, path).status_code == 200


def test_lockdown(pages, world):
    warm, there = pages
    member, path = world["participant"], session_page(world)
    assert warm(member, path).status_code == 200
    person_lockdown(person=member.person, by=account(is_staff=True), reason="A stolen laptop.")
    served = there(member, path)
    assert served.status_code == 302
    assert "/accounts/login/" in served.headers["Location"]


def test_named_readers(pages, world):
    warm, there = pages
    member = world["participant"]
    named = session(world["dialogue"], title="Side talks", level="Restricted")
    path = reverse("dialogues:session_detail", args=[world["dialogue"].pk, named.pk])
    assert warm(member, path).status_code == 404
    planning.session_update(
        session=named,
        expected_revision=named.edit_revision,
        values={},
        readers=[member.person],
    )
    served = there(member, path)
    assert served.status_code == 200
    assert "Side talks" in served.text
