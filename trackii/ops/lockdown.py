"""Lockdown: when a person's account, device or mailbox may be in the wrong hands, staff end at
once everything that lets that person (or whoever holds their things) in:

- every signed-in session of their account, on every device;
- their personal calendar feed's address (a new secret, which nobody has yet);
- their invitations still waiting for an answer;
- the briefing-pack links sent to their e-mail address;
- optionally, the account itself (deactivated: no one can sign in with it).

Lives in ``ops`` because it reaches into both apps (``participants`` must not import
``dialogues``). One audit entry records it with ids and counts only; the reason staff gave is kept
in ``ops.Lockdown``."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.briefing.selectors import copies_linked_to
from dialogues.briefing.services import copy_link_revoke
from dialogues.viewers import viewers_changed
from participants.invitations.selectors import open_invitations_of
from participants.invitations.services import invitations_revoke_all
from participants.models import Person, User
from participants.profile.services import calendar_secret_regenerate
from trackii.audit.services import Action, audit_record

from .models import Lockdown

# -- what a lockdown would reach --------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _usersessions_installed() -> bool:
    return apps.is_installed("allauth.usersessions")


def session_keys_of(user: User) -> set[str]:
    """The keys of the account's live sessions.

    With database-backed sessions (``db``, ``cached_db``) every live session is read back and
    decoded, so none is missed, whether or not allauth's user sessions knew of it (sessions
    begun before it was installed, or by ``force_login``). With other engines only the sessions
    allauth's ``usersessions`` tracks can be found."""
    store = _session_store()
    model_of = getattr(store, "get_model_class", None)
    if model_of is None:
        if not _usersessions_installed():
            raise ValidationError(
                _(
                    "Sessions cannot be listed with this session engine: install "
                    "allauth.usersessions or keep sessions in the database."
                )
            )
        from allauth.usersessions.models import UserSession

        return {s.session_key for s in UserSession.objects.purge_and_list(user)}
    user_id = str(user.pk)
    rows = (
        model_of()
        .objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
    )
    decoder = store()
    return {
        key for key, data in rows.iterator() if decoder.decode(data).get(SESSION_KEY) == user_id
    }


def _emails_of(person: Person) -> set[str]:
    emails = {person.email, person.user.email if person.user else ""}
    return {e.strip().lower() for e in emails if e and e.strip()}


def linked_copies_for(person: Person) -> QuerySet:
    """Briefing-pack copies with a live link, sent to one of the person's addresses (compared
    without regard to case)."""
    return copies_linked_to(emails=_emails_of(person))


@dataclass(frozen=True)
class LockdownPlan:
    """What a lockdown of this person would do now, for the staff's confirmation page."""

    person: Person
    has_account: bool
    account_active: bool
    sessions: int
    calendar_feed: bool
    invitations: int
    pack_links: int
    emails: list[str] = field(default_factory=list)


def lockdown_plan(*, person: Person) -> LockdownPlan:
    user = person.user
    return LockdownPlan(
        person=person,
        has_account=user is not None,
        account_active=bool(user and user.is_active),
        sessions=len(session_keys_of(user)) if user else 0,
        calendar_feed=bool(user and user.calendar_secret),
        invitations=open_invitations_of(person).count(),
        pack_links=linked_copies_for(person).count(),
        emails=sorted(_emails_of(person)),
    )


# -- doing it ---------------------------------------------------------------------------------


def _end_sessions(user: User) -> int:
    keys = session_keys_of(user)
    if _usersessions_installed():
        # Through allauth, so its own records of the sessions go with them.
        from allauth.usersessions.adapter import get_adapter
        from allauth.usersessions.models import UserSession

        tracked = list(UserSession.objects.filter(user_id=user.pk))
        get_adapter().end_sessions(tracked)
    store = _session_store()()
    for key in keys:
        store.delete(key)
    return len(keys)


def _revoke_pack_links(*, person: Person, by: User) -> list[int]:
    revoked = []
    for copy in linked_copies_for(person).order_by("id"):
        try:
            copy_link_revoke(copy=copy, by=by)
        except ValidationError:
            continue  # its link went in the meantime
        revoked.append(copy.pk)
    return revoked


@transaction.atomic
def person_lockdown(
    *, person: Person, by: User, reason: str, deactivate: bool = False, request=None
) -> Lockdown:
    """End the person's sessions and revoke their calendar feed, open invitations and pack
    links at once (and deactivate their account if asked); record it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the reason is kept with the lockdown.")})
    person = Person.objects.select_related("user").get(pk=person.pk)
    user = person.user
    if user is not None and user.pk == by.pk:
        # Ending the session this very request runs in would leave it nowhere to answer from.
        raise ValidationError(
            _("You cannot lock down your own account: ask another admin to do it.")
        )
    record = Lockdown(person=person, by=by, reason=reason)
    if user is not None:
        if deactivate and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            record.account_deactivated = True
        record.sessions_ended = _end_sessions(user)
        if user.calendar_secret:
            calendar_secret_regenerate(user=user, by=by)
            record.calendar_secret_renewed = True
    record.invitations_revoked = invitations_revoke_all(
        person=person, by=by, via="lockdown", request=request
    )
    record.pack_copies_revoked = _revoke_pack_links(person=person, by=by)
    if user is not None:
        # Whoever signs in as them next (a new sign-in, if the account stays) is a viewer built
        # afresh, by every web process: nothing kept from before the lockdown.
        viewers_changed(user_ids=[user.pk])
    record.full_clean()
    record.save()
    audit_record(
        action=Action.CHANGED,
        obj=person,
        actor=by,
        request=request,
        detail={
            "lockdown": record.pk,
            "user": user.pk if user else None,
            "sessions_ended": record.sessions_ended,
            "calendar_secret_renewed": record.calendar_secret_renewed,
            "invitations_revoked": record.invitations_revoked,
            "pack_copies_revoked": record.pack_copies_revoked,
            "account_deactivated": record.account_deactivated,
        },
    )
    return record
