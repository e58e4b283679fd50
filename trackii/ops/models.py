"""What operations keep of their own: the lockdowns staff ordered, with the reason they gave.

The audit trail holds ids and counts only; the reason (free text, which may name people) lives
here, read by staff only. A record is written once by ``trackii.ops.lockdown.person_lockdown``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Lockdown(models.Model):
    person = models.ForeignKey("participants.Person", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    sessions_ended = models.PositiveIntegerField(default=0)
    calendar_secret_renewed = models.BooleanField(default=False)
    invitations_revoked = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Ids of the invitations.")
    )
    pack_copies_revoked = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Ids of the briefing-pack copies whose links were revoked."),
    )
    account_deactivated = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"lockdown {self.pk} of person {self.person_id}"
