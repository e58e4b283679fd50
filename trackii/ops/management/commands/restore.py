"""``manage.py restore ARCHIVE``: put back the database and the private files of an archive made
by ``backup`` (trackii.ops.backup; docs/operations.md)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from trackii.ops import backup


class Command(BaseCommand):
    help = (
        "Restore the database and the private files from an archive made by `backup`, with the "
        "BACKUP_KEY it was made with. Refuses a database or private storage in use unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive's path, or - for standard input")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the tables of a database in use and same-named private files",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            key = backup.backup_key_from_environment()
            if archive == "-":
                summary = backup.backup_restore(key=key, source=sys.stdin.buffer, force=force)
            else:
                try:
                    source = open(archive, "rb")  # noqa: SIM115 (closed below)
                except OSError as exc:
                    raise backup.BackupError(f"cannot read {archive}: {exc.strerror}") from exc
                with source:
                    summary = backup.backup_restore(key=key, source=source, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        kept = f"; {summary.files_kept} other files left in place" if summary.files_kept else ""
        self.stdout.write(
            f"Restored the {summary.engine} database and {summary.file_count} private files "
            f"({summary.file_bytes} bytes) of the backup made at {summary.created_at}{kept}.\n"
            "Next: python manage.py migrate (if this code is newer than the backup)."
        )
