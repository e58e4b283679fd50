"""The load test (``make loadtest``): production settings, served over plain HTTP on 127.0.0.1.

In production nginx ends TLS in front of gunicorn; the load test talks to gunicorn directly, with
no certificate, so only what HTTPS needs is relaxed here. A client does not send a ``Secure``
cookie over HTTP (nor accept a ``__Host-`` one), so the session and CSRF cookies lose the flag
and the prefix, and nothing redirects to HTTPS. Everything else is production's: no DEBUG, the
secrets and hosts from the environment, Argon2, MFA for facilitators, rate limits counted in
Redis per client address (the ``X-Real-IP`` header nginx would set, which the load test sets per
simulated user), the manifest static files, a real Celery worker. Never deploy with these.
"""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
