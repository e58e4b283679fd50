"""Telling the sides that a version of a non-paper was circulated. E-mail leaves our control,
so it follows the outbound rule of ``dialogues.confidentiality``: the subject names the cover
name only, the non-paper's title only when its level may leave, and nothing of its words or of
anyone's comments: not even that there are any. The same words go to every reader of one
language: each reader is written to in theirs (``trackii.i18n``)."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _

from participants.models import Membership
from trackii.i18n import in_language, language_of

from ..confidentiality import can_plan, may_leave, viewer_for_user, visible
from ..models import NonPaperVersion


def circulated_message(version: NonPaperVersion, *, to: str) -> EmailMessage:
    """The e-mail telling that ``version`` was circulated, in the active language."""
    non_paper = version.non_paper
    dialogue = non_paper.dialogue
    values = {
        "number": version.number,
        "title": non_paper.title,
        "cover": dialogue.cover_label,
        "link": settings.TRACKII_BASE_URL
        + reverse("dialogues:non_paper_version", args=[dialogue.pk, non_paper.pk, version.number]),
    }
    if may_leave(dialogue, non_paper):
        news = _(
            "Version %(number)s of the non-paper “%(title)s” of %(cover)s has been circulated."
        )
    else:
        news = _("Version %(number)s of a text of %(cover)s has been circulated.")
    lines = [
        news % values,
        "",
        _("Sign in to read it: %(link)s") % values,
        "",
        _(
            "Participants comment on it paragraph by paragraph; each side's comments are read by "
            "that side and the convening team only."
        ),
    ]
    subject = _("%(cover)s: a text to read") % values
    return EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body="\n".join(lines),
        to=[to],
    )


def circulated_notify(*, version_id: int) -> int:
    """E-mail each accepted member with an account, not of the convening team, who may read the
    circulated version now. Returns how many e-mails were sent."""
    version = (
        NonPaperVersion.objects.select_related("non_paper__dialogue__outbound_level")
        .select_related("non_paper__level")
        .filter(pk=version_id, state=NonPaperVersion.State.CIRCULATED)
        .first()
    )
    if version is None:
        return 0
    dialogue_id = version.non_paper.dialogue_id
    members = (
        Membership.objects.filter(
            dialogue_id=dialogue_id,
            state=Membership.State.ACCEPTED,
            person__user__is_active=True,
        )
        .exclude(role__in=Membership.CONVENING_ROLES)
        .select_related("person__user")
        .order_by("pk")
    )
    # The readers, by language (in the members' order), so that one language's readers are
    # sent the same words.
    readers: dict[str, list[str]] = defaultdict(list)
    for membership in members:
        user = membership.person.user
        if user is None:
            continue
        viewer = viewer_for_user(user)
        if can_plan(viewer, dialogue_id):
            continue
        if not visible(viewer, NonPaperVersion, dialogue_id=dialogue_id).filter(pk=version.pk):
            continue
        readers[language_of(membership.person)].append(user.email)
    sent = 0
    for language, emails in readers.items():
        with in_language(language):
            for email in emails:
                circulated_message(version, to=email).send()
                sent += 1
    return sent
