"""Production: every secret from the environment with no default, HTTPS only. Importing these
settings without SECRET_KEY, DATABASE_URL, REDIS_URL or ALLOWED_HOSTS fails at start-up."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not REDIS_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "REDIS_URL must name the Redis server: production runs a real Celery worker and a "
        "shared cache for rate limits."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the hosts Trackii answers on.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Facilitators and admins hold who met whom: in production they cannot go without a second factor.
TRACKII_REQUIRE_MFA = env.bool("TRACKII_REQUIRE_MFA", default=True)
if not TRACKII_REQUIRE_MFA:
    raise ImproperlyConfigured(
        "TRACKII_REQUIRE_MFA cannot be switched off in production: facilitators and admins "
        "must use a second factor."
    )
# A WebAuthn answer made for another origin (a look-alike site relaying it) is refused only while
# fido2 checks the origin: allauth's insecure-origin allowance would turn that off.
if MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN:  # noqa: F405
    raise ImproperlyConfigured("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN must be off in production.")
if "webauthn" not in MFA_SUPPORTED_TYPES:  # noqa: F405
    raise ImproperlyConfigured("Staff and convenors need passkeys: keep webauthn in MFA.")
# Sign-in attempts are counted in Redis (CACHES above), across every worker.
if not ACCOUNT_RATE_LIMITS:  # noqa: F405
    raise ImproperlyConfigured("ACCOUNT_RATE_LIMITS must not be disabled in production.")
# nginx always overwrites X-Real-IP with the client's address: rate limits and the audit trail
# count the client, not the proxy.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default="X-Real-IP")
TRACKII_CLIENT_IP_META = "HTTP_" + ALLAUTH_TRUSTED_CLIENT_IP_HEADER.upper().replace("-", "_")
