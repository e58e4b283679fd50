"""``manage.py bucket_ready``: create the S3 bucket of private files if it is missing and check
that it refuses anonymous requests (trackii.ops.bucket; docs/deploy.md, Object storage)."""

from django.core.management.base import BaseCommand, CommandError

from dialogues.storage import private_storage_is_s3
from trackii.ops import bucket


class Command(BaseCommand):
    help = (
        "Create the S3 bucket of private files (S3_BUCKET) if it is missing, and check that it "
        "refuses requests without credentials. Does nothing when private files are on local disk."
    )

    def handle(self, *args, **options):
        if not private_storage_is_s3():
            self.stdout.write("S3_BUCKET is not set: private files are on local disk.")
            return
        try:
            state = bucket.bucket_ready()
        except bucket.BucketError as exc:
            raise CommandError(str(exc)) from exc
        made = "created" if state.created else "exists"
        self.stdout.write(
            f"Bucket {state.bucket} {made}; requests without credentials are refused "
            f"(HTTP {', '.join(map(str, state.anonymous_statuses))})."
        )
