"""Name the briefing-pack copy a leaked PDF was made from (``dialogues.briefing.tracing``):
from its identifiers, or from its pages' spacing once its marks and identifiers are removed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pypdf.errors import PyPdfError

from dialogues.briefing.tracing import trace_pdf


class Command(BaseCommand):
    help = "Name the briefing-pack copy a PDF was made from (exit status 1 if none is named)."

    def add_arguments(self, parser):
        parser.add_argument("pdf", type=Path, help="The leaked PDF.")

    def handle(self, *args, **options):
        path: Path = options["pdf"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        try:
            trace = trace_pdf(data)
        except PyPdfError as error:
            raise CommandError(f"{path} is not a PDF that can be read: {error}") from error
        read = [s for s in trace.symbols if s is not None]
        if trace.symbols:
            self.stdout.write(
                f"Spacing read on {len(read)} of {len(trace.symbols)} pages ({4 * len(read)} bits)."
            )
        if trace.identifiers:
            self.stdout.write(f"Identifiers read: {', '.join(trace.identifiers)}.")
        copy = trace.copy
        if copy is None:
            if len(trace.candidates) > 1:
                numbers = ", ".join(
                    f"copy {c.number} of pack {c.pack_id} ({c.fingerprint})"
                    for c in trace.candidates
                )
                raise CommandError(f"Several copies agree with the spacing read: {numbers}.")
            raise CommandError("No copy on the register agrees with this PDF.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Copy {copy.number} of {copy.total} of briefing pack {copy.pack_id} "
                f"(dialogue {copy.pack.dialogue_id}), prepared for {copy.recipient_name} "
                f"<{copy.recipient_email}> at {copy.clearance.name}, rendered "
                f"{copy.rendered_at:%Y-%m-%d %H:%M} UTC; fingerprint {copy.fingerprint}, "
                f"read from the {trace.method}."
            )
        )
