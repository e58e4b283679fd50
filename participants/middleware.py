"""Admins, convenors and facilitators hold the keys to who met whom: when ``TRACKII_REQUIRE_MFA``
is on, those without the second factor their place asks for are sent to set it up before they can
do anything else.

- Staff and convenors: a passkey or a security key (WebAuthn). A key signs the origin it is used
  on, so a look-alike site cannot relay its answer to us; a code from an authenticator app can be
  typed into such a site and replayed. An app alone no longer suffices for them.
- Facilitators (who convene nothing): any second factor; an authenticator app will do.
- Everyone else may add one and is never asked.
"""

from enum import Enum

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import is_convenor_anywhere, is_facilitator_anywhere

# Paths a user without their second factor may still reach: setting one up (an authenticator
# app, a passkey or security key under /accounts/2fa/webauthn/, recovery codes), confirming
# their password first, signing out, static files.
_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/accounts/password/",
    "/static/",
)


class SecondFactor(Enum):
    """What an account must hold: any second factor, or a WebAuthn key (passkey or security
    key)."""

    ANY = "any"
    KEY = "webauthn"


_SETUP = {
    SecondFactor.ANY: (
        "mfa_activate_totp",
        "Facilitators use a second factor. Set up an authenticator app to continue "
        "(or add a passkey or security key from Two-factor authentication).",
    ),
    SecondFactor.KEY: (
        "mfa_add_webauthn",
        "Admins and convenors sign in with a passkey or a security key: an authenticator app "
        "alone is not enough for them. Add one to continue.",
    ),
}


def required_second_factor(user) -> SecondFactor | None:
    """The second factor this account's place asks for, whatever it holds."""
    if not user.is_authenticated:
        return None
    if user.is_staff or is_convenor_anywhere(user):
        return SecondFactor.KEY
    if is_facilitator_anywhere(user):
        return SecondFactor.ANY
    return None


def missing_second_factor(user) -> SecondFactor | None:
    """The second factor the account must still set up before anything else, or None. Recovery
    codes are a way back in, not a factor of their own."""
    if not getattr(settings, "TRACKII_REQUIRE_MFA", True):
        return None
    required = required_second_factor(user)
    if required is None:
        return None
    held = set(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True))
    if required is SecondFactor.KEY:
        enough = Authenticator.Type.WEBAUTHN in held
    else:
        enough = bool(held & {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN})
    return None if enough else required


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_EXEMPT_PREFIXES):
            missing = missing_second_factor(request.user)
            if missing is not None:
                url_name, why = _SETUP[missing]
                # Said once, on the page a person asked for (not on every image or htmx call).
                if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                    messages.warning(request, why)
                return redirect(reverse(url_name))
        return self.get_response(request)
