"""What leaves the application in logs and error reports: ids, never names, venues or titles, and
no secrets from links.

- ``ConfidentialExceptionReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``) hides every
  POST, GET and cookie value, every local variable other than a number, and request headers
  outside a short list: nearly every form here carries a title, a name or a venue, so hiding only
  the fields marked ``sensitive_post_parameters`` would be one forgotten decorator from a leak.
- ``ConfidentialExceptionReporter`` (``DEFAULT_EXCEPTION_REPORTER``) names the user by id (a
  user's ``str()`` is their name or address) and drops the query string and uploaded file names.
- ``RedactSecretsFilter``, a logging filter, and both reports blank the secret part of the
  links that work without an account (briefing-pack links, calendar feeds, invitations,
  password resets), which Django's request logger would otherwise print on every 404.
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted]"

# The secret segment of each link that works without an account. A new ``<str:...>`` URL
# pattern must be added here (tests/test_hardening.py checks every such pattern).
_SECRET_PATHS = re.compile(
    r"""
    (?P<prefix>
        /packs/
      | /calendar/
      | /invitations/(?!send/)(?!\d+/revoke/)
      | /accounts/password/reset/key/
      | /accounts/confirm-email/
    )
    (?P<secret>[^/\s?\#"'<>]+?)
    (?P<end>\.ics\b|/|(?=[\s?\#"'<>])|$)
    """,
    re.VERBOSE,
)


def redact_secrets(text: str) -> str:
    """``text`` with the secret segments of account-less links replaced."""
    return _SECRET_PATHS.sub(lambda m: f"{m['prefix']}{REDACTED}{m['end']}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message without the secrets of links; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report, not ours
            return True
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True


# Request headers that say how the request came without saying what it was about.
_SAFE_META = frozenset(
    {
        "REQUEST_METHOD",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_HOST",
        "HTTP_USER_AGENT",
        "HTTP_ACCEPT",
        "HTTP_HX_REQUEST",
        "HTTP_HX_TARGET",
        "HTTP_X_FORWARDED_PROTO",
        "wsgi.url_scheme",
    }
)


class ConfidentialExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return request.POST
        return self._cleansed(request.POST)

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        # request.POST or request.GET met as a local variable of a frame.
        if not self.is_active(request):
            return multivaluedict
        return self._cleansed(multivaluedict)

    def get_safe_cookies(self, request):
        if not hasattr(request, "COOKIES"):
            return {}
        if not self.is_active(request):
            return super().get_safe_cookies(request)
        return dict.fromkeys(request.COOKIES, self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        if not hasattr(request, "META"):
            return {}
        if not self.is_active(request):
            return super().get_safe_request_meta(request)
        return {key: self._safe_meta_value(key, value) for key, value in request.META.items()}

    def _safe_meta_value(self, key, value):
        if key not in _SAFE_META:
            return self.cleansed_substitute
        return redact_secrets(value) if isinstance(value, str) else value

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        # A local's repr is often a model's str(): a title, a name. Numbers (ids) stay.
        return [
            (name, value if _is_plain_number(value) else self.cleansed_substitute)
            for name, value in tb_frame.f_locals.items()
        ]

    def _cleansed(self, multivaluedict):
        cleansed = multivaluedict.copy()
        for key in cleansed:
            cleansed.setlist(key, [self.cleansed_substitute])
        return cleansed


def _is_plain_number(value) -> bool:
    return value is None or isinstance(value, int | float)


class ConfidentialExceptionReporter(ExceptionReporter):
    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is None or not self.filter.is_active(self.request):
            return data
        user = getattr(self.request, "user", None)
        user_id = getattr(user, "pk", None)
        data["user_str"] = f"user {user_id}" if user_id is not None else "anonymous"
        substitute = self.filter.cleansed_substitute
        data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
        data["request_FILES_items"] = [(key, substitute) for key in self.request.FILES]
        data["request_insecure_uri"] = redact_secrets(self._get_raw_insecure_uri().split("?", 1)[0])
        return data

    def get_traceback_text(self):
        return redact_secrets(super().get_traceback_text())

    def get_traceback_html(self):
        return redact_secrets(super().get_traceback_html())
