"""Facilitators and admins hold the keys to who met whom: when ``TRACKII_REQUIRE_MFA`` is on, those
without a second factor are sent to set one up before they can do anything else."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import is_facilitator_anywhere

# Paths a user without MFA may still reach: setting it up, signing out, static files.
_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/accounts/password/",
    "/static/",
)


def needs_mfa_setup(user) -> bool:
    if not getattr(settings, "TRACKII_REQUIRE_MFA", True):
        return False
    if not user.is_authenticated:
        return False
    if not (user.is_staff or is_facilitator_anywhere(user)):
        return False
    return not is_mfa_enabled(user)


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_EXEMPT_PREFIXES) and needs_mfa_setup(request.user):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
