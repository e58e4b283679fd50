"""Invitations into a dialogue. Thin model: every change goes through
``participants.invitations.services``; the token and the code are stored only as SHA-256 digests."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Invitation(models.Model):
    """One invitation e-mail to a cleared member. Single use, expiring, revocable, and bound to
    the address it was sent to: the invitee proves that mailbox with a one-time code before an
    account is created or linked."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("invitation state", "Sent")
        OPENED = "opened", pgettext_lazy("invitation state", "Opened")
        ACCEPTED = "accepted", pgettext_lazy("invitation state", "Accepted")
        DECLINED = "declined", pgettext_lazy("invitation state", "Declined")
        EXPIRED = "expired", pgettext_lazy("invitation state", "Expired")
        REVOKED = "revoked", pgettext_lazy("invitation state", "Revoked")

    membership = models.ForeignKey(
        "participants.Membership", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(
        _("E-mail address"),
        help_text=_("The person's e-mail address when the invitation was sent."),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["membership_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.pk} for membership {self.membership_id} ({self.state})"

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None or self.declined_at is not None

    @property
    def state(self) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.declined_at:
            return self.State.DECLINED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at and self.expires_at <= timezone.now():
            return self.State.EXPIRED
        if self.opened_at:
            return self.State.OPENED
        return self.State.SENT

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.SENT, self.State.OPENED)

    def get_state_display(self) -> str:
        return self.State(self.state).label
