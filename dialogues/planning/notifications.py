"""Telling attendees that an agenda changed, or that a session was called off or is back on.
E-mail leaves our control, so it carries only what may leave (the outbound rule of
``dialogues.confidentiality``): the subject names the cover name only, titles above the outbound
level are counted or replaced by the cover name, not named, and the attached ``.ics`` follows
the same rule."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from participants.models import Membership

from ..calendar.feeds import calendar_for
from ..confidentiality import can_view, may_leave, outbound_rank, outbound_title, viewer_for_user
from ..models import PublishedAgendaItem, Session
from ..selectors import published_agenda_visible_to
from .selectors import fields_changed


def _changed(item: PublishedAgendaItem, before: PublishedAgendaItem | None) -> tuple[str, ...]:
    """What changed in ``item`` since the previous version, as each was published (a copy's
    marking may have followed a stricter working level meanwhile: that is no change of its
    own)."""
    if before is None:
        return ("new",)
    return fields_changed(now=item, before=before)


@dataclass(frozen=True)
class Told:
    """What one attendee is told of a new version: the e-mail, and what they will read."""

    user: Any
    membership: Membership
    subject: str
    lines: list[str]
    reads: list[PublishedAgendaItem]  # the items of the new version they may see, in order


def agenda_published_messages(*, session_id: int, version: int) -> list[Told]:
    """For each attendee with an account who may see the session, the e-mail telling them what
    changed in version ``version`` (as far as they may see it and the outbound rule allows),
    and what they will read. Sending is ``agenda_published_notify``; the publishing preview
    shows the same, worked out on the version made and thrown away."""
    session = (
        Session.objects.select_related("dialogue__outbound_level", "level")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.published_version != version:
        return []  # gone, or already superseded by a newer version
    dialogue = session.dialogue
    rank = outbound_rank(dialogue)
    before = {
        p.source_id: p
        for p in PublishedAgendaItem.objects.filter(session=session, version__number=version - 1)
    }
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{dialogue.cover_name}: the agenda changed"
    link = _session_link(session)
    told = []
    for membership, user, viewer in _attendees_who_see(session):
        named, unnamed = [], 0
        reads = list(published_agenda_visible_to(viewer=viewer, session=session, version=version))
        for item in reads:
            changes = _changed(item, before.get(item.source_id))
            if not changes:
                continue
            if may_leave(dialogue, session, item, rank=rank):
                named.append(f"- {item.title} ({', '.join(changes)})")
            else:
                unnamed += 1
        lines = [
            f"The agenda of {outbound_title(dialogue, session, rank=rank)} has a new version "
            f"(version {version}).",
            "",
        ]
        if named:
            lines += ["What changed:", *named, ""]
        if unnamed:
            lines += [f"{unnamed} more change(s) you can read when you sign in.", ""]
        if not named and not unnamed:
            lines += ["Sign in to read it.", ""]
        lines += [f"Sign in to read the agenda: {link}"]
        told.append(Told(user, membership, subject, lines, reads))
    return told


def agenda_published_notify(*, session_id: int, version: int) -> int:
    """E-mail each attendee with an account what changed in version ``version``, as far as
    they may see it and the outbound rule allows. Returns how many e-mails were sent."""
    told = agenda_published_messages(session_id=session_id, version=version)
    if told:
        session = Session.objects.get(pk=session_id)
        for each in told:
            _send(each.user, session, subject=each.subject, lines=each.lines)
    return len(told)


def session_status_notify(*, session_id: int, status: str) -> int:
    """E-mail each attendee who may see the session that it was cancelled, or reinstated, with
    the calendar entry that marks it so. Returns how many e-mails were sent."""
    session = (
        Session.objects.select_related("dialogue__outbound_level", "level")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.status != status:
        return 0  # gone, or changed again since: the later change tells its own news
    if status == Session.Status.CANCELLED:
        news, sentence = "a session was cancelled", "has been cancelled."
    elif status == Session.Status.PUBLISHED:
        news, sentence = "a session is back on", "is back on: it was cancelled and is reinstated."
    else:
        return 0
    dialogue = session.dialogue
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{dialogue.cover_name}: {news}"
    lines = [
        f"{outbound_title(dialogue, session)} {sentence}",
        "",
        "The attached calendar entry and your Trackii calendar feed show it so.",
        "",
        f"Sign in for the details: {_session_link(session)}",
    ]
    sent = 0
    for _membership, user, _viewer in _attendees_who_see(session):
        _send(user, session, subject=subject, lines=lines, ics_name="session.ics")
        sent += 1
    return sent


def _session_link(session: Session) -> str:
    return settings.TRACKII_BASE_URL + reverse(
        "dialogues:session_detail", args=[session.dialogue_id, session.pk]
    )


def _attendees_who_see(session: Session):
    """Each attendee with an active account, with their viewer, who may see the session now
    (e.g. not before accepting the ground rules: nothing to tell them yet)."""
    attendees = Membership.objects.filter(
        attendances__session=session,
        state=Membership.State.ACCEPTED,
        person__user__is_active=True,
    ).select_related("person__user")
    for membership in attendees:
        user = membership.person.user
        viewer = viewer_for_user(user)
        if can_view(viewer, session):
            yield membership, user, viewer


def _send(
    user, session: Session, *, subject: str, lines: list[str], ics_name: str = "agenda.ics"
) -> None:
    message = EmailMessage(subject=subject, body="\n".join(lines), to=[user.email])
    message.attach(ics_name, calendar_for(user=user, session_id=session.pk), "text/calendar")
    message.send()
