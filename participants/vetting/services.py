"""Vetting: a case for every nomination, screening it against the lists in force, and the
decisions on possible matches and on the case. Four eyes: whoever nominated a person cannot
decide their case. A case's decision drives the membership's state (nominated -> cleared or
rejected) through ``membership_transition``. A nomination is where a case starts, so adding a
person to a dialogue's roster (``membership_nominate``) is here too."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trackii.audit.services import Action, audit_record

from ..models import MatchDismissal, Membership, Person, PossibleMatch, VettingCase
from ..screening.runner import Hit, screen_people
from ..services import membership_transition
from . import tasks

Status = VettingCase.Status


def _queue_screening(case: VettingCase) -> None:
    transaction.on_commit(lambda: tasks.screen_case.delay(case_id=case.pk))


@transaction.atomic
def membership_nominate(
    *, person: Person, dialogue, side=None, role: str, clearance, nominated_by=None, vet=True
) -> Membership:
    """Add a person to a dialogue's roster. Everyone starts as nominated, with a vetting case
    screened once the nomination commits; vetting and invitations move the state on. Only the
    convenor who opens a dialogue is not vetted here (``vet=False``)."""
    if side is not None and side.dialogue_id != dialogue.pk:
        raise ValidationError({"side": _("The side must belong to the same dialogue.")})
    membership = Membership(
        person=person,
        dialogue=dialogue,
        side=side,
        role=role,
        clearance=clearance,
        nominated_by=nominated_by,
    )
    membership.full_clean()
    membership.save()
    if vet:
        vetting_case_open(membership=membership)
    return membership


@transaction.atomic
def vetting_case_open(*, membership: Membership) -> VettingCase:
    """Open the nominee's case and have them screened once the nomination is committed."""
    case, created = VettingCase.objects.get_or_create(membership=membership)
    if created:
        _queue_screening(case)
    return case


def _dismissed(person_id: int, hit: Hit) -> bool:
    return MatchDismissal.objects.filter(
        person_id=person_id,
        designation_list_id=hit.entry.version.designation_list_id,
        reference=hit.entry.reference,
        entry_fingerprint=hit.entry.fingerprint,
    ).exists()


@transaction.atomic
def _record_hits(*, case: VettingCase, hits: list[Hit]) -> int:
    """Store what screening found for one case; returns how many possible matches are open."""
    person_id = case.membership.person_id
    found = {}
    for hit in hits:
        if _dismissed(person_id, hit):
            continue
        match, _ = PossibleMatch.objects.get_or_create(
            case=case,
            entry=hit.entry,
            defaults={
                "score": hit.result.score,
                "nominee_name": hit.result.nominee_name,
                "matched_name": hit.result.matched_name,
                "explanation": list(hit.result.explanation),
            },
        )
        found[match.pk] = match
    # Open matches against entries no longer found (a list changed) are superseded.
    case.matches.filter(status=PossibleMatch.Status.OPEN).exclude(pk__in=found).delete()
    open_count = case.matches.filter(status=PossibleMatch.Status.OPEN).count()
    case.last_screened_at = timezone.now()
    update = ["last_screened_at", "updated_at"]
    if open_count and case.status == Status.PENDING:
        case.status = Status.IN_REVIEW
        update.append("status")
    elif open_count and case.is_decided:
        # A new possible match after the decision: the case goes back to the admins.
        case.status = Status.IN_REVIEW
        update.append("status")
    case.save(update_fields=update)
    if open_count:
        audit_record(
            action=Action.CHANGED,
            obj=case,
            dialogue_id=case.membership.dialogue_id,
            detail={"open_matches": open_count},
        )
    return open_count


def screen_cases(cases: list[VettingCase]) -> dict[int, int]:
    """Screen these cases against the lists in force: case id -> open possible matches."""
    cases = [c for c in cases if c.membership.state != Membership.State.REJECTED]
    results = screen_people([c.membership.person for c in cases])
    return {
        case.pk: _record_hits(case=case, hits=hits)
        for case, hits in zip(cases, results, strict=True)
    }


def cases_to_screen():
    """Everyone active: nominees and members not rejected or declined."""
    return VettingCase.objects.exclude(
        membership__state__in=[Membership.State.REJECTED, Membership.State.DECLINED]
    ).select_related("membership__person")


def _check_four_eyes(*, case: VettingCase, by) -> None:
    if not getattr(by, "is_staff", False):
        raise ValidationError(_("Only the organisation's admins decide vetting."))
    if case.membership.nominated_by_id is not None and case.membership.nominated_by_id == by.pk:
        raise ValidationError(
            _("Four eyes: you nominated this person, so another admin must decide their case.")
        )


@transaction.atomic
def possible_match_decide(
    *, match: PossibleMatch, same_person: bool, note: str, by
) -> PossibleMatch:
    """An admin's call on one possible match. "Not the same person" is remembered for this
    person and list entry, and not raised again unless the entry changes."""
    case = match.case
    _check_four_eyes(case=case, by=by)
    if not note.strip():
        raise ValidationError({"note": _("Say why: the next admin will read it.")})
    match.status = (
        PossibleMatch.Status.SAME_PERSON if same_person else PossibleMatch.Status.NOT_SAME_PERSON
    )
    match.note = note.strip()
    match.decided_by = by
    match.decided_at = timezone.now()
    match.save(update_fields=["status", "note", "decided_by", "decided_at"])
    if not same_person:
        MatchDismissal.objects.get_or_create(
            person_id=case.membership.person_id,
            designation_list_id=match.entry.version.designation_list_id,
            reference=match.entry.reference,
            entry_fingerprint=match.entry.fingerprint,
            defaults={"decided_by": by, "reason": match.note},
        )
    audit_record(
        action=Action.DECIDED,
        obj=match,
        actor=by,
        dialogue_id=case.membership.dialogue_id,
        detail={"case": case.pk, "status": match.status},
    )
    return match


@transaction.atomic
def vetting_case_decide(
    *, case: VettingCase, decision: str, reason: str, conditions: str = "", by, **facts
) -> VettingCase:
    """Decide a case: cleared, cleared with conditions, or rejected, with a reason. Moves the
    membership to cleared or rejected."""
    case = VettingCase.objects.select_for_update().select_related("membership").get(pk=case.pk)
    _check_four_eyes(case=case, by=by)
    errors = {}
    if decision not in VettingCase.DECIDED:
        errors["decision"] = _("Choose cleared, cleared with conditions, or rejected.")
    if not reason.strip():
        errors["reason"] = _("A decision needs its reason.")
    if decision == Status.CLEARED_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = _("Say which conditions apply.")
    if errors:
        raise ValidationError(errors)
    matches = case.matches.values_list("status", flat=True)
    if decision != Status.REJECTED:
        if PossibleMatch.Status.OPEN in matches:
            raise ValidationError(
                _(
                    "Decide every possible match first: a nominee cannot be cleared while one is "
                    "open."
                )
            )
        if decision == Status.CLEARED and PossibleMatch.Status.SAME_PERSON in matches:
            raise ValidationError(
                _(
                    "The nominee is on a list: reject, or clear with conditions (e.g. a licence) "
                    "and say which."
                )
            )
    membership = case.membership
    target = Membership.State.REJECTED if decision == Status.REJECTED else Membership.State.CLEARED
    if membership.state == Membership.State.NOMINATED or (
        target == Membership.State.REJECTED and membership.state != Membership.State.REJECTED
    ):
        membership_transition(membership=membership, to=target)
    elif target == Membership.State.CLEARED and membership.state == Membership.State.REJECTED:
        raise ValidationError(_("A rejected nominee is not cleared again; nominate them anew."))
    for name, value in facts.items():
        if name in ("jurisdictions", "references", "conflicts_of_interest"):
            setattr(case, name, value)
    case.status = decision
    case.reason = reason.strip()
    case.conditions = conditions.strip() if decision == Status.CLEARED_WITH_CONDITIONS else ""
    case.decided_by = by
    case.decided_at = timezone.now()
    case.save()
    audit_record(
        action=Action.DECIDED,
        obj=case,
        actor=by,
        dialogue_id=membership.dialogue_id,
        detail={"status": decision, "membership": membership.pk},
    )
    return case


def rescreen_everyone() -> None:
    """A list changed: screen everyone active again once the import is committed."""
    transaction.on_commit(lambda: tasks.screen_all.delay())
