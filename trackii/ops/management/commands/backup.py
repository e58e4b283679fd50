"""``manage.py backup``: an encrypted archive of the database and the private files
(trackii.ops.backup; docs/operations.md)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from trackii.ops import backup


class Command(BaseCommand):
    help = (
        "Write one archive of the database and the private files, encrypted with BACKUP_KEY, to "
        "BACKUP_DIR (default var/backups) as trackii-<UTC timestamp>.tar.enc."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--output", help="the archive's path, or - for standard output")
        target.add_argument(
            "--output-dir", help="the folder for the archive (default: BACKUP_DIR or var/backups)"
        )

    def handle(self, *args, output=None, output_dir=None, **options):
        try:
            key = backup.backup_key_from_environment()
            if output == "-":
                # The archive goes to standard output, so what we say goes to standard error.
                summary = backup.backup_create(key=key, sink=sys.stdout.buffer)
                where, report = "standard output", self.stderr
            else:
                path, summary = backup.backup_write_file(key=key, path=output, directory=output_dir)
                where, report = str(path), self.stdout
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        report.write(
            f"Backup written to {where}: {summary.engine} database "
            f"({summary.database_bytes} bytes) and {summary.file_count} private files "
            f"({summary.file_bytes} bytes), {summary.archive_bytes} bytes encrypted.\n"
            f"SHA-256 of the archive: {summary.archive_sha256}"
        )
