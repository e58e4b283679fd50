"""Admins, convenors and facilitators hold the keys to who met whom: when ``TRACKII_REQUIRE_MFA``
is on, those without the second factor their place asks for are sent to set it up before they can
do anything else, and those who must use a key are sent to use it.

- Staff and convenors: a passkey or a security key (WebAuthn). A key signs the origin it is used
  on, so a look-alike site cannot relay its answer to us; a code from an authenticator app can be
  typed into such a site and replayed. Holding a key is not enough: the sign-in itself must have
  used it (a passkey sign-in, the key as the second factor, or a confirmation with the key
  afterwards), or a relayed password and app code would still open everything.
- Facilitators (who convene nothing): any second factor; an authenticator app will do.
- Everyone else may add one and is never asked.
"""

from enum import Enum
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from ..selectors import is_convenor_anywhere, is_facilitator_anywhere

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

# Paths a session that has not used its key may still reach: the key's own confirmation, signing
# out, static files. Nothing else under /accounts/: with a relayed password an attacker could
# otherwise add a key of their own, or remove the owner's, and then pass with it.
_UNCONFIRMED_EXEMPT_PREFIXES = (
    "/accounts/logout/",
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
        _(
            "Facilitators use a second factor. Set up an authenticator app to continue "
            "(or add a passkey or security key from Two-factor authentication)."
        ),
    ),
    SecondFactor.KEY: (
        "mfa_add_webauthn",
        _(
            "Admins and convenors sign in with a passkey or a security key: an authenticator "
            "app alone is not enough for them. Add one to continue."
        ),
    ),
}

CONFIRM_WITH_KEY = _(
    "Admins and convenors confirm with their passkey or security key: a code from an app can "
    "be relayed by a look-alike site."
)


def required_second_factor(user) -> SecondFactor | None:
    """The second factor this account's place asks for, whatever it holds."""
    if not user.is_authenticated:
        return None
    if user.is_staff or is_convenor_anywhere(user):
        return SecondFactor.KEY
    if is_facilitator_anywhere(user):
        return SecondFactor.ANY
    return None


def _missing(user, required: SecondFactor | None) -> SecondFactor | None:
    if required is None:
        return None
    held = set(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True))
    if required is SecondFactor.KEY:
        enough = Authenticator.Type.WEBAUTHN in held
    else:
        enough = bool(held & {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN})
    return None if enough else required


def missing_second_factor(user) -> SecondFactor | None:
    """The second factor the account must still set up before anything else, or None. Recovery
    codes are a way back in, not a factor of their own."""
    if not getattr(settings, "TRACKII_REQUIRE_MFA", True):
        return None
    return _missing(user, required_second_factor(user))


def session_used_key(request) -> bool:
    """Whether this session was authenticated with a WebAuthn key: allauth records every method
    a session used (a passkey sign-in, the second-factor step, a reauthentication), for the
    signed-in account only. A recovery code or an app's code is recorded with its own type and
    does not count."""
    return any(
        record.get("method") == "mfa" and record.get("type") == Authenticator.Type.WEBAUTHN
        for record in get_authentication_records(request, request.user)
    )


def _said_once(request, why) -> None:
    # Said on the page a person asked for (not on every image or htmx call).
    if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
        messages.warning(request, why)


def _send_to(request, url: str):
    """A redirect; an htmx call is told to load the whole page instead of swapping it into a
    fragment."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.confirm_with_key = False
        if not getattr(settings, "TRACKII_REQUIRE_MFA", True) or request.path.startswith(
            _UNCONFIRMED_EXEMPT_PREFIXES
        ):
            return self.get_response(request)
        required = required_second_factor(request.user)
        if required is None:
            return self.get_response(request)
        missing = _missing(request.user, required)
        if missing is not None:
            if request.path.startswith(_EXEMPT_PREFIXES):
                return self.get_response(request)
            url_name, why = _SETUP[missing]
            _said_once(request, why)
            return _send_to(request, reverse(url_name))
        if required is SecondFactor.KEY and not session_used_key(request):
            confirm = reverse("mfa_reauthenticate_webauthn")
            if request.path == confirm:
                # The page explains itself and offers no other way (none would count).
                request.confirm_with_key = True
                return self.get_response(request)
            back_to = request.get_full_path()
            if request.htmx and request.htmx.current_url_abs_path:
                back_to = request.htmx.current_url_abs_path
            _said_once(request, CONFIRM_WITH_KEY)
            return _send_to(request, f"{confirm}?{urlencode({REDIRECT_FIELD_NAME: back_to})}")
        return self.get_response(request)
