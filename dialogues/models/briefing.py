"""What a dialogue produces, and what leaves for officials.

``Outcome``: a session's notes and outcomes. Each has a level (of its non-attributed form) and an
attribution rule. The attributed record (who said it, in their words) stays with those who
record; only the non-attributed ``summary`` can ever reach a briefing pack, and off-the-record
outcomes never do.

``BriefingPack``: a facilitator's request for a pack on a dialogue (optionally some sessions).
``BriefingPackCopy``: one recipient's copy, numbered "copy k of n", rendered at that recipient's
clearance, stored privately and downloaded through a personal, expiring, revocable link.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..storage import private_storage


class Outcome(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        IDEA = "idea", _("Idea")
        PROPOSAL = "proposal", _("Proposal")
        CONVERGENCE = "convergence", _("Point of convergence")
        DIVERGENCE = "divergence", _("Point of divergence")

    class Attribution(models.TextChoices):
        ON_RECORD = "on_record", _("On the record")
        CHATHAM_HOUSE = "chatham_house", _("Chatham House (may be used, never attributed)")
        OFF_RECORD = "off_record", _("Off the record (not to be used outside the room)")

    session = models.ForeignKey(
        "dialogues.Session", on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices, default=Kind.IDEA)
    attribution = models.CharField(
        _("Attribution"),
        max_length=20,
        choices=Attribution.choices,
        default=Attribution.CHATHAM_HOUSE,
    )
    summary = models.TextField(
        _("non-attributed form"),
        help_text=_(
            "The outcome as it may be used: no names, no affiliations, nothing that "
            "says who said it. This is what a briefing pack carries."
        ),
    )
    record = models.TextField(
        _("attributed record"),
        blank=True,
        help_text=_(
            "Who said what, in their words. Seen only by the convening team and "
            "rapporteurs; never printed in a pack."
        ),
    )
    speakers = models.ManyToManyField(
        "participants.Person",
        blank=True,
        related_name="+",
        help_text="Who put it forward. Named in a pack only when on the record.",
    )
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel",
        verbose_name=_("Level"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} of session {self.session_id}"


class BriefingPack(models.Model):
    """A request for a briefing pack. Its progress is its copies' states; it may leave (links
    issued) once every copy is ready, the attribution guard is clear or its findings reviewed,
    and, where four eyes are required, a second facilitator approved it."""

    class Guard(models.TextChoices):
        PENDING = "pending", _("Not yet scanned")
        CLEAR = "clear", _("No members' names where names may not stand")
        HELD = "held", _("Held for review: a member's name appears where names may not stand")
        REVIEWED = "reviewed", _("Reviewed and released by a facilitator")

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="briefing_packs"
    )
    sessions = models.ManyToManyField(
        "dialogues.Session",
        blank=True,
        related_name="+",
        help_text="The sessions to brief on; none means all of the dialogue's sessions.",
    )
    # A pack that sends a circulated version of a non-paper (issue 19) carries that text only.
    non_paper_version = models.ForeignKey(
        "dialogues.NonPaperVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packs",
    )
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    guard = models.CharField(max_length=20, choices=Guard.choices, default=Guard.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"briefing pack {self.pk} of dialogue {self.dialogue_id}"

    @property
    def status(self) -> str:
        """The pack's progress, from its copies': failed if any failed, else rendering or
        queued while any is, else ready; released once links went out."""
        states = {copy.state for copy in self.copies.all()}
        for state in ("failed", "rendering", "queued"):
            if state in states:
                return state
        return "released" if self.released_at else "ready"

    @property
    def in_progress(self) -> bool:
        return self.status in ("queued", "rendering")


PACKS_DIR = "packs"  # in the private storage


def _pack_path(instance, filename: str) -> str:
    # Stored names say nothing: no title, no recipient.
    return f"{PACKS_DIR}/{uuid.uuid4().hex}.pdf"


class BriefingPackCopy(models.Model):
    """One recipient's copy. The recipient is an official of the dialogue's register (no
    account); the copy keeps a snapshot of their name, position, organisation, e-mail and
    clearance as they were when it was made."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    pack = models.ForeignKey(BriefingPack, on_delete=models.CASCADE, related_name="copies")
    number = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField(help_text="n in “copy k of n”.")
    recipient_name = models.CharField(max_length=200)
    recipient_position = models.CharField(max_length=200, blank=True)
    recipient_organisation = models.CharField(max_length=200, blank=True)
    recipient_email = models.EmailField()
    clearance = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    # The register's entry the copy was made from; the recipient_* fields above keep whom it
    # went to as they were then.
    official = models.ForeignKey(
        "dialogues.Official",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pack_copies",
    )

    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    failure_reason = models.TextField(blank=True)

    file = models.FileField(storage=private_storage, upload_to=_pack_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # The file's fingerprint (issue 21, ``briefing.stamping``): 128 bits in its identifiers and
    # in its pages' spacing, which survive removing the visible marks; ``trace_pack`` reads it.
    fingerprint = models.CharField(max_length=32, blank=True, db_index=True)
    # The ideas the copy carries (rendered at its clearance): each becomes a transfer to the
    # official once the copy's link is issued.
    ideas = models.ManyToManyField("dialogues.Idea", blank=True, related_name="pack_copies")
    # Ids of (outcome, person) pairs where a member's name was found in Chatham House text.
    guard_findings = models.JSONField(default=list, blank=True)

    link_nonce = models.CharField(max_length=32, blank=True)
    link_issued_at = models.DateTimeField(null=True, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    link_revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pack_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "number"], name="pack_copy_number_unique"),
            models.CheckConstraint(
                condition=~Q(state="ready") | ~Q(sha256=""), name="pack_copy_ready_has_file"
            ),
        ]

    def __str__(self) -> str:
        return f"copy {self.number} of pack {self.pack_id}"
