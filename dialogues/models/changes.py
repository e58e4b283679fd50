"""Changes one person asks for and another confirms: raising what may leave a dialogue (its
outbound level), and changing the organisation's confidentiality scale.

Each request names what it would change and what stood when it was made; it lapses after
``REQUEST_VALID_FOR`` or as soon as anything it names changes (the services decide and record
that). Its ``state`` moves only through ``dialogues.outbound.services`` and
``dialogues.scale.services``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

REQUEST_VALID_FOR = timedelta(hours=72)


class _Request(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("request", "Awaiting confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("request", "Confirmed")
        WITHDRAWN = "withdrawn", pgettext_lazy("request", "Withdrawn")
        LAPSED = "lapsed", pgettext_lazy("request", "Lapsed")

    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why it lapsed, in words for the page (no names, no titles).
    lapse_reason = models.CharField(max_length=200, blank=True)
    # Not stored: what a page shows of a request to its viewer, set by the feature's selector
    # (``outbound_requests_shown_to``, ``scale_changes_shown_to``).
    lapsed_because: str
    may_confirm: bool

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class OutboundLevelRequest(_Request):
    """A member of the convening team asks to raise the dialogue's outbound level (what e-mail,
    calendar feeds and file names may carry) from ``from_level`` (None: the lowest level) to
    ``to_level``. The levels' ranks and audiences as they stood are kept, so that a change of
    the scale meanwhile makes the request lapse instead of meaning something else."""

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="outbound_requests"
    )
    requester = models.ForeignKey("participants.Person", on_delete=models.PROTECT, related_name="+")
    from_level = models.ForeignKey(
        "dialogues.ConfidentialityLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_rank = models.IntegerField()
    to_level = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    to_rank = models.IntegerField()
    to_audience = models.CharField(max_length=20)
    may_withdraw: bool  # not stored: set with the two above, for the dialogue's edit page

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue"],
                condition=Q(state="open"),
                name="one_open_outbound_request_per_dialogue",
            ),
        ]

    def __str__(self) -> str:
        return f"outbound level request {self.pk} of dialogue {self.dialogue_id}"


class ScaleChangeRequest(_Request):
    """A member of staff asks to add a level to the confidentiality scale, or to change one (its
    name, rank, audience or description). The level's values as they stood are kept: if the
    level changes meanwhile, the request lapses."""

    class Kind(models.TextChoices):
        ADD = "add", _("Add a level")
        CHANGE = "change", _("Change a level")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    level = models.ForeignKey(
        "dialogues.ConfidentialityLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    name = models.CharField(max_length=50)
    rank = models.PositiveSmallIntegerField()
    audience = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    # The level as it stood when the change was asked for (empty for an added level).
    was = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                # An added level is named once it exists (on confirmation).
                condition=Q(kind="add") | Q(kind="change", level__isnull=False),
                name="scale_change_names_its_level",
            ),
        ]

    def __str__(self) -> str:
        return f"scale change request {self.pk} ({self.kind})"
