"""Writes of a person's own account settings: their time zone and their calendar address."""

import secrets
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction

from trackii.audit.services import Action, audit_record

from ..models import User

# 32 random bytes: a 43-character URL-safe token, the whole of the calendar address's protection.
CALENDAR_SECRET_BYTES = 32


@transaction.atomic
def calendar_secret_regenerate(*, user: User, by: User | None = None) -> str:
    """Give the account a new calendar secret; the address built on the old one stops working.
    The audit trail records that it changed (by the account itself, or by ``by``: an admin's
    lockdown), never the secret itself."""
    user.calendar_secret = secrets.token_urlsafe(CALENDAR_SECRET_BYTES)
    user.save(update_fields=["calendar_secret"])
    audit_record(
        action=Action.CHANGED,
        obj=user,
        actor=by or user,
        detail={"calendar_secret": "regenerated"},
    )
    return user.calendar_secret


@transaction.atomic
def profile_time_zone_set(*, user: User, time_zone: str) -> None:
    """Set the account's own time zone (empty: show venue times only)."""
    time_zone = (time_zone or "").strip()
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ValidationError(
            {"time_zone": f"“{time_zone}” is not a known time zone (e.g. Europe/Geneva)."}
        )
    user.time_zone = time_zone
    user.full_clean(validate_unique=False, validate_constraints=False)
    user.save(update_fields=["time_zone"])
