"""The viewers' facts, kept in the shared cache between requests (docs/architecture.md, "Caches").

Building an account's ``confidentiality.Viewer`` asks the database three times (its memberships,
the sessions it attends, the scale); every page asks for it. What it holds are facts, not
content: ids, ranks, roles, sides, the sessions attended and the scale's levels. It is kept in
Django's cache, which is the shared Redis wherever Trackii runs on more than one process
(``REDIS_URL``; without it, the embedded mode's single process keeps its own), and never in a
process's memory.

Staleness is ruled out by generations, not by deleting entries: an entry's key holds two
generation tokens, everyone's and the account's own. A write that can change what any viewer
holds replaces a token, and from then on no process reads an entry made before it:

- the account's own token: its memberships (state, role, clearance, side), the sessions they
  attend, their acceptance of ground rules, its person and itself (deactivated), a lockdown;
- everyone's token: the scale (a level added, changed or removed), a dialogue's ground rules
  (a new version asks every member again), a side (whether it is the third party).

Tokens are replaced by model signals (every save and delete of those rows, wherever it is
made) and by the services that write rows in bulk, which signals do not see
(``viewers_changed``). A token is replaced at once and again once the transaction commits, so
that a viewer built from the old rows by another process while the transaction was open is
never read. Decisions stay in ``dialogues.confidentiality``: this module only remembers what
it built.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

# An entry lives a day at most: the tokens decide whether it is current; this bounds the memory.
ENTRY_SECONDS = 24 * 3600
_EVERYONE = "viewers:generation"
_PREFIX = "viewers:"


def _account_key(user_id: int) -> str:
    return f"{_PREFIX}account:{user_id}:generation"


def _new_token() -> str:
    # Random, never counted: a token lost from the cache (evicted, flushed) and made again can
    # never bring back an entry made under an earlier one.
    return secrets.token_hex(8)


def _tokens(keys: list[str]) -> list[str]:
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = _new_token()
            if not cache.add(key, token, timeout=None):
                token = cache.get(key) or token
        tokens.append(token)
    return tokens


def remembered(user_id: int, build: Callable[[], Any], *, shape: str) -> Any:
    """What is kept of the viewer of the account ``user_id`` (plain values): the entry kept
    under the current tokens, else ``build()``, kept for the next request of any process.
    ``shape`` names the fields the entry holds: code expecting others never reads it."""
    everyone, own = _tokens([_EVERYONE, _account_key(user_id)])
    digest = hashlib.blake2b(shape.encode(), digest_size=4).hexdigest()
    key = f"{_PREFIX}{user_id}:{everyone}:{own}:{digest}"
    viewer = cache.get(key)
    if viewer is None:
        viewer = build()
        cache.set(key, viewer, timeout=ENTRY_SECONDS)
    return viewer


def _replace(keys: list[str]) -> None:
    cache.set_many({key: _new_token() for key in keys}, timeout=None)


def viewers_changed(*, user_ids: Iterable[int | None] = (), everyone: bool = False) -> None:
    """No viewer built before now is read again: those of these accounts, or everyone's. At once
    (this process's next read, in this transaction) and once the transaction commits (another
    process that read the old rows before the commit)."""
    keys = [_EVERYONE] if everyone else sorted({_account_key(i) for i in user_ids if i})
    if not keys:
        return
    _replace(keys)
    transaction.on_commit(lambda: _replace(keys))


def memberships_changed(*, membership_ids: Iterable[int]) -> None:
    """``viewers_changed`` for the accounts of these memberships (rows written in bulk)."""
    from participants.models import Membership

    ids = sorted(membership_ids)
    if ids:
        users = Membership.objects.filter(pk__in=ids).values_list("person__user_id", flat=True)
        viewers_changed(user_ids=list(users))


# -- what replaces the tokens: every save and delete of the rows a viewer is built from ----------


def _user_of_membership(membership_id: int | None) -> int | None:
    from participants.models import Membership

    if membership_id is None:
        return None
    return (
        Membership.objects.filter(pk=membership_id)
        .values_list("person__user_id", flat=True)
        .first()
    )


def _user_of_person(person_id: int | None) -> int | None:
    from participants.models import Person

    if person_id is None:
        return None
    return Person.objects.filter(pk=person_id).values_list("user_id", flat=True).first()


def _membership_written(sender, instance, **kwargs) -> None:
    viewers_changed(user_ids=[_user_of_person(instance.person_id)])


def _membership_row_written(sender, instance, **kwargs) -> None:
    """An attendance or an acceptance of ground rules: its member's account."""
    viewers_changed(user_ids=[_user_of_membership(instance.membership_id)])


def _person_saving(sender, instance, **kwargs) -> None:
    # The account the person had before this save: its viewer held the person's memberships.
    instance._trackii_user_before = _user_of_person(instance.pk) if instance.pk else None


def _person_written(sender, instance, **kwargs) -> None:
    before = getattr(instance, "_trackii_user_before", None)
    viewers_changed(user_ids=[before, instance.user_id])


def _account_written(sender, instance, **kwargs) -> None:
    viewers_changed(user_ids=[instance.pk])


def _everyone(sender, instance, **kwargs) -> None:
    viewers_changed(everyone=True)


# What of a dialogue its members' viewers hold: whether its ground rules were accepted.
_DIALOGUE_FIELDS = frozenset({"ground_rules", "ground_rules_version"})


def _dialogue_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not _DIALOGUE_FIELDS & set(update_fields)):
        return
    viewers_changed(everyone=True)


def connect() -> None:
    """Connect the receivers (``DialoguesConfig.ready``)."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from participants.models import GroundRulesAcceptance, Membership, Person, User

    from .models import ConfidentialityLevel, Dialogue, SessionAttendance, Side

    uid = "trackii.viewers"
    for signal in (post_save, post_delete):
        signal.connect(_membership_written, sender=Membership, dispatch_uid=uid)
        signal.connect(_membership_row_written, sender=SessionAttendance, dispatch_uid=uid)
        signal.connect(_membership_row_written, sender=GroundRulesAcceptance, dispatch_uid=uid)
        signal.connect(_person_written, sender=Person, dispatch_uid=uid)
        signal.connect(_account_written, sender=User, dispatch_uid=uid)
        signal.connect(_everyone, sender=ConfidentialityLevel, dispatch_uid=uid)
        signal.connect(_everyone, sender=Side, dispatch_uid=uid)
    pre_save.connect(_person_saving, sender=Person, dispatch_uid=uid)
    post_save.connect(_dialogue_saved, sender=Dialogue, dispatch_uid=uid)
