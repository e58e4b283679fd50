"""Screen one name against the designation lists in force and print the possible matches."""

import json as _json
import re

from django.core.management.base import BaseCommand, CommandError

from participants.screening.matching import NomineeFacts
from participants.screening.runner import screen_facts


class Command(BaseCommand):
    help = "Screen a name against the active designation lists; best matches first."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--dob", help="Year (1970) or date (1970-03-12) of birth")
        parser.add_argument("--nationality", help="ISO 3166-1 alpha-2 code, e.g. IQ")
        parser.add_argument("--json", action="store_true", help="Print one JSON array")

    def handle(self, *args, name, dob=None, nationality=None, json=False, **options):
        if dob and not re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", dob):
            raise CommandError("--dob takes a year (1970) or a date (1970-03-12).")
        if nationality and not re.fullmatch(r"[A-Za-z]{2}", nationality):
            raise CommandError("--nationality takes a two-letter country code (e.g. IQ).")
        hits = screen_facts(
            NomineeFacts(
                names=(name,),
                birth_year=int(dob[:4]) if dob else None,
                nationality=nationality.upper() if nationality else None,
            )
        )
        rows = [
            {
                "list": hit.entry.version.designation_list.name,
                "reference": hit.entry.reference,
                "matched_name": hit.result.matched_name,
                "score": hit.result.score,
                "explanation": list(hit.result.explanation),
            }
            for hit in hits
        ]
        if json:
            self.stdout.write(_json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No possible match at or above the threshold.")
            return
        for row in rows:
            self.stdout.write(
                f"{row['score']:.3f}  {row['matched_name']}  [{row['list']} {row['reference']}]"
            )
            for line in row["explanation"]:
                self.stdout.write(f"       {line}")
