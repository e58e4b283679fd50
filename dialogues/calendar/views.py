"""The personal calendar feed. Calendar services cannot sign in, so the address carries a long
random secret instead; the feed holds only what its owner may see, within the outbound rule
(``calendar.feeds``). Every fetch is recorded in the audit trail as read by the feed's owner,
one entry per session it carries (never the secret). It is written in its owner's language: a
calendar service fetches it without their cookies or their browser's languages."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from participants.profile.selectors import account_by_calendar_secret
from trackii.audit import reads
from trackii.i18n import in_language_of

from .feeds import calendar_for


@require_GET
def calendar_feed(request, secret: str):
    user = account_by_calendar_secret(secret)
    if user is None:
        raise Http404
    reads.read_by(user)  # whoever fetched it (a calendar service, signed out)
    with in_language_of(getattr(user, "person", None)):
        feed = calendar_for(user=user, fetched=True)
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="trackii.ics"'
    return response
