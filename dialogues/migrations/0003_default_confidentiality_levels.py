"""Seed the default confidentiality scale. Names and descriptions may be edited afterwards; the
order (rank) and audience are what the rules use."""

from django.db import migrations

DEFAULT_LEVELS = [
    (10, "Public", "outside", "May be shared outside the programme. Trackii still shows it only to members."),
    (20, "Programme", "programme", "All members of the programme, under the Chatham House Rule."),
    (30, "Participants", "attendees", "Those taking part in the session (and the convening team)."),
    (40, "Facilitators", "convening_team", "The convening team: convenors and facilitators."),
    (50, "Restricted", "named", "Only the people named on it, whatever their role."),
]


def create_levels(apps, schema_editor):
    Level = apps.get_model("dialogues", "ConfidentialityLevel")
    for rank, name, audience, description in DEFAULT_LEVELS:
        Level.objects.get_or_create(
            rank=rank, defaults={"name": name, "audience": audience, "description": description}
        )


def remove_levels(apps, schema_editor):
    Level = apps.get_model("dialogues", "ConfidentialityLevel")
    Level.objects.filter(rank__in=[rank for rank, *_ in DEFAULT_LEVELS]).delete()


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0002_initial")]

    operations = [migrations.RunPython(create_levels, remove_levels)]
