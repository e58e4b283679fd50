"""Hardening: the admin behind staff and MFA, sign-in rate limits on a shared cache, session
lifetimes, users ending their other sessions, security headers on every kind of page, and logs,
error reports and Celery tasks that carry ids, never names, venues, titles or secrets."""

import ast
import inspect
import json
import logging
import re
import sys
import time
from pathlib import Path

import pytest
import redis
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.usersessions.models import UserSession
from celery.signals import task_postrun, task_prerun
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends.redis import RedisSerializer
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, path, reverse
from django.views.debug import get_exception_reporter_class

from dialogues.models import AgendaItem, BriefingPack, Session
from dialogues.planning.services import agenda_publish
from participants.models import Membership
from tests.conftest import enable_mfa, sign_in
from tests.factories import AgendaItemFactory, DialogueFactory, SessionFactory, UserFactory, level
from tests.webauthn import add_security_key
from tests.world import member_with_account, official, publish_as_a_planner
from trackii import middleware as session_clock
from trackii.celery import app as celery_app
from trackii.reporting import REDACTED, RedactSecretsFilter, redact_secrets
from trackii.settings import base

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"  # tests.factories.UserFactory
FROM_AFAR = {"user": "SENTINEL-USER-N4", "title": "SENTINEL-TITLE-T5", "venue": "SENTINEL-VENUE-V3"}


# -- the Django admin: staff only, signed in through allauth, behind the MFA rule -------------


@pytest.mark.django_db
def test_admin_sign_in_goes_through_allauth_not_a_password_form_of_its_own(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # The admin's own password form no longer signs anyone in.
    staff = UserFactory(is_staff=True, is_superuser=True)
    enable_mfa(staff)
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.mark.django_db
def test_staff_reach_the_admin_only_after_the_second_factor(client):
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    key = add_security_key(staff)  # staff must hold one; the code from the app is used first
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone opens nothing.
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    # A code from an app can be relayed: staff confirm with their key before the admin opens.
    confirm = reverse("mfa_reauthenticate_webauthn")
    assert client.get("/admin/")["Location"] == f"{confirm}?next=%2Fadmin%2F"
    page = client.get(confirm, {"next": "/admin/"}, HTTP_HOST="localhost")
    options = json.loads(
        re.search(r'<script id="js_data" type="application/json">(.*?)</script>', page.text)[1]
    )["request_options"]
    answer = key.get(options, origin="http://localhost", rp_id="localhost")
    response = client.post(
        confirm, {"credential": json.dumps(answer), "next": "/admin/"}, HTTP_HOST="localhost"
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_without_mfa_is_sent_to_set_it_up_before_the_admin(client):
    sign_in(client, UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_add_webauthn")


@pytest.mark.django_db
def test_staff_with_mfa_reaches_the_admin(login):
    client = login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_facilitator_who_is_not_staff_is_refused_the_admin(login):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    client = login(convenor)  # with MFA
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 403


# -- rate limits on sign-in ----------------------------------------------------------------------


@pytest.fixture
def rate_limits_on(settings):
    """The limits production runs with (base settings), on an empty cache."""
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def password_sign_in(client, email, password, address="203.0.113.7"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


TOO_MANY = "Too many failed login attempts. Try again later."


def form_errors(response) -> list[str]:
    return response.context["form"].non_field_errors()


@pytest.mark.django_db
def test_rate_limits_are_on_outside_tests():
    assert base.ACCOUNT_RATE_LIMITS == {
        "login_failed": "10/m/ip,5/5m/key",
        "reset_password": "20/m/ip,5/m/key",
    }


@pytest.mark.django_db
def test_five_failed_sign_ins_for_one_address_lock_it_even_with_the_right_password(
    client, rate_limits_on
):
    UserFactory(email="reader@example.org")
    for _ in range(5):
        response = password_sign_in(client, "reader@example.org", "wrong")
        assert response.status_code == 200
        assert TOO_MANY not in form_errors(response)
    response = password_sign_in(client, "reader@example.org", PASSWORD)
    assert response.status_code == 200
    assert form_errors(response) == [TOO_MANY]
    assert "_auth_user_id" not in client.session
    # Another address is not locked by this one's failures.
    UserFactory(email="other@example.org")
    assert password_sign_in(client, "other@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_ten_failed_sign_ins_from_one_network_address_lock_it_for_every_account(
    client, rate_limits_on
):
    UserFactory(email="reader@example.org")
    for n in range(10):
        assert TOO_MANY not in form_errors(
            password_sign_in(client, f"guess{n}@example.org", "wrong")
        )
    response = password_sign_in(client, "reader@example.org", PASSWORD)
    assert form_errors(response) == [TOO_MANY]
    # From elsewhere the account still signs in.
    elsewhere = password_sign_in(Client(), "reader@example.org", PASSWORD, address="198.51.100.9")
    assert elsewhere.status_code == 302


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db
def test_rate_limit_counters_live_in_redis_when_the_cache_is_redis(
    redis_test_url, client, settings
):
    url = redis_test_url
    store = redis.Redis.from_url(url)
    store.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "trackii",
        }
    }
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    try:
        UserFactory(email="reader@example.org")
        for _ in range(5):
            password_sign_in(client, "reader@example.org", "wrong")
        assert form_errors(password_sign_in(client, "reader@example.org", PASSWORD)) == [TOO_MANY]
        serializer = RedisSerializer()
        counters = {}
        for key in store.keys("trackii:*:allauth:rl:*"):
            name = key.decode().split(":allauth:rl:")[1].rsplit(":", 1)[0]
            counters[name] = serializer.loads(store.get(key))
        # Each counter is the list of its attempts' times (allauth's sliding window): the
        # address's five failures (the refused attempt is not counted), and all six attempts
        # from the network address, under its limits of ten failures and thirty sign-ins.
        assert {name: len(times) for name, times in counters.items()} == {
            "allauth.account:login:30/60/ip:ip": 6,
            "allauth.account:login_failed:10/60/ip:ip": 6,
            "allauth.account:login_failed:5/300.0/key": 5,
        }
    finally:
        store.flushdb()


# -- session lifetimes ---------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def move(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(session_clock, "now", moved)
    return moved


@pytest.fixture
def participant_client(client, clock):
    participant = member_with_account(dialogue=DialogueFactory())
    sign_in(client, participant.person.user)
    return client


def signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_session_lifetimes_have_safe_defaults():
    assert base.SESSION_IDLE_TIMEOUT == 30 * 60
    assert base.SESSION_ABSOLUTE_LIFETIME == 8 * 60 * 60
    assert "trackii.middleware.SessionTimeoutMiddleware" in base.MIDDLEWARE


@pytest.mark.django_db
def test_a_session_ends_after_the_idle_timeout(participant_client, clock, settings):
    clock.move(settings.SESSION_IDLE_TIMEOUT - 1)
    assert signed_in(participant_client)
    # That request reset the idle clock: as long again is still fine.
    clock.move(settings.SESSION_IDLE_TIMEOUT - 1)
    assert signed_in(participant_client)
    clock.move(settings.SESSION_IDLE_TIMEOUT)
    response = participant_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/"
    assert "_auth_user_id" not in participant_client.session
    login_page = participant_client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in login_page


@pytest.mark.django_db
def test_a_busy_session_still_ends_at_its_absolute_lifetime(participant_client, clock, settings):
    lifetime = settings.SESSION_ABSOLUTE_LIFETIME
    step = settings.SESSION_IDLE_TIMEOUT // 2
    for _ in range(lifetime // step - 1):
        clock.move(step)
        assert signed_in(participant_client)
    clock.move(lifetime - (lifetime // step - 1) * step)
    assert not signed_in(participant_client)
    page = participant_client.get(reverse("account_login")).content.decode()
    assert "You were signed out: a sign-in lasts at most 8 hours." in page


@pytest.mark.django_db
def test_an_expired_htmx_request_sends_the_whole_page_to_sign_in(participant_client, clock):
    clock.move(base.SESSION_IDLE_TIMEOUT)
    response = participant_client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("account_login")
    assert "_auth_user_id" not in participant_client.session


@pytest.mark.django_db
def test_a_sign_in_starts_both_clocks(client, clock):
    user = member_with_account(dialogue=DialogueFactory()).person.user
    sign_in(client, user)
    started = clock.now
    assert client.session[session_clock.SIGNED_IN_AT] == started
    clock.move(600)
    assert signed_in(client)
    sign_in(client, user)  # signs in again
    assert client.session[session_clock.SIGNED_IN_AT] == started + 600
    assert client.session[session_clock.LAST_SEEN_AT] == started + 600


# -- users list and end their other sessions (allauth.usersessions) ----------------------------


@pytest.mark.django_db
def test_a_user_lists_their_sessions_and_ends_the_other_one(client):
    user = member_with_account(dialogue=DialogueFactory()).person.user
    laptop, phone = client, Client(HTTP_USER_AGENT="PhoneBrowser/1.0")
    laptop.defaults["HTTP_USER_AGENT"] = "LaptopBrowser/2.0"
    for browser in (laptop, phone):
        signing_in = {"login": user.email, "password": PASSWORD}
        assert browser.post(reverse("account_login"), signing_in).status_code == 302

    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", page.content.decode(), flags=re.S)
    browsers = sorted(re.search(r"(\w+Browser/[\d.]+)", row).group(1) for row in rows)
    assert browsers == ["LaptopBrowser/2.0", "PhoneBrowser/1.0"]
    [current] = [row for row in rows if "(this browser)" in row]
    assert "LaptopBrowser/2.0" in current

    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(laptop)
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        "LaptopBrowser/2.0"
    ]


def usersession_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert signed_in(client)
    return sum("usersessions_usersession" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_activity_is_recorded_at_most_once_a_minute(participant_client, clock):
    # Signed in by force_login (no client address): listed at its first touch.
    assert usersession_queries(participant_client) == 0
    clock.move(session_clock.TOUCH_EVERY_SECONDS)
    assert usersession_queries(participant_client) > 0
    assert UserSession.objects.count() == 1
    clock.move(session_clock.TOUCH_EVERY_SECONDS - 1)
    assert usersession_queries(participant_client) == 0
    clock.move(1)
    assert usersession_queries(participant_client) > 0
    assert UserSession.objects.count() == 1


@pytest.mark.django_db
def test_the_sessions_page_is_in_the_navigation(participant_client):
    page = participant_client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("usersessions_list")}">Signed-in devices</a>' in page


# -- headers on every kind of page ---------------------------------------------------------------


@pytest.fixture
def meeting(db):
    """A dialogue with a convenor and a second facilitator (four eyes), a participant, and a
    session whose title, venue, items and people carry sentinels."""
    dialogue = DialogueFactory(title="SENTINEL-DIALOGUE-T1")
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    facilitator = member_with_account(
        dialogue=dialogue, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    participant = member_with_account(dialogue=dialogue, clearance="Participants")
    participant.person.full_name = "SENTINEL-PERSON-N1"
    participant.person.save()
    session = SessionFactory(
        dialogue=dialogue,
        title="SENTINEL-SESSION-T2",
        venue="SENTINEL-VENUE-V1",
        level=level("Public"),
    )
    session.attendances.create(membership=participant)
    AgendaItemFactory(session=session, title="SENTINEL-ITEM-T3", level=level("Public"))
    agenda_publish(session=session)
    return {
        "dialogue": dialogue,
        "convenor": convenor,
        "facilitator": facilitator,
        "participant": participant,
        "session": session,
    }


def session_url(session: Session, name="session_detail") -> str:
    return reverse(f"dialogues:{name}", args=[session.dialogue_id, session.pk])


def pack_form(dialogue, name: str) -> dict:
    """The request form, for an official of the register (added) by this name."""
    envoy = official(
        dialogue, name, "envoy@ministry.example", "Public", position="Envoy", institution="Ministry"
    )
    return {"note": "", "officials": [str(envoy.pk)]}


def released_pack_token(login, meeting, capture, recipient="SENTINEL-RECIPIENT-N2") -> str:
    """A pack requested by the convenor and released by the facilitator, through the pages; the
    token of the recipient's link, read from the e-mail."""
    dialogue = meeting["dialogue"]
    with capture(execute=True):
        response = login(meeting["convenor"]).post(
            reverse("dialogues:pack_request", args=[dialogue.pk]), pack_form(dialogue, recipient)
        )
    assert response.status_code == 302
    pack = BriefingPack.objects.get()
    assert [c.state for c in pack.copies.all()] == ["ready"]
    releaser = Client()
    enable_mfa(meeting["facilitator"].person.user)
    sign_in(releaser, meeting["facilitator"].person.user)
    with capture(execute=True):
        response = releaser.post(reverse("dialogues:pack_release", args=[dialogue.pk, pack.pk]))
    assert response.status_code == 302
    [message] = mail.outbox[-1:]
    return re.search(r"/packs/([^/\s]+)/", message.body).group(1)


def csp_directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.django_db
def test_every_kind_of_page_sends_a_strict_policy_and_the_usual_headers(
    login, meeting, django_capture_on_commit_callbacks
):
    token = released_pack_token(login, meeting, django_capture_on_commit_callbacks)
    member = login(meeting["participant"])
    pages = {
        "home": (member, reverse("home"), "same-origin"),
        "session": (member, session_url(meeting["session"]), "same-origin"),
        "sessions": (member, reverse("usersessions_list"), "same-origin"),
        "login": (Client(), reverse("account_login"), "same-origin"),
        "pack link": (Client(), reverse("pack_link", args=[token]), "no-referrer"),
    }
    for name, (browser, url, referrer_policy) in pages.items():
        response = browser.get(url)
        assert response.status_code == 200, name
        directives = csp_directives(response)
        assert "unsafe-inline" not in response["Content-Security-Policy"], name
        assert "unsafe-eval" not in response["Content-Security-Policy"], name
        assert directives["default-src"] == "'self'", name
        assert directives["script-src"] == "'self'", name
        assert directives["style-src"] == "'self'", name
        assert directives["object-src"] == "'none'", name
        assert directives["frame-ancestors"] == "'none'", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == referrer_policy, name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_styles_or_run_scripts(participant_client):
    page = participant_client.get(reverse("home")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page).group(1))
    assert config == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "selfRequestsOnly": True,
    }


# -- error reports and logs ----------------------------------------------------------------------


def _failing_view(request, token):
    title = request.POST.get("title")  # noqa: F841 -- a local the HTML report would show
    raise RuntimeError("the view failed")


urlpatterns = [path("packs/<str:token>/", _failing_view)]


@pytest.fixture
def mail_admins_as_in_production():
    """Django's e-mail handler with the filters base.LOGGING gives it (the test settings keep
    Django's default logging)."""
    [handler] = [h for h in logging.getLogger("django").handlers if h.name == "mail_admins"]
    redact = RedactSecretsFilter()
    handler.addFilter(redact)
    yield handler
    handler.removeFilter(redact)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@override_settings(ADMINS=[("Operations", "ops@example.org")])
def test_an_error_report_carries_no_posted_values_user_name_query_or_secret(
    mail_admins_as_in_production,
):
    user = UserFactory(email="sentinel-user@example.org", display_name="SENTINEL-USER-N3")
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["theme"] = "SENTINEL-COOKIE-VALUE"
    response = client.post(
        "/packs/SENTINEL-TOKEN-S1/?q=SENTINEL-QUERY-Q1",
        {"title": "SENTINEL-TITLE-T4", "venue": "SENTINEL-VENUE-V2"},
        HTTP_REFERER="https://trackii.example.org/dialogues/7/?SENTINEL-REFERER",
    )
    assert response.status_code == 500
    [report] = mail.outbox
    html = report.alternatives[0][0] if report.alternatives else ""
    text = "\n".join([report.subject, report.body, html])
    assert "RuntimeError" in report.body  # a positive control: the report is there
    assert f"USER: user {user.pk}" in report.body
    assert "title = '********************'" in report.body
    assert "SENTINEL" not in text.upper()


class _NamedUser:
    pk = 3

    def __str__(self):
        return FROM_AFAR["user"]


def _fail(session_id, venue):
    raise ValueError("boom")


def test_the_html_report_hides_local_variables_but_numbers():
    # The sentinels come from afar: the report quotes the source lines around each frame.
    request = RequestFactory().post("/dialogues/7/", {"title": FROM_AFAR["title"]})
    request.user = _NamedUser()
    try:
        _fail(42, FROM_AFAR["venue"])
    except ValueError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    html = reporter.get_traceback_html()
    assert [value for value in FROM_AFAR.values() if value in html] == []
    assert re.search(r'<td>session_id</td>\s*<td class="code"><pre>42</pre></td>', html)
    assert re.search(r'<td>venue</td>\s*<td class="code"><pre>&#x27;\*{20}&#x27;</pre></td>', html)
    assert "user 3" in html


def url_patterns(patterns=None, prefix="", namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, route, space)
        else:
            yield route, pattern, namespace


# Patterns whose text parts name things staff look up, not secrets.
NOT_SECRET = {"ops:who_saw"}  # <app_label>.<model> and an object id


def test_every_link_that_works_without_an_account_is_redacted_from_logs():
    secret = "SENTINEL-SECRET-S2"
    urls = []
    for route, pattern, namespace in url_patterns():
        if route.startswith("admin/") or pattern.name is None:
            continue
        if f"{namespace}{pattern.name}" in NOT_SECRET:
            continue
        converters = getattr(pattern.pattern, "converters", {})
        groups = pattern.pattern.regex.groupindex
        secret_parts = [n for n, c in converters.items() if type(c).__name__ == "StringConverter"]
        secret_parts += [n for n in groups if n in ("key", "token", "secret")]
        if not secret_parts:
            continue
        kwargs = {n: secret if n in secret_parts else "7" for n in groups}
        urls.append(reverse(f"{namespace}{pattern.name}", kwargs=kwargs))
    assert sorted(urls) == sorted(
        [
            f"/calendar/{secret}.ics",
            f"/packs/{secret}/",
            f"/packs/{secret}/download/",
            f"/invitations/{secret}/",
            f"/accounts/confirm-email/{secret}/",
            f"/accounts/password/reset/key/7-{secret}/",
        ]
    )
    for url in urls:
        assert secret not in redact_secrets(f"Not Found: {url}"), url
        assert REDACTED in redact_secrets(url)
    # Links with ids only are left as they are.
    for url in ("/invitations/send/4/", "/invitations/12/revoke/", "/dialogues/7/packs/"):
        assert redact_secrets(url) == url


def test_the_log_filter_rewrites_the_message_and_keeps_the_record():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/packs/abc.def/",), None
    )
    assert RedactSecretsFilter().filter(record) is True
    assert record.getMessage() == f"Not Found: /packs/{REDACTED}/"


def test_logging_and_error_reports_are_wired_to_the_confidential_filters():
    assert base.DEFAULT_EXCEPTION_REPORTER == "trackii.reporting.ConfidentialExceptionReporter"
    assert (
        base.DEFAULT_EXCEPTION_REPORTER_FILTER
        == "trackii.reporting.ConfidentialExceptionReporterFilter"
    )
    handlers = base.LOGGING["handlers"]
    assert "redact_secrets" in handlers["console"]["filters"]
    assert "redact_secrets" in handlers["mail_admins"]["filters"]
    assert base.LOGGING["loggers"]["django"]["handlers"] == ["mail_admins"]
    assert base.LOGGING["root"]["handlers"] == ["console"]


# -- Celery: ids in, ids or counts out -----------------------------------------------------------

ALLOWED_TASK_PARAMETERS = {"version", "nonce", "status"}  # a number, a secret, a status code
OUR_APPS = ("dialogues.", "participants.", "trackii.")


def our_tasks():
    celery_app.loader.import_default_modules()
    return {name: task for name, task in celery_app.tasks.items() if name.startswith(OUR_APPS)}


def test_every_task_takes_ids_by_keyword_and_returns_a_count_or_nothing():
    tasks = our_tasks()
    assert {"dialogues.briefing_render_copy", "participants.screen_case"} <= set(tasks)
    for name, task in tasks.items():
        signature = inspect.signature(task.run)
        for parameter in signature.parameters.values():
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, (name, parameter.name)
            assert (
                parameter.name.endswith(("_id", "_ids"))
                or parameter.name in ALLOWED_TASK_PARAMETERS
            ), (name, parameter.name)
            assert parameter.annotation in (int, str, list[int]), (name, parameter.name)
        assert signature.return_annotation in (None, int, bool), name


def test_tasks_are_queued_with_ids_by_keyword_only():
    calls = []
    for package in ("trackii", "dialogues", "participants"):
        for module in (ROOT / package).rglob("*.py"):
            if "migrations" in module.parts:
                continue
            for node in ast.walk(ast.parse(module.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                    "delay",
                    "apply_async",
                ):
                    calls.append((module.relative_to(ROOT), node))
    assert len(calls) >= 5
    for module, call in calls:
        assert call.args == [], module
        names = [k.arg for k in call.keywords]
        if call.func.attr == "apply_async":
            kwargs = next(k.value for k in call.keywords if k.arg == "kwargs")
            names = [key.value for key in kwargs.keys]
        for keyword in names:
            assert keyword.endswith(("_id", "_ids")) or keyword in ALLOWED_TASK_PARAMETERS, (
                module,
                keyword,
            )


def test_task_results_are_not_kept():
    assert base.CELERY_TASK_IGNORE_RESULT is True
    assert base.CELERY_RESULT_BACKEND is None
    assert celery_app.conf.task_ignore_result is True


@pytest.mark.django_db
def test_a_flow_through_pages_agenda_and_pack_logs_ids_only(
    login, meeting, caplog, django_capture_on_commit_callbacks
):
    runs = []

    def started(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
        runs.append(("in", task.name, tuple(args or ()), dict(kwargs or {})))

    def finished(sender=None, task_id=None, task=None, retval=None, **_):
        runs.append(("out", task.name, retval))

    task_prerun.connect(started, weak=False)
    task_postrun.connect(finished, weak=False)
    caplog.set_level(logging.DEBUG)
    try:
        convenor = login(meeting["convenor"])
        session = meeting["session"]
        page = convenor.get(session_url(session))
        assert "SENTINEL-VENUE-V1" in page.content.decode()  # the page itself shows it
        AgendaItem.objects.filter(session=session).update(title="SENTINEL-ITEM-T6")
        with django_capture_on_commit_callbacks(execute=True):
            response = publish_as_a_planner(convenor, session)
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [[meeting["participant"].person.user.email]]
        token = released_pack_token(login, meeting, django_capture_on_commit_callbacks)
        official = Client()
        assert official.get(reverse("pack_link", args=[token])).status_code == 200
        download = official.get(reverse("pack_link_download", args=[token]))
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    finally:
        task_prerun.disconnect(started)
        task_postrun.disconnect(finished)

    lines = [record.getMessage() for record in caplog.records]
    lines += [caplog.text]
    # Positive controls: the flow logged, with ids.
    assert f"agenda of session {session.pk} version 2: 1 e-mails" in lines
    copy = BriefingPack.objects.get().copies.get()
    assert f"briefing copy {copy.pk}: ready" in lines
    leaks = [line for line in lines if "SENTINEL" in line.upper()]
    assert leaks == []

    assert {run[1] for run in runs} == {
        "dialogues.agenda_published_notify",
        "dialogues.briefing_render_copies",
        "dialogues.briefing_link_send",
    }
    for run in runs:
        if run[0] == "in":
            _, name, args, kwargs = run
            assert args == (), name
            for key, value in kwargs.items():
                assert (
                    isinstance(value, int)
                    or (key == "nonce" and isinstance(value, str))
                    or (key.endswith("_ids") and all(isinstance(v, int) for v in value))
                )
                assert "SENTINEL" not in str(value).upper()
        else:
            assert run[2] is None or isinstance(run[2], int), run
