"""Writes of a person's own account settings: their time zone, their language and their calendar
address."""

import secrets
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trackii.audit.services import Action, audit_record

from ..models import Person, User
from ..services import check_language, person_language_set

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
            {
                "time_zone": _("“%(zone)s” is not a known time zone (e.g. Europe/Geneva).")
                % {"zone": time_zone}
            }
        )
    user.time_zone = time_zone
    user.full_clean(validate_unique=False, validate_constraints=False)
    user.save(update_fields=["time_zone"])


def profile_language_set(*, user: User, language: str) -> bool:
    """Set the language Trackii writes to the account's person in ("": the browser's decides).
    Kept on the person (``Person.language``), whose changes the model's history records; an
    account without a person (an admin's, made by hand) has nowhere to keep it, and no person
    is made for it: False then, the caller keeps it for the session only."""
    language = check_language(language)
    person = Person.objects.filter(user=user).first()
    if person is None:
        return False
    person_language_set(person=person, language=language)
    return True
