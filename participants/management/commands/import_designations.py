"""``import_designations --format un|ofac|csv [--list NAME] PATH...``: import a designation list
file as the next version of a list (created with its first version if it does not exist yet).
All or nothing: on failure the message goes to stderr, the exit status is non-zero and the
version in force stays current. Screening is not started from here."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participants.models import DesignationList
from participants.screening.importers import (
    ImportFailed,
    designation_file_size_check,
    import_designations,
    import_designations_into_new_list,
)
from participants.vetting.services import rescreen_everyone

DEFAULT_LIST_NAMES = {
    DesignationList.Format.UN: "UN Security Council consolidated list",
    DesignationList.Format.OFAC: "OFAC SDN",
    DesignationList.Format.CSV: "Own list",
}


class Command(BaseCommand):
    help = (
        "Import a designation list: the UN consolidated list (XML), OFAC's sdn.csv with an "
        "optional alt.csv, or our own CSV. Each import becomes the list's next version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", required=True, choices=[choice.value for choice in DesignationList.Format]
        )
        parser.add_argument(
            "--list",
            dest="list_name",
            help="The list's name (created if new); by default the usual name for the format.",
        )
        parser.add_argument(
            "paths", nargs="+", type=Path, help="The file(s); OFAC's are told apart by name."
        )

    def handle(self, *args, format, list_name, paths, **options):
        name = list_name or DEFAULT_LIST_NAMES[format]
        files = []
        try:
            for path in paths:
                if not path.is_file():
                    raise CommandError(f"{path}: no such file")
                designation_file_size_check(name=path.name, size=path.stat().st_size)
                files.append((path.name, path.read_bytes()))
            existing = DesignationList.objects.filter(name=name).first()
            if existing is None:
                version = import_designations_into_new_list(name=name, format=format, files=files)
            elif existing.format != format:
                raise CommandError(
                    f"The list “{name}” is in the {existing.format} format, not {format}."
                )
            else:
                version = import_designations(designation_list=existing, files=files)
        except ImportFailed as error:
            raise CommandError(
                f"{error.message}\nNothing was imported; the version in force is unchanged."
            ) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        rescreen_everyone()
        self.stdout.write(
            f"{name}: version {version.number} imported with {version.entry_count} entries."
        )
