"""Briefing-pack rendering survives crashes: a copy ends ``ready`` exactly once, or ``failed``
with its reason after a bounded number of attempts.

The broker tests start real Celery workers (prefork, one pool process) on Redis, in their own
processes (tests/dialogues/briefing_worker.py, which slows or crashes the render for the test),
against this run's test database, and kill them with SIGKILL mid-render. Every wait polls the
database or Redis until a deadline. The last tests run the job in-process, without a worker.
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from dialogues.briefing import services as briefing
from dialogues.briefing.tasks import briefing_render_copies
from dialogues.models import BriefingPackCopy
from tests.conftest import require_service
from tests.dialogues.test_briefing_pdf import request_pack
from trackii.celery import app

State = BriefingPackCopy.State
PROJECT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds: the bound of every wait
HOST = socket.gethostname()
ONE_COPY = [("Amal Haddad", "Programme")]


# -- helpers -------------------------------------------------------------------------------------


def pack_files() -> set[str]:
    """The files in the private storage's packs folder, as storage names."""
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "packs"
    return {f"packs/{p.name}" for p in folder.iterdir()} if folder.exists() else set()


def assert_stored_once(copy: BriefingPackCopy, files_before: set[str]) -> None:
    """The copy's file is the one new file in the packs folder, and its checksum is right."""
    assert pack_files() - files_before == {copy.file.name}
    data = (Path(settings.PRIVATE_STORAGE_ROOT) / copy.file.name).read_bytes()
    assert data.startswith(b"%PDF-")
    assert copy.sha256 == hashlib.sha256(data).hexdigest()
    assert copy.size == len(data)


def parent_pid(pid: int) -> int:
    """A running process's parent, from /proc (the field after the parenthesised name)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def gone(pid: int) -> bool:
    """The process no longer runs (absent, or a zombie awaiting its reaper)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def pid_of(copy: BriefingPackCopy) -> int:
    host, pid = copy.worker.rsplit(":", 1)
    assert host == HOST
    return int(pid)


def database_url() -> str:
    """This run's test database, for the worker processes."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}{port}/{quote(s['NAME'], safe='')}"


class Worker:
    """One worker process (the launcher's main process, leader of its own process group)."""

    def __init__(self, mode: str, broker: str, log: Path):
        self.log = log
        env = dict(os.environ)
        env.pop("REDIS_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="trackii.settings.test",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker,
            PRIVATE_STORAGE_ROOT=str(settings.PRIVATE_STORAGE_ROOT),
            PYTHONUNBUFFERED="1",
        )
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.dialogues.briefing_worker", mode],
                cwd=PROJECT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the pool too
            )
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def kill_group(self) -> None:
        """SIGKILL to the worker and its pool at once, as when the machine dies."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self) -> None:
        """Kill what is left of it (nothing of it is needed after the test)."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=WAIT)


def wait_for(what: str, predicate, *, workers=(), timeout: float = WAIT):
    """Poll ``predicate`` until it returns something true, failing after ``timeout`` seconds or
    as soon as a worker that should be running has exited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        dead = [w for w in workers if not w.alive()]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(f"--- worker {w.pid} log ---\n{w.tail()}" for w in workers)
            reason = f"worker {dead[0].pid} exited" if dead else f"{timeout} s passed"
            pytest.fail(f"{reason} while waiting for {what}\n{logs}")
        time.sleep(0.05)


def copy_now(copy_id: int) -> BriefingPackCopy:
    return BriefingPackCopy.objects.get(pk=copy_id)


def copy_in(copy_id: int, *states):
    copy = copy_now(copy_id)
    return copy if copy.state in states else None


# -- fixtures for the broker tests ---------------------------------------------------------------


@pytest.fixture
def broker(redis_test_url, reference_data, monkeypatch):
    """A Redis database of the test's own (flushed before and after). Packs requested in the
    test are published there, as a worker on Redis would receive them."""
    require_service(
        connection.vendor == "postgresql",
        "the worker processes must share the test database: run with a PostgreSQL DATABASE_URL",
    )
    url = redis_test_url
    client = redis.Redis.from_url(url)
    client.flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        # Publish on a connection of our own: the app's producer pool may predate this fixture
        # and point at the in-process transport of the rest of the suite.
        with Connection(url) as conn, conn.Producer() as producer:

            def enqueue(copy_ids):
                for batch in briefing.render_batches(copy_ids):
                    briefing_render_copies.apply_async(
                        kwargs={"copy_ids": batch}, producer=producer
                    )

            monkeypatch.setattr(briefing, "_enqueue", enqueue)
            yield {"url": url, "redis": client}
    finally:
        app.conf.update(saved)
        client.flushdb()
        client.close()


@pytest.fixture
def start_worker(broker, tmp_path):
    """Start workers; every one is stopped when the test ends, whatever happened."""
    started = []

    def start(mode: str) -> Worker:
        worker = Worker(mode, broker["url"], tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


def broker_settled(client: redis.Redis) -> bool:
    """No message left: none waiting in a queue, none delivered and unacknowledged."""
    lists = [key for key in client.scan_iter() if client.type(key) == b"list"]
    return client.hlen("unacked") == 0 and all(client.llen(key) == 0 for key in lists)


def request_one_copy(world) -> int:
    pack = request_pack(world, ONE_COPY)
    return pack.copies.get().pk


# -- a real worker on Redis ----------------------------------------------------------------------


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killing_the_pool_process_mid_render_still_ends_ready_once(
    reference_data, world, broker, start_worker
):
    files_before = pack_files()
    worker = start_worker("slow-first")
    copy_id = request_one_copy(world)

    rendering = wait_for(
        "the first attempt to start rendering",
        lambda: copy_in(copy_id, State.RENDERING),
        workers=[worker],
    )
    assert rendering.attempts == 1
    pool_pid = pid_of(rendering)
    assert pool_pid != worker.pid
    assert parent_pid(pool_pid) == worker.pid  # the pool process, forked by the worker

    os.kill(pool_pid, signal.SIGKILL)

    copy = wait_for(
        "the copy to end", lambda: copy_in(copy_id, State.READY, State.FAILED), workers=[worker]
    )
    assert copy.state == State.READY
    assert copy.attempts == 2
    assert copy.failure_reason == ""
    new_pool_pid = pid_of(copy)
    assert new_pool_pid != pool_pid
    assert parent_pid(new_pool_pid) == worker.pid  # a new pool process of the same worker
    assert_stored_once(copy, files_before)

    # The message was acknowledged: nothing will run the copy again.
    wait_for("the broker to settle", lambda: broker_settled(broker["redis"]), workers=[worker])
    again = copy_now(copy_id)
    assert (again.state, again.attempts, again.file.name) == (State.READY, 2, copy.file.name)
    assert pack_files() - files_before == {copy.file.name}


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_new_worker_finishes_a_copy_whose_worker_died_after_the_visibility_timeout(
    reference_data, world, broker, start_worker
):
    files_before = pack_files()
    first = start_worker("slow-first")
    copy_id = request_one_copy(world)
    rendering = wait_for(
        "the first attempt to start rendering",
        lambda: copy_in(copy_id, State.RENDERING),
        workers=[first],
    )
    assert rendering.attempts == 1
    first_pool_pid = pid_of(rendering)
    assert parent_pid(first_pool_pid) == first.pid

    first.kill_group()  # the machine dies: worker and pool process at once
    wait_for("the first pool process to die", lambda: gone(first_pool_pid))

    # Nobody finished it and nobody acknowledged it: the message waits in Redis's unacked set.
    client = broker["redis"]
    assert copy_now(copy_id).state == State.RENDERING
    assert client.hlen("unacked") == 1
    [(_, delivered_at)] = client.zrange("unacked_index", 0, -1, withscores=True)

    # A worker (re)started after the visibility timeout receives the message again: kombu puts
    # back messages unacknowledged for longer than the timeout when a worker starts consuming
    # (and a running worker every unacked_restore_interval x unacked_restore_throttle seconds:
    # about 100 s by default, every second in the test settings).
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    wait_for(
        "the visibility timeout to pass",
        lambda: time.time() > delivered_at + visibility_timeout + 0.5,
    )
    second = start_worker("slow-first")
    copy = wait_for(
        "the new worker to end the copy",
        lambda: copy_in(copy_id, State.READY, State.FAILED),
        workers=[second],
    )
    assert copy.state == State.READY
    assert copy.attempts == 2
    assert copy.failure_reason == ""
    new_pool_pid = pid_of(copy)
    assert new_pool_pid != first_pool_pid
    assert parent_pid(new_pool_pid) == second.pid  # the new worker's pool process
    assert_stored_once(copy, files_before)
    wait_for("the broker to settle", lambda: broker_settled(client), workers=[second])
    assert copy_now(copy_id).attempts == 2


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_render_that_always_crashes_fails_after_the_allowed_attempts(
    reference_data, world, broker, start_worker
):
    assert settings.BRIEFING_MAX_ATTEMPTS == 3
    files_before = pack_files()
    worker = start_worker("crash")
    copy_id = request_one_copy(world)

    copy = wait_for(
        "the copy to end", lambda: copy_in(copy_id, State.READY, State.FAILED), workers=[worker]
    )
    assert copy.state == State.FAILED
    assert copy.attempts == 3
    assert copy.failure_reason.startswith("Rendering was started 3 times and never finished")
    assert copy.failure_reason == (
        "Rendering was started 3 times and never finished: the worker stopped or crashed each "
        f"time (last on {copy.worker}). Retry once the cause is fixed."
    )
    assert gone(pid_of(copy))  # the last attempt killed its pool process too
    assert (copy.file.name, copy.sha256) == ("", "")
    assert copy.pack.status == "failed"
    assert pack_files() == files_before

    # The fourth delivery found the copy failed and was acknowledged: the loop has ended.
    wait_for("the broker to settle", lambda: broker_settled(broker["redis"]), workers=[worker])
    assert copy_now(copy_id).attempts == 3


# -- the job without a worker --------------------------------------------------------------------


@pytest.mark.django_db
def test_rendering_a_copy_twice_stores_it_once(world):
    files_before = pack_files()
    copy_id = request_one_copy(world)

    assert briefing.copy_render(copy_id=copy_id, worker="host-a:101") == "ready"
    assert briefing.copy_render(copy_id=copy_id, worker="host-b:202") == "skipped"

    copy = copy_now(copy_id)
    assert (copy.state, copy.attempts, copy.worker) == (State.READY, 1, "host-a:101")
    assert_stored_once(copy, files_before)


@pytest.mark.django_db
def test_a_superseded_attempt_neither_overwrites_nor_leaves_its_file(world, monkeypatch):
    """Attempt 1 is rendering when attempt 2 (the same message delivered again) claims the copy
    and finishes it; attempt 1 then finishes too, and must leave attempt 2's result alone."""
    files_before = pack_files()
    copy_id = request_one_copy(world)
    real_render = briefing.render_group_pdfs
    seen = {}

    def render(copies):
        if copies[0].attempts == 1:  # attempt 1, mid-render: attempt 2 runs to the end
            seen["second"] = briefing.copy_render(copy_id=copy_id, worker="host-b:202")
            seen["after_second"] = copy_now(copy_id)
        return real_render(copies)

    monkeypatch.setattr(briefing, "render_group_pdfs", render)

    assert briefing.copy_render(copy_id=copy_id, worker="host-a:101") == "superseded"
    assert seen["second"] == "ready"
    after_second = seen["after_second"]
    copy = copy_now(copy_id)
    assert (copy.state, copy.attempts, copy.worker) == (State.READY, 2, "host-b:202")
    assert copy.file.name == after_second.file.name != ""
    assert (copy.sha256, copy.rendered_at) == (after_second.sha256, after_second.rendered_at)
    assert_stored_once(copy, files_before)  # attempt 1's file was deleted


@pytest.mark.django_db
def test_a_superseded_attempt_leaves_a_copy_still_rendering_alone(world, monkeypatch):
    """Attempt 2 has claimed the copy and is still rendering when attempt 1 finishes."""
    files_before = pack_files()
    copy_id = request_one_copy(world)
    real_render = briefing.render_group_pdfs

    def render(copies):
        taken = timezone.now()
        BriefingPackCopy.objects.filter(pk=copy_id).update(
            attempts=2, worker="host-b:202", claimed_at=taken
        )
        return real_render(copies)

    monkeypatch.setattr(briefing, "render_group_pdfs", render)

    assert briefing.copy_render(copy_id=copy_id, worker="host-a:101") == "superseded"
    copy = copy_now(copy_id)
    assert (copy.state, copy.attempts, copy.worker) == (State.RENDERING, 2, "host-b:202")
    assert (copy.file.name, copy.sha256, copy.size, copy.rendered_at) == ("", "", None, None)
    assert pack_files() == files_before


class WorkerDied(BaseException):
    """The process stops where it stands (no ``except Exception`` catches it)."""


@pytest.mark.django_db
def test_a_worker_dying_mid_group_leaves_every_copy_to_the_next_delivery_once(world, monkeypatch):
    """A group of three is rendered once, and the worker dies while storing its second file:
    the message's next delivery renders the whole group again, and each copy ends ready once."""
    files_before = pack_files()
    pack = request_pack(
        world, [("Amal Haddad", "Programme"), ("Brian Osei", "Programme"), ("Chen Li", "Programme")]
    )
    ids = list(pack.copies.order_by("number").values_list("pk", flat=True))
    assert briefing.render_batches(ids) == [ids]  # one group: one message
    storage = BriefingPackCopy._meta.get_field("file").storage
    real_save = storage.save
    saved = []

    def dying_save(name, content, **kwargs):
        if len(saved) == 1:
            raise WorkerDied
        saved.append(real_save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(storage, "save", dying_save)
    with pytest.raises(WorkerDied):
        briefing.copies_render(copy_ids=ids, worker="host-a:101")
    monkeypatch.undo()
    [orphan] = saved
    assert pack_files() - files_before == {orphan}
    for copy_id in ids:
        copy = copy_now(copy_id)
        assert (copy.state, copy.attempts, copy.file.name) == (State.RENDERING, 1, "")

    # The message is delivered again (late acknowledgement): the group is rendered once more.
    assert briefing.copies_render(copy_ids=ids, worker="host-b:202") == dict.fromkeys(ids, "ready")
    copies = [copy_now(copy_id) for copy_id in ids]
    for copy in copies:
        assert (copy.state, copy.attempts, copy.worker) == (State.READY, 2, "host-b:202")
    names = {copy.file.name for copy in copies}
    assert len(names) == 3
    assert pack_files() - files_before == names | {orphan}
    # And once more (a duplicate): nothing to do.
    assert briefing.copies_render(copy_ids=ids, worker="host-c:303") == dict.fromkeys(
        ids, "skipped"
    )
    assert [copy_now(copy_id).attempts for copy_id in ids] == [2, 2, 2]
    # The dead attempt's file goes with the sweeper, once old enough; the copies' stay.
    later = timezone.now() + timedelta(seconds=settings.BRIEFING_STALE_RENDERING_SECONDS + 1)
    briefing.pack_files_sweep(now=later)
    assert orphan not in pack_files()
    assert names <= pack_files()


@pytest.mark.django_db
def test_the_sweeper_requeues_stale_copies_only(world, monkeypatch):
    now = timezone.now()
    queued_limit = timedelta(seconds=settings.BRIEFING_STALE_QUEUED_SECONDS)
    rendering_limit = timedelta(seconds=settings.BRIEFING_STALE_RENDERING_SECONDS)
    second = timedelta(seconds=1)
    names = ["Amal", "Brian", "Chen", "Dana", "Emil", "Farah", "Goran", "Hana"]
    pack = request_pack(world, [(f"{name} Official", "Programme") for name in names])
    copies = dict(zip(names, pack.copies.order_by("number"), strict=True))

    def put(name, **fields):
        BriefingPackCopy.objects.filter(pk=copies[name].pk).update(**fields)

    old_queue_time = now - queued_limit - second
    put("Amal", queued_at=old_queue_time)  # stale in the queue
    put("Brian", queued_at=now - queued_limit)  # exactly at the limit: not yet stale
    put("Chen", queued_at=now)  # fresh
    put("Dana", state=State.RENDERING, attempts=1, claimed_at=now - rendering_limit - second)
    put("Emil", state=State.RENDERING, attempts=1, claimed_at=now - rendering_limit)
    put("Farah", state=State.RENDERING, attempts=1, claimed_at=now - second)
    # Ended copies are never requeued, however old.
    put("Goran", state=State.READY, sha256="0" * 64, queued_at=old_queue_time)
    put("Hana", state=State.FAILED, claimed_at=now - rendering_limit - second)

    enqueued = []
    monkeypatch.setattr(briefing, "_enqueue", lambda ids: enqueued.append(list(ids)))

    assert briefing.packs_sweep(now=now) == 2
    assert enqueued == [[copies["Amal"].pk, copies["Dana"].pk]]
    amal, dana = copy_now(copies["Amal"].pk), copy_now(copies["Dana"].pk)
    assert (amal.state, amal.queued_at) == (State.QUEUED, now)  # not requeued again next sweep
    assert (dana.state, dana.attempts) == (State.RENDERING, 1)  # the next claim counts on
    assert dana.claimed_at == now  # and its clock restarts: no duplicate every sweep
    assert copy_now(copies["Brian"].pk).queued_at == now - queued_limit

    # Nothing stale: nothing requeued, the copies just requeued included.
    enqueued.clear()
    assert briefing.packs_sweep(now=now - rendering_limit) == 0
    assert briefing.packs_sweep(now=now) == 0
    assert enqueued == []


@pytest.mark.django_db
def test_the_sweeper_deletes_pack_files_no_copy_names_once_old_enough(world, monkeypatch, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(BriefingPackCopy._meta.get_field("file"), "storage", storage)
    assert briefing.pack_files_sweep() == 0  # no folder yet: nothing to do

    pack = request_pack(world, [("Amal Official", "Programme")])
    copy = pack.copies.get()
    now = timezone.now()
    limit = settings.BRIEFING_STALE_RENDERING_SECONDS
    long_ago = (now - timedelta(seconds=limit + 1)).timestamp()
    just_now = (now - timedelta(seconds=limit - 1)).timestamp()

    def plant(name: str, mtime: float) -> str:
        stored = storage.save(f"packs/{name}.pdf", ContentFile(b"%PDF-1.7 test"))
        os.utime(storage.path(stored), (mtime, mtime))
        return stored

    named = plant("named", long_ago)
    BriefingPackCopy.objects.filter(pk=copy.pk).update(file=named)
    orphan = plant("orphan", long_ago)
    plant("in-flight", just_now)  # stored a moment ago, not yet recorded

    assert briefing.pack_files_sweep(now=now) == 1
    assert sorted(storage.listdir("packs")[1]) == ["in-flight.pdf", "named.pdf"]
    assert not storage.exists(orphan)
    assert briefing.pack_files_sweep(now=now) == 0
