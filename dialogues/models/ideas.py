"""Ideas: what a dialogue proposes, derived from its outcomes, on its way to officials.

An ``Idea`` is derived from one or more outcomes (``sources``). Derivation only narrows: the
confidentiality module shows an idea only to those who may see every one of its sources and its
own level, and its ``attribution`` is the strictest of its sources' (an idea from a Chatham House
outcome never names a speaker). Its ``state`` follows it from the room to an official's desk.
A ``FollowUp`` is a task on an idea: an owner, a due date, done or not."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .briefing import Outcome


class Idea(models.Model):
    class State(models.TextChoices):
        RAISED = "raised", pgettext_lazy("idea", "Raised")
        DEVELOPED = "developed", pgettext_lazy("idea", "Developed")
        DRAFTED = "drafted", pgettext_lazy("idea", "Drafted")
        TRANSFERRED = "transferred", pgettext_lazy("idea", "Transferred")
        TAKEN_UP = "taken_up", pgettext_lazy("idea", "Taken up")
        SET_ASIDE = "set_aside", pgettext_lazy("idea", "Set aside")

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="ideas"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(
        help_text=_("The idea as it may be used: no names, nothing that says who put it forward.")
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.RAISED)
    sources = models.ManyToManyField(Outcome, related_name="ideas")
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attribution = models.CharField(
        max_length=20,
        choices=Outcome.Attribution.choices,
        default=Outcome.Attribution.CHATHAM_HOUSE,
        help_text="The strictest of its sources': set by the service, never chosen.",
    )
    edit_revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dialogue_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"idea {self.pk} of dialogue {self.dialogue_id}"


class FollowUp(models.Model):
    """A task on an idea: who does it, what, by when."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(
        "participants.Membership", on_delete=models.PROTECT, related_name="follow_ups"
    )
    task = models.CharField(max_length=300)
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    # The last day its owner was reminded by e-mail (once when due soon, once when overdue).
    reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["idea_id", "done_at", "due", "id"]

    def __str__(self) -> str:
        return f"follow-up {self.pk} of idea {self.idea_id}"
