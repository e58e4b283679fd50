"""Writes of people and memberships, the core every feature uses: accounts, persons, the one
place a membership's state moves, its side, role and clearance, and the acceptance of ground
rules. Keyword-only, validated, atomic. Adding a person to a roster starts their vetting, so it
is vetting's (``participants.vetting.services.membership_nominate``)."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trackii.audit.services import Action, audit_record
from trackii.i18n import supported

from .models import GroundRulesAcceptance, Membership, Person, User


@transaction.atomic
def account_create(*, email: str, password: str | None, display_name: str = "", is_staff=False):
    user = User(email=email.lower(), display_name=display_name, is_staff=is_staff)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def check_language(language: str | None) -> str:
    """The language Trackii writes to a person in: one of ``settings.LANGUAGES``, or "" for the
    browser's (``trackii.i18n``); anything else is refused."""
    language = (language or "").strip()
    if language and not supported(language):
        raise ValidationError(
            {"language": _("Choose one of the languages Trackii speaks, or none.")}
        )
    return language


@transaction.atomic
def person_create(*, full_name: str, **fields) -> Person:
    if "language" in fields:
        fields["language"] = check_language(fields["language"])
    person = Person(full_name=full_name, **fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_language_set(*, person: Person, language: str) -> Person:
    """Set the language Trackii writes to the person in ("": the browser's). Person changes are
    kept in the model's change history (``trackii.audit.registry``)."""
    person.language = check_language(language)
    person.save(update_fields=["language", "updated_at"])
    return person


# The one place the membership state moves. Vetting (cleared/rejected) and invitations
# (invited/accepted/declined) call this; nothing else writes ``Membership.state``.
TRANSITIONS: dict[str, frozenset[str]] = {
    Membership.State.NOMINATED: frozenset({Membership.State.CLEARED, Membership.State.REJECTED}),
    Membership.State.CLEARED: frozenset({Membership.State.INVITED, Membership.State.REJECTED}),
    # A member found on a list later is rejected wherever they are on the path.
    Membership.State.INVITED: frozenset(
        {Membership.State.ACCEPTED, Membership.State.DECLINED, Membership.State.REJECTED}
    ),
    Membership.State.REJECTED: frozenset(),
    Membership.State.ACCEPTED: frozenset({Membership.State.DECLINED, Membership.State.REJECTED}),
    Membership.State.DECLINED: frozenset({Membership.State.INVITED}),
}


@transaction.atomic
def membership_transition(*, membership: Membership, to: str) -> Membership:
    if to not in TRANSITIONS[membership.state]:
        raise ValidationError(
            _("A membership cannot go from %(state)s to %(to)s.")
            % {
                "state": membership.get_state_display().lower(),
                "to": str(dict(Membership.State.choices).get(to, to)).lower(),
            }
        )
    membership.state = to
    membership.save(update_fields=["state", "updated_at"])
    return membership


@transaction.atomic
def membership_start_as_convenor(*, membership: Membership) -> Membership:
    """The convenor who opens a dialogue is in it from the start: nobody else could vet or
    invite them into their own programme."""
    if (
        membership.role != Membership.Role.CONVENOR
        or membership.state != Membership.State.NOMINATED
    ):
        raise ValidationError(_("Only a newly added convenor starts as an accepted member."))
    membership.state = Membership.State.ACCEPTED
    membership.save(update_fields=["state", "updated_at"])
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, side=None, role: str, clearance) -> Membership:
    """Change a member's side, role and clearance. The state is not touched here: it moves only
    through ``membership_transition``."""
    if side is not None and side.dialogue_id != membership.dialogue_id:
        raise ValidationError({"side": _("The side must belong to the same dialogue.")})
    membership.side = side
    membership.role = role
    membership.clearance = clearance
    membership.full_clean()
    membership.save(update_fields=["side", "role", "clearance", "updated_at"])
    return membership


@transaction.atomic
def ground_rules_accept(
    *, membership: Membership, version: int, language: str = ""
) -> GroundRulesAcceptance:
    """Record that the member accepts this version of the ground rules in the text they read:
    ``language``'s if the convening team wrote one, else the main language's (what the page
    showed them: ``Dialogue.ground_rules_in``). The language and the digest of exactly that text
    are what the acceptance records."""
    dialogue = membership.dialogue
    if version != dialogue.ground_rules_version:
        raise ValidationError(
            _(
                "The ground rules changed while you were reading them: read the new text and "
                "accept it."
            )
        )
    text, signed_in = dialogue.ground_rules_in(supported(language) or dialogue.language)
    acceptance, created = GroundRulesAcceptance.objects.get_or_create(
        membership=membership,
        version=version,
        defaults={
            "language": signed_in,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
    )
    if created:
        audit_record(
            action=Action.DECIDED,
            obj=acceptance,
            actor=membership.person.user,
            dialogue_id=membership.dialogue_id,
            detail={"ground_rules_version": version, "language": signed_in},
        )
    return acceptance
