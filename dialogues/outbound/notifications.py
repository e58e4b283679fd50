"""Telling a dialogue's convening team of a request to raise what may leave Trackii (made,
confirmed or withdrawn). E-mail leaves our control: it names the cover name and the two levels of
the organisation's scale, nothing of the dialogue's content and nobody. Each member is written to
in their language (``trackii.i18n``): the message is rendered once per language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Membership
from trackii.i18n import in_language, language_of

from ..models import OutboundLevelRequest

# What happened, for the cover name (``%(cover)s``), from one level to another.
_OUTBOUND_NEWS = {
    "open": gettext_lazy(
        "A member of the convening team asked to raise what may leave Trackii for “%(cover)s”: "
        "from %(from)s to %(to)s."
    ),
    "confirmed": gettext_lazy(
        "What may leave Trackii was raised for “%(cover)s”: from %(from)s to %(to)s."
    ),
    "withdrawn": gettext_lazy(
        "A request to raise what may leave Trackii was withdrawn for “%(cover)s”: from %(from)s "
        "to %(to)s."
    ),
}


def _message(raise_request: OutboundLevelRequest, event: str) -> tuple[str, str]:
    """The subject and the body, in the active language."""
    dialogue = raise_request.dialogue
    to_name = raise_request.to_level.label
    if raise_request.from_level:
        from_name = raise_request.from_level.label
    else:
        from_name = _("the lowest level")
    news = _OUTBOUND_NEWS[event] % {"cover": dialogue.cover_name, "from": from_name, "to": to_name}
    lines = [news, ""]
    if event == "open":
        expires = raise_request.expires_at
        lines += [
            _(
                "E-mail, calendar feeds and file names would then carry material up to "
                "%(level)s. It takes effect only when another member of the convening team, "
                "cleared %(level)s or higher, confirms it; it lapses on %(day)s at %(time)s UTC "
                "otherwise."
            )
            % {
                "level": to_name,
                # The month's name in the reader's language (E: as a date writes it).
                "day": dateformat.format(expires, "d E Y"),
                "time": dateformat.format(expires, "H:i"),
            },
            "",
        ]
    link = settings.TRACKII_BASE_URL + reverse("dialogues:dialogue_edit", args=[dialogue.pk])
    lines.append(_("See the dialogue's settings in Trackii: %(link)s") % {"link": link})
    subject = "[Trackii] " + _("%(cover)s: what may leave Trackii") % {"cover": dialogue.cover_name}
    return subject, "\n".join(lines)


def outbound_request_notify(*, request_id: int, status: str) -> int:
    """Tell the dialogue's convening team (each accepted convenor and facilitator with an
    active account, but the one who acted) that a request to raise its outbound level was made
    (``status`` open), confirmed or withdrawn. A notice whose request has moved on meanwhile
    sends nothing. The message names the cover name and the two levels of the organisation's
    scale, nothing of the dialogue's content and nobody; each member reads it in their
    language."""
    raise_request = (
        OutboundLevelRequest.objects.select_related("dialogue", "from_level", "to_level")
        .filter(pk=request_id)
        .first()
    )
    if raise_request is None or status not in _OUTBOUND_NEWS:
        return 0
    if status == "open" and raise_request.state != status:
        return 0
    event = status
    actor_id = raise_request.requested_by_id if status == "open" else raise_request.decided_by_id
    dialogue = raise_request.dialogue
    team = (
        Membership.objects.filter(
            dialogue=dialogue,
            state=Membership.State.ACCEPTED,
            role__in=Membership.CONVENING_ROLES,
            person__user__is_active=True,
        )
        .exclude(person__user_id=actor_id)
        .select_related("person__user")
    )
    rendered: dict[str, tuple[str, str]] = {}  # by language: the same words to all who share it
    sent = 0
    for membership in team:
        language = language_of(membership.person)
        if language not in rendered:
            with in_language(language):
                rendered[language] = _message(raise_request, event)
        subject, body = rendered[language]
        EmailMessage(subject=subject, body=body, to=[membership.person.user.email]).send()
        sent += 1
    return sent
