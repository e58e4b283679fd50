"""The access matrix: every URL pattern, every role, objects at every level.

A ``Route`` names what it requests and builds its ``Target`` s from the world: each target is a
URL (with a method, headers, form data) and, for every role, the answer the rules call for (200,
302 to the login page, 404, and 403, 405 or 410 only where that is the designed answer), or
``None`` where the request would do for real what the role may do (a destructive POST that the
matrix only checks is refused to everyone else).

``run_matrix`` makes every request, each in a savepoint rolled back at once (no cell sees another's
writes), and reports every difference: a wrong status, a sentinel the reader may not read in a
body, a PDF or a feed, something above the outbound level in a file name, a feed or a PDF's
metadata, a missing positive control, a read of dialogue content that the audit trail did not
record (``expected_reads``: every answer that shows content leaves exactly the entries naming
what it showed; a refusal leaves none). ``placed_patterns`` says which URL patterns the targets
reach (resolved, not declared), so that a pattern nobody placed fails the suite.
"""

from __future__ import annotations

import hashlib
import io
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.conftest import sign_in
from tests.world import START
from trackii.audit.models import AuditEntry

from . import world as W
from .world import (
    COPY_SPECS,
    DIALOGUE_SPECS,
    DOCUMENT_SPECS,
    ITEM_SPECS,
    OUTCOME_SPECS,
    PERSONS,
    REPORT_SPECS,
    ROLES,
    SESSION_SPECS,
    TEMPLATE_SPECS,
    Reader,
    World,
    readable,
    reader_of_copy,
    reader_of_role,
    sentinels_in,
)

SIGNED_OUT = ("anonymous", "official")


# -- expectations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    login: bool = False  # a redirect to a login page
    location: str | None = None  # a redirect to exactly this path
    admin_login: bool = False  # the admin's own login page is a login page too

    def describe(self) -> str:
        if self.login:
            return "302 to the login page"
        if self.location is not None:
            return f"302 to {self.location}"
        return str(self.status)


OK = Expect(200)
NOT_FOUND = Expect(404)
LOGIN = Expect(302, login=True)
ADMIN_LOGIN = Expect(302, login=True, admin_login=True)
GONE = Expect(410)
FORBIDDEN = Expect(403)
NOT_ALLOWED = Expect(405)


def redirect(path: str) -> Expect:
    return Expect(302, location=path)


Expectation = Callable[[str], "Expect | None"]


def signed_in_gate(allowed: Callable[[Reader], bool], *, run: bool = True) -> Expectation:
    """A page behind the login: the signed-out are sent to sign in; the signed-in see it if the
    rules allow, else 404 (existence does not leak). ``run=False``: a destructive request,
    checked only where it must be refused."""

    def expect(role: str) -> Expect | None:
        if role in SIGNED_OUT:
            return LOGIN
        if allowed(reader_of_role(role)):
            return OK if run else None
        return NOT_FOUND

    return expect


def everyone(expect: Expect) -> Expectation:
    return lambda role: expect


def staff_only(*, run: bool = True) -> Expectation:
    """Staff pages: everyone signed in who is not staff gets 404, as if they did not exist."""
    return signed_in_gate(W.is_staff, run=run)


# -- targets and routes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    url: str
    expect: Expectation
    method: str = "GET"
    htmx: bool = False
    data: dict | None = None
    # Whoever holds a bearer link (feed secret, pack link, invitation) reads as its owner.
    reader: Reader | None = None
    # Positive control: at least one of these (sentinels, or literal text) must appear in a 200.
    control: Callable[[Reader], Iterable[str]] | tuple[str, ...] = ()
    # Exactly these sentinels of the kinds in ``exact_kinds`` must appear in a 200, no fewer
    # (what the reader may see of them, all of it) and no more.
    exactly: Callable[[Reader], Iterable[str]] | None = None
    exact_kinds: tuple[str, ...] = ()
    body: str = "html"  # html, pdf, ics, file
    # The roles that knock here. By default all of them, but the official's client is an
    # anonymous one: without a link it is the anonymous cell, requested once.
    roles: tuple[str, ...] | None = None
    # Whether an answer here shows dialogue content, which the audit trail must record (see
    # ``expected_reads``). None: decided by the URL (the dialogues' pages, the home page, the
    # feed and the officials' links do; account, vetting, staff and admin pages do not).
    content: bool | None = None

    def roles_to_run(self) -> tuple[str, ...]:
        if self.roles is not None:
            return self.roles
        roles = tuple(r for r in ROLES if r not in W.CAUCUS_ONLY_ROLES)
        if self.reader is None:
            return tuple(r for r in roles if r != "official")
        return roles


@dataclass(frozen=True)
class Route:
    label: str
    targets: Callable[[World], list[Target]]


# -- helpers over the world ----------------------------------------------------------------------


def _d(w: World, key: str) -> int:
    return w.dialogues[key].pk


def _session_dialogue(key: str) -> str:
    return SESSION_SPECS[key].dialogue


def _item_session(key: str) -> str:
    return ITEM_SPECS[key].session


def _sees_planned_session(reader: Reader, session: str) -> bool:
    return W.convenes(reader, _session_dialogue(session)) and W.sees_session(reader, session)


def _title(key: str) -> tuple[str, ...]:
    return (SESSION_SPECS[key].sentinels["title"],)


def _member_titles(reader: Reader) -> tuple[str, ...]:
    return tuple(d.title for d in W.DIALOGUES if W.is_member(reader, d.key))


# -- the routes -----------------------------------------------------------------------------------


def home_targets(w: World) -> list[Target]:
    return [
        Target(
            "home",
            reverse("home"),
            signed_in_gate(lambda r: True),
            control=lambda r: _member_titles(r) or ("My dialogues",),
        )
    ]


# The months the timelines are asked for (query parameters of the home page's and the Sessions
# tab's addresses): the world's sessions fall in March and April 2027; none asked opens on the
# month of the reader's next session; one that does not fit is read as none.
TIMELINE_MONTHS = ("2027-03", "2027-04", "", "2027-13")


def _timeline_query(month: str) -> str:
    return f"?view=month&month={month}" if month else "?view=month"


def _session_months(key: str) -> set[str]:
    """The months a session of the world falls in: from its start (``SessionSpec.day`` days
    after ``START``) for two days, in its venue's zone (Rome), as the world builds it."""
    rome = zoneinfo.ZoneInfo("Europe/Rome")
    first = (START + timedelta(days=SESSION_SPECS[key].day)).astimezone(rome).date()
    return {f"{day:%Y-%m}" for day in (first, first + timedelta(days=1), first + timedelta(days=2))}


def _timeline_titles(reader: Reader, month: str, dialogue: str | None) -> tuple[str, ...]:
    """The titles of the sessions of ``dialogue`` (of any, if None) the reader sees in
    ``month`` (in every month, if it names none that fits)."""
    return tuple(
        s.sentinels["title"]
        for s in W.SESSIONS
        if dialogue in (None, s.dialogue)
        and W.sees_session(reader, s.key)
        and (month not in ("2027-03", "2027-04") or month in _session_months(s.key))
    )


def home_timeline_targets(w: World) -> list[Target]:
    """The home page's month view: every session the reader sees that month, of every
    dialogue; nothing else (the page's dialogues are recorded, as the home page's list)."""
    return [
        Target(
            f"home, month {month or 'not named'}",
            reverse("home") + _timeline_query(month),
            signed_in_gate(lambda r: True),
            control=lambda r, month=month: (
                _timeline_titles(r, month, None) or _member_titles(r) or ("My dialogues",)
            ),
        )
        for month in TIMELINE_MONTHS
    ]


def sessions_timeline_targets(w: World) -> list[Target]:
    """The Sessions tab's month view, of each dialogue: its members only; every session of it
    the reader sees that month, nothing else."""
    targets = []
    for key in ("A", "B"):
        for month in TIMELINE_MONTHS:
            targets.append(
                Target(
                    f"dialogue {key}, month {month or 'not named'}",
                    reverse("dialogues:sessions", args=[_d(w, key)]) + _timeline_query(month),
                    signed_in_gate(lambda r, key=key: _member(r, key)),
                    control=lambda r, key=key, month=month: (
                        _timeline_titles(r, month, key) or (DIALOGUE_SPECS[key].title,)
                    ),
                )
            )
    targets.append(
        Target(
            "no such dialogue, month",
            reverse("dialogues:sessions", args=[w.missing_id]) + _timeline_query("2027-03"),
            signed_in_gate(lambda r: False),
        )
    )
    return targets


def feed_targets(w: World) -> list[Target]:
    targets = []
    for key, user in w.users.items():
        owner = W.reader_of_person(key)
        targets.append(
            Target(
                f"feed of {key}",
                reverse("calendar_feed", args=[user.calendar_secret]),
                everyone(OK),  # the secret is the credential, whoever holds it
                reader=owner,
                # A calendar service fetches it signed out; being signed in as someone else
                # changes nothing (shown on one feed, by every role).
                roles=None if key == "part" else ("anonymous",),
                body="ics",
                control=lambda r: (
                    tuple(t for t in readable(r) if W.may_leave(t)) or ("BEGIN:VCALENDAR",)
                ),
            )
        )
    targets.append(
        Target(
            "feed: unknown secret", reverse("calendar_feed", args=["x" * 43]), everyone(NOT_FOUND)
        )
    )
    targets.append(
        Target("feed: short secret", reverse("calendar_feed", args=["short"]), everyone(NOT_FOUND))
    )
    return targets


def _dialogue_targets(
    w: World, name: str, allowed: Callable[[Reader, str], bool], control
) -> list[Target]:
    targets = []
    for key in ("A", "B"):
        url = reverse(f"dialogues:{name}", args=[_d(w, key)])
        targets.append(
            Target(
                f"dialogue {key}",
                url,
                signed_in_gate(lambda r, key=key: allowed(r, key)),
                control=control(key),
            )
        )
    targets.append(
        Target(
            "no such dialogue",
            reverse(f"dialogues:{name}", args=[w.missing_id]),
            signed_in_gate(lambda r: False),
        )
    )
    return targets


def dialogue_page(name: str, allowed, control=None) -> Route:
    control = control or (lambda key: (DIALOGUE_SPECS[key].title,))
    return Route(name, lambda w: _dialogue_targets(w, name, allowed, control))


def refused_post(name: str, build: Callable[[World], list[Target]]) -> Route:
    """The POST of a GET-and-POST page, with an empty form: refused exactly where the page is;
    not run where it is allowed (a real write). The view asks the same question whatever the
    method (shown on its GET for every object), so the POST is tried on one object, the one
    most roles may see."""

    def targets(w: World) -> list[Target]:
        result = []
        for t in build(w)[:1]:

            def expect(role, t=t):
                answer = t.expect(role)
                return None if answer == OK else answer

            result.append(Target(t.label, t.url, expect, method="POST", data={}))
        return result

    return Route(f"{name} (POST)", targets)


def _session_targets(
    w: World,
    name: str,
    allowed,
    *,
    run=True,
    method="GET",
    htmx=False,
    body="html",
    data=None,
) -> list[Target]:
    targets = []
    for s in W.SESSIONS:
        targets.append(
            Target(
                f"session {s.key}",
                reverse(f"dialogues:{name}", args=[_d(w, s.dialogue), w.sessions[s.key].pk]),
                signed_in_gate(lambda r, key=s.key: allowed(r, key), run=run),
                method=method,
                htmx=htmx,
                body=body,
                data=data,
                control=_title(s.key),
            )
        )
    targets.append(
        Target(
            "session SB through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.sessions["SB"].pk]),
            signed_in_gate(lambda r: False, run=run),
            method=method,
            htmx=htmx,
            data=data,
        )
    )
    return targets


def session_route(name: str, allowed, *, label=None, **kwargs) -> Route:
    return Route(label or name, lambda w: _session_targets(w, name, allowed, **kwargs))


def _agenda_controls(session: str) -> Callable[[Reader], tuple[str, ...]]:
    def control(reader: Reader) -> tuple[str, ...]:
        items = tuple(
            ITEM_SPECS[i].sentinels["title"]
            for i in ITEM_SPECS
            if ITEM_SPECS[i].session == session and W.sees_working_item(reader, i)
        )
        return _title(session) + items

    return control


def agenda_edit_targets(w: World, htmx: bool) -> list[Target]:
    targets = _session_targets(w, "agenda_edit", _sees_planned_session, htmx=htmx)
    return [
        Target(t.label, t.url, t.expect, htmx=htmx, control=_agenda_controls(t.label.split()[-1]))
        if t.label.startswith("session ")
        else t
        for t in targets
    ]


def agenda_item_create_targets(w: World) -> list[Target]:
    # An empty form is invalid: the editor comes back with its errors (nothing is written).
    return [
        Target(t.label, t.url, t.expect, method="POST", data={}, control=t.control)
        for t in _session_targets(w, "agenda_item_create", _sees_planned_session)
    ]


# -- reuse (issue 17) ------------------------------------------------------------------------------


def _working_titles(reader: Reader, session: str) -> tuple[str, ...]:
    return tuple(
        ITEM_SPECS[i].sentinels["title"]
        for i in ITEM_SPECS
        if ITEM_SPECS[i].session == session and W.sees_working_item(reader, i)
    )


def _template_control(key: str) -> Callable[[Reader], tuple[str, ...]]:
    spec = TEMPLATE_SPECS[key]
    return lambda r: (spec.name, *_working_titles(r, spec.session))


def agenda_reuse_targets(w: World) -> list[Target]:
    """The reuse page of every session, and previews of what a copy would add: another session's
    agenda (one the reader may or may not see, a draft, another dialogue's, the session itself)
    or a template (this dialogue's, another's). The preview shows what the reader sees of the
    source; the sentinels check the rest."""
    targets = _session_targets(w, "agenda_reuse", _sees_planned_session)

    def page(target: str, dialogue: str | None = None) -> str:
        key = dialogue or _session_dialogue(target)
        return reverse("dialogues:agenda_reuse", args=[_d(w, key), w.sessions[target].pk])

    for target, source in (("SPRG", "SPUB"), ("SPUB", "SRES"), ("SPUB", "SDRAFT")):
        targets.append(
            Target(
                f"session {target}, from {source}",
                f"{page(target)}?source={w.sessions[source].pk}",
                signed_in_gate(
                    lambda r, t=target, s=source: (
                        _sees_planned_session(r, t) and _sees_planned_session(r, s)
                    )
                ),
                control=lambda r, s=source: _working_titles(r, s) or _title(s),
            )
        )
    for target, source in (("SPUB", "SB"), ("SPUB", "SPUB")):
        targets.append(
            Target(
                f"session {target}, from {source}",
                f"{page(target)}?source={w.sessions[source].pk}",
                signed_in_gate(lambda r: False),
            )
        )
    for target, key, allowed in (
        ("SPUB", "TA", lambda r: _sees_planned_session(r, "SPUB")),
        ("SB", "TB", lambda r: _sees_planned_session(r, "SB")),
        ("SPUB", "TB", lambda r: False),
    ):
        targets.append(
            Target(
                f"session {target}, template {key}",
                f"{page(target)}?template={w.templates[key].pk}",
                signed_in_gate(allowed),
                control=_template_control(key),
            )
        )
    return targets


def _refused_form(allowed: Callable[[Reader], bool]) -> Expectation:
    """A POST with an empty form: shown again with its errors (400) where the page is allowed,
    nothing written; refused as the page is everywhere else."""

    def expect(role: str) -> Expect:
        if role in SIGNED_OUT:
            return LOGIN
        return Expect(400) if allowed(reader_of_role(role)) else NOT_FOUND

    return expect


def reuse_post_targets(w: World, name: str) -> list[Target]:
    """Copying onto a session's agenda, or saving it as a template: the real write is not made
    where it is allowed (an empty form is shown again, 400); refused everywhere else, and for
    another dialogue's session or template named in the form."""
    targets = [
        Target(
            t.label,
            t.url,
            _refused_form(lambda r, key=t.label[8:]: _sees_planned_session(r, key))
            if t.label.removeprefix("session ") in SESSION_SPECS
            else t.expect,
            method="POST",
            data={},
            control=t.control,
        )
        for t in _session_targets(w, name, _sees_planned_session)
    ]
    if name == "agenda_reuse_copy":
        url = reverse(f"dialogues:{name}", args=[_d(w, "A"), w.sessions["SPUB"].pk])
        for label, data in (
            ("from session SB", {"source": w.sessions["SB"].pk}),
            ("from template TB", {"template": w.templates["TB"].pk}),
        ):
            targets.append(
                Target(
                    f"session SPUB, {label}",
                    url,
                    signed_in_gate(lambda r: False),
                    "POST",
                    data=data,
                )
            )
    return targets


def agenda_template_delete_targets(w: World) -> list[Target]:
    def url(dialogue: str, session: str, template: str) -> str:
        args = [_d(w, dialogue), w.sessions[session].pk, w.templates[template].pk]
        return reverse("dialogues:agenda_template_delete", args=args)

    return [
        Target(
            "template TA through session SPUB",
            url("A", "SPUB", "TA"),
            signed_in_gate(lambda r: _sees_planned_session(r, "SPUB"), run=False),
            method="POST",
            data={},
        ),
        Target(
            "template TB through session SB",
            url("B", "SB", "TB"),
            signed_in_gate(lambda r: _sees_planned_session(r, "SB"), run=False),
            method="POST",
            data={},
        ),
        Target(
            "template TB through session SPUB",
            url("A", "SPUB", "TB"),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
        ),
    ]


# Items whose pages are tried where one view's question was shown on every item already (the
# htmx partial, destructive POSTs, uploads onto an item): every level of round one, the working
# agenda, a session the participant does not attend, and the other dialogue's.
SAMPLE_ITEMS = ("IPUB", "IPRG", "IPAR", "IFAC", "IRES", "IWORK", "ISPARX", "ISRES", "ISB")


def _item_targets(
    w: World, name: str, *, run=True, method="GET", htmx=False, sample=False
) -> list[Target]:
    targets = []

    def allowed(reader: Reader, item: str) -> bool:
        return _sees_planned_session(reader, _item_session(item)) and W.sees_working_item(
            reader, item
        )

    for key, item in w.items.items():
        if sample and key not in SAMPLE_ITEMS:
            continue
        session = _item_session(key)
        targets.append(
            Target(
                f"item {key}",
                reverse(
                    f"dialogues:{name}",
                    args=[_d(w, _session_dialogue(session)), w.sessions[session].pk, item.pk],
                ),
                signed_in_gate(lambda r, key=key: allowed(r, key), run=run),
                method=method,
                htmx=htmx,
                data={} if method == "POST" else None,
                control=(ITEM_SPECS[key].sentinels["title"],),
            )
        )
    for label, dialogue, session, item in (
        ("item IPUB through session SPRG", "A", "SPRG", "IPUB"),
        ("item ISB through dialogue A", "A", "SPUB", "ISB"),
    ):
        targets.append(
            Target(
                label,
                reverse(
                    f"dialogues:{name}",
                    args=[_d(w, dialogue), w.sessions[session].pk, w.items[item].pk],
                ),
                signed_in_gate(lambda r: False, run=run),
                method=method,
                htmx=htmx,
                data={} if method == "POST" else None,
            )
        )
    return targets


def item_route(name: str, *, label=None, **kwargs) -> Route:
    return Route(label or name, lambda w: _item_targets(w, name, **kwargs))


def document_upload_targets(w: World) -> list[Target]:
    targets = _dialogue_targets(
        w,
        "document_upload",
        W.convenes,
        lambda key: (DIALOGUE_SPECS[key].title,),
    )
    # Where a paper goes is looked up as the planner sees it: a sample of places (each level
    # boundary of the planner's own sight: visible, named, draft, another dialogue's).
    for s in W.SESSIONS:
        if s.key not in ("SPUB", "SFAC", "SRES", "SDRAFT", "SB"):
            continue
        url = reverse("dialogues:document_upload", args=[_d(w, s.dialogue)])
        targets.append(
            Target(
                f"in session {s.key}",
                f"{url}?session={w.sessions[s.key].pk}",
                signed_in_gate(lambda r, key=s.key: _sees_planned_session(r, key)),
                control=_title(s.key),
            )
        )
    for key, item in w.items.items():
        if key not in ("IPUB", "IRES", "IWORK", "ISB"):
            continue
        session = _item_session(key)
        url = reverse("dialogues:document_upload", args=[_d(w, _session_dialogue(session))])
        targets.append(
            Target(
                f"on item {key}",
                f"{url}?session={w.sessions[session].pk}&item={item.pk}",
                signed_in_gate(
                    lambda r, key=key, session=session: (
                        _sees_planned_session(r, session) and W.sees_working_item(r, key)
                    )
                ),
                control=(*_title(session), ITEM_SPECS[key].sentinels["title"]),
            )
        )
    url = reverse("dialogues:document_upload", args=[_d(w, "A")])
    targets.append(
        Target(
            "in session SB through dialogue A",
            f"{url}?session={w.sessions['SB'].pk}",
            signed_in_gate(lambda r: False),
        )
    )
    return targets


# Papers a destructive POST is tried on (the download shows the same lookup on every paper):
# each level, dialogue-wide and in a session, named, on an item, unattended, the other dialogue's.
SAMPLE_PAPERS = ("DPUB", "DPAR", "DFAC", "DRES", "DSPAR", "DSRES", "DIFAC", "DSPARX", "DB")


def _document_targets(
    w: World, name: str, allowed, *, run=True, method="GET", sample=False
) -> list[Target]:
    targets = []
    for key, document in w.documents.items():
        if sample and key not in SAMPLE_PAPERS:
            continue
        spec = DOCUMENT_SPECS[key]
        targets.append(
            Target(
                f"paper {key}",
                reverse(f"dialogues:{name}", args=[_d(w, spec.dialogue), document.pk]),
                signed_in_gate(lambda r, key=key: allowed(r, key), run=run),
                method=method,
                body="file",
                control=(spec.sentinels["body"],),
            )
        )
    targets.append(
        Target(
            "paper DB through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.documents["DB"].pk]),
            signed_in_gate(lambda r: False, run=run),
            method=method,
        )
    )
    return targets


def _outcome_targets(w: World, name: str, *, run=True, method="GET") -> list[Target]:
    def allowed(reader: Reader, key: str) -> bool:
        session = OUTCOME_SPECS[key].session
        dialogue = _session_dialogue(session)
        return (
            W.records(reader, dialogue)
            and W.sees_session(reader, session)
            and W.sees_outcome(reader, key)
        )

    targets = []
    for key, outcome in w.outcomes.items():
        session = OUTCOME_SPECS[key].session
        targets.append(
            Target(
                f"outcome {key}",
                reverse(
                    f"dialogues:{name}",
                    args=[_d(w, _session_dialogue(session)), w.sessions[session].pk, outcome.pk],
                ),
                signed_in_gate(lambda r, key=key: allowed(r, key), run=run),
                method=method,
                control=(OUTCOME_SPECS[key].sentinels["summary"],),
            )
        )
    targets.append(
        Target(
            "outcome OPUB through session SPRG",
            reverse(
                f"dialogues:{name}",
                args=[_d(w, "A"), w.sessions["SPRG"].pk, w.outcomes["OPUB"].pk],
            ),
            signed_in_gate(lambda r: False, run=run),
            method=method,
        )
    )
    return targets


def _pack_targets(w: World, name: str, *, run=True, method="GET", htmx=False) -> list[Target]:
    def recipients(dialogue: str) -> tuple[str, ...]:
        return tuple(c.name for c in W.COPIES if c.dialogue == dialogue)

    targets = [
        Target(
            f"pack of {key}",
            reverse(f"dialogues:{name}", args=[_d(w, key), w.packs[key].pk]),
            signed_in_gate(lambda r, key=key: W.convenes(r, key), run=run),
            method=method,
            htmx=htmx,
            control=recipients(key),
        )
        for key in ("A", "B")
    ]
    targets.append(
        Target(
            "pack of B through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.packs["B"].pk]),
            signed_in_gate(lambda r: False, run=run),
            method=method,
            htmx=htmx,
        )
    )
    return targets


def _official_targets(w: World, name: str, *, run=True, method="GET") -> list[Target]:
    """An official of each dialogue's register (the convening team's only), and B's official
    asked for through dialogue A (404 to everyone)."""
    first: dict[str, str] = {}
    for key in w.officials:
        first.setdefault(COPY_SPECS[key].dialogue, key)
    targets = [
        Target(
            f"official of {dialogue}",
            reverse(f"dialogues:{name}", args=[_d(w, dialogue), w.officials[key].pk]),
            signed_in_gate(lambda r, dialogue=dialogue: W.convenes(r, dialogue), run=run),
            method=method,
            control=(COPY_SPECS[key].name,) if method == "GET" else (),
        )
        for dialogue, key in sorted(first.items())
    ]
    targets.append(
        Target(
            "official of B through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.officials[first["B"]].pk]),
            signed_in_gate(lambda r: False, run=run),
            method=method,
        )
    )
    return targets


def _register_names(key: str) -> tuple[str, ...]:
    return tuple(c.name for c in W.COPIES if c.dialogue == key)


def _copy_targets(w: World, name: str, *, run=True, method="GET") -> list[Target]:
    targets = []
    for key, copy in w.copies.items():
        dialogue = COPY_SPECS[key].dialogue
        # A copy not rendered yet has nothing to download, even for its convening team.
        exists = copy.state == "ready" or method == "POST"
        targets.append(
            Target(
                f"copy {key}",
                reverse(f"dialogues:{name}", args=[_d(w, dialogue), copy.pack_id, copy.pk]),
                signed_in_gate(
                    # Downloading: up to the reader's own clearance; other actions: the team.
                    (lambda r, key=key, exists=exists: exists and W.reads_copy(r, key))
                    if name == "copy_download"
                    else (
                        lambda r, dialogue=dialogue, exists=exists: (
                            exists and W.convenes(r, dialogue)
                        )
                    ),
                    run=run,
                ),
                method=method,
                body="pdf",
                # The file is the official's copy: it holds nothing above *their* clearance.
                reader=reader_of_copy(key) if method == "GET" else None,
                control=(COPY_SPECS[key].name,),
            )
        )
    targets.append(
        Target(
            "copy OFFB through pack of A",
            reverse(
                f"dialogues:{name}",
                args=[_d(w, "A"), w.packs["A"].pk, w.copies["OFFB"].pk],
            ),
            signed_in_gate(lambda r: False, run=run),
            method=method,
        )
    )
    return targets


def _report_controls(key: str) -> tuple[str, ...]:
    """What a report's files must hold: what a funder at its level may know, e.g. the cover
    name (``world.report_may_hold``)."""
    return tuple(sorted(W.report_may_hold(key)))


def _report_targets(w: World, name: str, body: str) -> list[Target]:
    """Each report's file: its dialogue's convening team, up to their own clearance, once it is
    rendered (404 before, to them too); B's report asked for through dialogue A: 404."""
    targets = [
        Target(
            f"report {key}",
            reverse(f"dialogues:{name}", args=[_d(w, spec.dialogue), w.reports[key].pk]),
            signed_in_gate(lambda r, key=key: W.reads_report(r, key)),
            body=body,
            control=_report_controls(key),
        )
        for key, spec in REPORT_SPECS.items()
    ]
    targets.append(
        Target(
            "report RB through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.reports["RB"].pk]),
            signed_in_gate(lambda r: False),
            body=body,
        )
    )
    return targets


def _pack_link_targets(w: World, name: str, body: str) -> list[Target]:
    targets = []
    for label, token in w.tokens.items():
        if label in COPY_SPECS:
            targets.append(
                Target(
                    f"link of copy {label}",
                    reverse(name, args=[token]),
                    everyone(OK),  # the link is the credential, whoever holds it
                    reader=reader_of_copy(label),
                    body=body,
                    control=(COPY_SPECS[label].name,),
                )
            )
        else:
            targets.append(
                Target(f"{label} link", reverse(name, args=[token]), everyone(NOT_FOUND))
            )
    return targets


def _vetting_targets(w: World) -> list[Target]:
    case, match = w.vetting["case"], w.vetting["match"]
    nominee = (PERSONS["nom"].name,)
    return [
        Target("queue", reverse("vetting:queue"), staff_only(), control=nominee),
        Target("case", reverse("vetting:case", args=[case.pk]), staff_only(), control=nominee),
        Target("no such case", reverse("vetting:case", args=[w.missing_id]), _staff_missing()),
        Target(
            "decide the case",
            reverse("vetting:case_decide", args=[case.pk]),
            staff_only(run=False),
            method="POST",
            data={},
        ),
        Target(
            "decide the match",
            reverse("vetting:match_decide", args=[case.pk, match.pk]),
            staff_only(run=False),
            method="POST",
            data={},
        ),
        Target(
            "check a name",
            reverse("vetting:check"),
            staff_only(),
            control=("Check a name against the lists in force",),
        ),
        Target("lists", reverse("vetting:designation_lists"), staff_only(), control=("Test list",)),
        Target(
            "a list",
            reverse("vetting:designation_list_detail", args=[w.vetting["list"].pk]),
            staff_only(),
            control=nominee,
        ),
    ]


def _staff_missing() -> Expectation:
    def expect(role: str) -> Expect:
        return LOGIN if role in SIGNED_OUT else NOT_FOUND

    return expect


def _invitation_targets(w: World) -> list[Target]:
    invitee = Reader("invitee", invitee_of="A")
    cover = (DIALOGUE_SPECS["A"].cover,)

    def send(key: str, dialogue: str) -> str:
        return reverse("dialogues:invitation_send", args=[_d(w, dialogue), w.memberships[key].pk])

    invitation = w.invitations["open"]
    return [
        # Inviting follows the roster's rule: members cleared below one's own, or the convenor.
        Target(
            "send to the cleared member",
            send("inv", "A"),
            signed_in_gate(lambda r: W.changes_membership(r, "inv"), run=False),
            method="POST",
            data={},
        ),
        Target(
            "send to the member cleared Facilitators",
            send("invf", "A"),
            signed_in_gate(lambda r: W.changes_membership(r, "invf"), run=False),
            method="POST",
            data={},
        ),
        Target(
            "send to a member of B",
            send("out", "B"),
            signed_in_gate(lambda r: W.changes_membership(r, "out"), run=False),
            method="POST",
            data={},
        ),
        Target(
            "send to a member of B through dialogue A",
            send("out", "A"),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
        ),
        Target(
            "revoke the open invitation",
            reverse(
                "dialogues:invitation_revoke",
                args=[_d(w, "A"), w.memberships["inv"].pk, invitation.pk],
            ),
            signed_in_gate(lambda r: W.changes_membership(r, "inv"), run=False),
            method="POST",
            data={},
        ),
        Target(
            "revoke the open invitation through another member",
            reverse(
                "dialogues:invitation_revoke",
                args=[_d(w, "A"), w.memberships["invf"].pk, invitation.pk],
            ),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
        ),
        Target(
            "open invitation",
            reverse("invitations:open", args=[w.invitation_tokens["open"]]),
            everyone(OK),
            reader=invitee,
            control=cover,
        ),
        Target(
            "replaced invitation",
            reverse("invitations:open", args=[w.invitation_tokens["revoked"]]),
            everyone(GONE),  # designed: the page says the link was withdrawn
            reader=invitee,
        ),
        Target(
            "unknown invitation",
            reverse("invitations:open", args=["n" * 43]),
            everyone(NOT_FOUND),
        ),
    ]


def _outbound_request_targets(w: World) -> list[Target]:
    """A's open request (the co-facilitator's) to raise its outbound level: confirmed by another
    member of the convening team cleared for the new level (the requester is refused: 403, they
    know it exists); withdrawn by the requester or one who could confirm it; 404 to everyone
    else, and under another dialogue."""
    raise_request = w.outbound_request
    requester = "cof"

    def confirms(reader: Reader) -> bool:
        return W.confirms_outbound_raise(reader, "A", to=W.OUTBOUND_RAISE, requester=requester)

    def gate(allowed) -> Expectation:
        def expect(role: str) -> Expect | None:
            if role in SIGNED_OUT:
                return LOGIN
            reader = reader_of_role(role)
            if allowed(reader):
                return None  # a real decision: not made here
            return FORBIDDEN if W.convenes(reader, "A") else NOT_FOUND

        return expect

    def url(name: str, dialogue: str) -> str:
        return reverse(f"dialogues:{name}", args=[_d(w, dialogue), raise_request.pk])

    return [
        Target(
            "confirm",
            url("outbound_request_confirm", "A"),
            gate(confirms),
            method="POST",
            data={},
        ),
        Target(
            "withdraw",
            url("outbound_request_withdraw", "A"),
            gate(lambda r: confirms(r) or r.person == requester),
            method="POST",
            data={},
        ),
        Target(
            "confirm through dialogue B",
            url("outbound_request_confirm", "B"),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
        ),
        Target(
            "withdraw through dialogue B",
            url("outbound_request_withdraw", "B"),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
        ),
    ]


def _profile_targets(w: World) -> list[Target]:
    def renew(role: str) -> Expect:
        return LOGIN if role in SIGNED_OUT else redirect(reverse("profile"))

    return [
        Target(
            "profile", reverse("profile"), signed_in_gate(lambda r: True), control=("My profile",)
        ),
        Target(
            "renew the calendar address",
            reverse("calendar_address_renew"),
            renew,
            method="POST",
            data={},
        ),
    ]


# allauth's account pages: public by design where they must be (signing in, resetting a
# password), behind the login elsewhere; none shows anything of a dialogue. They answer alike to
# every member: asked by the signed-out, a member without a second factor, a facilitator (with
# one) and staff.
ACCOUNT_ROLES = ("anonymous", "participant", "facilitator", "admin")


def _allauth(name: str, *, signed_out: Expect, signed_in: Expect, mfa: Expect | None = None):
    def expect(role: str) -> Expect:
        if role in SIGNED_OUT:
            return signed_out
        if mfa is not None and PERSONS[W.ROLE_PERSON[role]].mfa:
            return mfa
        return signed_in

    return expect


def _account_targets(w: World) -> list[Target]:
    home = reverse("home")
    reauth = reverse("account_reauthenticate")
    rows = [
        ("account_login", OK, redirect(home), None),
        ("account_logout", redirect(home), OK, None),  # GET asks to confirm; POST signs out
        ("account_inactive", OK, OK, None),
        ("account_signup", OK, redirect(home), None),  # closed: the page says so
        ("account_reauthenticate", LOGIN, OK, None),
        ("account_email", LOGIN, OK, None),
        ("account_email_verification_sent", OK, OK, None),
        ("account_change_password", LOGIN, OK, None),
        ("account_set_password", LOGIN, redirect(reverse("account_change_password")), None),
        ("account_reset_password", OK, OK, None),
        ("account_confirm_login_code", LOGIN, redirect(home), None),
        ("account_reset_password_from_key_done", OK, OK, None),
        ("account_reset_password_done", OK, OK, None),
        ("mfa_index", LOGIN, OK, None),
        ("mfa_authenticate", LOGIN, redirect(home), None),
        ("mfa_reauthenticate", LOGIN, redirect(reauth), OK),
        ("mfa_activate_totp", LOGIN, redirect(reauth), None),
        ("mfa_deactivate_totp", LOGIN, NOT_FOUND, redirect(reauth)),
        ("mfa_view_recovery_codes", LOGIN, NOT_FOUND, None),
        ("mfa_generate_recovery_codes", LOGIN, redirect(reauth), None),
        ("mfa_download_recovery_codes", LOGIN, NOT_FOUND, None),
        # Passkeys and security keys: each person's own list; adding asks for the password
        # again; signing in with a passkey is for the signed-out (its page answers the script
        # only: a browser is sent back to the sign-in page).
        ("mfa_list_webauthn", LOGIN, OK, None),
        ("mfa_add_webauthn", LOGIN, redirect(reauth), None),
        ("mfa_reauthenticate_webauthn", LOGIN, redirect(reauth), OK),
        ("mfa_login_webauthn", redirect(reverse("account_login")), redirect(home), None),
        # The signed-out language chooser (issue 20): asked without a form, it goes home.
        ("set_language", redirect(home), redirect(home), None),
    ]
    targets = [
        Target(
            name,
            reverse(name),
            _allauth(name, signed_out=out, signed_in=signed, mfa=mfa),
            control=("Trackii",),
            roles=ACCOUNT_ROLES,
        )
        for name, out, signed, mfa in rows
    ]
    # Another person's key (the admin's), asked to be renamed or removed: nobody gets further
    # than the password again (the key is then looked up among the asker's own only).
    from allauth.mfa.models import Authenticator

    admin_key = Authenticator.objects.get(
        user=w.users[W.ROLE_PERSON["admin"]], type=Authenticator.Type.WEBAUTHN
    )
    targets += [
        Target(
            f"{name} (the admin's key)",
            reverse(name, args=[admin_key.pk]),
            _allauth(name, signed_out=LOGIN, signed_in=redirect(reauth)),
            control=("Trackii",),
            roles=ACCOUNT_ROLES,
        )
        for name in ("mfa_edit_webauthn", "mfa_remove_webauthn")
    ]
    targets += [
        Target(
            "account_confirm_email (unknown key)",
            reverse("account_confirm_email", args=["unknown-key"]),
            everyone(OK),
            control=("Trackii",),
            roles=ACCOUNT_ROLES,
        ),
        Target(
            "account_reset_password_from_key (unknown key)",
            reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "set-abc"}),
            everyone(OK),
            control=("Trackii",),
            roles=ACCOUNT_ROLES,
        ),
    ]
    if _has_url("usersessions_list"):
        targets.append(
            Target(
                "usersessions_list",
                reverse("usersessions_list"),
                signed_in_gate(lambda r: True),
                control=("Trackii",),
            )
        )
    return targets


def _has_url(name: str) -> bool:
    try:
        reverse(name)
    except Exception:
        return False
    return True


# The Django admin: staff only; every other role is sent to sign in. Every pattern is requested:
# - by every role: the index, the sign-in and sign-out, each model's list, the accounts' change
#   page;
# - by staff, the signed-out and the most trusted non-staff (a facilitator, with a second
#   factor): each model's change and history pages (they show content), the missing page;
# - by the signed-out and that facilitator: the rest (adding, deleting, the app lists, the
#   password and script pages), which one ``admin_view`` refuses to anyone but staff.
# Staff get the model admin's own answer: 403 where it refuses a change, by design.
ADMIN_SAMPLE_ROLES = ("anonymous", "facilitator", "admin")
ADMIN_REFUSED_ROLES = ("anonymous", "facilitator")
ADMIN_MARK = ("Trackii administration",)


def _admin_targets(w: World) -> list[Target]:
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = w.users["admin"]

    def gate(staff: Expect, others: Expect = ADMIN_LOGIN) -> Expectation:
        return lambda role: staff if role == "admin" else others

    def allowed(flag: bool) -> Expect:
        return OK if flag else FORBIDDEN

    def refused(label: str, url: str) -> Target:
        return Target(label, url, gate(OK), roles=ADMIN_REFUSED_ROLES)

    level = w.sessions["SPUB"].level
    level_type = ContentType.objects.get_for_model(level)
    targets = [
        Target("admin index", reverse("admin:index"), gate(OK), control=ADMIN_MARK),
        Target(
            "admin: no such page",
            "/admin/no-such-page/",
            gate(NOT_FOUND),
            roles=ADMIN_SAMPLE_ROLES,
        ),
        # Sign-in goes through allauth (and its second factor); signed-in non-staff are refused.
        Target(
            "admin login",
            reverse("admin:login"),
            lambda role: (
                LOGIN
                if role in SIGNED_OUT
                else (redirect(reverse("admin:index")) if role == "admin" else FORBIDDEN)
            ),
        ),
        # Signing out is a POST; a GET is refused (405) to staff, others go back to the admin.
        Target(
            "admin logout",
            reverse("admin:logout"),
            gate(NOT_ALLOWED, redirect(reverse("admin:index"))),
        ),
        refused("admin password change", reverse("admin:password_change")),
        refused("admin password change done", reverse("admin:password_change_done")),
        refused("admin jsi18n", reverse("admin:jsi18n")),
        refused("admin autocomplete", reverse("admin:autocomplete")),
        refused(
            "admin view on site", reverse("admin:view_on_site", args=[level_type.pk, level.pk])
        ),
    ]
    apps_seen = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        apps_seen.add(opts.app_label)
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the world holds no {opts.label} for the admin's pages"
        view = model_admin.has_view_or_change_permission(request, obj)
        change = reverse(f"{prefix}_change", args=[obj.pk])
        targets += [
            Target(
                f"{opts.label} list",
                reverse(f"{prefix}_changelist"),
                gate(allowed(model_admin.has_view_or_change_permission(request))),
                control=ADMIN_MARK,
            ),
            Target(
                f"{opts.label} change",
                change,
                gate(allowed(view)),
                control=ADMIN_MARK,
                roles=None if opts.label == "participants.User" else ADMIN_SAMPLE_ROLES,
            ),
            Target(
                f"{opts.label} history",
                reverse(f"{prefix}_history", args=[obj.pk]),
                gate(allowed(view)),
                control=ADMIN_MARK,
                roles=ADMIN_SAMPLE_ROLES,
            ),
            refused(f"{opts.label} add", reverse(f"{prefix}_add")),
            refused(f"{opts.label} delete", reverse(f"{prefix}_delete", args=[obj.pk])),
            # The bare object address (staff are sent on to its change page).
            refused(f"{opts.label} object", change.removesuffix("change/")),
        ]
        if opts.label == "participants.User":
            url = reverse("admin:auth_user_password_change", args=[obj.pk])
            targets.append(refused("user password", url))
    for app_label in sorted(apps_seen):
        targets.append(refused(f"app {app_label}", reverse("admin:app_list", args=[app_label])))
    return targets


def _ops_targets(w: World) -> list[Target]:
    from django.contrib.contenttypes.models import ContentType

    session = w.sessions["SPUB"]
    session_type = ContentType.objects.get_for_model(session)
    person = w.people["part"]
    targets = [
        Target("staff index", reverse("ops:index"), staff_only(), control=("Operations",)),
        Target("audit trail", reverse("ops:audit_search"), staff_only(), control=("Audit trail",)),
        Target(
            "audit trail: everything",
            reverse("ops:audit_search") + "?source=trail",
            staff_only(),
            control=("Audit trail",),
        ),
        Target(
            "change history: everything",
            reverse("ops:audit_search") + "?source=history",
            staff_only(),
            control=("Audit trail",),
        ),
        Target(
            "who saw a session",
            reverse(
                "ops:who_saw", args=[f"{session_type.app_label}.{session_type.model}", session.pk]
            ),
            staff_only(),
            control=("Who saw",),
        ),
        Target(
            "who saw a copy",
            reverse("ops:who_saw", args=["dialogues.briefingpackcopy", w.copies["OFFPRG"].pk]),
            staff_only(),
            control=("Who saw",),
        ),
        Target("people", reverse("ops:people"), staff_only(), control=("People",)),
        Target(
            "people: search",
            reverse("ops:people") + "?q=SNT",
            staff_only(),
            control=(PERSONS["part"].name,),
        ),
        Target(
            "lockdown page",
            reverse("ops:lockdown", args=[person.pk]),
            staff_only(),
            control=(PERSONS["part"].name,),
        ),
        Target(
            "lockdown",
            reverse("ops:lockdown", args=[person.pk]),
            staff_only(run=False),
            method="POST",
            data={"reason": "test"},
        ),
        Target(
            "confidentiality scale",
            reverse("ops:scale"),
            staff_only(),
            control=("Confidentiality scale",),
        ),
        Target(
            "ask for a scale change (empty form)",
            reverse("ops:scale"),
            lambda role: Expect(400) if role == "admin" else staff_only()(role),
            method="POST",
            data={},
        ),
        Target(
            "confirm a scale change",
            reverse("ops:scale_change_confirm", args=[w.scale_change.pk]),
            staff_only(run=False),
            method="POST",
            data={},
        ),
        Target(
            "withdraw a scale change",
            reverse("ops:scale_change_withdraw", args=[w.scale_change.pk]),
            staff_only(run=False),
            method="POST",
            data={},
        ),
        Target(
            "no such scale change",
            reverse("ops:scale_change_confirm", args=[w.missing_id]),
            _staff_missing(),
            method="POST",
            data={},
        ),
    ]
    return targets


def _dialogue_create_targets(w: World) -> list[Target]:
    def allowed(reader: Reader) -> bool:
        return W.is_staff(reader) or any(W.convenes(reader, d.key) for d in W.DIALOGUES)

    return [
        Target(
            "new dialogue",
            reverse("dialogues:dialogue_create"),
            signed_in_gate(allowed),
            control=("Start a new dialogue",),
        )
    ]


def _membership_targets(w: World) -> list[Target]:
    # Changing a membership: only members cleared below one's own clearance; the convenor any.
    rows = [
        ("participant of A", "A", "part"),
        ("convenor of A", "A", "conv"),
        ("facilitator of A", "A", "fac"),
        ("co-facilitator of A", "A", "cof"),
        ("outsider of B", "B", "out"),
    ]
    targets = [
        Target(
            label,
            reverse("dialogues:membership_edit", args=[_d(w, dialogue), w.memberships[person].pk]),
            signed_in_gate(lambda r, person=person: W.changes_membership(r, person)),
            control=(PERSONS[person].name,),
        )
        for label, dialogue, person in rows
    ]
    targets.append(
        Target(
            "outsider of B through dialogue A",
            reverse("dialogues:membership_edit", args=[_d(w, "A"), w.memberships["out"].pk]),
            signed_in_gate(lambda r: False),
        )
    )
    return targets


def _member(reader: Reader, dialogue: str) -> bool:
    return W.is_member(reader, dialogue)


def _documents_targets(w: World) -> list[Target]:
    """The Papers tab: every member of the dialogue; and filtered by every session of the world
    (another dialogue's too) and by every level of the scale, whether the toolbar offers it to
    the reader or not: nothing but what they may read appears."""
    from dialogues.models import ConfidentialityLevel

    def control(key: str) -> tuple[str, ...]:
        return (DIALOGUE_SPECS[key].title,)

    # Unfiltered, the tab shows every paper of the dialogue the reader may see (fewer than a
    # page of them in the world): each is a positive control.
    targets = _dialogue_targets(w, "documents", _member, _papers_control)
    url = reverse("dialogues:documents", args=[_d(w, "A")])
    in_a = signed_in_gate(lambda r: _member(r, "A"))
    for key, session in w.sessions.items():
        query = f"?in_session={session.pk}&search=SNT"
        targets.append(Target(f"A, session {key}", url + query, in_a, control=control("A")))
    for level in ConfidentialityLevel.objects.order_by("rank"):
        query = f"?level={level.pk}&sort=title&page=2"
        targets.append(Target(f"A, level {level.name}", url + query, in_a, control=control("A")))
    return targets


def _roster_bulk_targets(w: World) -> list[Target]:
    """Acting on several members of the roster at once (a POST to the roster): a member of
    another dialogue among them is 404 for everyone; the facilitator's own membership is
    nobody's to invite here (not the co-facilitator's, cleared below; not their own): the
    convening team is shown the roster again with the refusal (400), nothing done."""
    url = reverse("dialogues:roster", args=[_d(w, "A")])

    def refused_to_the_team(role: str) -> Expect:
        if role in SIGNED_OUT:
            return LOGIN
        return Expect(400) if W.convenes(reader_of_role(role), "A") else NOT_FOUND

    def bulk(*persons: str, action: str = "invite") -> dict:
        members = [w.memberships[p].pk for p in persons]
        return {"action": "bulk", "bulk_action": action, "members": members}

    return [
        Target(
            "a member of B among those of A",
            url,
            signed_in_gate(lambda r: False),
            method="POST",
            data=bulk("part", "out"),
        ),
        Target(
            "the facilitator of A, invited",
            url,
            refused_to_the_team,
            method="POST",
            data=bulk("fac"),
        ),
    ]


def views_as(reader: Reader, person: str) -> bool:
    """Viewing Trackii as a member (issue 17): the convening team of the member's dialogue, as
    an accepted member other than themselves."""
    member = PERSONS[person]
    return (
        member.dialogue is not None
        and member.state == "accepted"
        and reader.person != person
        and W.convenes(reader, member.dialogue)
    )


def _view_as_targets(w: World) -> list[Target]:
    """The page that starts viewing A as one of its members: its convening team, for an
    accepted member other than themselves (the convenor, a participant, themselves, a nominee,
    a member cleared but not yet invited); a member of B through A is nobody's."""
    targets = [
        Target(
            f"{key} of A",
            reverse("dialogues:view_as_start", args=[_d(w, "A"), w.memberships[key].pk]),
            signed_in_gate(lambda r, key=key: views_as(r, key)),
            control=(PERSONS[key].name,),
        )
        for key in ("conv", "part", "fac", "cof", "nom", "inv")
    ]
    targets.append(
        Target(
            "out of B through dialogue A",
            reverse("dialogues:view_as_start", args=[_d(w, "A"), w.memberships["out"].pk]),
            signed_in_gate(lambda r: False),
        )
    )
    return targets


def _view_as_stop_targets(w: World) -> list[Target]:
    """Stopping it: a POST anyone signed in may send; outside the mode it goes home, doing
    nothing (the mode itself: tests/dialogues/test_view_as.py, tests/access/test_view_as.py)."""

    def expect(role: str) -> Expect:
        return LOGIN if role in SIGNED_OUT else redirect(reverse("home"))

    return [Target("not viewing as anyone", reverse("dialogues:view_as_stop"), expect, "POST")]


def _rules_control(key: str) -> tuple[str, ...]:
    spec = DIALOGUE_SPECS[key]
    return (spec.rules,) if spec.ground_rules else (spec.title,)


def _published(reader: Reader, session: str) -> bool:
    return W.sees_session(reader, session) and SESSION_SPECS[session].status != "draft"


def _records_session(reader: Reader, session: str) -> bool:
    return W.records(reader, _session_dialogue(session)) and W.sees_session(reader, session)


# The workspace's tabs: every member of the dialogue opens them (each shows what the reader may
# see of it); the positive control is what the reader sees there, else the dialogue's title.


def _sessions_control(key: str) -> Callable[[Reader], tuple[str, ...]]:
    return lambda r: (
        tuple(
            s.sentinels["title"]
            for s in W.SESSIONS
            if s.dialogue == key and W.sees_session(r, s.key)
        )
        or (DIALOGUE_SPECS[key].title,)
    )


def _papers_control(key: str) -> Callable[[Reader], tuple[str, ...]]:
    return lambda r: (
        tuple(
            d.sentinels["title"]
            for d in W.DOCUMENTS
            if d.dialogue == key and W.sees_document(r, d.key)
        )
        or (DIALOGUE_SPECS[key].title,)
    )


def _outcomes_of(dialogue: str):
    return [o for o in W.OUTCOMES if _session_dialogue(o.session) == dialogue]


def _ideas_control(key: str) -> Callable[[Reader], tuple[str, ...]]:
    return lambda r: (
        tuple(i.sentinels["title"] for i in W.IDEAS if i.dialogue == key and W.sees_idea(r, i.key))
        or (DIALOGUE_SPECS[key].title,)
    )


def _idea_targets(
    w: World, name: str, *, team=False, run=True, method="GET", path=False
) -> list[Target]:
    """One idea's pages: whoever sees it (rule 8); ``team``: its dialogue's convening team only
    (a POST tried where refused, not run where allowed); ``path``: the page shows exactly the
    idea's transfers and observed changes the reader may see (rule 10)."""
    targets = []
    for key, spec in W.IDEA_SPECS.items():
        idea = w.ideas[key]

        def allowed(r: Reader, key=key, spec=spec) -> bool:
            return W.sees_idea(r, key) and (not team or W.convenes(r, spec.dialogue))

        targets.append(
            Target(
                f"idea {key}",
                reverse(f"dialogues:{name}", args=[_d(w, spec.dialogue), idea.pk]),
                signed_in_gate(allowed, run=run),
                method=method,
                data={} if method == "POST" else None,
                control=(spec.sentinels["title"],),
                exactly=(lambda r, key=key: _path_sentinels(r, idea=key)) if path else None,
                exact_kinds=PATH_KINDS if path else (),
            )
        )
    targets.append(
        Target(
            "idea of B through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.ideas["IDB"].pk]),
            signed_in_gate(lambda r: False, run=run),
            method=method,
            data={} if method == "POST" else None,
        )
    )
    return targets


def _path_targets(w: World) -> list[Target]:
    """The Path tab: every member, each seeing the path drawn from what they may see; one
    idea's path (``?idea=``): whoever sees that idea (404 for anyone else, and for an idea of
    another dialogue or an address that names no idea)."""
    targets = _dialogue_targets(w, "path", _member, _ideas_control)
    for key, spec in W.IDEA_SPECS.items():
        address = reverse("dialogues:path", args=[_d(w, spec.dialogue)])
        targets.append(
            Target(
                f"path of idea {key}",
                f"{address}?idea={w.ideas[key].pk}",
                signed_in_gate(lambda r, key=key: W.sees_idea(r, key)),
                control=(spec.sentinels["title"],),
            )
        )
    a = reverse("dialogues:path", args=[_d(w, "A")])
    for label, query in (
        ("path of B's idea through dialogue A", f"idea={w.ideas['IDB'].pk}"),
        ("path of an idea that does not exist", f"idea={w.missing_id}"),
        ("path of an idea named by no number", "idea=IDPUB"),
    ):
        targets.append(Target(label, f"{a}?{query}", signed_in_gate(lambda r: False)))
    return targets


# -- transfers and observed changes (rule 10) -----------------------------------------------------

PATH_KINDS = ("transfer", "change")


def _transfers_seen(reader: Reader, *, idea: str) -> list[str]:
    return [k for k, t in W.TRANSFER_SPECS.items() if t.idea == idea and W.sees_transfer(reader, k)]


def _changes_seen(
    reader: Reader, *, dialogue: str | None = None, idea: str | None = None, transfer=None
) -> list[str]:
    """The observed changes the reader sees: of ``dialogue``; linked to ``idea`` or to one of
    its transfers; linked to ``transfer``."""

    def linked(c: W.ChangeSpec) -> bool:
        if dialogue is not None and c.dialogue != dialogue:
            return False
        if idea is not None and not (
            idea in c.ideas or any(W.TRANSFER_SPECS[t].idea == idea for t in c.transfers)
        ):
            return False
        return transfer is None or transfer in c.transfers

    return [c.key for c in W.CHANGES if linked(c) and W.sees_change(reader, c.key)]


def _transfer_sentinels(keys: Iterable[str]) -> set[str]:
    return {text for k in keys for text in W.TRANSFER_SPECS[k].sentinels.values()}


def _change_sentinels(keys: Iterable[str]) -> set[str]:
    return {text for k in keys for text in W.CHANGE_SPECS[k].sentinels.values()}


def _path_sentinels(reader: Reader, *, idea: str) -> set[str]:
    """An idea's page: the reactions of its transfers and the changes observed after it (linked
    to it or to one of its transfers) that the reader sees."""
    return _transfer_sentinels(_transfers_seen(reader, idea=idea)) | _change_sentinels(
        _changes_seen(reader, idea=idea)
    )


def _transfer_targets(w: World, name: str, *, run=True, method="GET") -> list[Target]:
    """One transfer's pages: whoever sees it (rule 10); a POST (the reaction) its dialogue's
    convening team only, tried where refused, not run where allowed. Its page shows exactly its
    reaction and the changes linked to it that the reader sees."""
    post = method == "POST"
    targets = []
    for key, spec in W.TRANSFER_SPECS.items():

        def allowed(r: Reader, key=key, spec=spec) -> bool:
            return W.sees_transfer(r, key) and (not post or W.convenes(r, spec.dialogue))

        def shown(r: Reader, key=key) -> set[str]:
            return _transfer_sentinels([key]) | _change_sentinels(_changes_seen(r, transfer=key))

        targets.append(
            Target(
                f"transfer {key}",
                reverse(f"dialogues:{name}", args=[_d(w, spec.dialogue), w.transfers[key].pk]),
                signed_in_gate(allowed, run=run),
                method=method,
                data={} if post else None,
                # A transfer a copy logged has no words yet: its idea's title is on its page.
                control=tuple(spec.sentinels.values())
                or (W.IDEA_SPECS[spec.idea].sentinels["title"],),
                exactly=None if post else shown,
                exact_kinds=PATH_KINDS,
            )
        )
    targets.append(
        Target(
            "transfer of B through dialogue A",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.transfers["TRB"].pk]),
            signed_in_gate(lambda r: False, run=run),
            method=method,
            data={} if post else None,
        )
    )
    return targets


def _change_targets(w: World) -> list[Target]:
    """One observed change's page: whoever sees it (rule 10), showing exactly its own
    sentinels (the transfers behind it by date, idea and kind of reaction, not its words)."""
    targets = [
        Target(
            f"change {key}",
            reverse("dialogues:change_detail", args=[_d(w, spec.dialogue), w.changes[key].pk]),
            signed_in_gate(lambda r, key=key: W.sees_change(r, key)),
            control=(spec.sentinels["what"],),
            exactly=lambda r, key=key: _change_sentinels([key]),
            exact_kinds=PATH_KINDS,
        )
        for key, spec in W.CHANGE_SPECS.items()
    ]
    targets.append(
        Target(
            "change of B through dialogue A",
            reverse("dialogues:change_detail", args=[_d(w, "A"), w.changes["CHB"].pk]),
            signed_in_gate(lambda r: False),
        )
    )
    return targets


def _changes_list_targets(w: World) -> list[Target]:
    """The Changes tab: the convening team's only, listing exactly the changes each sees."""
    return [
        replace(
            t,
            exactly=lambda r, key=key: _change_sentinels(_changes_seen(r, dialogue=key)),
            exact_kinds=PATH_KINDS,
        )
        if key
        else t
        for t in _dialogue_targets(w, "changes", W.convenes, _changes_control)
        for key in [t.label.removeprefix("dialogue ") if t.label.startswith("dialogue ") else ""]
    ]


def _changes_control(key: str) -> Callable[[Reader], tuple[str, ...]]:
    return lambda r: (
        tuple(_change_sentinels(_changes_seen(r, dialogue=key))) or (DIALOGUE_SPECS[key].title,)
    )


def _follow_up_done_targets(w: World) -> list[Target]:
    """Marking a follow-up done: refused to all but the team (no follow-up exists: every
    address is 404 for everyone, the team included, and nothing is run)."""
    spec = W.IDEA_SPECS["IDPUB"]
    return [
        Target(
            "follow-up that does not exist",
            reverse(
                "dialogues:follow_up_done",
                args=[_d(w, spec.dialogue), w.ideas["IDPUB"].pk, w.missing_id],
            ),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
        )
    ]


# -- non-papers and caucus comments (rule 12) ----------------------------------------------------

# Every role but the official's (no page of a non-paper has a link of its own), the third party
# included (``world.CAUCUS_ONLY_ROLES``).
NON_PAPER_ROLES = tuple(r for r in ROLES if r != "official")
NON_PAPER_KINDS = ("non-paper", "comment")


def _versions_seen(reader: Reader, key: str) -> list[int]:
    return [n for n in W.NON_PAPER_SPECS[key].numbers if W.sees_version(reader, key, n)]


def _non_papers_listed(reader: Reader, dialogue: str) -> list[str]:
    """A dialogue's non-papers the reader sees with a version they may read (the sides: one
    circulated); the others are not listed."""
    return [n.key for n in W.NON_PAPERS if n.dialogue == dialogue and _versions_seen(reader, n.key)]


def _comments_shown(reader: Reader, key: str, number: int) -> list[str]:
    """The comments a version's page shows: on its paragraphs (every version keeps them), made on
    it or an earlier version, that the reader sees."""
    return [
        c.key
        for c in W.COMMENTS
        if c.non_paper == key and c.version <= number and W.sees_comment(reader, c.key)
    ]


def _version_page(reader: Reader, key: str, number: int) -> set[str]:
    spec = W.NON_PAPER_SPECS[key]
    comments = {W.COMMENT_SPECS[c].body for c in _comments_shown(reader, key, number)}
    return {spec.title, spec.text(number)} | comments


def _latest_seen(reader: Reader, key: str) -> int | None:
    seen = _versions_seen(reader, key)
    return seen[-1] if seen else None


def _np_url(w: World, name: str, dialogue: str, key: str, *rest) -> str:
    return reverse(f"dialogues:{name}", args=[_d(w, dialogue), w.non_papers[key].pk, *rest])


def _cross(w: World, name: str, *rest, method: str = "GET") -> Target:
    """Dialogue A's address with B's non-paper: nobody's."""
    return Target(
        "non-paper NPB through dialogue A",
        _np_url(w, name, "A", "NPB", *rest),
        signed_in_gate(lambda r: False),
        method=method,
        data={} if method == "POST" else None,
        roles=NON_PAPER_ROLES,
    )


def _non_papers_list_targets(w: World) -> list[Target]:
    """The Non-papers tab: every member; exactly the non-papers each may read a version of."""

    def listed(key: str) -> Callable[[Reader], set[str]]:
        return lambda r: {W.NON_PAPER_SPECS[k].title for k in _non_papers_listed(r, key)}

    def control(key: str) -> Callable[[Reader], tuple[str, ...]]:
        return lambda r: tuple(listed(key)(r)) or (DIALOGUE_SPECS[key].title,)

    return [
        replace(t, exactly=listed(key), exact_kinds=NON_PAPER_KINDS, roles=NON_PAPER_ROLES)
        if key
        else replace(t, roles=NON_PAPER_ROLES)
        for t in _dialogue_targets(w, "non_papers", _member, control)
        for key in [t.label.removeprefix("dialogue ") if t.label.startswith("dialogue ") else ""]
    ]


def _non_paper_create_targets(w: World) -> list[Target]:
    """Drafting a non-paper: the convening team's; offered an idea by its number (``?idea=``),
    the form fills in only one the drafter may see (B's, or one they are not named on, never)."""
    targets = [
        replace(t, roles=NON_PAPER_ROLES)
        for t in _dialogue_targets(
            w, "non_paper_create", W.convenes, lambda key: (DIALOGUE_SPECS[key].title,)
        )
    ]
    address = reverse("dialogues:non_paper_create", args=[_d(w, "A")])
    for key in ("IDPRG", "IDRES", "IDSPARX", "IDB"):
        targets.append(
            Target(
                f"A, from idea {key}",
                f"{address}?idea={w.ideas[key].pk}",
                signed_in_gate(lambda r: W.convenes(r, "A")),
                control=(DIALOGUE_SPECS["A"].title,),
                roles=NON_PAPER_ROLES,
            )
        )
    return targets


def _non_paper_targets(w: World, name: str) -> list[Target]:
    """A non-paper's page (its latest version the reader may read) and its comparison of its
    last two (the sides: its circulated one with itself): whoever may read a version of it,
    showing exactly that version's words and the comments the reader sees on it (none on a
    comparison)."""
    targets = []
    for key, spec in W.NON_PAPER_SPECS.items():

        def shown(r: Reader, key=key) -> set[str]:
            latest = _latest_seen(r, key)
            assert latest is not None
            if name == "non_paper_detail":
                return _version_page(r, key, latest)
            seen = _versions_seen(r, key)
            return {W.NON_PAPER_SPECS[key].title} | {
                W.NON_PAPER_SPECS[key].text(n) for n in seen[-2:]
            }

        targets.append(
            Target(
                f"non-paper {key}",
                _np_url(w, name, spec.dialogue, key),
                signed_in_gate(lambda r, key=key: bool(_versions_seen(r, key))),
                control=(spec.title,),
                exactly=shown,
                exact_kinds=NON_PAPER_KINDS,
                roles=NON_PAPER_ROLES,
            )
        )
    targets.append(_cross(w, name))
    targets.append(
        Target(
            "no such non-paper",
            reverse(f"dialogues:{name}", args=[_d(w, "A"), w.missing_id]),
            signed_in_gate(lambda r: False),
            roles=NON_PAPER_ROLES,
        )
    )
    return targets


def _compare_targets(w: World) -> list[Target]:
    """A comparison as the page offers it (the last two versions the reader may read: the sides
    compare a circulated version with itself), then of each pair of the versions of A's first
    non-paper (circulated, internal, working) named in the address: whoever may read both (a side
    asking for an internal or working version gets 404), showing exactly both versions' words
    and no comment."""
    targets = _non_paper_targets(w, "non_paper_compare")
    spec = W.NON_PAPER_SPECS["NPPRG"]
    url = _np_url(w, "non_paper_compare", "A", "NPPRG")
    for a, b in ((1, 2), (1, 3), (2, 3)):

        def allowed(r: Reader, a=a, b=b) -> bool:
            return W.sees_version(r, "NPPRG", a) and W.sees_version(r, "NPPRG", b)

        targets.append(
            Target(
                f"non-paper NPPRG, versions {a} and {b}",
                f"{url}?a={a}&b={b}",
                signed_in_gate(allowed),
                control=(spec.text(b),),
                exactly=lambda r, a=a, b=b: {spec.title, spec.text(a), spec.text(b)},
                exact_kinds=NON_PAPER_KINDS,
                roles=NON_PAPER_ROLES,
            )
        )
    targets.append(
        Target(
            "non-paper NPPRG, a version that does not exist",
            f"{url}?a=1&b=9",
            signed_in_gate(lambda r: False),
            roles=NON_PAPER_ROLES,
        )
    )
    return targets


def _version_targets(w: World) -> list[Target]:
    """Each version's page: whoever may read it (the sides: circulated ones only), showing
    exactly its words and the comments the reader sees on its paragraphs: every side's to the
    convening team, one's own side's to a participant of it, none to anyone else."""
    targets = []
    for key, spec in W.NON_PAPER_SPECS.items():
        for number in spec.numbers:
            targets.append(
                Target(
                    f"non-paper {key} version {number}",
                    _np_url(w, "non_paper_version", spec.dialogue, key, number),
                    signed_in_gate(lambda r, key=key, n=number: W.sees_version(r, key, n)),
                    control=(spec.text(number),),
                    exactly=lambda r, key=key, n=number: _version_page(r, key, n),
                    exact_kinds=NON_PAPER_KINDS,
                    roles=NON_PAPER_ROLES,
                )
            )
    targets.append(_cross(w, "non_paper_version", 1))
    targets.append(
        Target(
            "non-paper NPPRG version that does not exist",
            _np_url(w, "non_paper_version", "A", "NPPRG", 9),
            signed_in_gate(lambda r: False),
            roles=NON_PAPER_ROLES,
        )
    )
    return targets


def _team_non_paper_targets(w: World, name: str, *, method: str = "GET") -> list[Target]:
    """The working version's editor and freezing it: the convening team, of a non-paper they
    see (a POST not run where allowed); the editor shows exactly the working version's words."""
    post = method == "POST"
    targets = []
    for key, spec in W.NON_PAPER_SPECS.items():
        working = spec.numbers[-1]

        def allowed(r: Reader, key=key, spec=spec) -> bool:
            return W.convenes(r, spec.dialogue) and W.sees_non_paper(r, key)

        targets.append(
            Target(
                f"non-paper {key}",
                _np_url(w, name, spec.dialogue, key),
                signed_in_gate(allowed, run=not post),
                method=method,
                data={} if post else None,
                control=(spec.text(working),),
                exactly=None if post else (lambda r, s=spec, n=working: {s.title, s.text(n)}),
                exact_kinds=NON_PAPER_KINDS,
                roles=NON_PAPER_ROLES,
            )
        )
    targets.append(_cross(w, name, method=method))
    return targets


def _paragraph(w: World, key: str, number: int) -> int:
    return w.versions[(key, number)].paragraphs[0]["id"]


def _comment_targets(w: World) -> list[Target]:
    """A comment on a paragraph of a version: a participant of a side (their caucus) who may read
    it (not run); 404 for everyone else, the convening team, observers and the third party
    included, and on a version that is not circulated."""
    targets = []
    for key, spec in W.NON_PAPER_SPECS.items():
        for number in spec.numbers:

            def allowed(r: Reader, key=key, spec=spec, n=number) -> bool:
                return W.caucus_of(r, spec.dialogue) is not None and W.sees_version(r, key, n)

            targets.append(
                Target(
                    f"non-paper {key} version {number}",
                    _np_url(
                        w,
                        "non_paper_comment",
                        spec.dialogue,
                        key,
                        number,
                        _paragraph(w, key, number),
                    ),
                    signed_in_gate(allowed, run=False),
                    method="POST",
                    data={},
                    roles=NON_PAPER_ROLES,
                )
            )
    targets.append(_cross(w, "non_paper_comment", 1, _paragraph(w, "NPB", 1), method="POST"))
    return targets


def _reply_targets(w: World) -> list[Target]:
    """The convening team's reply in a side's thread: the team, on a version they may read (not
    run); 404 for everyone else, and for a side of another dialogue."""
    targets = []
    for key, spec in W.NON_PAPER_SPECS.items():
        side = w.dialogues[spec.dialogue].sides.get(name=DIALOGUE_SPECS[spec.dialogue].sides[0])
        for number in spec.numbers:

            def allowed(r: Reader, key=key, spec=spec, n=number) -> bool:
                return W.convenes(r, spec.dialogue) and W.sees_version(r, key, n)

            paragraph = _paragraph(w, key, number)
            targets.append(
                Target(
                    f"non-paper {key} version {number}",
                    _np_url(w, "non_paper_reply", spec.dialogue, key, number, paragraph, side.pk),
                    signed_in_gate(allowed, run=False),
                    method="POST",
                    data={},
                    roles=NON_PAPER_ROLES,
                )
            )
    b_side = w.dialogues["B"].sides.get(name=DIALOGUE_SPECS["B"].sides[0])
    targets.append(
        Target(
            "non-paper NPPRG, in a side of B",
            _np_url(w, "non_paper_reply", "A", "NPPRG", 1, _paragraph(w, "NPPRG", 1), b_side.pk),
            signed_in_gate(lambda r: False),
            method="POST",
            data={},
            roles=NON_PAPER_ROLES,
        )
    )
    targets.append(
        _cross(w, "non_paper_reply", 1, _paragraph(w, "NPB", 1), b_side.pk, method="POST")
    )
    return targets


def _outcomes_control(key: str) -> Callable[[Reader], tuple[str, ...]]:
    return lambda r: (
        tuple(o.sentinels["summary"] for o in _outcomes_of(key) if W.sees_outcome(r, o.key))
        or (DIALOGUE_SPECS[key].title,)
    )


ROUTES: tuple[Route, ...] = (
    Route("home", home_targets),
    Route("home (timeline)", home_timeline_targets),
    Route("calendar_feed", feed_targets),
    dialogue_page("dialogue_detail", _member),
    dialogue_page("sessions", _member, _sessions_control),
    Route("sessions (timeline)", sessions_timeline_targets),
    dialogue_page("outcomes", _member, _outcomes_control),
    dialogue_page("ideas", _member, _ideas_control),
    dialogue_page("idea_create", W.convenes),
    Route("idea_detail", lambda w: _idea_targets(w, "idea_detail", path=True)),
    Route(
        "idea_state",
        lambda w: _idea_targets(w, "idea_state", team=True, run=False, method="POST"),
    ),
    Route(
        "follow_up_create",
        lambda w: _idea_targets(w, "follow_up_create", team=True, run=False, method="POST"),
    ),
    Route("follow_up_done", _follow_up_done_targets),
    Route("path", _path_targets),
    Route(
        "transfer_create",
        lambda w: _idea_targets(w, "transfer_create", team=True),
    ),
    refused_post("transfer_create", lambda w: _idea_targets(w, "transfer_create", team=True)),
    Route("transfer_detail", lambda w: _transfer_targets(w, "transfer_detail")),
    Route(
        "transfer_reaction",
        lambda w: _transfer_targets(w, "transfer_reaction", run=False, method="POST"),
    ),
    Route("changes", _changes_list_targets),
    dialogue_page("change_create", W.convenes),
    refused_post(
        "change_create", lambda w: _dialogue_targets(w, "change_create", W.convenes, lambda k: ())
    ),
    Route("change_detail", _change_targets),
    Route("non_papers", _non_papers_list_targets),
    Route("non_paper_create", _non_paper_create_targets),
    refused_post("non_paper_create", _non_paper_create_targets),
    Route("non_paper_detail", lambda w: _non_paper_targets(w, "non_paper_detail")),
    Route("non_paper_version", _version_targets),
    Route("non_paper_compare", _compare_targets),
    Route("non_paper_edit", lambda w: _team_non_paper_targets(w, "non_paper_edit")),
    refused_post("non_paper_edit", lambda w: _team_non_paper_targets(w, "non_paper_edit")),
    Route(
        "non_paper_freeze",
        lambda w: _team_non_paper_targets(w, "non_paper_freeze", method="POST"),
    ),
    Route("non_paper_comment", _comment_targets),
    Route("non_paper_reply", _reply_targets),
    dialogue_page("ground_rules", _member, _rules_control),
    refused_post(
        "ground_rules", lambda w: _dialogue_targets(w, "ground_rules", _member, _rules_control)
    ),
    Route("dialogue_create", _dialogue_create_targets),
    refused_post("dialogue_create", _dialogue_create_targets),
    dialogue_page("dialogue_edit", W.convenes),
    refused_post(
        "dialogue_edit",
        lambda w: _dialogue_targets(w, "dialogue_edit", W.convenes, lambda k: ()),
    ),
    dialogue_page("sides_edit", W.convenes, lambda key: DIALOGUE_SPECS[key].sides),
    refused_post(
        "sides_edit", lambda w: _dialogue_targets(w, "sides_edit", W.convenes, lambda k: ())
    ),
    dialogue_page("roster", W.convenes),
    refused_post("roster", lambda w: _dialogue_targets(w, "roster", W.convenes, lambda k: ())),
    Route("roster (bulk actions)", _roster_bulk_targets),
    Route("membership_edit", _membership_targets),
    refused_post("membership_edit", _membership_targets),
    dialogue_page("session_create", W.convenes),
    refused_post(
        "session_create",
        lambda w: _dialogue_targets(w, "session_create", W.convenes, lambda k: ()),
    ),
    session_route("session_detail", W.sees_session),
    session_route("session_edit", _sees_planned_session),
    refused_post(
        "session_edit", lambda w: _session_targets(w, "session_edit", _sees_planned_session)
    ),
    session_route("session_status", _sees_planned_session, run=False, method="POST", data={}),
    Route("agenda_edit", lambda w: agenda_edit_targets(w, htmx=False)),
    Route("agenda_edit (htmx partial)", lambda w: agenda_edit_targets(w, htmx=True)),
    Route("agenda_item_create (POST, empty form)", agenda_item_create_targets),
    session_route("agenda_publish", _sees_planned_session, label="agenda_publish (preview)"),
    session_route("agenda_publish", _sees_planned_session, run=False, method="POST", data={}),
    Route("agenda_reuse", agenda_reuse_targets),
    Route("agenda_reuse_copy", lambda w: reuse_post_targets(w, "agenda_reuse_copy")),
    Route("agenda_template_save", lambda w: reuse_post_targets(w, "agenda_template_save")),
    Route("agenda_template_delete", agenda_template_delete_targets),
    item_route("agenda_item_edit"),
    item_route("agenda_item_edit", label="agenda_item_edit (htmx partial)", htmx=True, sample=True),
    refused_post("agenda_item_edit", lambda w: _item_targets(w, "agenda_item_edit")),
    item_route("agenda_item_delete", run=False, method="POST", sample=True),
    item_route("agenda_item_move", run=False, method="POST", sample=True),
    item_route("agenda_item_retime", run=False, method="POST", sample=True),
    item_route("agenda_item_duplicate", run=False, method="POST", sample=True),
    session_route("agenda_pdf", _published, body="pdf"),
    Route("documents", _documents_targets),
    Route("document_upload", document_upload_targets),
    refused_post("document_upload", document_upload_targets),
    Route(
        "document_download",
        lambda w: _document_targets(w, "document_download", W.sees_document),
    ),
    Route(
        "document_delete",
        lambda w: _document_targets(
            w,
            "document_delete",
            lambda r, key: W.convenes(r, DOCUMENT_SPECS[key].dialogue) and W.sees_document(r, key),
            run=False,
            method="POST",
            sample=True,
        ),
    ),
    session_route("outcome_create", _records_session),
    refused_post(
        "outcome_create", lambda w: _session_targets(w, "outcome_create", _records_session)
    ),
    Route("outcome_edit", lambda w: _outcome_targets(w, "outcome_edit")),
    refused_post("outcome_edit", lambda w: _outcome_targets(w, "outcome_edit")),
    Route(
        "outcome_delete", lambda w: _outcome_targets(w, "outcome_delete", run=False, method="POST")
    ),
    dialogue_page("pack_list", W.convenes),
    dialogue_page("pack_request", W.convenes),
    refused_post(
        "pack_request", lambda w: _dialogue_targets(w, "pack_request", W.convenes, lambda k: ())
    ),
    Route("pack_detail", lambda w: _pack_targets(w, "pack_detail")),
    Route(
        "pack_detail (htmx status partial)", lambda w: _pack_targets(w, "pack_detail", htmx=True)
    ),
    Route(
        "pack_render_again",
        lambda w: _pack_targets(w, "pack_render_again", run=False, method="POST"),
    ),
    Route("pack_review", lambda w: _pack_targets(w, "pack_review", run=False, method="POST")),
    Route("pack_release", lambda w: _pack_targets(w, "pack_release", run=False, method="POST")),
    Route("copy_download", lambda w: _copy_targets(w, "copy_download")),
    Route(
        "copy_link_revoke", lambda w: _copy_targets(w, "copy_link_revoke", run=False, method="POST")
    ),
    Route(
        "copy_link_issue", lambda w: _copy_targets(w, "copy_link_issue", run=False, method="POST")
    ),
    dialogue_page("official_list", W.convenes, _register_names),
    dialogue_page("official_create", W.convenes),
    refused_post(
        "official_create",
        lambda w: _dialogue_targets(w, "official_create", W.convenes, lambda k: ()),
    ),
    Route("official_edit", lambda w: _official_targets(w, "official_edit")),
    refused_post("official_edit", lambda w: _official_targets(w, "official_edit")),
    Route(
        "official_retire",
        lambda w: _official_targets(w, "official_retire", run=False, method="POST"),
    ),
    Route(
        "official_reinstate",
        lambda w: _official_targets(w, "official_reinstate", run=False, method="POST"),
    ),
    dialogue_page("funder_reports", W.convenes),
    dialogue_page("funder_report_request", W.convenes),
    refused_post(
        "funder_report_request",
        lambda w: _dialogue_targets(w, "funder_report_request", W.convenes, lambda k: ()),
    ),
    Route("funder_report_pdf", lambda w: _report_targets(w, "funder_report_pdf", "pdf")),
    Route("funder_report_csv", lambda w: _report_targets(w, "funder_report_csv", "file")),
    Route("pack_link", lambda w: _pack_link_targets(w, "pack_link", "html")),
    Route("pack_link_download", lambda w: _pack_link_targets(w, "pack_link_download", "pdf")),
    Route("view_as_start", _view_as_targets),
    refused_post("view_as_start", _view_as_targets),
    Route("view_as_stop", _view_as_stop_targets),
    Route("vetting", _vetting_targets),
    Route("invitations", _invitation_targets),
    Route("outbound requests", _outbound_request_targets),
    Route("profile", _profile_targets),
    Route("accounts (allauth)", _account_targets),
    Route("admin (Django admin)", _admin_targets),
    Route("staff pages (ops)", _ops_targets),
)
ROUTE_LABELS = tuple(r.label for r in ROUTES)
assert len(set(ROUTE_LABELS)) == len(ROUTE_LABELS), "route labels must be unique"


# -- the URLconf ----------------------------------------------------------------------------------


def _join(route1: str, route2: str) -> str:
    # As Django joins them into ResolverMatch.route (without the second's leading ^).
    return route1 + route2.removeprefix("^") if route1 else route2


def url_patterns() -> dict[str, str]:
    """Every URL pattern of the project, by its full route: route -> a readable name
    (``namespace:name``, or the route itself for an unnamed pattern)."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            route = _join(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                walk(pattern, route, inner)
            elif isinstance(pattern, URLPattern):
                name = (
                    ":".join((*namespaces, pattern.name)) if pattern.name else f"<unnamed> {route}"
                )
                found.setdefault(route, name)

    walk(get_resolver(), "", ())
    return found


def placed_patterns(w: World, routes: Iterable[Route] = ROUTES) -> dict[str, list[str]]:
    """Route of each URL pattern the matrix requests -> the targets that reach it."""
    placed: dict[str, list[str]] = {}
    for route in routes:
        for target in route.targets(w):
            match = resolve(urlsplit(target.url).path)
            placed.setdefault(match.route, []).append(f"{route.label}: {target.label}")
    return placed


# -- running it -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str  # status, leak, outbound, control, feed, error
    route: str
    target: str
    role: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.route} / {self.target} / {self.role}: {self.detail}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    cells: int = 0  # requests made
    not_run: int = 0  # allowed destructive requests, not made
    represented: int = 0  # (target, role) pairs another cell stands for (see Target.roles)
    bodies_checked: int = 0  # 200 answers searched for sentinels

    def add(self, other: Report) -> None:
        self.problems += other.problems
        self.cells += other.cells
        self.not_run += other.not_run
        self.represented += other.represented
        self.bodies_checked += other.bodies_checked

    def of_kind(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def text(self, limit: int = 60) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "\n".join(lines)


_PDF_CACHE: dict[str, tuple[str, str]] = {}


def pdf_text(data: bytes) -> tuple[str, str]:
    """(text of every page, metadata values), once per distinct file."""
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _PDF_CACHE:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
        _PDF_CACHE[digest] = (text, metadata)
    return _PDF_CACHE[digest]


def _filename(response) -> str:
    header = response.get("Content-Disposition", "")
    names = re.findall(r"filename\*=UTF-8''([^;]+)", header)
    names += re.findall(r'filename="([^"]*)"', header)
    return " ".join(unquote(n) for n in names)


def clients_for(w: World, roles: Iterable[str]) -> dict[str, Client]:
    clients = {}
    for role in roles:
        client = Client()
        person = W.ROLE_PERSON.get(role)
        if person is not None:
            sign_in(client, w.users[person])
        clients[role] = client
    return clients


def _expected_feed_uids(w: World, owner: Reader) -> set[str]:
    uids = {
        f"session-{w.sessions[s.key].pk}@trackii"
        for s in W.SESSIONS
        if W.sees_session(owner, s.key)
    }
    for key, spec in ITEM_SPECS.items():
        if spec.published and W.sees_item(owner, key):
            uids.add(f"item-{w.sessions[spec.session].pk}-{w.items[key].pk}@trackii")
    return uids


def check_body(
    w: World, route: str, target: Target, role: str, response, content: bytes, *, expected: bool
) -> list[Problem]:
    """Search one 200 answer. ``expected``: the 200 was the expected answer (a positive
    control is then required; an unexpected 200 is already a status problem)."""
    reader = target.reader or reader_of_role(role)
    problems: list[Problem] = []

    def problem(kind: str, detail: str) -> None:
        problems.append(Problem(kind, route, target.label, role, detail))

    outbound_texts: list[tuple[str, str]] = []  # (where, text) that leave Trackii
    if target.body == "pdf":
        text, metadata = pdf_text(content)
        outbound_texts.append(("PDF metadata", metadata))
    else:
        text = content.decode("utf-8", errors="replace")
    filename = _filename(response)
    if filename:
        outbound_texts.append(("file name", filename))
    if target.body == "ics":
        outbound_texts.append(("calendar feed", text))
        uids = set(re.findall(r"^UID:(.*?)\r?$", text, flags=re.MULTILINE))
        expected = _expected_feed_uids(w, reader)
        if uids != expected:
            problem(
                "feed",
                f"events {sorted(uids - expected)} should not be there, "
                f"{sorted(expected - uids)} are missing",
            )

    allowed = readable(reader)
    found = sentinels_in(text)
    leaked = found - allowed
    if leaked:
        problem("leak", f"{reader.key} may not read: {describe(leaked)}")
    for where, value in outbound_texts:
        out = {t for t in sentinels_in(value) if not W.may_leave(t) or t not in allowed}
        if out:
            problem("outbound", f"{where} carries what may not leave: {describe(out)}")

    if expected and target.exactly is not None:
        wanted = set(target.exactly(reader))
        got = {t for t in found if W.SENTINELS[t].kind in target.exact_kinds}
        if got != wanted:
            problem(
                "exact",
                f"{', '.join(target.exact_kinds)}: missing {describe(wanted - got) or 'none'}; "
                f"not expected {describe(got - wanted) or 'none'}",
            )
    control = target.control(reader) if callable(target.control) else target.control
    control = tuple(control)
    if not expected:
        pass
    elif not control:
        problem("control", "no positive control is defined for this answer")
    elif not any((c in found) if c in W.SENTINELS else (c in text) for c in control):
        problem("control", f"none of the expected {sorted(control)[:5]} appears")
    return problems


def describe(texts: Iterable[str]) -> str:
    return ", ".join(f"{t} ({W.SENTINELS[t].what})" for t in sorted(texts))


def _location_ok(expect: Expect, location: str) -> bool:
    path = urlsplit(location).path
    if expect.login:
        logins = {reverse("account_login")}
        if expect.admin_login:
            logins.add(reverse("admin:login"))
        return path in logins
    return path == expect.location


def run_route(w: World, route: Route, clients: dict[str, Client]) -> Report:
    report = Report()
    for target in route.targets(w):
        to_run = target.roles_to_run()
        for role, client in clients.items():
            if role not in to_run:
                report.represented += 1
                continue
            expect = target.expect(role)
            if expect is None:
                report.not_run += 1
                continue
            report.cells += 1
            report.problems += _run_cell(w, route.label, target, role, client, expect, report)
    return report


# -- what the audit trail must record -------------------------------------------------------------

# Top-level URL names that show dialogue content (besides every page of the dialogues' namespace).
CONTENT_URL_NAMES = frozenset({"home", "calendar_feed", "pack_link", "pack_link_download"})
READ_ACTIONS = (AuditEntry.Action.VIEWED, AuditEntry.Action.DOWNLOADED)
# A page's subject is the most specific object its address names (query parameters of the paper
# upload page included): URL keyword -> model.
SUBJECT_KWARGS = (
    ("transfer_id", "dialogues.transfer"),
    ("change_id", "dialogues.observedchange"),
    ("copy_id", "dialogues.briefingpackcopy"),
    ("report_id", "dialogues.funderreport"),
    ("outcome_id", "dialogues.outcome"),
    ("idea_id", "dialogues.idea"),
    ("item_id", "dialogues.agendaitem"),
    ("document_id", "dialogues.document"),
    ("membership_id", "participants.membership"),
    ("pack_id", "dialogues.briefingpack"),
    ("official_id", "dialogues.official"),
    ("session_id", "dialogues.session"),
    ("dialogue_id", "dialogues.dialogue"),
)
SUBJECT_QUERY = (("item", "dialogues.agendaitem"), ("session", "dialogues.session"))


def _shows_content(target: Target, match) -> bool:
    if target.content is not None:
        return target.content
    return "dialogues" in match.namespaces or match.url_name in CONTENT_URL_NAMES


def _user_id(w: World, person: str | None) -> int | None:
    user = w.users.get(person) if person else None
    return user.pk if user is not None else None


def expected_reads(w: World, target: Target, role: str, match, query: dict) -> set[tuple]:
    """The entries an answer that shows content must leave, as (actor id, "app.model", object
    id, action), stated from the world and the address alone: who (the role's account; a feed's
    owner, whoever fetched it), what (the page's subject; the home page's dialogues; each session
    a feed carries), and how (a file is downloaded, anything else viewed)."""
    action = "downloaded" if target.body in ("pdf", "file") else "viewed"
    actor = _user_id(w, W.ROLE_PERSON.get(role))
    if match.url_name == "home":
        reader = reader_of_role(role)
        return {
            (actor, "dialogues.dialogue", str(w.dialogues[d.key].pk), action)
            for d in W.DIALOGUES
            if W.is_member(reader, d.key)
        }
    if match.url_name == "calendar_feed":
        owner = target.reader
        return {
            (_user_id(w, owner.person), "dialogues.session", str(w.sessions[s.key].pk), action)
            for s in W.SESSIONS
            if W.sees_session(owner, s.key)
        }
    if match.url_name in ("pack_link", "pack_link_download"):
        copy = w.copies[target.reader.copy]
        return {(actor, "dialogues.briefingpackcopy", str(copy.pk), action)}
    if match.url_name == "session_detail":
        # Those who record read each outcome's attributed record there: each is recorded.
        reader = reader_of_role(role)
        session = next(k for k, row in w.sessions.items() if row.pk == match.kwargs["session_id"])
        outcomes = {
            (actor, "dialogues.outcome", str(w.outcomes[o.key].pk), action)
            for o in W.OUTCOMES
            if o.session == session
            and W.records(reader, SESSION_SPECS[session].dialogue)
            and W.sees_outcome(reader, o.key)
        }
        return {(actor, "dialogues.session", str(match.kwargs["session_id"]), action)} | outcomes
    if match.url_name == "outcomes":
        # The dialogue's outcomes tab: the dialogue, and each outcome it shows (with its
        # attributed record to those who record).
        reader = reader_of_role(role)
        dialogue = next(
            k for k, row in w.dialogues.items() if row.pk == match.kwargs["dialogue_id"]
        )
        outcomes = {
            (actor, "dialogues.outcome", str(w.outcomes[o.key].pk), action)
            for o in _outcomes_of(dialogue)
            if W.sees_outcome(reader, o.key)
        }
        return {(actor, "dialogues.dialogue", str(match.kwargs["dialogue_id"]), action)} | outcomes
    if match.url_name == "ideas":
        # The dialogue's ideas tab: the dialogue, and each idea it lists.
        reader = reader_of_role(role)
        dialogue = next(
            k for k, row in w.dialogues.items() if row.pk == match.kwargs["dialogue_id"]
        )
        ideas = {
            (actor, "dialogues.idea", str(w.ideas[i.key].pk), action)
            for i in W.IDEAS
            if i.dialogue == dialogue and W.sees_idea(reader, i.key)
        }
        return {(actor, "dialogues.dialogue", str(match.kwargs["dialogue_id"]), action)} | ideas
    if match.url_name == "path":
        # The Path tab: the dialogue, and each idea it draws (one with ``?idea=``) and each
        # session one of their sources comes from.
        reader = reader_of_role(role)
        dialogue = next(
            k for k, row in w.dialogues.items() if row.pk == match.kwargs["dialogue_id"]
        )
        asked = query.get("idea", [None])[0]
        ideas = [
            i
            for i in W.IDEAS
            if i.dialogue == dialogue
            and W.sees_idea(reader, i.key)
            and asked in (None, str(w.ideas[i.key].pk))
        ]
        sessions = {
            OUTCOME_SPECS[o].session for i in ideas for o in i.sources if W.sees_outcome(reader, o)
        }
        # The transfers of the ideas drawn, and the changes: the dialogue's, or with ``?idea=``
        # those linked to it or to its transfers (each as the reader sees them, rule 10).
        transfers = [k for i in ideas for k in _transfers_seen(reader, idea=i.key)]
        changes = (
            _changes_seen(reader, idea=ideas[0].key)
            if asked is not None
            else _changes_seen(reader, dialogue=dialogue)
        )
        return (
            {(actor, "dialogues.dialogue", str(match.kwargs["dialogue_id"]), action)}
            | {(actor, "dialogues.idea", str(w.ideas[i.key].pk), action) for i in ideas}
            | {(actor, "dialogues.session", str(w.sessions[k].pk), action) for k in sessions}
            | {(actor, "dialogues.transfer", str(w.transfers[k].pk), action) for k in transfers}
            | {(actor, "dialogues.observedchange", str(w.changes[k].pk), action) for k in changes}
        )
    if match.url_name == "pack_detail":
        # The pack, and in its register each idea a rendered copy carried (what its official
        # sees, rule 8) that the reader sees too.
        reader = reader_of_role(role)
        pack = next(k for k, row in w.packs.items() if row.pk == match.kwargs["pack_id"])
        carried = {
            i.key
            for c in W.COPIES
            if c.dialogue == pack and w.copies[c.key].state == "ready"
            for i in W.IDEAS
            if W.sees_idea(reader_of_copy(c.key), i.key)
        }
        ideas = {
            (actor, "dialogues.idea", str(w.ideas[key].pk), action)
            for key in carried
            if W.sees_idea(reader, key)
        }
        return {(actor, "dialogues.briefingpack", str(match.kwargs["pack_id"]), action)} | ideas
    if match.url_name in ("idea_detail", "transfer_detail", "changes", "change_detail"):
        return _path_reads(w, match, actor, action, reader_of_role(role))
    if match.url_name in NON_PAPER_PAGES:
        return _non_paper_reads(w, match, actor, action, reader_of_role(role), query)
    if match.url_name == "agenda_reuse":
        # The session the page is for, and the agenda its preview reads: another session's, or
        # a template.
        shown = {(actor, "dialogues.session", str(match.kwargs["session_id"]), action)}
        for name, model in (
            ("source", "dialogues.session"),
            ("template", "dialogues.agendatemplate"),
        ):
            if query.get(name):
                shown.add((actor, model, query[name][0], action))
        return shown
    for name, model in SUBJECT_QUERY:
        if query.get(name):
            return {(actor, model, query[name][0], action)}
    for name, model in SUBJECT_KWARGS:
        if name in match.kwargs:
            return {(actor, model, str(match.kwargs[name]), action)}
    return set()  # a page that shows no object (the form that starts a dialogue)


def _path_reads(w: World, match, actor, action: str, reader: Reader) -> set[tuple]:
    """The pages of rule 10: the page's subject, and each transfer and observed change it lists
    (an idea's: its transfers and the changes after it; a transfer's: the changes after it; the
    Changes tab: the dialogue's; a change's: the ideas and transfers behind it)."""

    def key_of(rows: dict, pk: int) -> str:
        return next(k for k, row in rows.items() if row.pk == pk)

    def entry(model: str, row) -> tuple:
        return (actor, f"dialogues.{model}", str(row.pk), action)

    kwargs = match.kwargs
    if match.url_name == "idea_detail":
        idea = key_of(w.ideas, kwargs["idea_id"])
        return (
            {entry("idea", w.ideas[idea])}
            | {entry("transfer", w.transfers[k]) for k in _transfers_seen(reader, idea=idea)}
            | {entry("observedchange", w.changes[k]) for k in _changes_seen(reader, idea=idea)}
        )
    if match.url_name == "transfer_detail":
        transfer = key_of(w.transfers, kwargs["transfer_id"])
        return {entry("transfer", w.transfers[transfer])} | {
            entry("observedchange", w.changes[k]) for k in _changes_seen(reader, transfer=transfer)
        }
    if match.url_name == "changes":
        dialogue = key_of(w.dialogues, kwargs["dialogue_id"])
        return {entry("dialogue", w.dialogues[dialogue])} | {
            entry("observedchange", w.changes[k]) for k in _changes_seen(reader, dialogue=dialogue)
        }
    change = W.CHANGE_SPECS[key_of(w.changes, kwargs["change_id"])]
    return (
        {entry("observedchange", w.changes[change.key])}
        | {entry("idea", w.ideas[k]) for k in change.ideas}
        | {entry("transfer", w.transfers[k]) for k in change.transfers}
    )


NON_PAPER_PAGES = (
    "non_papers",
    "non_paper_detail",
    "non_paper_version",
    "non_paper_compare",
    "non_paper_edit",
)


def _non_paper_reads(w: World, match, actor, action: str, reader: Reader, query) -> set[tuple]:
    """The pages of rule 12: the Non-papers tab, its dialogue and each non-paper it lists; a
    version's page (a non-paper's: its latest the reader may read), the version (its non-paper
    is its container, as a session's dialogue on the session's page) and each comment it shows;
    the editor, the working version; a comparison, the non-paper (the versions in its detail)."""

    def key_of(rows: dict, pk: int) -> str:
        return next(k for k, row in rows.items() if row.pk == pk)

    def entry(model: str, row) -> tuple:
        return (actor, f"dialogues.{model}", str(row.pk), action)

    kwargs = match.kwargs
    if match.url_name == "non_papers":
        dialogue = key_of(w.dialogues, kwargs["dialogue_id"])
        return {entry("dialogue", w.dialogues[dialogue])} | {
            entry("nonpaper", w.non_papers[k]) for k in _non_papers_listed(reader, dialogue)
        }
    key = key_of(w.non_papers, kwargs["non_paper_id"])
    seen = _versions_seen(reader, key)
    if match.url_name == "non_paper_edit":
        return {entry("nonpaperversion", w.versions[(key, W.NON_PAPER_SPECS[key].numbers[-1])])}
    if match.url_name == "non_paper_compare":
        return {entry("nonpaper", w.non_papers[key])}
    number = kwargs["number"] if match.url_name == "non_paper_version" else seen[-1]
    return {entry("nonpaperversion", w.versions[(key, number)])} | {
        entry("caucuscomment", w.comments[c]) for c in _comments_shown(reader, key, number)
    }


def _new_reads(since: int | None) -> list[dict]:
    entries = AuditEntry.objects.filter(action__in=READ_ACTIONS)
    if since is not None:
        entries = entries.filter(pk__gt=since)
    return list(
        entries.values(
            "actor_id",
            "content_type__app_label",
            "content_type__model",
            "object_id",
            "action",
            "detail",
        )
    )


def check_reads(w, route_label, target, role, response, entries: list[dict]) -> list[Problem]:
    """The audit trail against what the answer showed (see ``expected_reads``)."""
    path, _, query_string = target.url.partition("?")
    match = resolve(path)
    if not _shows_content(target, match):
        return []
    shown = response.status_code in (200, 400, 409)
    expected = expected_reads(w, target, role, match, parse_qs(query_string)) if shown else set()
    got = {
        (
            e["actor_id"],
            f"{e['content_type__app_label']}.{e['content_type__model']}",
            e["object_id"],
            e["action"],
        )
        for e in entries
    }
    problems = []

    def problem(detail: str) -> None:
        problems.append(Problem("read", route_label, target.label, role, detail))

    if got != expected:
        problem(
            f"the audit trail recorded {sorted(got, key=str)}, expected {sorted(expected, key=str)}"
        )
    if any(e["detail"].get("page") != match.url_name for e in entries):
        problem(f"entries do not name the page {match.url_name}: {[e['detail'] for e in entries]}")
    # An outcome shown with its attributed record (who said what) says so: to those who record.
    outcome_keys = {str(row.pk): key for key, row in w.outcomes.items()}
    for e in entries:
        key = outcome_keys.get(e["object_id"]) if e["content_type__model"] == "outcome" else None
        if key is None or match.url_name not in ("session_detail", "outcomes"):
            continue
        records = W.records(reader_of_role(role), _session_dialogue(OUTCOME_SPECS[key].session))
        if bool(e["detail"].get("record")) != records:
            problem(f"outcome {key} recorded with record={e['detail'].get('record')}")
    # Bearer secrets (a feed's, a link's) never reach the trail.
    for secret in (match.kwargs.get("secret"), match.kwargs.get("token")):
        if secret and secret in repr(entries):
            problem("an entry holds the address's secret")
    return problems


def _run_cell(w, route_label, target, role, client, expect, report) -> list[Problem]:
    headers = {"HX-Request": "true"} if target.htmx else {}
    problems: list[Problem] = []

    def problem(kind: str, detail: str) -> None:
        problems.append(Problem(kind, route_label, target.label, role, detail))

    with transaction.atomic():
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        try:
            if target.method == "POST":
                response = client.post(target.url, target.data or {}, headers=headers)
            else:
                response = client.get(target.url, headers=headers)
            # The test client closes the response itself (with the signal that would close
            # the database connection disconnected); a streamed one once it is consumed.
            if response.streaming:
                content = b"".join(response.streaming_content)
            else:
                content = response.content
            entries = _new_reads(last)
        except Exception as error:  # a crash is a finding of its own, not the end of the run
            problem("error", f"{type(error).__name__}: {error}")
            return problems
        finally:
            transaction.set_rollback(True)
            client.cookies.pop("messages", None)

    got = response.status_code
    location = response.get("Location", "")
    if got != expect.status or (
        got in (301, 302)
        and (expect.login or expect.location)
        and not _location_ok(expect, location)
    ):
        shown = f"{got} to {location}" if got in (301, 302) else str(got)
        problem("status", f"expected {expect.describe()}, got {shown}")
    problems += check_reads(w, route_label, target, role, response, entries)
    if got == 200:
        report.bodies_checked += 1
        problems += check_body(
            w, route_label, target, role, response, content, expected=expect.status == 200
        )
    return problems


def run_matrix(
    w: World,
    routes: Iterable[Route] = ROUTES,
    clients: dict[str, Client] | None = None,
) -> Report:
    clients = clients if clients is not None else clients_for(w, ROLES)
    report = Report()
    for route in routes:
        report.add(run_route(w, route, clients))
    return report


def route_by_label(label: str) -> Route:
    return next(r for r in ROUTES if r.label == label)


# -- what the system sends ------------------------------------------------------------------------


def check_emails(w: World, messages) -> list[Problem]:
    """Every e-mail: nothing its recipient may not read, nothing above the outbound level
    (subject, body, attachments and their names); the recipient's own name only besides."""
    problems = []
    for number, message in enumerate(messages):
        for address in message.to:
            reader = w.email_reader(address)
            parts = [("subject", message.subject), ("body", message.body)]
            for attachment in message.attachments:
                name, content, _type = attachment
                if isinstance(content, bytes):
                    content = content.decode("utf-8", errors="replace")
                parts += [("attachment name", name or ""), (f"attachment {name}", content)]
            allowed = readable(reader)
            own = {COPY_SPECS[reader.copy].name} if reader.copy else set()
            found: set[str] = set()
            for where, text in parts:
                bad = {
                    t
                    for t in sentinels_in(text)
                    if t not in own and (t not in allowed or not W.may_leave(t))
                }
                found |= sentinels_in(text)
                if bad:
                    problems.append(
                        Problem(
                            "outbound",
                            "e-mail",
                            f"message {number} “{message.subject}”",
                            reader.key,
                            f"{where} carries: {describe(bad)}",
                        )
                    )
            if not found & (allowed | own):
                problems.append(
                    Problem(
                        "control",
                        "e-mail",
                        f"message {number} “{message.subject}”",
                        reader.key,
                        "no sentinel the recipient may read appears (not even the cover name)",
                    )
                )
    return problems


def check_report_files(w: World) -> list[Problem]:
    """Each rendered report for funders, read from storage (the PDF and the CSV): nothing but
    what a funder at its level may know (``world.report_may_hold``), whoever downloads it; the
    cover name and the ideas a funder sees present; metadata within the outbound rule."""
    problems = []
    for key, report in w.reports.items():
        report.refresh_from_db()
        if report.state != "ready":
            continue
        with report.pdf.open("rb") as stream:
            text, metadata = pdf_text(stream.read())
        with report.csv.open("rb") as stream:
            table = stream.read().decode("utf-8-sig")
        may_hold = W.report_may_hold(key)
        cover = DIALOGUE_SPECS[REPORT_SPECS[key].dialogue].cover
        ideas = {t for t in may_hold if W.SENTINELS[t].kind == "idea"}
        titles = {t for t in ideas if W.SENTINELS[t].field == "title"}
        for where, found, must in (
            ("report PDF", sentinels_in(text), {cover} | ideas),
            ("report CSV", sentinels_in(table), {cover} | titles),
        ):
            if found - may_hold:
                problems.append(Problem("leak", where, key, "funder", describe(found - may_hold)))
            if must - found:
                problems.append(Problem("control", where, key, "funder", describe(must - found)))
        out = {t for t in sentinels_in(metadata) if not W.may_leave(t)}
        if out:
            problems.append(Problem("outbound", "report PDF metadata", key, "-", describe(out)))
    return problems


def check_copy_files(w: World) -> list[Problem]:
    """Each rendered copy, read from storage: nothing above its recipient's clearance, its
    recipient's name and the dialogue's title present; metadata within the outbound rule."""
    problems = []
    for key, copy in w.copies.items():
        copy.refresh_from_db()
        if copy.state != "ready":
            continue
        with copy.file.open("rb") as stream:
            text, metadata = pdf_text(stream.read())
        reader = reader_of_copy(key)
        found = sentinels_in(text)
        leaked = found - readable(reader)
        if leaked:
            problems.append(Problem("leak", "pack file", key, reader.key, describe(leaked)))
        spec = COPY_SPECS[key]
        missing = {spec.name, DIALOGUE_SPECS[spec.dialogue].title} - found
        if missing:
            problems.append(Problem("control", "pack file", key, reader.key, describe(missing)))
        out = {t for t in sentinels_in(metadata) if not W.may_leave(t)}
        if out:
            problems.append(Problem("outbound", "pack file metadata", key, "-", describe(out)))
    return problems
