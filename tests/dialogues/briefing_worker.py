"""A real Celery worker for tests/dialogues/test_briefing_worker.py, with a test shim.

Run as ``python -m tests.dialogues.briefing_worker MODE`` from the project folder, with:

- ``DJANGO_SETTINGS_MODULE=trackii.settings.test``;
- ``DATABASE_URL``: the test database of the pytest run that started it;
- ``CELERY_BROKER_URL``: the Redis database of the test (the test settings would otherwise give
  the in-process transport);
- ``PRIVATE_STORAGE_ROOT``: the private storage folder of the pytest run (without it the test
  settings would make a new temporary folder for this process, where the test cannot see the
  packs).

MODE replaces ``dialogues.briefing.services.render_group_pdfs`` in this process (and so in the
pool processes forked from it), never in production code:

- ``slow-first``: a group's first attempt sleeps (``TRACKII_TEST_RENDER_DELAY`` seconds, default
  60) before rendering, so that the test can kill the worker while the copy is ``rendering``;
  later attempts render at once.
- ``crash``: every render kills its own process with SIGKILL, as a crash in native code would.

The pool is prefork with one process, as in production.
"""

import os
import signal
import sys
import time

MODES = ("slow-first", "crash")


def _shim(mode: str, real_render):
    delay = float(os.environ.get("TRACKII_TEST_RENDER_DELAY", "60"))

    def slow_first(copies):
        if copies[0].attempts == 1:
            time.sleep(delay)
        return real_render(copies)

    def crash(copies):
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable: the process was killed")

    return {"slow-first": slow_first, "crash": crash}[mode]


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in MODES:
        sys.exit(f"usage: python -m tests.dialogues.briefing_worker {{{'|'.join(MODES)}}}")
    mode = argv[0]
    broker = os.environ["CELERY_BROKER_URL"]
    if not broker.startswith("redis://"):
        sys.exit(f"CELERY_BROKER_URL must name a Redis database, not {broker!r}")

    if not os.environ.get("PRIVATE_STORAGE_ROOT"):
        sys.exit("PRIVATE_STORAGE_ROOT must name the test run's private storage folder")

    import django

    django.setup()

    from dialogues.briefing import services as briefing

    briefing.render_group_pdfs = _shim(mode, briefing.render_group_pdfs)

    from trackii.celery import app

    app.conf.update(broker_url=broker, task_always_eager=False)
    if app.conf.broker_url != broker:
        sys.exit(f"the worker would use {app.conf.broker_url!r}, not {broker!r}")
    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=briefing-test-{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1:])
