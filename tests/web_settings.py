"""Settings of a second web process started by a test (tests/web_process.py): the test
settings, with the shared cache on the Redis database the test names
(``TRACKII_TEST_CACHE_URL``), as every web process has it in production."""

import os

from trackii.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["TRACKII_TEST_CACHE_URL"],
        "KEY_PREFIX": "trackii",
    }
}
# A failing request's traceback goes to the process's log, which the test prints.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
