"""Backups (trackii.ops.backup, the ``backup`` and ``restore`` commands): an archive brings back
every row of every model and every private file byte for byte; it opens only with its key; a wrong
key, a damaged archive or a database in use restores nothing.

The round trips run on the suite's database: PostgreSQL through pg_dump / pg_restore (CI), SQLite
through its backup API (a laptop without DATABASE_URL)."""

import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import UserFactory
from tests.ops.conftest import KEY
from trackii.ops import backup

OTHER_KEY = "another-backup-key-9876543210-zyxwvutsrqponmlkji"
# A paper's text that must never be readable in an archive.
SENTINEL = b"SENTINEL-who-met-whom-at-the-lakeside"


def snapshot_rows() -> dict[str, list[tuple]]:
    """Every row of every model (all apps, many-to-many tables included), in key order."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    return rows


def private_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def snapshot_files() -> dict[str, tuple[int, str]]:
    """Every private file: its path, size and SHA-256."""
    return {
        relative: (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        for relative, path in backup.private_files(private_root())
    }


def wipe() -> None:
    """What a disaster leaves: an empty database (the schema stays) and no private files."""
    call_command("flush", interactive=False, verbosity=0)
    root = private_root()
    for child in root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


@pytest.fixture(autouse=True)
def _remove_test_files():
    """The private storage folder is the whole run's: leave none of this module's files in it."""
    yield
    shutil.rmtree(private_root() / "ops-test", ignore_errors=True)


def make_archive(folder: Path) -> Path:
    call_command("backup", output_dir=str(folder), stdout=io.StringIO())
    [archive] = folder.glob("trackii-*.tar.enc")
    return archive


@pytest.fixture
def small_world(reference_data, backup_tools, key, tmp_path):
    """Two accounts and one private file, backed up: (archive, rows, files) as they were."""
    UserFactory.create_batch(2)
    (private_root() / "ops-test").mkdir(exist_ok=True)
    (private_root() / "ops-test" / "small-world").write_bytes(SENTINEL * 3)
    archive = make_archive(tmp_path / "backups")
    return archive, snapshot_rows(), snapshot_files()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_finds_every_row_and_file(reference_data, backup_tools, key, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    # Beyond the papers and the pack: a file over several encrypted chunks, an empty one, and a
    # name in another script in a nested folder.
    extra = private_root() / "ops-test" / "nested"
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "ملف-٣.bin").write_bytes(os.urandom(3 * backup.CHUNK_SIZE + 17))
    (extra / "empty").write_bytes(b"")
    rows, files = snapshot_rows(), snapshot_files()
    # Positive control: the demo is there to be lost (accounts, papers, the rendered pack, the
    # audit trail) and its files with it.
    for label in (
        "participants.User",
        "participants.Person",
        "dialogues.Dialogue",
        "dialogues.AgendaItem",
        "dialogues.Document",
        "dialogues.BriefingPackCopy",
        "audit.AuditEntry",
    ):
        assert rows[label], label
    assert sum(1 for name in files if name.startswith("documents/")) >= 3
    # (the private folder is shared by the whole test run: other tests' files are there too)
    from dialogues.models import BriefingPackCopy

    assert BriefingPackCopy.objects.get().file.name in files

    archive = make_archive(tmp_path / "backups")
    assert archive.stat().st_mode & 0o777 == 0o600
    assert SENTINEL not in archive.read_bytes()  # the papers' text is not readable

    wipe()
    assert backup.database_content() == {}
    assert snapshot_files() == {}

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert snapshot_rows() == rows
    assert snapshot_files() == files
    assert f"{len(files)} private files" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_restore_with_wrong_key_changes_nothing(small_world, monkeypatch):
    archive, _, _ = small_world
    wipe()
    monkeypatch.setenv("BACKUP_KEY", OTHER_KEY)

    with pytest.raises(CommandError, match=r"^wrong key: BACKUP_KEY does not open this archive"):
        call_command("restore", str(archive), force=True)

    assert backup.database_content() == {}
    assert snapshot_files() == {}


@pytest.mark.django_db(transaction=True)
def test_restore_of_tampered_archive_changes_nothing(small_world, tmp_path):
    archive, rows, files = small_world
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "tampered.tar.enc"
    tampered.write_bytes(data)
    # Changed since the backup, to show that even --force leaves everything as it is.
    UserFactory()
    (private_root() / "ops-test" / "small-world").write_bytes(b"changed")
    rows_before, files_before = snapshot_rows(), snapshot_files()
    assert (rows_before, files_before) != (rows, files)

    with pytest.raises(CommandError, match=r"^the archive is damaged or was tampered with"):
        call_command("restore", str(tampered), force=True)

    assert snapshot_rows() == rows_before
    assert snapshot_files() == files_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_database_in_use_unless_forced(small_world):
    archive, rows, files = small_world
    UserFactory()  # added since the backup

    with pytest.raises(
        CommandError, match=r"^the database is not empty \(\d+ tables hold rows: .*--force"
    ):
        call_command("restore", str(archive))
    assert len(snapshot_rows()["participants.User"]) == len(rows["participants.User"]) + 1

    call_command("restore", str(archive), force=True, stdout=io.StringIO())
    assert snapshot_rows() == rows
    assert snapshot_files() == files


@pytest.mark.django_db(transaction=True)
def test_backup_to_standard_output_restores_from_standard_input(
    reference_data, backup_tools, key, capsysbinary, monkeypatch
):
    # How the compose stack runs it: docker compose exec -T web python manage.py backup --output -
    UserFactory.create_batch(2)
    (private_root() / "ops-test").mkdir(exist_ok=True)
    (private_root() / "ops-test" / "piped").write_bytes(SENTINEL)
    rows, files = snapshot_rows(), snapshot_files()
    call_command("backup", output="-")
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(backup.MAGIC)
    assert b"Backup written to standard output" in captured.err
    wipe()

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(captured.out)))
    call_command("restore", "-", stdout=io.StringIO())

    assert snapshot_rows() == rows
    assert snapshot_files() == files


@pytest.mark.django_db
def test_restore_refuses_private_files_in_use_unless_forced(key, tmp_path):
    (private_root() / "ops-test").mkdir(exist_ok=True)
    (private_root() / "ops-test" / "in-use").write_bytes(b"x")
    archive = tmp_path / "unread.tar.enc"
    archive.write_bytes(b"never read: the refusal comes first")

    with pytest.raises(CommandError, match=r"^the private storage holds \d+ files already"):
        call_command("restore", str(archive))


def test_backup_without_key_is_refused(monkeypatch, tmp_path):
    # No database access either: pytest-django would fail this test if it tried.
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    with pytest.raises(CommandError, match=r"^BACKUP_KEY is not set: .*secrets.token_urlsafe"):
        call_command("backup", output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_backup_with_short_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKUP_KEY", "x" * (backup.KEY_MIN_LENGTH - 1))
    with pytest.raises(CommandError, match=r"^BACKUP_KEY is too short \(31 characters"):
        call_command("backup", output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_restore_without_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    archive = tmp_path / "any.tar.enc"
    archive.write_bytes(b"anything")
    with pytest.raises(CommandError, match=r"^BACKUP_KEY is not set"):
        call_command("restore", str(archive))


# -- the encryption alone ------------------------------------------------------------------------

CHUNK = 1024


def encrypt(plain: bytes, key: str = KEY) -> bytes:
    sink = io.BytesIO()
    writer = backup.EncryptingWriter(sink, key, chunk_size=CHUNK)
    for start in range(0, len(plain), 700):  # writes that straddle chunk boundaries
        writer.write(plain[start : start + 700])
    writer.finish()
    return sink.getvalue()


def decrypt(data: bytes, key: str = KEY) -> bytes:
    reader = backup.DecryptingReader(io.BytesIO(data), key)
    plain = reader.read()
    assert reader.finished
    return plain


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 300])
def test_encryption_round_trips_any_length(size):
    plain = os.urandom(size)
    data = encrypt(plain)
    # header, then whole chunks, then the last (never empty of its tag)
    chunks = max(1, -(-size // CHUNK))
    assert len(data) == backup._HEADER.size + size + 16 * chunks
    assert decrypt(data) == plain


def test_encryption_hides_the_plaintext():
    data = encrypt(SENTINEL * 100)
    assert SENTINEL not in data
    assert SENTINEL[:8] not in data


def _flip(offset):
    def change(data: bytes) -> bytes:
        changed = bytearray(data)
        changed[offset] ^= 0x01
        return bytes(changed)

    return change


HEADER = backup._HEADER.size
BLOCK = CHUNK + 16


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(_flip(0), "not a Trackii backup", id="magic"),
        pytest.param(_flip(20), "wrong key", id="salt"),
        pytest.param(_flip(HEADER - 1), "wrong key", id="key-check"),
        pytest.param(_flip(HEADER + 5), "damaged or was tampered", id="first-chunk"),
        pytest.param(_flip(HEADER + BLOCK + 5), "damaged or was tampered", id="middle-chunk"),
        pytest.param(_flip(-1), "damaged or was tampered", id="last-tag"),
        pytest.param(lambda d: d[: HEADER + 3 * BLOCK], "damaged or was tampered", id="cut-chunks"),
        pytest.param(lambda d: d[:-1], "damaged or was tampered", id="cut-byte"),
        pytest.param(lambda d: d + b"\0", "damaged or was tampered", id="extended"),
        pytest.param(
            lambda d: (
                d[:HEADER]
                + d[HEADER + BLOCK : HEADER + 2 * BLOCK]
                + d[HEADER : HEADER + BLOCK]
                + d[HEADER + 2 * BLOCK :]
            ),
            "damaged or was tampered",
            id="chunks-swapped",
        ),
        pytest.param(lambda d: d[: HEADER - 3], "not a Trackii backup", id="cut-header"),
    ],
)
def test_changed_archive_does_not_decrypt(change, message):
    data = encrypt(os.urandom(4 * CHUNK + 10))
    with pytest.raises(backup.BackupError, match=message):
        decrypt(change(data))


def test_wrong_key_is_told_apart_from_damage():
    data = encrypt(b"hello")
    with pytest.raises(backup.WrongKeyError, match=r"^wrong key"):
        decrypt(data, OTHER_KEY)


# -- PostgreSQL's tools get the password through the environment ---------------------------------


class _Connection:
    vendor = "postgresql"
    in_atomic_block = False
    settings_dict = {
        "NAME": "trackii_restore",
        "USER": "trackii",
        "PASSWORD": "s3cret-password",
        "HOST": "db.internal",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "verify-full"},
    }

    def close(self):
        pass


def test_pg_tools_get_the_connection_from_the_environment_not_the_command_line(
    monkeypatch, tmp_path
):
    calls = []

    def run(command, *, env, **kwargs):
        calls.append((command, env))
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    monkeypatch.setattr(backup.subprocess, "run", run)
    monkeypatch.setenv("PGDATABASE", "somewhere-else")
    monkeypatch.setenv("PGSERVICE", "inherited")
    engine = backup._PostgreSQL(_Connection())
    engine.dump(tmp_path / "db.pgdump")
    engine.load(tmp_path / "db.pgdump")

    assert [command[0] for command, _ in calls] == ["pg_dump", "pg_restore"]
    for command, env in calls:
        assert not any("s3cret" in part for part in command)
        assert {k: v for k, v in env.items() if k.startswith("PG")} == {
            "PGHOST": "db.internal",
            "PGPORT": "5433",
            "PGUSER": "trackii",
            "PGPASSWORD": "s3cret-password",
            "PGDATABASE": "trackii_restore",
            "PGSSLMODE": "verify-full",
        }
    restore_command = calls[1][0]
    assert "--single-transaction" in restore_command
    assert "--clean" in restore_command
    assert "--dbname=trackii_restore" in restore_command
