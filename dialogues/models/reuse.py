"""Agenda templates: the shape of a round, saved per dialogue to be placed on a later one's days
(``dialogues.reuse``). A template holds what its maker could see of an agenda, each item at its
level, with no readers and no moderator; so it never holds an item for named readers (a level
whose audience is ``named``), since nobody would be named on it. Written only through
``dialogues.reuse.services``; read through ``dialogues.reuse.selectors``, which shows each viewer
only the items at levels they may read."""

from django.conf import settings
from django.db import models

from . import AgendaItem  # defined before this module is imported (end of ``models``)


class AgendaTemplate(models.Model):
    """A named agenda shape of one dialogue, for its convening team."""

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="agenda_templates"
    )
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dialogue_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "name"], name="agenda_template_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgendaTemplateItem(models.Model):
    """One slot of a template: a day of the round (0 is its first) and wall-clock times, to be
    read in the venue's zone of whichever session it is applied to. An end at or before the
    start falls on the next day (a slot past midnight)."""

    template = models.ForeignKey(AgendaTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField()
    day = models.PositiveSmallIntegerField(default=0)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    room = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=AgendaItem.Kind.choices, default=AgendaItem.Kind.PLENARY
    )
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["template_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "order"], name="agenda_template_item_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title
