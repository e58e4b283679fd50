"""Settings shared by every environment, secure by default; everything configurable comes from the
environment (django-environ). ``local`` relaxes explicitly, ``production`` insists on secrets."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is read only when present (local convenience); production passes real variables.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's widget templates, for the project's form renderer below.
    "django.forms",
    # allauth's list of security keys says "last used 2 hours ago" with it.
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "csp",
    "auditlog",
    # The sign-in clock of trackii.middleware (trackii.apps).
    "trackii",
    "trackii.audit",
    "trackii.ops",
    "participants",
    "dialogues",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The page's language: the person's own (kept in the session at sign-in), else the
    # browser's (trackii.i18n). In place of Django's LocaleMiddleware (no language in URLs).
    "trackii.i18n.LanguageMiddleware",
    # Model change history (django-auditlog) names the signed-in account as the actor.
    "trackii.audit.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Idle and absolute session lifetimes (SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_LIFETIME); keeps
    # each user's list of signed-in browsers current (/accounts/sessions/) in place of allauth's
    # UserSessionsMiddleware, which writes on every request.
    "trackii.middleware.SessionTimeoutMiddleware",
    # Dates and times on pages in the reader's own time zone (trackii.timezones).
    "trackii.middleware.ReaderTimeZoneMiddleware",
    "participants.accounts.middleware.RequireMFAMiddleware",
    # Last but one, so it sees the view's own answer: writes to the audit trail what a response
    # showed (trackii.audit.reads), for every page, partial, form, PDF, feed and download of
    # content.
    "trackii.audit.middleware.ReadAuditMiddleware",
    # Viewing Trackii as a member (issue 17): the request's viewer is both, only the dialogue's
    # reading pages answer, to GET. After the read audit, which then records what it lets
    # through and never what it refuses.
    "dialogues.viewas.middleware.ViewAsMiddleware",
]

# Forms render in the design system's one layout (templates/ui/_form_fields.html).
FORM_RENDERER = "trackii.forms.FormRenderer"

ROOT_URLCONF = "trackii.urls"
WSGI_APPLICATION = "trackii.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dialogues.viewas.context_processors.view_as",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://... in production and CI). ``local`` and ``test`` give SQLite
# as the embedded default; base and production have none, so a missing variable fails loudly.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a database connection for a minute instead of opening one per request (measured by
# `make loadtest`: about a third less CPU per page), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "participants.User"
# Django's and allauth's backends, loading the account with its person: the top bar names the
# reader on every page without a query more (participants.accounts.backends).
AUTHENTICATION_BACKENDS = [
    "participants.accounts.backends.ModelBackend",
    "participants.accounts.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login; nobody signs up on their own (accounts come from
# invitations or from admins), see participants.accounts.adapters.
ACCOUNT_ADAPTER = "participants.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trackii] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Second factors: an authenticator app (TOTP), passkeys and security keys (WebAuthn), and
# recovery codes. A WebAuthn key signs the site's own origin, so a look-alike site cannot relay it:
# staff and convenors must hold one (participants.accounts.middleware).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Trackii"
# Signing in with a passkey alone: allauth asks the key to verify its holder (PIN or biometrics)
# for this, so one gesture proves both what you have and what you know or are, and cannot be
# phished, which is more than a password and a code from an app. Passkeys are added by signed-in
# people only: nobody signs up with one (there is no open sign-up).
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
# Off everywhere. fido2 checks that a WebAuthn answer was made for this site's origin, and
# already accepts http://localhost (a secure context in browsers) for development and the
# browser tests; allauth's allowance would switch that check off for every origin, and the
# check is what makes a key phishing-resistant. Production refuses to start with it on.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# Who must hold which second factor (participants.accounts.middleware): staff and convenors a
# passkey or security key, facilitators any second factor.
TRACKII_REQUIRE_MFA = env.bool("TRACKII_REQUIRE_MFA", default=True)

# Languages (issue 20; docs/i18n.md). English is British English, the language the messages are
# written in. Adding a language: its catalogue in locale/<code>/LC_MESSAGES/django.po and one line
# here. A person's own choice (Person.language) wins over the browser's (trackii.i18n).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ru", "Русский"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Trackii's own date formats per language (how a moment is written), beside Django's.
FORMAT_MODULE_PATH = ["trackii.formats"]
# Signed-out visitors choose on the sign-in page (django.views.i18n.set_language): a cookie,
# first-party and never sent elsewhere.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded papers and rendered packs live outside anything served statically and leave only
# through views that ask the confidentiality module (later issues use this root).
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=str(BASE_DIR / "var" / "private"))
# Set in production behind nginx so that it streams private files after our checks.
PRIVATE_STORAGE_X_ACCEL_PREFIX = env("PRIVATE_STORAGE_X_ACCEL_PREFIX", default="")
# Several machines: private files in an S3-compatible bucket instead (docs/deploy.md, "Object
# storage"). S3_BUCKET switches it on; the bucket must grant nothing to anonymous requests.
# Downloads stream through the app (nginx cannot sign requests to the store), so
# PRIVATE_STORAGE_X_ACCEL_PREFIX must stay empty then.
PRIVATE_STORAGE_S3 = (
    {
        "bucket": env("S3_BUCKET"),
        "endpoint_url": env("S3_ENDPOINT_URL", default=""),
        "access_key_id": env("S3_ACCESS_KEY_ID", default=""),
        "secret_access_key": env("S3_SECRET_ACCESS_KEY", default=""),
        "region_name": env("S3_REGION_NAME", default=""),
        # "private" unless the bucket refuses ACLs (S3_OBJECT_ACL= empty sends none).
        "object_acl": env("S3_OBJECT_ACL", default="private"),
    }
    if env("S3_BUCKET", default="")
    else None
)
if PRIVATE_STORAGE_S3 and PRIVATE_STORAGE_X_ACCEL_PREFIX:
    raise ImproperlyConfigured(
        "S3_BUCKET and PRIVATE_STORAGE_X_ACCEL_PREFIX exclude each other: files in the bucket "
        "are streamed by Trackii itself (docs/deploy.md, Object storage)."
    )

# E-mail: EMAIL_URL (smtp://user:pass@host:port, consolemail://, ...).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Trackii <no-reply@trackii.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Redis: broker for Celery and the shared cache (rate limits must be counted across workers).
# Without REDIS_URL, Celery tasks run in-process and the cache is per process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "trackii",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # Sessions are read from Redis and written through to the database (which backups, the
    # lockdown and the list of signed-in devices read): one query less on every page
    # (docs/measurements.md). Only with a shared cache: a per-process one would let a session
    # ended in one worker live on in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# A job survives a worker crash: acknowledged only after it ran, one at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
# A job whose worker died (a host lost, a SIGKILL) stays unacknowledged in Redis: once the
# visibility timeout has passed, any other worker puts it back in the queue at its next scan,
# every 100 s by default (kombu: every tenth look, one look each 10 s). Unset here but in
# `make cluster-check`, which kills a worker and waits for the copy to come back.
if env("CELERY_UNACKED_RESTORE_SECONDS", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS"),
        "unacked_restore_throttle": 1,
    }
CELERY_BEAT_SCHEDULE = {
    "sessions-mark-held": {
        "task": "dialogues.sessions_mark_held",
        "schedule": 15 * 60,
    },
}

# Security headers, on everywhere; production adds HTTPS-only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A sign-in ends after this long without a request, and this long after it began whatever the
# activity (trackii.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=8 * 60 * 60)
# Everyone can see where they are signed in and end the other sessions (allauth.usersessions);
# the last request's time and address, recorded at most once a minute by the middleware above,
# tell a stolen session from one's own. (allauth's own middleware is not installed.)
USERSESSIONS_TRACK_ACTIVITY = True

# Content-Security-Policy: our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Logs and error reports carry ids, never names, venues, titles or the secrets of links
# (trackii.reporting).
DEFAULT_EXCEPTION_REPORTER = "trackii.reporting.ConfidentialExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "trackii.reporting.ConfidentialExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "trackii.reporting.RedactSecretsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        # Error reports by e-mail to ADMINS, if any are set (none by default).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own handlers for its logger (their console would print each line
        # twice, unfiltered); its records reach the root console by propagation.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # One line per task run is noise; failures are still logged.
        "celery.app.trace": {"level": "WARNING"},
        # The S3 client's debug lines carry signed requests (headers, query strings): never
        # logged, whatever LOG_LEVEL says; its warnings and errors still are.
        **{name: {"level": "WARNING"} for name in ("boto3", "botocore", "s3transfer", "urllib3")},
    },
}

# The header that carries the client's address when a trusted proxy (our nginx) sets it. Off by
# default: without a proxy in front, a client could write it themselves.
TRACKII_CLIENT_IP_META = env("TRACKII_CLIENT_IP_META", default="")

# Papers (dialogues.papers.services): the largest file accepted, checked on every upload.
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
# An upload above this is spooled to a temporary file instead of held in a worker's memory, so a
# few large papers at once cannot exhaust it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
# Caps the rest of a request (form fields, non-file bodies), not the file itself: a paper's size
# is bounded by DOCUMENT_MAX_UPLOAD_BYTES here and by nginx's client_max_body_size before it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
# Uploads being received are spooled here, not in the machine-wide /tmp (unset: the system's).
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=None)

# Flash messages may name what was just changed: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Screening (participants.screening): possible matches at or above this score go to a human.
SCREENING_THRESHOLD = env.float("SCREENING_THRESHOLD", default=0.70)
# Largest designation-list file accepted for import (the UN list is about 2 MB, OFAC's about 5).
DESIGNATION_MAX_UPLOAD_BYTES = env.int("DESIGNATION_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["screening-nightly"] = {
    "task": "participants.screen_all",
    "schedule": 24 * 60 * 60,
}

# The address people use to reach Trackii, for links in e-mail (no trailing slash).
TRACKII_BASE_URL = env("TRACKII_BASE_URL", default="http://localhost:8000")

# Invitations: how long an invitation's link stays valid.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# Briefing packs (dialogues.briefing).
# Four eyes: a second facilitator (not the requester) must approve a pack before it is released.
BRIEFING_FOUR_EYES = env.bool("BRIEFING_FOUR_EYES", default=True)
# How long an official's personal download link works.
BRIEFING_LINK_VALID_DAYS = env.int("BRIEFING_LINK_VALID_DAYS", default=14)
BRIEFING_MAX_RECIPIENTS = env.int("BRIEFING_MAX_RECIPIENTS", default=25)
# A copy whose worker died this many times mid-render fails with the reason instead of looping.
BRIEFING_MAX_ATTEMPTS = env.int("BRIEFING_MAX_ATTEMPTS", default=3)
# The sweeper requeues copies queued or rendering for longer than these (a lost message). The
# rendering limit exceeds the broker's visibility timeout, which itself exceeds the longest
# render by far (a 40-page pack takes seconds; docs/measurements.md).
BRIEFING_STALE_QUEUED_SECONDS = env.int("BRIEFING_STALE_QUEUED_SECONDS", default=10 * 60)
BRIEFING_STALE_RENDERING_SECONDS = env.int(
    "BRIEFING_STALE_RENDERING_SECONDS",
    default=CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] + 10 * 60,
)
CELERY_BEAT_SCHEDULE["briefing-sweep"] = {
    "task": "dialogues.briefing_sweep",
    "schedule": 5 * 60,
}

# Ideas (dialogues.ideas): each follow-up's owner is reminded by e-mail once when it is due
# within two days and once when it is overdue; a run more than once a day sends nothing twice.
CELERY_BEAT_SCHEDULE["follow-ups-remind"] = {
    "task": "dialogues.follow_ups_remind",
    "schedule": 24 * 60 * 60,
}
