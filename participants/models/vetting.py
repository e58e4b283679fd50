"""Vetting: one case per nomination, the possible matches screening raised for it, and the
human decisions on them. Written only through ``participants.vetting.services``; read by admins
only (facilitators see the resulting membership state and any conditions)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VettingCase(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("vetting case status", "Pending")
        IN_REVIEW = "in_review", pgettext_lazy("vetting case status", "In review")
        CLEARED = "cleared", pgettext_lazy("vetting case status", "Cleared")
        CLEARED_WITH_CONDITIONS = (
            "cleared_with_conditions",
            pgettext_lazy("vetting case status", "Cleared with conditions"),
        )
        REJECTED = "rejected", pgettext_lazy("vetting case status", "Rejected")

    DECIDED = (Status.CLEARED, Status.CLEARED_WITH_CONDITIONS, Status.REJECTED)

    membership = models.OneToOneField(
        "participants.Membership", on_delete=models.CASCADE, related_name="vetting_case"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PENDING)
    jurisdictions = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Whose law applies to the convenor here (e.g. US, UK, CH)."),
    )
    references = models.TextField(blank=True, help_text=_("Who vouched for the nominee."))
    conflicts_of_interest = models.TextField(blank=True)
    conditions = models.TextField(
        blank=True, help_text=_("Shown to facilitators when cleared with conditions.")
    )
    reason = models.TextField(blank=True, help_text=_("Why the case was decided as it was."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    last_screened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"vetting case {self.pk} ({self.get_status_display()})"

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED


class PossibleMatch(models.Model):
    """A designation entry that screening found close to the nominee, for a human to decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        NOT_SAME_PERSON = "not_same_person", _("Not the same person")
        SAME_PERSON = "same_person", _("The same person")

    case = models.ForeignKey(VettingCase, on_delete=models.CASCADE, related_name="matches")
    entry = models.ForeignKey(
        "participants.DesignationEntry", on_delete=models.PROTECT, related_name="+"
    )
    score = models.FloatField()
    nominee_name = models.CharField(max_length=500)
    matched_name = models.CharField(max_length=500)
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "entry"], name="possible_match_once"),
        ]

    def __str__(self) -> str:
        return f"{self.matched_name} ({self.score:.2f})"


class MatchDismissal(models.Model):
    """A person is not the one on a list entry, as an admin decided. Screening does not raise
    the pair again while the entry (its fingerprint) stays the same."""

    person = models.ForeignKey(
        "participants.Person", on_delete=models.CASCADE, related_name="match_dismissals"
    )
    designation_list = models.ForeignKey(
        "participants.DesignationList", on_delete=models.CASCADE, related_name="+"
    )
    reference = models.CharField(max_length=100)
    entry_fingerprint = models.CharField(max_length=64)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "designation_list", "reference", "entry_fingerprint"],
                name="match_dismissal_once",
            ),
        ]

    def __str__(self) -> str:
        return f"person {self.person_id} is not {self.reference}"
