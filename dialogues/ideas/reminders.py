"""Reminding a follow-up's owner by e-mail: once when it falls due within ``DUE_SOON_DAYS``, once
when it is overdue. E-mail leaves our control, so it follows the outbound rule of
``dialogues.confidentiality`` as the other e-mails do: the subject names the dialogue's cover
name only; the idea's title and the task only when the idea's level may leave (a neutral phrase
otherwise); never the dialogue's own title, a speaker or a source; a link to the idea's page,
where the owner signs in to read the rest. It is written in the owner's language
(``trackii.i18n.in_language_of``)."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.models import Membership
from trackii.i18n import in_language_of

from ..confidentiality import may_leave
from ..models import FollowUp

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 2
SOON, OVERDUE = "soon", "overdue"


def _stage(follow_up: FollowUp, today: date) -> str:
    return OVERDUE if follow_up.due < today else SOON


def _reminded_for(follow_up: FollowUp, stage: str) -> bool:
    """Whether its owner was already reminded at this stage: ``reminded_on`` is the last day
    they were, and a reminder sent after the due date was the overdue one."""
    last = follow_up.reminded_on
    if last is None:
        return False
    if stage == OVERDUE:
        return last > follow_up.due
    return last >= follow_up.due - timedelta(days=DUE_SOON_DAYS)


def _address(membership: Membership) -> str:
    """Where the owner is reached: their person's e-mail, else their account's (empty: none)."""
    person = membership.person
    if person.email:
        return person.email
    user = person.user
    return user.email if user is not None and user.is_active else ""


def _opening(*, shown: bool, overdue: bool) -> str:
    """The reminder's first sentence, with ``%(title)s``, ``%(cover)s`` and ``%(due)s`` to fill:
    the idea named only if it may leave."""
    if shown and overdue:
        return _(
            "A follow-up you own on the idea “%(title)s” (%(cover)s) was due on %(due)s and is "
            "not marked done."
        )
    if shown:
        return _("A follow-up you own on the idea “%(title)s” (%(cover)s) is due on %(due)s.")
    if overdue:
        return _(
            "A follow-up you own on an idea of %(cover)s was due on %(due)s and is not marked done."
        )
    return _("A follow-up you own on an idea of %(cover)s is due on %(due)s.")


def reminder_message(follow_up: FollowUp, *, stage: str, to: str) -> EmailMessage:
    """The reminder, as far as the outbound rule lets it say what the follow-up is about, in
    the active language (the caller's ``in_language_of`` the owner)."""
    idea = follow_up.idea
    dialogue = idea.dialogue
    cover = dialogue.cover_name
    shown = may_leave(dialogue, idea)
    overdue = stage == OVERDUE
    # The month's name in the reader's language (E: the form a date takes, e.g. in Russian).
    due = dateformat.format(follow_up.due, "d E Y")
    opening = _opening(shown=shown, overdue=overdue)
    lines = [opening % {"title": idea.title, "cover": cover, "due": due}, ""]
    if shown:
        lines += [_("The task: %(task)s") % {"task": follow_up.task}, ""]
    else:
        lines += [_("Sign in to read the task."), ""]
    link = settings.TRACKII_BASE_URL + reverse("dialogues:idea_detail", args=[dialogue.pk, idea.pk])
    lines += [
        _("Once it is done, mark it so on the idea's page: %(link)s") % {"link": link},
        "",
        ngettext(
            "You are reminded once when a follow-up is due within %(days)s day, and once when "
            "it is overdue.",
            "You are reminded once when a follow-up is due within %(days)s days, and once when "
            "it is overdue.",
            DUE_SOON_DAYS,
        )
        % {"days": DUE_SOON_DAYS},
    ]
    if overdue:
        news = _("%(cover)s: a follow-up is overdue")
    else:
        news = _("%(cover)s: a follow-up is due soon")
    return EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + news % {"cover": cover},
        body="\n".join(lines),
        to=[to],
    )


def follow_ups_remind(*, today: date | None = None) -> int:
    """E-mail the owner of each open follow-up due within ``DUE_SOON_DAYS`` (or overdue) who
    was not yet reminded at that stage; an owner whose membership is no longer accepted, or who
    has no e-mail address, is skipped. Safe to run more than once a day, and by two workers at
    once: each reminder is claimed (``reminded_on``) before it is sent. Returns how many
    e-mails were sent."""
    today = today or timezone.localdate()
    due = (
        FollowUp.objects.filter(
            done_at__isnull=True, due__lte=today + timedelta(days=DUE_SOON_DAYS)
        )
        .select_related("owner__person__user", "idea__level", "idea__dialogue__outbound_level")
        .order_by("due", "id")
    )
    sent = 0
    for follow_up in due:
        stage = _stage(follow_up, today)
        if _reminded_for(follow_up, stage):
            continue
        owner = follow_up.owner
        to = _address(owner)
        if owner.state != Membership.State.ACCEPTED or not to:
            continue
        try:
            with transaction.atomic():
                claimed = FollowUp.objects.filter(
                    pk=follow_up.pk, reminded_on=follow_up.reminded_on, done_at__isnull=True
                ).update(reminded_on=today)
                if not claimed:
                    continue  # reminded meanwhile, or done
                # Sent inside the claim: if the mail server refuses it, the claim is undone
                # and the next run tries again. Written in the owner's language.
                with in_language_of(owner.person):
                    message = reminder_message(follow_up, stage=stage, to=to)
                message.send()
        except Exception as error:  # one refused message does not stop the others
            logger.error("follow-up %s: reminder not sent (%s)", follow_up.pk, type(error).__name__)
            continue
        sent += 1
    return sent
