"""Celery: in-process without Redis (``make run``), and a real worker on Redis where REDIS_URL
is set (CI). The real-worker test fails in CI when Redis is missing, and elsewhere skips,
saying why."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from kombu import Connection

from dialogues.models import Session
from dialogues.tasks import sessions_mark_held
from tests.factories import SessionFactory
from trackii.celery import app


def finished_session():
    past = datetime.now(UTC) - timedelta(days=3)
    return SessionFactory(start=past, end=past + timedelta(days=1))


@pytest.mark.django_db
def test_tasks_run_in_process_without_redis(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    session = finished_session()
    sessions_mark_held.delay()
    session.refresh_from_db()
    assert session.status == Session.Status.HELD


def test_beat_schedules_the_held_sessions_sweep():
    entry = app.conf.beat_schedule["sessions-mark-held"]
    assert entry["task"] == sessions_mark_held.name == "dialogues.sessions_mark_held"


@pytest.fixture
def worker_on_redis(redis_test_url):
    """A real worker thread consuming from Redis, on a database number of its own."""
    broker = redis_test_url
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=broker, task_always_eager=False)
    try:
        # Publish on a connection of our own: the app's producer pool may predate this
        # fixture and point at the in-process transport of the rest of the suite.
        with (
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20),
            Connection(broker) as connection,
            connection.Producer() as producer,
        ):
            yield producer
    finally:
        app.conf.update(saved)
        redis.Redis.from_url(broker).flushdb()


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_the_task(reference_data, worker_on_redis):
    session = finished_session()
    sessions_mark_held.apply_async(producer=worker_on_redis)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session.refresh_from_db()
        if session.status == Session.Status.HELD:
            break
        time.sleep(0.1)
    assert session.status == Session.Status.HELD


def test_beat_schedules_the_briefing_sweeper_and_render_tasks_survive_crashes():
    from dialogues.briefing.tasks import (
        briefing_render_copies,
        briefing_render_copy,
        briefing_sweep,
    )

    entry = app.conf.beat_schedule["briefing-sweep"]
    assert entry["task"] == briefing_sweep.name == "dialogues.briefing_sweep"
    assert entry["schedule"] == 300
    assert briefing_render_copy.acks_late is True
    assert briefing_render_copy.reject_on_worker_lost is True
    assert briefing_render_copies.acks_late is True
    assert briefing_render_copies.reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
