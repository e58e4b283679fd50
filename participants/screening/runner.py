"""Screening against the lists in force: builds the matcher from the current version of every
active list (kept per process until a list changes) and turns people into the matcher's facts."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch

from ..models import DesignationAlias, DesignationEntry, DesignationList, Person
from .matching import EntryFacts, EntryName, Matcher, MatchResult, NomineeFacts

_lock = threading.Lock()
_cache: dict[str, object] = {"key": None, "matcher": None, "entries": {}}


@dataclass(frozen=True)
class Hit:
    """A match result with the entry it names."""

    result: MatchResult
    entry: DesignationEntry


def _current_versions() -> tuple[tuple, ...]:
    # The import time is part of the key: a version id can come back after a rollback (tests).
    return tuple(
        sorted(
            DesignationList.objects.filter(active=True, current_version__isnull=False).values_list(
                "current_version_id", "current_version__imported_at"
            )
        )
    )


def entry_facts(entry: DesignationEntry) -> EntryFacts:
    names = [EntryName(entry.name)]
    if entry.name_original_script:
        names.append(EntryName(entry.name_original_script, original_script=True))
    names += [
        EntryName(alias.name, weak=alias.quality == DesignationAlias.Quality.WEAK)
        for alias in entry.aliases.all()
    ]
    years = tuple(
        (int(b["year_from"]), int(b["year_to"]))
        for b in entry.birth_dates
        if b.get("year_from") and b.get("year_to")
    )
    return EntryFacts(
        entry_id=entry.pk,
        names=tuple(names),
        birth_years=years,
        nationalities=frozenset(entry.nationalities),
    )


def current_matcher() -> tuple[Matcher, dict[int, DesignationEntry]]:
    """The matcher over the lists in force, rebuilt only when a list's current version changes."""
    key = _current_versions()
    with _lock:
        if _cache["key"] != key:
            entries = {
                e.pk: e
                for e in DesignationEntry.objects.filter(version_id__in=[v for v, _ in key])
                .select_related("version__designation_list")
                .prefetch_related(Prefetch("aliases"))
            }
            _cache["matcher"] = Matcher(
                (entry_facts(e) for e in entries.values()), threshold=settings.SCREENING_THRESHOLD
            )
            _cache["entries"] = entries
            _cache["key"] = key
        return _cache["matcher"], _cache["entries"]


def nominee_facts(person: Person) -> NomineeFacts:
    names = [person.full_name]
    if person.name_original_script:
        names.append(person.name_original_script)
    names += [line.strip() for line in person.other_names.splitlines() if line.strip()]
    return NomineeFacts(
        names=tuple(dict.fromkeys(names)),
        birth_year=person.date_of_birth.year if person.date_of_birth else None,
        nationality=person.nationality or None,
    )


def screen_facts(nominee: NomineeFacts) -> list[Hit]:
    matcher, entries = current_matcher()
    return [Hit(result=r, entry=entries[r.entry_id]) for r in matcher.screen(nominee)]


def screen_people(people: list[Person]) -> list[list[Hit]]:
    """Screen many people (rescreening everyone after a list update): on every core this
    process may use, when it may start processes of its own (``matching.usable_processes``:
    not inside a Celery prefork worker, whose siblings already use the cores)."""
    matcher, entries = current_matcher()
    results = matcher.screen_many([nominee_facts(p) for p in people], processes=None)
    return [[Hit(result=r, entry=entries[r.entry_id]) for r in found] for found in results]
