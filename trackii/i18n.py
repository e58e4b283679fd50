"""Which language a page, an e-mail or a PDF is written in (issue 20; docs/i18n.md).

A person's language is kept on the person (``Person.language``): set by the convening team at
nomination, so that the invitation goes out in it before any account exists, then chosen by the
person in their profile. Pages follow it once the person has signed in (it is kept in the
session at sign-in and when the profile changes it, so that no page pays a query for it); until
then, and for anyone without one, the browser's choice or the sign-in page's language cookie.
What is sent to someone (e-mails, PDFs, feeds) is written in *their* language, whoever causes
it to be sent: ``in_language_of(person)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.utils.cache import patch_vary_headers

# The session's copy of the signed-in person's language ("" when they have chosen none).
SESSION_KEY = "trackii_language"


def supported(code: str | None) -> str:
    """``code`` if it is one of ``settings.LANGUAGES``, else ""."""
    codes = {c for c, _name in settings.LANGUAGES}
    return code if code in codes else ""


def language_of(person: Any) -> str:
    """The language to write to ``person`` in: theirs, else the site's (English)."""
    return supported(getattr(person, "language", "")) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(person: Any) -> Iterator[str]:
    """Render what is sent to ``person`` in their language (e-mails, PDFs, feeds)."""
    language = language_of(person)
    with translation.override(language):
        yield language


@contextmanager
def in_language(code: str | None) -> Iterator[str]:
    """Render in ``code`` if it is a language Trackii speaks, else in English."""
    language = supported(code) or settings.LANGUAGE_CODE
    with translation.override(language):
        yield language


def remember(request, language: str) -> None:
    """Keep the signed-in person's language in the session (sign-in, profile change)."""
    request.session[SESSION_KEY] = supported(language)


@receiver(user_logged_in, dispatch_uid="trackii.i18n.remember_language")
def _remember_at_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    person = getattr(user, "person", None)
    remember(request, getattr(person, "language", "") if person is not None else "")


def adopt(request, language: str) -> None:
    """A signed-out visitor known by a link (an invitation) reads in the language the convening
    team set for them: this page at once, and the pages after it (a language cookie, which the
    middleware sets), until they sign in and their own is kept."""
    language = supported(language)
    user = getattr(request, "user", None)
    if not language or (user is not None and user.is_authenticated):
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.trackii_adopted_language = language


class LanguageMiddleware:
    """Activates the page's language: the signed-in person's, else the browser's (the language
    cookie of the sign-in page's chooser, then Accept-Language). Sets ``request.LANGUAGE_CODE``
    and answers with Content-Language; responses vary on the headers that chose it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = ""
        if user is not None and user.is_authenticated:
            chosen = supported(request.session.get(SESSION_KEY))
        language = chosen or translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        adopted = getattr(request, "trackii_adopted_language", "")
        if adopted:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                adopted,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
