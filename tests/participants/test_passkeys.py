"""Passkeys and security keys (WebAuthn, through allauth's MFA): a convenor holding only an
authenticator app adds a key, then signs in with it alone; the server checks every answer as in
production (challenge, origin, signature), so an answer made for another origin, or by a key that
is not the account's, signs nobody in. The key is a software one (tests.webauthn); the browser
test does the same with Chromium's virtual authenticator."""

import json
import re
import time
from urllib.parse import quote, urlencode

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.test import Client
from django.urls import reverse

from participants.models import Membership
from tests.conftest import enable_totp
from tests.factories import DialogueFactory
from tests.webauthn import SoftPasskey, add_security_key
from tests.world import member_with_account

pytestmark = pytest.mark.django_db

# WebAuthn's relying party is the host the browser sees; fido2 accepts http:// for localhost only.
ORIGIN = "http://localhost"
ASKS_FOR_JSON = {"accept": "application/json"}
PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def localhost_client() -> Client:
    return Client(HTTP_HOST="localhost")


def js_data(response) -> dict:
    """The options allauth hands its WebAuthn script, read from the page as the script does."""
    found = re.search(
        r'<script id="js_data" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert found, "the page carries no WebAuthn options"
    return json.loads(found.group(1))


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


CONFIRM = reverse("mfa_reauthenticate_webauthn")


def confirm_with(client, key: SoftPasskey, *, next_url: str):
    """allauth's confirmation with a key, as its page does it: the options from the page, the
    key's answer posted back with ``next``."""
    page = client.get(CONFIRM, {"next": next_url})
    assert page.status_code == 200
    options = js_data(page)["request_options"]
    answer = key.get(options, origin=ORIGIN, rp_id="localhost")
    return client.post(CONFIRM, {"credential": json.dumps(answer), "next": next_url})


def password_then_code(client, user) -> None:
    """The ordinary sign-in: password, then the authenticator app's current code."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(totp.data["secret"])
    code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


@pytest.fixture
def convenor():
    membership = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    enable_totp(membership.person.user)
    return membership.person.user


def test_a_convenor_adds_a_passkey_and_then_signs_in_with_it_alone(convenor):
    client = localhost_client()
    password_then_code(client, convenor)
    # An app alone is not enough for a convenor: sent to add a key, after the password again.
    add_url = reverse("mfa_add_webauthn")
    assert client.get(reverse("home"))["Location"] == add_url
    reauthenticate = f"{reverse('account_reauthenticate')}?next={quote(add_url, safe='')}"
    assert client.get(add_url)["Location"] == reauthenticate
    response = client.post(reauthenticate, {"password": PASSWORD})
    assert response["Location"] == add_url
    page = client.get(add_url)
    assert page.status_code == 200
    options = js_data(page)["creation_options"]
    assert options["publicKey"]["rp"]["id"] == "localhost"

    key = SoftPasskey(resident=True)
    response = client.post(
        reverse("mfa_add_webauthn"),
        {
            "name": "Laptop",
            "passwordless": "on",
            "credential": json.dumps(key.create(options, origin=ORIGIN)),
        },
    )
    assert response.status_code == 302
    [added] = Authenticator.objects.filter(user=convenor, type=Authenticator.Type.WEBAUTHN)
    assert (added.wrap().name, added.wrap().is_passwordless) == ("Laptop", True)
    # This session signed in with the app's code: the new key confirms it once.
    assert client.get(reverse("home"))["Location"] == CONFIRM + "?next=%2F"
    assert confirm_with(client, key, next_url="/")["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("account_logout"))
    assert signed_in_user_id(client) is None

    # Passkey sign-in: the login page's button fetches options, the key answers, the form posts.
    login_page = client.get(reverse("account_login"))
    assert b'id="passkey_login"' in login_page.content
    options = client.get(reverse("mfa_login_webauthn"), headers=ASKS_FOR_JSON).json()
    response = client.post(
        reverse("mfa_login_webauthn"),
        {"credential": json.dumps(key.get(options["request_options"], origin=ORIGIN))},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(convenor.pk)
    assert [
        (m["method"], m.get("type"), m.get("passwordless"))
        for m in client.session[AUTHENTICATION_METHODS_SESSION_KEY]
    ] == [("mfa", "webauthn", True)]
    assert client.get(reverse("home")).status_code == 200


def test_an_answer_made_for_another_origin_signs_nobody_in(convenor):
    """A look-alike site that relays our challenge gets an answer naming its own origin (the
    browser writes the origin, not the page): refused."""
    key = add_security_key(convenor, passwordless=True)
    client = localhost_client()
    for origin in ("https://trackii-sign-in.example", "http://localhost.example", ORIGIN):
        options = client.get(reverse("mfa_login_webauthn"), headers=ASKS_FOR_JSON).json()
        response = client.post(
            reverse("mfa_login_webauthn"),
            {"credential": json.dumps(key.get(options["request_options"], origin=origin))},
        )
        assert response.status_code == 302
        if origin != ORIGIN:
            assert response["Location"] == reverse("account_login")
            assert signed_in_user_id(client) is None
    # The positive control: the same key, on our origin, signs in.
    assert signed_in_user_id(client) == str(convenor.pk)


def test_a_key_that_is_not_the_accounts_or_does_not_verify_its_holder_is_refused(convenor):
    add_security_key(convenor, passwordless=True)
    client = localhost_client()
    stranger = SoftPasskey(resident=True)
    stranger.user_handle = str(convenor.pk).encode()  # claims to be the convenor's
    unverified = SoftPasskey(resident=True, user_verified=False)
    for key in (stranger, unverified):
        options = client.get(reverse("mfa_login_webauthn"), headers=ASKS_FOR_JSON).json()
        response = client.post(
            reverse("mfa_login_webauthn"),
            {"credential": json.dumps(key.get(options["request_options"], origin=ORIGIN))},
        )
        assert response["Location"] == reverse("account_login")
        assert signed_in_user_id(client) is None


def test_a_security_key_is_the_second_factor_after_the_password(convenor):
    key = add_security_key(convenor, passwordless=False)
    client = localhost_client()
    response = client.post(
        reverse("account_login"), {"login": convenor.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    options = js_data(client.get(reverse("mfa_authenticate")))["request_options"]
    response = client.post(
        reverse("mfa_authenticate"),
        {"credential": json.dumps(key.get(options, origin=ORIGIN, rp_id="localhost"))},
    )
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(convenor.pk)
    assert client.get(reverse("home")).status_code == 200


# -- which factor this session used ------------------------------------------------------------
# Holding a key is not enough for staff and convenors: a look-alike site can relay the password
# and the app's code, so the session must have used the key (participants.accounts.middleware).

SENTINEL_DIALOGUE = "SENTINEL-DIALOGUE-Salt-River"


def _key_holder(kind: str, *, passwordless: bool = False):
    """Staff or a convenor holding an authenticator app, its recovery codes and a key; and the
    page only their place may see (with what it shows)."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.factories import UserFactory

    if kind == "staff":
        user = UserFactory(is_staff=True)
        page, shows = reverse("ops:scale"), "Restricted"
    else:
        dialogue = DialogueFactory(title=SENTINEL_DIALOGUE)
        role = Membership.Role.CONVENOR if kind == "convenor" else Membership.Role.FACILITATOR
        user = member_with_account(dialogue=dialogue, role=role, clearance="Restricted")
        user = user.person.user
        page, shows = reverse("dialogues:dialogue_detail", args=[dialogue.pk]), SENTINEL_DIALOGUE
    enable_totp(user)
    RecoveryCodes.activate(user)
    key = add_security_key(user, passwordless=passwordless)
    return user, key, page, shows


def _methods(client) -> list[tuple]:
    return [
        (m["method"], m.get("type"), m.get("reauthenticated", False))
        for m in client.session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]


def _sent_to_confirm(response, url: str) -> bool:
    return (response.status_code, response.get("Location"), response.content) == (
        302,
        f"{CONFIRM}?{urlencode({'next': url})}",
        b"",
    )


@pytest.mark.parametrize("kind", ["staff", "convenor"])
def test_a_relayed_password_and_code_open_nothing_until_the_key_confirms(kind):
    user, key, page, shows = _key_holder(kind)
    client = localhost_client()
    password_then_code(client, user)
    assert _methods(client) == [("password", None, False), ("mfa", "totp", False)]

    # Every page, the account's own pages included: adding a key of one's own, removing the
    # owner's, switching the app off, the recovery codes, the password, other ways to confirm.
    [held] = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)
    urls = [
        page,
        reverse("home"),
        reverse("profile"),
        "/admin/",
        reverse("mfa_index"),
        reverse("mfa_add_webauthn"),
        reverse("mfa_list_webauthn"),
        reverse("mfa_remove_webauthn", args=[held.pk]),
        reverse("mfa_deactivate_totp"),
        reverse("mfa_view_recovery_codes"),
        reverse("mfa_generate_recovery_codes"),
        reverse("mfa_reauthenticate"),
        reverse("account_reauthenticate"),
        reverse("account_change_password"),
        reverse("account_email"),
        reverse("usersessions_list"),
    ]
    for url in urls:
        assert _sent_to_confirm(client.get(url), url), url
    assert _sent_to_confirm(client.get(f"{page}?tab=1"), f"{page}?tab=1")
    # A form posted from such a session changes nothing.
    attacker = SoftPasskey(resident=True)
    add_page = reverse("mfa_add_webauthn")
    creation = {
        "publicKey": {
            "rp": {"id": "localhost", "name": "localhost"},
            "user": {"id": "dGVzdA", "name": user.email, "displayName": user.email},
            "challenge": "Y2hhbGxlbmdl",
        }
    }
    posted = {"name": "Mine", "credential": json.dumps(attacker.create(creation, origin=ORIGIN))}
    assert _sent_to_confirm(client.post(add_page, posted), add_page)
    remove = reverse("mfa_remove_webauthn", args=[held.pk])
    assert _sent_to_confirm(client.post(remove), remove)
    assert list(Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)) == [held]
    # An htmx call makes the whole page go to the confirmation, and come back to that page.
    response = client.get(
        page, headers={"HX-Request": "true", "HX-Current-URL": f"{ORIGIN}{reverse('home')}"}
    )
    assert (response.status_code, response["HX-Redirect"], response.content) == (
        200,
        f"{CONFIRM}?next=%2F",
        b"",
    )

    # Told why, on the confirmation page, which offers no other way (none would count).
    response = client.get(page, headers={"accept": "text/html"}, follow=True)
    assert response.redirect_chain == [(f"{CONFIRM}?{urlencode({'next': page})}", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"Successfully signed in as {user.email}.",
        "Admins and convenors confirm with their passkey or security key: a code from an app "
        "can be relayed by a look-alike site.",
    ]
    html = response.content.decode()
    assert "Confirm with your passkey or security key" in html
    assert shows not in html
    for other_way in (reverse("account_reauthenticate"), reverse("mfa_reauthenticate")):
        assert other_way not in html

    # A key that is not the account's confirms nothing.
    stranger = SoftPasskey(resident=False)
    stranger.credential_id = held.wrap().authenticator_data.credential_data.credential_id[::-1]
    assert confirm_with(client, stranger, next_url=page)["Location"] == reverse("account_login")
    assert _sent_to_confirm(client.get(page), page)

    # The account's own key: back to the page asked for, and everything opens.
    response = confirm_with(client, key, next_url=page)
    assert (response.status_code, response["Location"]) == (302, page)
    assert _methods(client) == [
        ("password", None, False),
        ("mfa", "totp", False),
        ("mfa", "webauthn", True),
    ]
    response = client.get(page)
    assert response.status_code == 200
    assert shows in response.content.decode()
    for url in (reverse("home"), reverse("profile"), reverse("mfa_index")):
        assert client.get(url).status_code == 200, url


def test_recovery_codes_are_no_use_of_the_key():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user, key, page, shows = _key_holder("staff")
    client = localhost_client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(codes).get_unused_codes()[0]
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    assert _methods(client) == [("password", None, False), ("mfa", "recovery_codes", False)]
    assert _sent_to_confirm(client.get(page), page)
    # Nor may a recovery code confirm afterwards: allauth's other confirmation is closed too.
    other_way = reverse("mfa_reauthenticate")
    codes.refresh_from_db()
    second = RecoveryCodes(codes).get_unused_codes()[0]
    assert _sent_to_confirm(client.post(other_way, {"code": second}), other_way)
    assert _methods(client) == [("password", None, False), ("mfa", "recovery_codes", False)]
    assert confirm_with(client, key, next_url=page)["Location"] == page
    assert shows in client.get(page).content.decode()


@pytest.mark.parametrize("kind", ["staff", "convenor"])
@pytest.mark.parametrize("way", ["passkey alone", "password, then the key"])
def test_a_sign_in_with_the_key_opens_everything_at_once(kind, way):
    user, key, page, shows = _key_holder(kind, passwordless=way == "passkey alone")
    client = localhost_client()
    if way == "passkey alone":
        options = client.get(reverse("mfa_login_webauthn"), headers=ASKS_FOR_JSON).json()
        answer = key.get(options["request_options"], origin=ORIGIN)
        client.post(reverse("mfa_login_webauthn"), {"credential": json.dumps(answer)})
    else:
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
        assert response["Location"] == reverse("mfa_authenticate")
        options = js_data(client.get(reverse("mfa_authenticate")))["request_options"]
        answer = key.get(options, origin=ORIGIN, rp_id="localhost")
        client.post(reverse("mfa_authenticate"), {"credential": json.dumps(answer)})
    assert signed_in_user_id(client) == str(user.pk)
    response = client.get(page)
    assert response.status_code == 200
    assert shows in response.content.decode()


def test_a_facilitator_signs_in_with_the_apps_code_and_is_not_asked_for_a_key():
    user, _key, page, shows = _key_holder("facilitator")
    client = localhost_client()
    password_then_code(client, user)
    response = client.get(page)
    assert response.status_code == 200
    assert shows in response.content.decode()
    # allauth's own confirmation page keeps its other ways for everyone else.
    html = client.get(CONFIRM, {"next": page}).content.decode()
    assert "Confirm with your passkey or security key" not in html
    assert f'href="{reverse("account_reauthenticate")}?next=' in html


def test_the_suites_sign_in_records_what_a_sign_in_with_the_key_records():
    """tests.conftest.sign_in stands in for a real sign-in with the password and the key."""
    from tests.conftest import sign_in

    user, key, page, _shows = _key_holder("convenor")
    real = localhost_client()
    real.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    options = js_data(real.get(reverse("mfa_authenticate")))["request_options"]
    answer = key.get(options, origin=ORIGIN, rp_id="localhost")
    real.post(reverse("mfa_authenticate"), {"credential": json.dumps(answer)})
    forced = sign_in(localhost_client(), user)

    def without_time(client):
        return [
            {k: v for k, v in m.items() if k != "at"}
            for m in client.session[AUTHENTICATION_METHODS_SESSION_KEY]
        ]

    assert without_time(forced) == without_time(real)
    assert without_time(forced)[-1] == {
        "method": "mfa",
        "id": Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN).pk,
        "type": "webauthn",
    }
    assert forced.get(page).status_code == 200
