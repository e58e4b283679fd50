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
