"""Passkeys and security keys (WebAuthn, through allauth's MFA): a convenor holding only an
authenticator app adds a key, then signs in with it alone; the server checks every answer as in
production (challenge, origin, signature), so an answer made for another origin, or by a key that
is not the account's, signs nobody in. The key is a software one (tests.webauthn); the browser
test does the same with Chromium's virtual authenticator."""

import json
import re
import time
from urllib.parse import quote

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
from tests.factories import DialogueFactory, member_with_account
from tests.webauthn import SoftPasskey, add_security_key

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
