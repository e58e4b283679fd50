"""Telling a dialogue's convening team of a request to raise what may leave Trackii (made,
confirmed or withdrawn). E-mail leaves our control: it names the cover name and the two levels of
the organisation's scale, nothing of the dialogue's content and nobody."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from participants.models import Membership

from ..models import OutboundLevelRequest

_OUTBOUND_NEWS = {
    "open": "A member of the convening team asked to raise what may leave Trackii",
    "confirmed": "What may leave Trackii was raised",
    "withdrawn": "A request to raise what may leave Trackii was withdrawn",
}


def outbound_request_notify(*, request_id: int, status: str) -> int:
    """Tell the dialogue's convening team (each accepted convenor and facilitator with an
    active account, but the one who acted) that a request to raise its outbound level was made
    (``status`` open), confirmed or withdrawn. A notice whose request has moved on meanwhile
    sends nothing. The message names the cover name and the two levels of the organisation's
    scale, nothing of the dialogue's content and nobody."""
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
    from_name = raise_request.from_level.name if raise_request.from_level else "the lowest level"
    lines = [
        f"{_OUTBOUND_NEWS[event]} for “{dialogue.cover_name}”: from {from_name} to "
        f"{raise_request.to_level.name}.",
        "",
    ]
    if event == "open":
        lines += [
            "E-mail, calendar feeds and file names would then carry material up to "
            f"{raise_request.to_level.name}. It takes effect only when another member of the "
            f"convening team, cleared {raise_request.to_level.name} or higher, confirms it; "
            f"it lapses on {raise_request.expires_at:%d %B %Y at %H:%M} UTC otherwise.",
            "",
        ]
    lines.append(
        "See the dialogue's settings in Trackii: "
        + settings.TRACKII_BASE_URL
        + reverse("dialogues:dialogue_edit", args=[dialogue.pk])
    )
    sent = 0
    for membership in team:
        EmailMessage(
            subject=f"[Trackii] {dialogue.cover_name}: what may leave Trackii",
            body="\n".join(lines),
            to=[membership.person.user.email],
        ).send()
        sent += 1
    return sent
