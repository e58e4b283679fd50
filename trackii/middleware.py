"""How long a sign-in lasts: it ends after ``SESSION_IDLE_TIMEOUT`` seconds without a request and,
however busy, ``SESSION_ABSOLUTE_LIFETIME`` seconds after the sign-in. A laptop left open in a
hotel lobby or a conference room stops showing who meets whom.

The same clock keeps the list of where a user is signed in (allauth's user sessions, which they
can end) up to date: recorded at the sign-in, then with the last request's time and address at
most once a minute. allauth's own middleware would write to the database on every request."""

import math
import time

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from .timezones import reading_in

SIGNED_IN_AT = "trackii_signed_in_at"
LAST_SEEN_AT = "trackii_last_seen_at"
# Recording the last request costs writes; a minute's slack on the idle clock and on the list of
# sessions does not matter, writes on every request would.
TOUCH_EVERY_SECONDS = 60


def now() -> float:
    """The clock (seconds since the epoch); tests move it."""
    return time.time()


@receiver(user_logged_in, dispatch_uid="trackii.session_clock_start")
def _start_the_clocks(sender, request, user, **kwargs):
    # Both clocks start at the sign-in itself, whichever way it happened (password and TOTP,
    # invitation, password reset), and the session goes on its owner's list at once. A sign-in
    # made without a request from a client (a test's force_login) is listed at its first touch.
    if request is None or not hasattr(request, "session"):
        return
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = now()
    if request.META.get("REMOTE_ADDR"):
        UserSession.objects.create_from_request(request)


def _expiry_reason(*, signed_in_at: float, last_seen_at: float, moment: float) -> str | None:
    if moment - signed_in_at >= settings.SESSION_ABSOLUTE_LIFETIME:
        hours = settings.SESSION_ABSOLUTE_LIFETIME / 3600
        return ngettext(
            "You were signed out: a sign-in lasts at most %(hours)s hour.",
            "You were signed out: a sign-in lasts at most %(hours)s hours.",
            math.ceil(hours),
        ) % {"hours": f"{hours:g}"}
    if moment - last_seen_at >= settings.SESSION_IDLE_TIMEOUT:
        minutes = settings.SESSION_IDLE_TIMEOUT / 60
        return ngettext(
            "You were signed out after %(minutes)s minute without activity.",
            "You were signed out after %(minutes)s minutes without activity.",
            math.ceil(minutes),
        ) % {"minutes": f"{minutes:g}"}
    return None


class SessionTimeoutMiddleware:
    """Signs out a session that idled or outlived its sign-in; the request then goes on as
    anonymous, so the view answers as it does to anyone signed out (to the login page). Otherwise
    records the activity, at most once a minute. Comes after allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        moment = now()
        if session.get(SIGNED_IN_AT) is None or session.get(LAST_SEEN_AT) is None:
            # A session from before this middleware existed: its clocks start now.
            session[SIGNED_IN_AT] = moment
            self._touch(request, moment)
            return None
        reason = _expiry_reason(
            signed_in_at=session[SIGNED_IN_AT], last_seen_at=session[LAST_SEEN_AT], moment=moment
        )
        if reason is not None:
            logout(request)
            messages.info(request, reason)
            if request.headers.get("HX-Request") == "true":
                # A fragment must not be swapped for the login page: the whole page goes there.
                return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
            return None
        if moment - session[LAST_SEEN_AT] >= TOUCH_EVERY_SECONDS:
            self._touch(request, moment)
        return None

    @staticmethod
    def _touch(request, moment: float) -> None:
        request.session[LAST_SEEN_AT] = moment
        UserSession.objects.create_from_request(request)


class ReaderTimeZoneMiddleware:
    """Pages write moments in the reader's own time zone (the account's, else UTC): sets it for
    the request (``trackii.timezones.reading_in``) without touching Django's current time zone,
    in which the forms read the times people type. Comes after the sign-in clock, which may
    sign the request out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = user.time_zone if user is not None and user.is_authenticated else ""
        with reading_in(zone):
            return self.get_response(request)
