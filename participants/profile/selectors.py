"""Reads of a person's own account settings: the account a calendar address opens."""

import re

from ..models import User

# A feed address's secret is token_urlsafe(32): anything much shorter is not one of ours.
MIN_CALENDAR_SECRET_LENGTH = 32
_URLSAFE = re.compile(r"[A-Za-z0-9_-]+")


def account_by_calendar_secret(secret: str):
    """The active account whose calendar feed this secret opens, or None."""
    # Secrets are URL-safe base64 (secrets.token_urlsafe); anything else cannot match, and a NUL
    # byte in the address would make PostgreSQL refuse the query (a server error, not a 404).
    if len(secret) < MIN_CALENDAR_SECRET_LENGTH or not _URLSAFE.fullmatch(secret):
        return None
    return User.objects.filter(calendar_secret=secret, is_active=True).first()


def likely_time_zones(user: User) -> list[str]:
    """The account's own time zone, then those of the sessions its person attends, the next
    first (one query). Sessions are reached by the names of their relations: participants does
    not import dialogues."""
    attended = (
        User.objects.filter(pk=user.pk, person__memberships__attendances__isnull=False)
        .order_by("-person__memberships__attendances__session__start")
        .values_list("person__memberships__attendances__session__time_zone", flat=True)
    )
    return list(dict.fromkeys([user.time_zone, *attended]))
