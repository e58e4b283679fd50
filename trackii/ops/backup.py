"""Backups: one encrypted archive holding the whole database and every private file (papers,
briefing packs, funders' reports: on local disk, or every object of the S3 bucket when
PRIVATE_STORAGE_S3 is set), and the restore that puts both back. The ``backup`` and ``restore`` management
commands are thin shells over :func:`backup_create` / :func:`backup_write_file` and
:func:`backup_restore`; docs/operations.md is the operator's guide.

The archive is a tar stream (``database.pgdump`` or ``database.sqlite3``, ``private/<path>`` for
each file, ``manifest.json`` last, with the size and SHA-256 of every member) encrypted in chunks
with AES-256-GCM. Its key is derived with scrypt from ``BACKUP_KEY`` and a random salt of the
archive. Each chunk's nonce carries its number and whether it is the last one, and every chunk
authenticates the header, so a changed, reordered, cut or extended archive fails, as does a
wrong key (told apart by a key check in the header).

A restore decrypts and verifies the whole archive into a private temporary folder before it
touches anything; only then does it load the database (in one transaction) and move the files
into ``PRIVATE_STORAGE_ROOT`` (or upload them into the bucket, under the same keys). A wrong key or a damaged archive therefore changes nothing.

PostgreSQL goes through the server's own tools (``pg_dump`` / ``pg_restore``, whose major version
must be at least the server's), with the connection handed over in ``PG*`` environment variables
so that the password never appears on a command line. SQLite (``make run``) goes through
SQLite's online backup API.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from dialogues.storage import private_storage, private_storage_is_s3

logger = logging.getLogger(__name__)

KEY_ENV = "BACKUP_KEY"
KEY_MIN_LENGTH = 32
KEY_HOWTO = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'

ARCHIVE_SUFFIX = ".tar.enc"
FORMAT_VERSION = 1
MAGIC = b"TRACKIIB"
# magic, format, scrypt log2(n), r, p, chunk size, salt, nonce prefix, key check
_HEADER = struct.Struct(">8sBBBBI16s7s16s")
_TAG_BYTES = 16
CHUNK_SIZE = 1024 * 1024
# scrypt at n = 2**15, r = 8: 32 MB and about 0.15 s per archive here; the key is meant to be
# random, this only makes a weak one costlier to guess.
_SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P = 15, 8, 1

MANIFEST = "manifest.json"
PRIVATE_PREFIX = "private/"
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024
_COPY_BYTES = 1024 * 1024

# Rows that `migrate` itself writes into a new database: they do not make it "in use".
_SEEDED_BY_MIGRATE = frozenset(
    {"contenttypes.contenttype", "auth.permission", "dialogues.confidentialitylevel"}
)

# Connection options of DATABASE_URL that libpq also reads from the environment.
_LIBPQ_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or restore was refused or failed; the message is meant for the operator."""


class WrongKeyError(BackupError):
    pass


class DamagedArchiveError(BackupError):
    pass


class NotEmptyError(BackupError):
    pass


@dataclass(frozen=True)
class BackupSummary:
    engine: str
    database_bytes: int
    file_count: int
    file_bytes: int
    archive_bytes: int
    archive_sha256: str


@dataclass(frozen=True)
class RestoreSummary:
    engine: str
    created_at: str
    file_count: int
    file_bytes: int
    files_kept: int = 0


# -- the key --------------------------------------------------------------------------------------


def backup_key_check(key: str | None) -> str:
    """The key as given, or a refusal that says how to make a proper one."""
    if not key:
        raise BackupError(
            f"{KEY_ENV} is not set: the archive holds everything, so it is always encrypted. "
            f"Generate a key with {KEY_HOWTO}, keep a copy away from the server "
            "(docs/operations.md), and set it in the environment."
        )
    if len(key) < KEY_MIN_LENGTH:
        raise BackupError(
            f"{KEY_ENV} is too short ({len(key)} characters, at least {KEY_MIN_LENGTH}): "
            f"generate one with {KEY_HOWTO}"
        )
    return key


def backup_key_from_environment(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return backup_key_check(environ.get(KEY_ENV, "").strip())


def _derive(key: str, salt: bytes, log_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    derived = Scrypt(salt=salt, length=64, n=2**log_n, r=r, p=p).derive(key.encode("utf-8"))
    return derived[:32], derived[32:48]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


# -- encryption in chunks -------------------------------------------------------------------------


class EncryptingWriter:
    """Encrypts what is written to it into ``sink``, one chunk at a time. ``finish()`` writes the
    last chunk (possibly empty): without it the archive does not open."""

    def __init__(self, sink: BinaryIO, key: str, *, chunk_size: int = CHUNK_SIZE) -> None:
        backup_key_check(key)
        salt, prefix = os.urandom(16), os.urandom(7)
        aead_key, check = _derive(key, salt, _SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P)
        self._header = _HEADER.pack(
            MAGIC,
            FORMAT_VERSION,
            _SCRYPT_LOG_N,
            _SCRYPT_R,
            _SCRYPT_P,
            chunk_size,
            salt,
            prefix,
            check,
        )
        self._aead = AESGCM(aead_key)
        self._prefix = prefix
        self._chunk_size = chunk_size
        self._counter = 0
        self._buffer = bytearray()
        self._sink = sink
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._emit_raw(self._header)

    def _emit_raw(self, data: bytes) -> None:
        self._sink.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        if self._counter >= 2**32:
            raise BackupError("archive too large for one file")
        nonce = _nonce(self._prefix, self._counter, last)
        self._emit_raw(self._aead.encrypt(nonce, plain, self._header))
        self._counter += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        # Strictly more than a chunk: what is left at the end (up to a whole chunk) is the last.
        while len(self._buffer) > self._chunk_size:
            self._emit(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._sink.flush()


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    parts, missing = [], size
    while missing:
        part = source.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


class DecryptingReader(io.RawIOBase):
    """Reads the plaintext of an archive. Every chunk is authenticated before any of it is
    returned; the end is authenticated too, so ``drain()`` after use proves nothing was cut."""

    def __init__(self, source: BinaryIO, key: str) -> None:
        super().__init__()
        backup_key_check(key)
        header = _read_exactly(source, _HEADER.size)
        if len(header) < _HEADER.size or not header.startswith(MAGIC):
            raise DamagedArchiveError("this is not a Trackii backup archive (or it was cut short)")
        _, version, log_n, r, p, chunk_size, salt, prefix, check = _HEADER.unpack(header)
        if version != FORMAT_VERSION:
            raise DamagedArchiveError(
                f"archive format {version} is not supported (this Trackii reads {FORMAT_VERSION})"
            )
        if not (14 <= log_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
            raise DamagedArchiveError("the archive's header is damaged (key derivation)")
        if not 1024 <= chunk_size <= 16 * 1024 * 1024:
            raise DamagedArchiveError("the archive's header is damaged (chunk size)")
        aead_key, expected = _derive(key, salt, log_n, r, p)
        if not hmac.compare_digest(expected, check):
            raise WrongKeyError(
                f"wrong key: {KEY_ENV} does not open this archive (it was made with another key, "
                "or its header was changed). Nothing was restored."
            )
        self._source = source
        self._header = header
        self._aead = AESGCM(aead_key)
        self._prefix = prefix
        self._block = chunk_size + _TAG_BYTES
        self._counter = 0
        self._plain = b""
        self._offset = 0
        self.finished = False
        self._pending = _read_exactly(source, self._block)

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        current = self._pending
        following = _read_exactly(self._source, self._block)
        last = not following
        try:
            self._plain = self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), current, self._header
            )
        except InvalidTag:
            raise DamagedArchiveError(
                f"the archive is damaged or was tampered with (part {self._counter + 1} fails "
                "authentication, or the archive was cut short or extended). Nothing was restored."
            ) from None
        self._offset = 0
        self._pending = following
        self._counter += 1
        self.finished = last

    def readinto(self, buffer) -> int:
        while self._offset >= len(self._plain):
            if self.finished:
                return 0
            self._next_chunk()
        count = min(len(buffer), len(self._plain) - self._offset)
        buffer[:count] = self._plain[self._offset : self._offset + count]
        self._offset += count
        return count

    def drain(self) -> None:
        """Read and authenticate whatever is left, up to the last chunk."""
        while self.read(_COPY_BYTES):
            pass


# -- databases ------------------------------------------------------------------------------------


def _run(command: list[str], *, env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 (fixed program, arguments built here)
            command, env=env, capture_output=True, text=True, errors="replace", check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client of the server's major "
            "version (Debian: postgresql-client)"
        ) from None
    if done.returncode != 0:
        message = done.stderr.strip()[-2000:]
        hint = ""
        if "version mismatch" in message:
            hint = " (install the PostgreSQL client of the server's major version, or newer)"
        raise BackupError(f"{what} failed{hint}: {message}")
    return done.stdout


class _PostgreSQL:
    name = "postgresql"
    member = "database.pgdump"

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def environment(self) -> dict[str, str]:
        """The process environment for pg_dump / pg_restore: the connection of DATABASE_URL and
        nothing inherited that could point them elsewhere."""
        params = self.connection.settings_dict
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        values = {
            "PGHOST": params.get("HOST"),
            "PGPORT": params.get("PORT"),
            "PGUSER": params.get("USER"),
            "PGPASSWORD": params.get("PASSWORD"),
            "PGDATABASE": params.get("NAME"),
        }
        options = params.get("OPTIONS") or {}
        values.update({var: options.get(opt) for opt, var in _LIBPQ_OPTION_ENV.items()})
        env.update({var: str(value) for var, value in values.items() if value not in (None, "")})
        return env

    def describe(self) -> dict[str, str]:
        self.connection.ensure_connection()
        version = self.connection.pg_version
        tool = _run(["pg_dump", "--version"], env=self.environment(), what="pg_dump --version")
        return {"server_version": f"{version // 10000}.{version % 10000}", "tool": tool.strip()}

    def dump(self, path: Path) -> None:
        _run(
            ["pg_dump", "--format=custom", "--no-password", f"--file={path}"],
            env=self.environment(),
            what="pg_dump",
        )

    def load(self, path: Path) -> None:
        if self.connection.in_atomic_block:
            raise BackupError("restore cannot run inside a database transaction")
        # Our own connection must not hold anything pg_restore's DROPs would wait for.
        self.connection.close()
        _run(
            [
                "pg_restore",
                "--no-password",
                f"--dbname={self.connection.settings_dict['NAME']}",
                # Replace what the archive holds, all or nothing; owners and grants are those of
                # the account restoring, which need not exist under the archive's names.
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                str(path),
            ],
            env=self.environment(),
            what="pg_restore",
        )


class _SQLite:
    name = "sqlite"
    member = "database.sqlite3"

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def describe(self) -> dict[str, str]:
        return {"server_version": sqlite3.sqlite_version, "tool": "sqlite3 backup API"}

    def _raw(self) -> sqlite3.Connection:
        if self.connection.in_atomic_block:
            raise BackupError("backup and restore cannot run inside a database transaction")
        self.connection.ensure_connection()
        return self.connection.connection

    def dump(self, path: Path) -> None:
        # SQLite's online backup: a consistent copy even while the development server writes.
        target = sqlite3.connect(path)
        try:
            self._raw().backup(target)
        finally:
            target.close()

    def load(self, path: Path) -> None:
        source = sqlite3.connect(path)
        try:
            # One step: the whole database is replaced in one write transaction, or not at all.
            source.backup(self._raw())
        except sqlite3.Error as exc:
            raise BackupError(f"loading the SQLite database failed: {exc}") from exc
        finally:
            source.close()


def _engine(connection: BaseDatabaseWrapper) -> _PostgreSQL | _SQLite:
    if connection.vendor == "postgresql":
        return _PostgreSQL(connection)
    if connection.vendor == "sqlite":
        return _SQLite(connection)
    raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")


def database_content(connection: BaseDatabaseWrapper | None = None) -> dict[str, int]:
    """Row counts of every model table that holds rows, except what `migrate` writes itself:
    empty means a new database."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    tables = set(connection.introspection.table_names())
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or meta.label_lower in _SEEDED_BY_MIGRATE or meta.db_table not in tables:
            continue
        count = model._base_manager.using(connection.alias).count()
        if count:
            counts[meta.label_lower] = count
    return counts


# -- private files --------------------------------------------------------------------------------


def _private_root(private_root: Path | str | None) -> Path:
    return Path(private_root if private_root is not None else private_storage().location)


def private_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file under ``root``; symbolic links are not
    followed (the storage never makes them)."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


class _Folder:
    """The private files on this machine's disk (PRIVATE_STORAGE_ROOT)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> Iterator[str]:
        for relative, _path in private_files(self.root):
            yield relative

    def add_all(self, tar: tarfile.TarFile) -> list[dict]:
        return [
            {"path": relative, **_add(tar, PRIVATE_PREFIX + relative, path)}
            for relative, path in private_files(self.root)
        ]

    def check_targets(self, relatives: list[str]) -> None:
        _check_targets(self.root, relatives)

    def place(self, staging: Path, relatives: list[str]) -> None:
        _place_files(staging, self.root, relatives)


class _Bucket:
    """The private files in the S3 bucket (PRIVATE_STORAGE_S3): every object under the
    storage's location, read and written with the application's own credentials."""

    def __init__(self, storage) -> None:
        self.storage = storage
        self.prefix = f"{storage.location}/" if storage.location else ""

    def _objects(self):
        return sorted(
            self.storage.bucket.objects.filter(Prefix=self.prefix), key=lambda summary: summary.key
        )

    def names(self) -> Iterator[str]:
        for summary in self._objects():
            yield summary.key[len(self.prefix) :]

    def add_all(self, tar: tarfile.TarFile) -> list[dict]:
        files = []
        for summary in self._objects():
            relative = summary.key[len(self.prefix) :]
            body = summary.get()["Body"]
            try:
                added = _add_stream(
                    tar,
                    PRIVATE_PREFIX + relative,
                    body,
                    summary.size,
                    summary.last_modified.timestamp(),
                )
            finally:
                body.close()
            files.append({"path": relative, **added})
        return files

    def check_targets(self, relatives: list[str]) -> None:
        """Object keys have no folders: any name fits."""

    def place(self, staging: Path, relatives: list[str]) -> None:
        acl = self.storage.default_acl
        extra = {"ACL": acl} if acl else {}
        for relative in relatives:
            source = staging.joinpath(*PurePosixPath(relative).parts)
            self.storage.bucket.Object(self.prefix + relative).upload_file(
                str(source), ExtraArgs=extra, Config=self.storage.transfer_config
            )


def _store(private_root: Path | str | None) -> _Folder | _Bucket:
    """Where the private files are: the folder given, else the bucket if one is configured, else
    PRIVATE_STORAGE_ROOT."""
    if private_root is None and private_storage_is_s3():
        return _Bucket(private_storage())
    return _Folder(_private_root(private_root))


class _HashingReader:
    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path, mtime: float | None = None) -> dict:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        return _add_stream(
            tar, name, handle, stat.st_size, stat.st_mtime if mtime is None else mtime
        )


def _add_stream(tar: tarfile.TarFile, name: str, source: BinaryIO, size: int, mtime: float) -> dict:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    reader = _HashingReader(source)
    try:
        tar.addfile(info, reader)
    except OSError as exc:
        raise BackupError(f"a file changed size while it was being read: {exc}") from exc
    return {"size": reader.size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(tz=UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# -- backup ---------------------------------------------------------------------------------------


def backup_create(
    *,
    key: str,
    sink: BinaryIO,
    connection: BaseDatabaseWrapper | None = None,
    private_root: Path | str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BackupSummary:
    """Write one encrypted archive of the database and the private files to ``sink``.

    The database is dumped first, then the files are read: a paper uploaded meanwhile is an extra
    file nothing refers to, never a row without its file."""
    backup_key_check(key)
    engine = _engine(connection or connections[DEFAULT_DB_ALIAS])
    store = _store(private_root)
    created_at = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory(prefix="trackii-backup-") as scratch:
        dump = Path(scratch) / engine.member
        database = {"engine": engine.name, "member": engine.member, **engine.describe()}
        engine.dump(dump)
        writer = EncryptingWriter(sink, key, chunk_size=chunk_size)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            database.update(_add(tar, engine.member, dump))
            dump.unlink()
            files = store.add_all(tar)
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": created_at,
                "database": database,
                "files": files,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
        writer.finish()
    summary = BackupSummary(
        engine=engine.name,
        database_bytes=database["size"],
        file_count=len(files),
        file_bytes=sum(f["size"] for f in files),
        archive_bytes=writer.size,
        archive_sha256=writer.sha256.hexdigest(),
    )
    logger.info(
        "backup written: engine=%s files=%d archive_bytes=%d",
        summary.engine,
        summary.file_count,
        summary.archive_bytes,
    )
    return summary


def default_backup_dir() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.BASE_DIR) / "var" / "backups")


def backup_write_file(
    *,
    key: str,
    path: Path | str | None = None,
    directory: Path | str | None = None,
    connection: BaseDatabaseWrapper | None = None,
    private_root: Path | str | None = None,
) -> tuple[Path, BackupSummary]:
    """Write an archive to ``path``, or to ``trackii-<UTC timestamp>.tar.enc`` in ``directory``
    (default: BACKUP_DIR, else var/backups). The file is readable by its owner only and appears
    under its name only once complete."""
    backup_key_check(key)
    if path is None:
        folder = Path(directory) if directory else default_backup_dir()
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(
                f"cannot create {folder}: {exc.strerror} (in the compose stack, write to standard "
                "output with --output -, see docs/operations.md)"
            ) from exc
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"trackii-{stamp}{ARCHIVE_SUFFIX}"
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already: not overwritten")
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise BackupError(f"cannot create {partial}: {exc.strerror}") from exc
    try:
        with os.fdopen(descriptor, "wb") as handle:
            summary = backup_create(
                key=key, sink=handle, connection=connection, private_root=private_root
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path, summary


# -- restore --------------------------------------------------------------------------------------


@dataclass
class _Staged:
    manifest: dict | None = None
    members: dict[str, dict] = field(default_factory=dict)


def _staged_path(staging: Path, name: str) -> Path:
    """Where an archive member goes in the staging folder; anything but the names a backup
    writes is refused, whoever made the archive."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in pure.parts) or "\0" in name:
        raise DamagedArchiveError("the archive holds an entry with an unsafe name")
    if name in (_PostgreSQL.member, _SQLite.member):
        return staging / name
    if name.startswith(PRIVATE_PREFIX) and len(pure.parts) > 1:
        return staging.joinpath(*pure.parts)
    raise DamagedArchiveError("the archive holds an entry a Trackii backup does not write")


def _stage(reader: DecryptingReader, staging: Path) -> _Staged:
    staged = _Staged()
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if member.name in staged.members or (
                    member.name == MANIFEST and staged.manifest is not None
                ):
                    raise DamagedArchiveError("the archive holds an entry twice")
                if not member.isfile():
                    raise DamagedArchiveError("the archive holds an entry that is not a file")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    if member.size > _MANIFEST_MAX_BYTES:
                        raise DamagedArchiveError("the archive's manifest is too large")
                    staged.manifest = json.loads(source.read())
                    continue
                target = _staged_path(staging, member.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := source.read(_COPY_BYTES):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                staged.members[member.name] = {"size": size, "sha256": digest.hexdigest()}
        reader.drain()
    except (tarfile.TarError, ValueError, UnicodeDecodeError) as exc:
        raise DamagedArchiveError(f"the archive's contents are not readable: {exc}") from exc
    if not reader.finished:
        raise DamagedArchiveError("the archive ends too early. Nothing was restored.")
    if not isinstance(staged.manifest, dict) or staged.manifest.get("format") != FORMAT_VERSION:
        raise DamagedArchiveError("the archive has no manifest it can be checked against")
    try:
        expected = {
            staged.manifest["database"]["member"]: staged.manifest["database"],
            **{PRIVATE_PREFIX + f["path"]: f for f in staged.manifest["files"]},
        }
        matches = set(expected) == set(staged.members) and all(
            (staged.members[name]["size"], staged.members[name]["sha256"])
            == (expected[name]["size"], expected[name]["sha256"])
            for name in expected
        )
    except (KeyError, TypeError):
        matches = False
    if not matches:
        raise DamagedArchiveError("the archive's contents do not match its manifest")
    return staged


def _check_targets(root: Path, relatives: list[str]) -> None:
    """Refuse before anything changes if a file cannot take its place (a folder in the way)."""
    for relative in relatives:
        target = root.joinpath(*PurePosixPath(relative).parts)
        if target.is_dir() or target.is_symlink():
            raise BackupError("a folder or link in the private storage stands where a file goes")
        for parent in target.parents:
            if parent == root:
                break
            if parent.exists() and (parent.is_symlink() or not parent.is_dir()):
                raise BackupError(
                    "a file or link in the private storage stands where a folder goes"
                )


def _place_files(staging: Path, root: Path, relatives: list[str]) -> None:
    storage = private_storage()
    file_mode = storage.file_permissions_mode or 0o640
    dir_mode = storage.directory_permissions_mode or 0o750
    if not root.exists():
        root.mkdir(parents=True)
        root.chmod(dir_mode)
    for relative in relatives:
        parts = PurePosixPath(relative).parts
        target = root.joinpath(*parts)
        folder = root
        for part in parts[:-1]:
            folder = folder / part
            if not folder.exists():
                folder.mkdir()
                folder.chmod(dir_mode)
        # Moved in under a hidden name first, then renamed: a reader never sees half a file.
        incoming = target.with_name(f".{target.name}.restoring")
        shutil.move(staging.joinpath(*parts), incoming)
        incoming.chmod(file_mode)
        os.replace(incoming, target)


def backup_restore(
    *,
    key: str,
    source: BinaryIO,
    force: bool = False,
    connection: BaseDatabaseWrapper | None = None,
    private_root: Path | str | None = None,
) -> RestoreSummary:
    """Put an archive's database and files back.

    Refused, before reading the archive, if the database or the private storage is in use,
    unless ``force`` (then the archive's tables replace the database's, and its files replace
    same-named ones; other files stay). The archive is decrypted and checked whole into a
    temporary folder first: a wrong key or a damaged archive changes nothing."""
    backup_key_check(key)
    connection = connection or connections[DEFAULT_DB_ALIAS]
    engine = _engine(connection)
    store = _store(private_root)
    existing_files = sum(1 for _ in store.names())
    if not force:
        content = database_content(connection)
        if content:
            listed = ", ".join(f"{label} ({count})" for label, count in sorted(content.items())[:5])
            more = f" and {len(content) - 5} more" if len(content) > 5 else ""
            raise NotEmptyError(
                f"the database is not empty ({len(content)} tables hold rows: {listed}{more}): "
                "restoring would replace it. "
                "Restore into a new database, or pass --force (make restore FORCE=1)."
            )
        if existing_files:
            raise NotEmptyError(
                f"the private storage holds {existing_files} files already: restore into an empty "
                "folder (or bucket), or pass --force (make restore FORCE=1)."
            )
    with tempfile.TemporaryDirectory(prefix="trackii-restore-") as scratch:
        staging = Path(scratch)
        staged = _stage(DecryptingReader(source, key), staging)
        manifest = staged.manifest
        if manifest["database"]["engine"] != engine.name:
            raise BackupError(
                f"the archive holds a {manifest['database']['engine']} database and this "
                f"installation uses {engine.name}: nothing was restored"
            )
        relatives = [f["path"] for f in manifest["files"]]
        store.check_targets(relatives)
        engine.load(staging / manifest["database"]["member"])
        store.place(staging / PRIVATE_PREFIX.rstrip("/"), relatives)
    ContentType.objects.clear_cache()
    relative_set = set(relatives)
    kept = sum(1 for relative in store.names() if relative not in relative_set)
    summary = RestoreSummary(
        engine=engine.name,
        created_at=manifest["created_at"],
        file_count=len(relatives),
        file_bytes=sum(f["size"] for f in manifest["files"]),
        files_kept=kept,
    )
    logger.info(
        "backup restored: engine=%s created_at=%s files=%d",
        summary.engine,
        summary.created_at,
        summary.file_count,
    )
    return summary
