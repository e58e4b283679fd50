"""Transfer: what became of an idea once it left the room.

A ``Transfer`` records one time an idea reached an official of the register (a pack copy, a
meeting, a call, a letter): when, how, who carried it, and the official's reaction. An
``ObservedChange`` is an outcome in the sense of outcome harvesting: who changed, what changed,
why it matters, how the dialogue contributed and who substantiated it, linked to the ideas and
transfers behind it. Both are held at the convening team's level (Facilitators) unless set
stricter, a transfer never below its idea; the confidentiality module shows each only to those
who may see everything it links to. A ``FunderReport`` is the account of a dialogue given to
its funders, rendered by the worker as a PDF and a CSV at no more than the outbound level."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..storage import private_storage
from .ideas import Idea


class Transfer(models.Model):
    class Means(models.TextChoices):
        PACK = "pack", _("Briefing pack copy")
        MEETING = "meeting", _("Meeting")
        CALL = "call", _("Call")
        LETTER = "letter", _("Letter or note")
        OTHER = "other", _("Other")

    class Reaction(models.TextChoices):
        UNKNOWN = "unknown", _("Not yet known")
        RECEPTIVE = "receptive", _("Receptive")
        ASKED_MORE = "asked_more", _("Asked for more")
        NONCOMMITTAL = "noncommittal", _("Noncommittal")
        REJECTED = "rejected", _("Rejected")
        ACTED = "acted", _("Acted on it")

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="transfers"
    )
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="transfers")
    official = models.ForeignKey(
        "dialogues.Official", on_delete=models.PROTECT, related_name="transfers"
    )
    means = models.CharField(_("how"), max_length=20, choices=Means.choices)
    occurred_on = models.DateField(_("when"))
    pack_copy = models.ForeignKey(
        "dialogues.BriefingPackCopy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    carried_by = models.ForeignKey(
        "participants.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who of the programme carried it.",
    )
    reaction_kind = models.CharField(
        _("reaction"), max_length=20, choices=Reaction.choices, default=Reaction.UNKNOWN
    )
    reaction = models.TextField(
        _("the official's reaction, in words"),
        blank=True,
        help_text=_("What they said or did; no names of participants."),
    )
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    edit_revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dialogue_id", "-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "pack_copy"],
                condition=models.Q(pack_copy__isnull=False),
                name="transfer_once_per_pack_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk} of idea {self.idea_id}"


class ObservedChange(models.Model):
    class Kind(models.TextChoices):
        POSITION = "position", _("An official's position")
        POLICY = "policy", _("A policy")
        AGREEMENT = "agreement", _("An agreement")
        PRACTICE = "practice", _("A practice or relationship")
        OTHER = "other", _("Other")

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="observed_changes"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.POSITION)
    observed_on = models.DateField(_("when observed"))
    who_changed = models.CharField(_("who changed"), max_length=200)
    what_changed = models.TextField(_("what changed"))
    significance = models.TextField(_("why it matters"))
    contribution = models.TextField(_("how the dialogue contributed"))
    substantiated_by = models.CharField(
        _("who substantiated it"),
        max_length=300,
        blank=True,
        help_text=_("Who confirms it, outside the convening team; blank while unconfirmed."),
    )
    ideas = models.ManyToManyField(Idea, blank=True, related_name="observed_changes")
    transfers = models.ManyToManyField(Transfer, blank=True, related_name="observed_changes")
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edit_revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["dialogue_id", "-observed_on", "-id"]

    def __str__(self) -> str:
        return f"observed change {self.pk} of dialogue {self.dialogue_id}"


REPORTS_DIR = "reports"  # in the private storage


def _report_path(instance, filename: str) -> str:
    # Stored names say nothing: no title, no dialogue.
    extension = filename.rsplit(".", 1)[-1]
    return f"{REPORTS_DIR}/{uuid.uuid4().hex}.{extension}"


class FunderReport(models.Model):
    """A report for a dialogue's funders: computed as a viewer at ``level`` (at most the
    outbound level) who attends nothing, is named on nothing and is not on the convening
    team."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="funder_reports"
    )
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    failure_reason = models.TextField(blank=True)
    pdf = models.FileField(storage=private_storage, upload_to=_report_path, blank=True)
    csv = models.FileField(storage=private_storage, upload_to=_report_path, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dialogue_id", "-requested_at", "-id"]

    def __str__(self) -> str:
        return f"funder report {self.pk} of dialogue {self.dialogue_id}"
