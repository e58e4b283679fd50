"""Audit by default: what a response showed, noted where it was looked up, written in one place.

Every object a page, an htmx partial, an edit form, a PDF, a feed or a download shows is looked up
through the confidentiality module (``dialogues.confidentiality.resolve``, ``noted``, ``listed``),
and that lookup notes it here, in a ledger that lives as long as the request (a context variable
that ``trackii.audit.middleware.ReadAuditMiddleware`` sets). Once the view has answered, the
middleware writes the ledger to the trail if, and only if, the answer shows content
(``shows_content``): nothing for a redirect, a refusal or an error, so a failed lookup never
leaves a trace that it succeeded. If the entries cannot be written, the request fails (nothing
is shown that the trail did not record).

What is written:

- the page's **subject**: the last object resolved. A view resolves from the outside in (the
  dialogue, then its session, then the item), so the last one is what the page is about: the
  session on its page, the item on its edit page, the pack on its page, the copy downloaded;
  the entry's ``dialogue_id`` names the dialogue it sits in (a copy's ``detail`` its pack);
- the objects a page **lists** without one subject: the dialogues on the home page, the sessions
  a calendar feed carries (one entry each, so "who saw this" finds them with the object's own
  index).

Each entry names the actor (the signed-in account; for a feed, its owner, whoever fetched it;
nobody for an official's link opened signed out), the object, its dialogue, the action
(``downloaded`` for an attachment, ``viewed`` otherwise) and ``detail``: the page (the URL's
name), whether it was an htmx partial, and what a lookup added (a copy's pack and number, a PDF's
version). Never a secret, a title or a name: the URL itself is not kept (a feed's and a link's
carry their secret).

A polled partial (``polled``: the pack's progress, asked every two seconds) writes at most one
entry per person, object and ``POLL_WINDOW``.

Viewing Trackii as a member (issue 17, ``dialogues.viewas``): the actor is still the person
viewing, and every entry names the member viewed as (``viewing_as``: their membership and person
ids in ``detail``, as ``viewed_as`` and ``viewed_as_person``).

Outside a request (a task, a command, the shell) there is no ledger and nothing is noted.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import models
from django.http import HttpResponseBase

# A polled partial is recorded again only after this long, per person and object.
POLL_WINDOW = timedelta(minutes=10)

# Answers that show what the view looked up: success, and forms shown again with their errors
# (400) or with a conflicting edit (409). Not redirects, refusals (403, 404, 405, 410) or errors.
SHOWING_STATUSES = frozenset({200, 203, 206, 400, 409})

_AS_REQUEST = object()  # the actor is the request's account


@dataclass
class Read:
    """One object shown: the model row, its dialogue, and ids or codes that say more."""

    obj: models.Model
    dialogue_id: int | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ledger:
    """What one request looked up to show."""

    subject: Read | None = None
    listed: list[Read] = field(default_factory=list)
    actor: Any = _AS_REQUEST
    polled: bool = False
    viewed_as: dict[str, int] = field(default_factory=dict)  # the member viewed as, by ids

    def reads(self) -> list[Read]:
        return ([self.subject] if self.subject is not None else []) + self.listed

    def actor_for(self, request):
        """The account the entries name: as set by ``read_by``, else the signed-in one."""
        if self.actor is not _AS_REQUEST:
            return self.actor
        return request.user if request.user.is_authenticated else None


_ledger: ContextVar[Ledger | None] = ContextVar("trackii_read_ledger", default=None)


def current() -> Ledger | None:
    """The ledger of the request being answered, or None outside a request."""
    return _ledger.get()


def open_ledger() -> tuple[Ledger, Any]:
    """A new ledger for one request, and the token that ``close_ledger`` takes."""
    ledger = Ledger()
    return ledger, _ledger.set(ledger)


def close_ledger(token) -> None:
    _ledger.reset(token)


def note(obj: models.Model, *, dialogue_id: int | None, **detail: Any) -> None:
    """``obj`` is the page's subject (it replaces a container resolved on the way to it)."""
    ledger = _ledger.get()
    if ledger is not None:
        ledger.subject = Read(obj, dialogue_id, detail)


def note_listed(obj: models.Model, *, dialogue_id: int | None, **detail: Any) -> None:
    """``obj`` is one of the objects the response lists (home page, calendar feed)."""
    ledger = _ledger.get()
    if ledger is not None:
        ledger.listed.append(Read(obj, dialogue_id, detail))


def describe(**detail: Any) -> None:
    """Ids or codes that say more about what the subject showed (a PDF's version)."""
    ledger = _ledger.get()
    if ledger is not None and ledger.subject is not None:
        ledger.subject.detail.update(detail)


def nothing_shown() -> None:
    """The response shows nothing of what was looked up (a request refused as malformed after
    the lookup): nothing is recorded for it."""
    ledger = _ledger.get()
    if ledger is not None:
        ledger.subject = None
        ledger.listed.clear()


def read_by(user) -> None:
    """Whose reading this is when it is not the request's account: a feed's owner (calendar
    services fetch it signed out)."""
    ledger = _ledger.get()
    if ledger is not None:
        ledger.actor = user


def viewing_as(*, membership_id: int, person_id: int) -> None:
    """The request reads as a member (``dialogues.viewas``): each entry names them, besides
    the person viewing (the actor)."""
    ledger = _ledger.get()
    if ledger is not None:
        ledger.viewed_as = {"viewed_as": membership_id, "viewed_as_person": person_id}


def polled(view):
    """Marks a view whose htmx partial the browser polls: recorded at most once per person,
    object and ``POLL_WINDOW``. The full page it belongs to is recorded every time."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        ledger = _ledger.get()
        if ledger is not None and getattr(request, "htmx", False):
            ledger.polled = True
        return view(request, *args, **kwargs)

    return wrapped


def shows_content(response: HttpResponseBase) -> bool:
    return response.status_code in SHOWING_STATUSES


def is_download(response: HttpResponseBase) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")
