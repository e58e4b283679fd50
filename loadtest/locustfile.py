"""Locust users for the load test: participants of the scaled demo organisation
(``seed_demo --scale``) who sign in through the login form and then read, at a fixed rate, their
home page, a dialogue page and a session's agenda page.

``make loadtest`` drives these users through its phases (``loadtest/measure.py``). For a run of
your own against a server that holds the scaled data:

    locust -f loadtest/locustfile.py --headless -H http://127.0.0.1:8100 -u 20 -r 20 -t 60s

Each user makes ``PER_USER_RATE`` requests a second (``constant_throughput``), so the number of
users sets the rate. Redirects are not followed: a page that answers 302 (to the login, say)
counts as a non-2xx answer, not as the login page's 200.
"""

from __future__ import annotations

import itertools
import os
import random
import re

import gevent
import gevent.lock
from locust import FastHttpUser, constant_throughput, task
from locust.exception import StopUser

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "trackii-demo")
# The scaled participants' addresses (dialogues.demo.demo_scale.participant_email), without
# importing Django into the load generator.
EMAIL = "participant-{:04d}@scale.demo.trackii.org"
ACCOUNTS = int(os.environ.get("LOADTEST_ACCOUNTS", "1500"))
PER_USER_RATE = float(os.environ.get("LOADTEST_PER_USER_RATE", "1"))
TIMEOUT = 30
SIGN_IN_ATTEMPTS = 3
# Sign-ins under way at once (the load test's gunicorn has 3 workers).
SIGN_IN_CONCURRENCY = int(os.environ.get("LOADTEST_SIGN_IN_CONCURRENCY", "3"))

SIGN_IN = "sign-in"
PAGES = ("home", "dialogue", "agenda")

_numbers = itertools.count(1)
_signing_in = gevent.lock.BoundedSemaphore(SIGN_IN_CONCURRENCY)
# How many users have signed in, or failed to: the driver waits for them before measuring.
signed = {"in": 0, "failed": 0, "retried": 0}
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SESSION_LINK = re.compile(r'href="(/dialogues/(\d+)/sessions/(\d+)/)"')


class SignInFailed(Exception):
    pass


class Participant(FastHttpUser):
    """One participant in one browser: signs in once, then reads. (FastHttpUser: the load
    generator shares the machine with the server, so it should spend as little CPU as it can.)"""

    wait_time = constant_throughput(PER_USER_RATE)
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self) -> None:
        number = next(_numbers)
        self.email = EMAIL.format((number - 1) % ACCOUNTS + 1)
        # Each simulated person comes from an address of their own, as nginx would report it in
        # X-Real-IP (the production settings' trusted header): allauth's rate limits apply per
        # client, as in production. 198.18.0.0/15 is reserved for benchmarks (RFC 2544); it is
        # only a header here, nothing is sent to it.
        self.headers = {
            "X-Real-IP": f"198.18.{number // 250}.{number % 250 + 1}",
            "User-Agent": "trackii-loadtest",
        }
        self.sessions: list[str] = []
        self.dialogues: list[str] = []
        try:
            self._sign_in_with_retries()
        except SignInFailed as failure:
            signed["failed"] += 1
            self.environment.events.request.fire(
                request_type="POST",
                name=SIGN_IN,
                response_time=0,
                response_length=0,
                exception=failure,
                response=None,
                context={},
            )
            raise StopUser from failure
        signed["in"] += 1
        # Users signed in together would otherwise ask in step, second after second: start
        # each at a random point of its period, so that requests arrive spread out.
        gevent.sleep(random.uniform(0, 1 / PER_USER_RATE))  # noqa: S311 - not security

    def _sign_in_with_retries(self) -> None:
        # Many users join at once at the higher rates, each signing in (Argon2, slow on purpose):
        # one whose sign-in still timed out tries again a little later, as a person would.
        for attempt in range(1, SIGN_IN_ATTEMPTS + 1):
            try:
                # A few at a time: hundreds of sign-ins queued at once would time out, and each
                # retry would queue again behind the abandoned ones.
                with _signing_in:
                    self._sign_in()
                return
            except SignInFailed:
                if attempt == SIGN_IN_ATTEMPTS:
                    raise
                signed["retried"] += 1
                gevent.sleep(random.uniform(2, 10))  # noqa: S311 - not security

    def _sign_in(self) -> None:
        form = self.client.get("/accounts/login/", name=SIGN_IN, headers=self.headers)
        token = _CSRF.search(form.text or "")
        if form.status_code != 200 or token is None:
            raise SignInFailed(f"login form: {form.status_code}")
        answer = self.client.post(
            "/accounts/login/",
            data={"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
            headers={**self.headers, "Referer": f"{self.host}/accounts/login/"},
            name=SIGN_IN,
            allow_redirects=False,
        )
        if answer.status_code != 302 or answer.headers.get("location") != "/":
            raise SignInFailed(f"{self.email}: {answer.status_code}")
        # What this participant may open: the links on their home page.
        home = self.client.get("/", name=SIGN_IN, headers=self.headers, allow_redirects=False)
        links = _SESSION_LINK.findall(home.text or "")
        if home.status_code != 200 or not links:
            raise SignInFailed(f"{self.email}: home {home.status_code}, {len(links)} sessions")
        self.sessions = sorted({path for path, _d, _s in links})
        self.dialogues = sorted({f"/dialogues/{d}/" for _path, d, _s in links})

    def _get(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers=self.headers, allow_redirects=False)

    @task
    def home(self) -> None:
        self._get("/", "home")

    @task
    def dialogue(self) -> None:
        self._get(random.choice(self.dialogues), "dialogue")  # noqa: S311 - not security

    @task
    def agenda(self) -> None:
        self._get(random.choice(self.sessions), "agenda")  # noqa: S311 - not security
