"""Telling attendees that an agenda changed, or that a session was called off or is back on.
E-mail leaves our control, so it carries only what may leave (the outbound rule of
``dialogues.confidentiality``): the subject names the cover name only, titles above the outbound
level are counted or replaced by the cover name, not named, and the attached ``.ics`` follows
the same rule.

Each attendee is written to in their own language (``trackii.i18n.in_language_of``): the e-mail
and its calendar entry. A notice that says the same to everyone says it once per language."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from participants.models import Membership
from trackii.i18n import in_language, in_language_of, language_of

from ..calendar.feeds import calendar_for
from ..confidentiality import can_view, may_leave, outbound_rank, viewer_for_user
from ..models import Dialogue, PublishedAgendaItem, Session
from ..selectors import published_agenda_visible_to
from .selectors import ChangeName, fields_changed

NEW: ChangeName = pgettext_lazy("changed", "new")


def _changed(
    item: PublishedAgendaItem, before: PublishedAgendaItem | None
) -> tuple[ChangeName, ...]:
    """What changed in ``item`` since the previous version, as each was published (a copy's
    marking may have followed a stricter working level meanwhile: that is no change of its
    own): the names of ``selectors.COMPARED_FIELDS``, or ``NEW``."""
    if before is None:
        return (NEW,)
    return fields_changed(now=item, before=before)


def change_line(title: str, changes: tuple[ChangeName, ...]) -> str:
    """One line of the e-mail's list of what changed ("- Opening (start, room)"), in the active
    language."""
    names = pgettext("list separator", ", ").join(str(change) for change in changes)
    return "- " + _("%(title)s (%(changes)s)") % {"title": title, "changes": names}


def _session_title(dialogue: Dialogue, session: Session, *, rank: int | None = None) -> str:
    """``confidentiality.outbound_title`` for a session, the cover name in the reader's
    language."""
    if may_leave(dialogue, session, rank=rank):
        return session.title
    return dialogue.cover_label


@dataclass(frozen=True)
class Told:
    """What one attendee is told of a new version: the e-mail (in their language), and what
    they will read."""

    user: Any
    membership: Membership
    subject: str
    lines: list[str]
    reads: list[PublishedAgendaItem]  # the items of the new version they may see, in order
    # The items the e-mail names, each with what changed (``_changed``), in order.
    named: list[tuple[str, tuple[ChangeName, ...]]] = field(default_factory=list)


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
    link = _session_link(session)
    told = []
    for membership, user, viewer in _attendees_who_see(session):
        named: list[tuple[str, tuple[ChangeName, ...]]] = []
        unnamed = 0
        reads = list(published_agenda_visible_to(viewer=viewer, session=session, version=version))
        for item in reads:
            changes = _changed(item, before.get(item.source_id))
            if not changes:
                continue
            if may_leave(dialogue, session, item, rank=rank):
                named.append((item.title, changes))
            else:
                unnamed += 1
        with in_language_of(membership.person):
            subject = _("%(cover)s: the agenda changed") % {"cover": dialogue.cover_label}
            lines = [
                _("The agenda of %(title)s has a new version (version %(number)s).")
                % {"title": _session_title(dialogue, session, rank=rank), "number": version},
                "",
            ]
            if named:
                lines += [
                    _("What changed:"),
                    *(change_line(title, changes) for title, changes in named),
                    "",
                ]
            if unnamed:
                lines += [
                    ngettext(
                        "%(count)s more change you can read when you sign in.",
                        "%(count)s more changes you can read when you sign in.",
                        unnamed,
                    )
                    % {"count": unnamed},
                    "",
                ]
            if not named and not unnamed:
                lines += [_("Sign in to read it."), ""]
            lines += [_("Sign in to read the agenda: %(link)s") % {"link": link}]
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"
        told.append(Told(user, membership, subject, lines, reads, named))
    return told


def agenda_published_notify(*, session_id: int, version: int) -> int:
    """E-mail each attendee with an account what changed in version ``version``, as far as
    they may see it and the outbound rule allows. Returns how many e-mails were sent."""
    told = agenda_published_messages(session_id=session_id, version=version)
    if told:
        session = Session.objects.get(pk=session_id)
        for each in told:
            with in_language_of(each.membership.person):  # its calendar entry too
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
    if status not in (Session.Status.CANCELLED, Session.Status.PUBLISHED):
        return 0
    # The same words to every attendee: written once per language, in the attendees' order.
    by_language: dict[str, list] = defaultdict(list)
    for membership, user, _viewer in _attendees_who_see(session):
        by_language[language_of(membership.person)].append(user)
    sent = 0
    for language, users in by_language.items():
        with in_language(language):
            subject, lines = _status_message(session, status=status)
            for user in users:
                _send(user, session, subject=subject, lines=lines, ics_name="session.ics")
                sent += 1
    return sent


def _status_message(session: Session, *, status: str) -> tuple[str, list[str]]:
    """The subject and lines telling that ``session`` was cancelled or is back on, in the
    active language."""
    dialogue = session.dialogue
    values = {"cover": dialogue.cover_label, "title": _session_title(dialogue, session)}
    if status == Session.Status.CANCELLED:
        subject = _("%(cover)s: a session was cancelled") % values
        sentence = _("%(title)s has been cancelled.") % values
    else:
        subject = _("%(cover)s: a session is back on") % values
        sentence = _("%(title)s is back on: it was cancelled and is reinstated.") % values
    lines = [
        sentence,
        "",
        _("The attached calendar entry and your Trackii calendar feed show it so."),
        "",
        _("Sign in for the details: %(link)s") % {"link": _session_link(session)},
    ]
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", lines


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
