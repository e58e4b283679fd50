"""Settings of the page benchmark's server (``make bench-pages``, ``bench/pages.py``).

The load test's (production with plain HTTP on 127.0.0.1: no DEBUG, Argon2, the manifest static
files, the Redis cache and sessions; ``trackii.settings.loadtest``), plus the bare reference pages
of ``bench/reference``, mounted beside Trackii's own URLs, so that both answer from the same
gunicorn workers through the same middleware. The second factor's check is off: the benchmark
signs its readers in with a session made directly, and measures pages, not the sign-in.
Never deploy with these.
"""

import copy

from trackii.settings.loadtest import *  # noqa: F403
from trackii.settings.loadtest import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.reference.urls"
TEMPLATES = copy.deepcopy(TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "reference" / "templates"]
TRACKII_REQUIRE_MFA = False
