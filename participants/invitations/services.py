"""Invitations: sending (and resending, revoking) them, and the invitee's way in.

Holding the link is not proof of the mailbox: before an account is created or linked, the
invitee proves control of the invited address with a one-time code sent to it. The token and the
code are kept only as SHA-256 digests. The membership moves cleared -> invited on the first send,
and invited -> accepted or declined here, always through ``membership_transition``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trackii.audit.services import Action, audit_record

from ..models import Invitation, Membership, Person, User
from ..services import account_create, membership_transition
from .selectors import open_invitations_of

CODE_MAX_ATTEMPTS = 5
CODE_VALID_FOR = timedelta(minutes=15)
CODE_RESEND_AFTER = timedelta(minutes=1)

EXPIRED = "This invitation has expired. Ask the person who invited you to send a new one."
REVOKED = "This invitation was withdrawn. Ask the person who invited you if you expected one."
USED = "This invitation has already been used. Sign in if it was you who accepted it."
TOO_MANY = "Too many wrong codes. Ask the person who invited you to send you a new invitation."
NOT_FOUND = "This invitation link is not valid. Check that you copied the whole address."


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _check_usable(invitation: Invitation) -> None:
    """Refuse an invitation that can no longer be followed, saying why."""
    state = invitation.state
    if state in (Invitation.State.ACCEPTED, Invitation.State.DECLINED):
        raise ValidationError(USED)
    if state == Invitation.State.REVOKED:
        raise ValidationError(REVOKED)
    if state == Invitation.State.EXPIRED:
        raise ValidationError(EXPIRED)


def _lock(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update()
        .select_related("membership__dialogue", "membership__person")
        .get(pk=invitation.pk)
    )


def _send_invitation_mail(*, invitation: Invitation, token: str) -> None:
    # The subject and body name the cover name only: never the dialogue's title, nor anyone.
    cover_name = invitation.membership.dialogue.cover_name
    link = settings.TRACKII_BASE_URL.rstrip("/") + reverse("invitations:open", args=[token])
    body = (
        "You are invited to take part in a programme of meetings "
        f"(\u201c{cover_name}\u201d).\n\n"
        f"Follow this link to accept or decline:\n{link}\n\n"
        "The link works once, for this e-mail address only, until "
        f"{invitation.expires_at:%d %B %Y}. Before you go on, we send a one-time code to this "
        "address to confirm it is yours.\n\n"
        "If you did not expect this invitation, ignore this message.\n"
    )
    send_mail(
        subject=f"[Trackii] An invitation: {cover_name}",
        message=body,
        from_email=None,
        recipient_list=[invitation.email],
    )


def check_invitable(membership: Membership) -> None:
    """Refuse a member who cannot be sent an invitation: one whose vetting is not cleared (or
    who is past being invited), or who has no e-mail address. ``invitation_send`` asks it under
    the membership's row lock; an invitation of several at once asks it of each first."""
    if membership.state not in (Membership.State.CLEARED, Membership.State.INVITED):
        raise ValidationError(
            "Only a member whose vetting is cleared can be invited "
            f"(this member is {membership.get_state_display().lower()})."
        )
    if not (membership.person.email or "").strip():
        raise ValidationError("This person has no e-mail address to send an invitation to.")


@transaction.atomic
def invitation_send(*, membership: Membership, by, request=None) -> Invitation:
    """Send (or send again) an invitation to a cleared member; earlier open invitations of the
    membership are revoked, so only the newest link works. Who may send it is decided before,
    by the dialogue's workspace (``dialogues.workspace.services.roster_invite``, through the
    confidentiality module): ``participants`` keeps no rule of its own about it."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("person", "dialogue")
        .get(pk=membership.pk)
    )
    check_invitable(membership)
    first = membership.state == Membership.State.CLEARED
    email = (membership.person.email or "").strip().lower()
    now = timezone.now()
    for earlier in membership.invitations.filter(
        revoked_at__isnull=True,
        accepted_at__isnull=True,
        declined_at__isnull=True,
    ):
        earlier.revoked_at = now
        earlier.save(update_fields=["revoked_at"])
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        membership=membership,
        email=email,
        token_hash=_digest(token),
        created_by=by,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    if first:
        membership_transition(membership=membership, to=Membership.State.INVITED)
    audit_record(
        action=Action.CREATED,
        obj=invitation,
        actor=by,
        request=request,
        dialogue_id=membership.dialogue_id,
        detail={"membership": membership.pk, "resend": not first},
    )
    _send_invitation_mail(invitation=invitation, token=token)
    return invitation


def invitation_resend(*, membership: Membership, by, request=None) -> Invitation:
    """A fresh link for a member already invited: the old one stops working."""
    return invitation_send(membership=membership, by=by, request=request)


def _mark_revoked(invitation: Invitation, *, at, by, request, **detail) -> None:
    """The one way an open invitation is revoked (its link stops working), with its audit
    entry; ``detail`` is recorded with it."""
    invitation.revoked_at = at
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action=Action.CHANGED,
        obj=invitation,
        actor=by,
        request=request,
        dialogue_id=invitation.membership.dialogue_id,
        detail={"membership": invitation.membership_id, "state": "revoked", **detail},
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by, request=None) -> Invitation:
    invitation = _lock(invitation)
    if not invitation.is_open:
        raise ValidationError("Only an invitation still waiting for an answer can be revoked.")
    _mark_revoked(invitation, at=timezone.now(), by=by, request=request)
    return invitation


def invitations_revoke_all(*, person: Person, by, via: str, request=None) -> list[int]:
    """Revoke every invitation of ``person`` still waiting for an answer, each recorded with
    ``via`` (what ordered it); returns their ids. For a lockdown (``trackii.ops.lockdown``),
    ordered by staff, who need not be on the dialogues' convening teams: who may is the
    caller's to decide. Runs in the caller's transaction (the invitations are locked)."""
    now = timezone.now()
    revoked = []
    for invitation in (
        open_invitations_of(person).select_for_update().select_related("membership").order_by("id")
    ):
        _mark_revoked(invitation, at=now, by=by, request=request, via=via)
        revoked.append(invitation.pk)
    return revoked


@transaction.atomic
def invitation_open(*, token: str, request=None) -> Invitation:
    """The invitation this link stands for, if it can still be followed."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("membership__dialogue", "membership__person")
        .filter(token_hash=_digest(token))
        .first()
    )
    if invitation is None:
        raise ValidationError(NOT_FOUND)
    _check_usable(invitation)
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        invitation.save(update_fields=["opened_at"])
        audit_record(
            action=Action.VIEWED,
            obj=invitation,
            request=request,
            dialogue_id=invitation.membership.dialogue_id,
            detail={"membership": invitation.membership_id, "state": "opened"},
        )
    return invitation


@transaction.atomic
def invitation_send_code(*, invitation: Invitation, request=None) -> Invitation:
    """Send a fresh six-digit code to the invited address (and only there)."""
    invitation = _lock(invitation)
    _check_usable(invitation)
    if invitation.verified_at:
        raise ValidationError("Your e-mail address is confirmed already.")
    if invitation.code_attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError(TOO_MANY)
    now = timezone.now()
    if invitation.code_sent_at and now < invitation.code_sent_at + CODE_RESEND_AFTER:
        raise ValidationError("A code was sent a moment ago: check your inbox, or wait a minute.")
    code = f"{secrets.randbelow(10**6):06d}"
    invitation.code_hash = _digest(code)
    invitation.code_sent_at = now
    invitation.save(update_fields=["code_hash", "code_sent_at"])
    audit_record(
        action=Action.CHANGED,
        obj=invitation,
        request=request,
        dialogue_id=invitation.membership.dialogue_id,
        detail={"membership": invitation.membership_id, "code_sent": True},
    )
    cover_name = invitation.membership.dialogue.cover_name
    send_mail(
        subject=f"[Trackii] Your code: {cover_name}",
        message=(
            f"Your one-time code is {code}\n\n"
            "Enter it on the invitation page within 15 minutes. If you did not ask for it, "
            "ignore this message: nobody can go on without it.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return invitation


def invitation_verify_code(*, invitation: Invitation, code: str, request=None) -> Invitation:
    """Check the code. Wrong guesses count for the invitation, not per code (a new code does
    not reset them): after five, only a new invitation helps. The refusal is raised after the
    transaction so that the failed attempt is recorded."""
    with transaction.atomic():
        invitation = _lock(invitation)
        _check_usable(invitation)
        if invitation.verified_at:
            return invitation
        if not invitation.code_hash or invitation.code_sent_at is None:
            raise ValidationError("Ask for a code first: it is sent to the invited address.")
        if invitation.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ValidationError(TOO_MANY)
        if timezone.now() > invitation.code_sent_at + CODE_VALID_FOR:
            raise ValidationError("This code has expired. Ask for a new code.")
        right = secrets.compare_digest(invitation.code_hash, _digest(code.strip()))
        if not right:
            invitation.code_attempts += 1
            invitation.save(update_fields=["code_attempts"])
            left = CODE_MAX_ATTEMPTS - invitation.code_attempts
        else:
            invitation.verified_at = timezone.now()
            invitation.code_hash = ""
            invitation.save(update_fields=["verified_at", "code_hash"])
        audit_record(
            action=Action.DECIDED,
            obj=invitation,
            request=request,
            dialogue_id=invitation.membership.dialogue_id,
            detail={"membership": invitation.membership_id, "code_verified": right},
        )
    if not right:
        if left:
            raise ValidationError(f"That code is not right. {left} attempt(s) left.")
        raise ValidationError(TOO_MANY)
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str | None = None, user=None, request=None
) -> Invitation:
    """Accept: create the account (with ``password``) or link the signed-in ``user`` whose e-mail
    is the invited one. Only after the code proved the mailbox; once only."""
    invitation = _lock(invitation)
    _check_usable(invitation)
    if invitation.verified_at is None:
        raise ValidationError("Confirm your e-mail address with the code first.")
    membership = invitation.membership
    person = membership.person
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                "You are signed in with another e-mail address than the invited one. "
                "Sign out, then follow the link again."
            )
        if person.user_id not in (None, user.pk):
            raise ValidationError("This invitation belongs to another account.")
        account = user
    else:
        if User.objects.filter(email__iexact=invitation.email).exists() or person.user_id:
            raise ValidationError(
                "An account with this e-mail address exists already: sign in, then follow the "
                "link again to link the invitation to it."
            )
        if not password:
            raise ValidationError({"new_password1": "Choose a password."})
        account = account_create(email=invitation.email, password=password)
    if person.user_id is None:
        person.user = account
        person.save(update_fields=["user", "updated_at"])
    membership_transition(membership=membership, to=Membership.State.ACCEPTED)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action=Action.DECIDED,
        obj=invitation,
        actor=account,
        request=request,
        dialogue_id=membership.dialogue_id,
        detail={"membership": membership.pk, "state": "accepted", "account": account.pk},
    )
    return invitation


@transaction.atomic
def invitation_decline(*, invitation: Invitation, request=None) -> Invitation:
    """Decline. Also after the code: whoever merely holds a forwarded link cannot answer."""
    invitation = _lock(invitation)
    _check_usable(invitation)
    if invitation.verified_at is None:
        raise ValidationError("Confirm your e-mail address with the code first.")
    membership = invitation.membership
    membership_transition(membership=membership, to=Membership.State.DECLINED)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    audit_record(
        action=Action.DECIDED,
        obj=invitation,
        request=request,
        dialogue_id=membership.dialogue_id,
        detail={"membership": membership.pk, "state": "declined"},
    )
    return invitation
