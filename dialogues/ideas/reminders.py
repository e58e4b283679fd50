"""Reminding a follow-up's owner by e-mail: once when it falls due within ``DUE_SOON_DAYS``, once
when it is overdue. E-mail leaves our control, so it follows the outbound rule of
``dialogues.confidentiality`` as the other e-mails do: the subject names the dialogue's cover
name only; the idea's title and the task only when the idea's level may leave (a neutral phrase
otherwise); never the dialogue's own title, a speaker or a source; a link to the idea's page,
where the owner signs in to read the rest."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from participants.models import Membership

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


def reminder_message(follow_up: FollowUp, *, stage: str, to: str) -> EmailMessage:
    """The reminder, as far as the outbound rule lets it say what the follow-up is about."""
    idea = follow_up.idea
    dialogue = idea.dialogue
    cover = dialogue.cover_name
    shown = may_leave(dialogue, idea)
    about = f"the idea “{idea.title}” ({cover})" if shown else f"an idea of {cover}"
    due = f"{follow_up.due:%d %B %Y}"
    if stage == OVERDUE:
        news, sentence = "a follow-up is overdue", f"was due on {due} and is not marked done."
    else:
        news, sentence = "a follow-up is due soon", f"is due on {due}."
    lines = [f"A follow-up you own on {about} {sentence}", ""]
    if shown:
        lines += [f"The task: {follow_up.task}", ""]
    else:
        lines += ["Sign in to read the task.", ""]
    link = settings.TRACKII_BASE_URL + reverse("dialogues:idea_detail", args=[dialogue.pk, idea.pk])
    lines += [
        f"Once it is done, mark it so on the idea's page: {link}",
        "",
        f"You are reminded once when a follow-up is due within {DUE_SOON_DAYS} days, and once "
        "when it is overdue.",
    ]
    return EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{cover}: {news}",
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
                # and the next run tries again.
                reminder_message(follow_up, stage=stage, to=to).send()
        except Exception as error:  # one refused message does not stop the others
            logger.error("follow-up %s: reminder not sent (%s)", follow_up.pk, type(error).__name__)
            continue
        sent += 1
    return sent
