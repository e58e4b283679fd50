"""Create the demo organisation (``dialogues.demo``): an invented conflict, invented places and
people, and the five demo accounts. Idempotent: what exists already is left as it is, so a rerun
changes nothing."""

import argparse

from django.core.management.base import BaseCommand

from dialogues.demo.seed import DemoSeed


class Command(BaseCommand):
    help = "Create the demo organisation and accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            action="store_true",
            help="Also build a large organisation for the load test (dialogues.demo.demo_scale): "
            "50 dialogues, 2,000 people, 500 sessions, 10,000 agenda items, 2,000 papers.",
        )
        # The tests build a small version of it.
        parser.add_argument("--scale-factor", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        lines = DemoSeed().run(
            scale=options["scale"], scale_factor=options["scale_factor"], say=self.stdout.write
        )
        for number, line in enumerate(lines):
            self.stdout.write(self.style.SUCCESS(line) if number == 1 else line)
