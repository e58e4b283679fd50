"""Rules every write of dialogue content shares."""

from participants.models import Person

from ..confidentiality import check_narrow_only

__all__ = ["check_narrow_only", "name_readers", "person_of"]


def person_of(user) -> Person | None:
    return getattr(user, "person", None) if user is not None else None


def name_readers(obj, *, readers=(), created_by=None) -> None:
    """Set the people named on ``obj``; whoever creates it is named too, so restricted material
    stays theirs."""
    named = {p.pk for p in readers}
    creator = person_of(created_by)
    if creator is not None:
        named.add(creator.pk)
    obj.readers.set(named)
