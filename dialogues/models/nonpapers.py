"""Non-papers: the single negotiating text a mediator revises round after round.

A ``NonPaper`` is an unsigned text owned by the convening team, derived from one or more ideas
(``ideas``). Derivation only narrows: the confidentiality module shows it only to those who may
see every one of its ideas and its own level (rule 12). Its text is a sequence of paragraphs
with stable identities (``NonPaperParagraph``): each ``NonPaperVersion`` holds, in order, the
paragraphs it has and the words of each (``paragraphs``: a list of ``{"id": paragraph id,
"text": words}``), so a paragraph keeps its identity, and the comments on it, across versions.

The convening team edits one working version; freezing it keeps it internal or circulates it
to the sides, and opens the next working version as a copy. A ``CaucusComment`` is written on a
paragraph of a circulated version by a participant on behalf of their side (the side recorded
as it was then), or by the convening team replying in that side's thread: a side's comments are
seen by that side and the convening team only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .ideas import Idea


class NonPaper(models.Model):
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="non_papers"
    )
    title = models.CharField(max_length=200)
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    ideas = models.ManyToManyField(Idea, related_name="non_papers")
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dialogue_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"non-paper {self.pk} of dialogue {self.dialogue_id}"


class NonPaperParagraph(models.Model):
    """A paragraph's identity, the same in every version that has it (its words are the
    version's)."""

    non_paper = models.ForeignKey(NonPaper, on_delete=models.CASCADE, related_name="paragraphs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["non_paper_id", "id"]

    def __str__(self) -> str:
        return f"paragraph {self.pk} of non-paper {self.non_paper_id}"


class NonPaperVersion(models.Model):
    class State(models.TextChoices):
        WORKING = "working", pgettext_lazy("non-paper version", "Working")
        INTERNAL = "internal", pgettext_lazy("non-paper version", "Internal")
        CIRCULATED = "circulated", pgettext_lazy("non-paper version", "Circulated")

    non_paper = models.ForeignKey(NonPaper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.WORKING)
    # In order: [{"id": NonPaperParagraph id, "text": "..."}, ...]
    paragraphs = models.JSONField(_("text"), default=list, blank=True)
    note = models.CharField(
        _("what changed"),
        max_length=300,
        blank=True,
        help_text=_("For the convening team: what this version changes, and why."),
    )
    edit_revision = models.PositiveIntegerField(default=1)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["non_paper_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["non_paper", "number"], name="non_paper_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["non_paper"],
                condition=Q(state="working"),
                name="non_paper_one_working_version",
            ),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of non-paper {self.non_paper_id}"

    @property
    def frozen(self) -> bool:
        return self.state != self.State.WORKING


class CaucusComment(models.Model):
    """A comment in one side's thread on one paragraph, made on one circulated version."""

    version = models.ForeignKey(NonPaperVersion, on_delete=models.CASCADE, related_name="comments")
    paragraph = models.ForeignKey(
        NonPaperParagraph, on_delete=models.CASCADE, related_name="comments"
    )
    side = models.ForeignKey("dialogues.Side", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        "participants.Person", on_delete=models.PROTECT, related_name="caucus_comments"
    )
    # Written by the convening team, replying in the side's thread.
    by_team = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paragraph_id", "side_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk} on paragraph {self.paragraph_id}"
