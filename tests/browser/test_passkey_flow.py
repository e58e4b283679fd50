"""A convenor who has only an authenticator app signs in, is sent to add a passkey (an app alone
is not enough for a convenor in production), adds one with Chromium's virtual authenticator,
confirms the session with it (the app's code was used to sign in), signs out, and signs in again
with the passkey alone. WebAuthn refuses IP-address origins, so the
live server is reached as http://localhost:<port>; allauth's scripts run under our
Content-Security-Policy (no inline script), and nothing is refused or logged as an error."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

from participants.models import Membership
from tests.browser.conftest import add_virtual_authenticator
from tests.conftest import enable_totp
from tests.factories import DialogueFactory
from tests.world import member_with_account

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def current_code(user) -> str:
    """The authenticator app's code, fresh for at least a few seconds."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 3:
        time.sleep(left + 0.1)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(totp.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def test_convenor_adds_a_passkey_and_signs_in_with_it(page, live_server, screenshot):
    assert live_server.url.startswith("http://localhost:"), live_server.url
    dialogue = DialogueFactory(title="Salt River")
    user = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    ).person.user
    enable_totp(user)

    problems: list[str] = []

    def on_console(message) -> None:
        # The browser asks for /favicon.ico on its own (we have none); everything else counts,
        # a refusal by the Content-Security-Policy first of all.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location['url']})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))

    # Chromium's virtual authenticator: a platform passkey that verifies its holder.
    cdp, authenticator_id = add_virtual_authenticator(page, resident=True)

    # Password, then the app's code.
    page.goto("/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("#id_code", current_code(user))
    page.get_by_role("button", name="Sign In", exact=True).click()

    # Sent to add a key, told why, asked for the password again first.
    page.wait_for_url("**/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Fwebauthn%2Fadd%2F")
    page.get_by_text("Admins and convenors sign in with a passkey or a security key").wait_for()
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    page.fill("#id_name", "This laptop")
    page.check("#id_passwordless")
    screenshot("1-add-a-passkey")
    page.click("#mfa_webauthn_add")
    # This session signed in with the app's code: the new passkey confirms it once, and then the
    # first key's recovery codes are shown, to keep.
    page.wait_for_url(
        "**/accounts/2fa/webauthn/reauthenticate/?next=%2Faccounts%2F2fa%2Frecovery-codes%2F"
    )
    page.get_by_text("a code from an app can be relayed by a look-alike site").wait_for()
    screenshot("2-confirm-with-the-passkey")
    page.get_by_role("button", name="Use your passkey or security key").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    screenshot("3-recovery-codes")

    [added] = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)
    assert (added.wrap().name, added.wrap().is_passwordless) == ("This laptop", True)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["isResidentCredential"] for c in credentials["credentials"]] == [True]

    page.goto("/")
    page.get_by_role("link", name="Salt River").wait_for()
    page.locator("details.menu > summary").click()  # the account menu holds Sign out
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")

    # The passkey alone: no password, no code.
    page.get_by_role("button", name="Sign in with a passkey").wait_for()
    screenshot("4-sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(lambda url: url.rstrip("/") == live_server.url)
    page.locator("details.menu > summary").click()
    page.get_by_text(f"Signed in as {user.person.full_name}", exact=True).wait_for()
    page.get_by_role("link", name="Salt River").wait_for()
    screenshot("5-signed-in")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["signCount"] for c in credentials["credentials"]] == [3]  # made, confirmed, signed in

    # A passkey that cannot verify its holder (a wrong PIN, a finger not recognised) is refused
    # by the browser; the page says so (allauth alone would write it to the console only).
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False}
    )
    page.get_by_role("button", name="Sign in with a passkey").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == (
        "The passkey or security key was not used: the request was cancelled or timed out. "
        "Try again, or use another way to sign in."
    )
    screenshot("6-passkey-refused")
    assert "/accounts/login/" in page.url

    assert problems == []
