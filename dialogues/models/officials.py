"""The officials a programme briefs: who they are, how they are reached, and the clearance a
pack sent to them is filtered to. A register of the dialogue, seen by its convening team only.

An official who is no longer briefed is retired, never deleted: the copies that went to them
still point at them (the copy keeps its own snapshot of whom it went to, as they were then).
Writes go through ``dialogues.officials.services``."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Official(models.Model):
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="officials"
    )
    name = models.CharField(_("Name"), max_length=200)
    position = models.CharField(_("Position"), max_length=200, blank=True)
    institution = models.CharField(_("Institution"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), help_text=_("Where their personal link is sent."))
    # The language of their briefing packs and of the e-mail with their link (issue 20): a code
    # of settings.LANGUAGES, "" for English. No choices here, so that adding a language needs no
    # migration; the register's form offers settings.LANGUAGES.
    language = models.CharField(
        _("Language"),
        max_length=10,
        blank=True,
        help_text=_("The language of their briefing packs and of the e-mail with their link."),
    )
    reached_by = models.CharField(
        _("how they are reached"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “through the ministry's liaison office”."),
    )
    clearance = models.ForeignKey(
        "dialogues.ConfidentialityLevel",
        verbose_name=_("Clearance"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A pack sent to them holds nothing above it.",
    )
    note = models.TextField(_("Note"), blank=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="No longer briefed: kept in the register for the packs already sent.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edit_revision = models.PositiveIntegerField(
        default=1,
        help_text="Raised by every saved edit; a form saved against an older one is refused.",
    )

    class Meta:
        ordering = ["dialogue_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                "dialogue", Lower("email"), name="official_email_unique_in_dialogue"
            ),
        ]

    def __str__(self) -> str:
        return f"official {self.pk} of dialogue {self.dialogue_id}"

    @property
    def active(self) -> bool:
        return self.retired_at is None
