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
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trackii.audit.services import Action, audit_record
from trackii.i18n import in_language_of

from ..models import Invitation, Membership, Person, User
from ..services import account_create, membership_transition
from .selectors import open_invitations_of

CODE_MAX_ATTEMPTS = 5
CODE_VALID_FOR = timedelta(minutes=15)
CODE_RESEND_AFTER = timedelta(minutes=1)

EXPIRED = gettext_lazy(
    "This invitation has expired. Ask the person who invited you to send a new one."
)
REVOKED = gettext_lazy(
    "This invitation was withdrawn. Ask the person who invited you if you expected one."
)
USED = gettext_lazy("This invitation has already been used. Sign in if it was you who accepted it.")
TOO_MANY = gettext_lazy(
    "Too many wrong codes. Ask the person who invited you to send you a new invitation."
)
NOT_FOUND = gettext_lazy(
    "This invitation link is not valid. Check that you copied the whole address."
)
# The code of the refusal of a link that names no invitation (the page answers 404, not 410).
NOT_FOUND_CODE = "not_found"


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


def _subject(text: str) -> str:
    return f"[Trackii] {text}"


def _invitation_mail(*, invitation: Invitation, link: str) -> tuple[str, str]:
    """The invitation's subject and body, in the active language. They name the cover name
    only: never the dialogue's title, nor anyone."""
    cover_name = invitation.membership.dialogue.cover_name
    paragraphs = [
        _("You are invited to take part in a programme of meetings (“%(cover_name)s”).")
        % {"cover_name": cover_name},
        _("Follow this link to accept or decline:") + f"\n{link}",
        _(
            "The link works once, for this e-mail address only, until %(date)s. Before you go "
            "on, we send a one-time code to this address to confirm it is yours."
        )
        % {"date": date_format(invitation.expires_at, "d F Y")},
        _("If you did not expect this invitation, ignore this message."),
    ]
    subject = _subject(_("An invitation: %(cover_name)s") % {"cover_name": cover_name})
    return subject, "\n\n".join(paragraphs) + "\n"


def _send_invitation_mail(*, invitation: Invitation, token: str) -> None:
    """The invitation, in the invitee's language (set by the convening team at nomination)."""
    link = settings.TRACKII_BASE_URL.rstrip("/") + reverse("invitations:open", args=[token])
    with in_language_of(invitation.membership.person):
        subject, body = _invitation_mail(invitation=invitation, link=link)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[invitation.email])


def _code_mail(*, invitation: Invitation, code: str) -> tuple[str, str]:
    """The one-time code's subject and body, in the active language."""
    cover_name = invitation.membership.dialogue.cover_name
    subject = _subject(_("Your code: %(cover_name)s") % {"cover_name": cover_name})
    body = (
        _("Your one-time code is %(code)s") % {"code": code}
        + "\n\n"
        + _(
            "Enter it on the invitation page within 15 minutes. If you did not ask for it, "
            "ignore this message: nobody can go on without it."
        )
        + "\n"
    )
    return subject, body


def check_invitable(membership: Membership) -> None:
    """Refuse a member who cannot be sent an invitation: one whose vetting is not cleared (or
    who is past being invited), or who has no e-mail address. ``invitation_send`` asks it under
    the membership's row lock; an invitation of several at once asks it of each first."""
    if membership.state not in (Membership.State.CLEARED, Membership.State.INVITED):
        raise ValidationError(
            _("Only a member whose vetting is cleared can be invited (this member is %(state)s).")
            % {"state": membership.get_state_display().lower()}
        )
    if not (membership.person.email or "").strip():
        raise ValidationError(_("This person has no e-mail address to send an invitation to."))


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
        raise ValidationError(_("Only an invitation still waiting for an answer can be revoked."))
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
        raise ValidationError(NOT_FOUND, code=NOT_FOUND_CODE)
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
        raise ValidationError(_("Your e-mail address is confirmed already."))
    if invitation.code_attempts >= CODE_MAX_ATTEMPTS:
        raise ValidationError(TOO_MANY)
    now = timezone.now()
    if invitation.code_sent_at and now < invitation.code_sent_at + CODE_RESEND_AFTER:
        raise ValidationError(
            _("A code was sent a moment ago: check your inbox, or wait a minute.")
        )
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
    with in_language_of(invitation.membership.person):
        subject, body = _code_mail(invitation=invitation, code=code)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[invitation.email])
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
            raise ValidationError(_("Ask for a code first: it is sent to the invited address."))
        if invitation.code_attempts >= CODE_MAX_ATTEMPTS:
            raise ValidationError(TOO_MANY)
        if timezone.now() > invitation.code_sent_at + CODE_VALID_FOR:
            raise ValidationError(_("This code has expired. Ask for a new code."))
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
            raise ValidationError(
                ngettext(
                    "That code is not right. %(left)d attempt left.",
                    "That code is not right. %(left)d attempts left.",
                    left,
                )
                % {"left": left}
            )
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
        raise ValidationError(_("Confirm your e-mail address with the code first."))
    membership = invitation.membership
    person = membership.person
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _(
                    "You are signed in with another e-mail address than the invited one. "
                    "Sign out, then follow the link again."
                )
            )
        if person.user_id not in (None, user.pk):
            raise ValidationError(_("This invitation belongs to another account."))
        account = user
    else:
        if User.objects.filter(email__iexact=invitation.email).exists() or person.user_id:
            raise ValidationError(
                _(
                    "An account with this e-mail address exists already: sign in, then follow "
                    "the link again to link the invitation to it."
                )
            )
        if not password:
            raise ValidationError({"new_password1": _("Choose a password.")})
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
        raise ValidationError(_("Confirm your e-mail address with the code first."))
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
