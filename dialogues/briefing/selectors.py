"""Reads for briefing packs.

``pack_contents`` collects everything one copy of a pack holds, as its recipient (an official at
a clearance) may see it, in a fixed number of queries whatever the number of sessions, items,
outcomes or ideas: every row passes through ``dialogues.confidentiality.visible``. A pack that
sends a circulated version of a non-paper (issue 19) holds that text only, and never a comment
on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from participants.models import Membership, Person
from trackii.lists import Sort, both_ways

from ..confidentiality import (
    Viewer,
    grantable_levels,
    listed,
    names_may_accompany,
    noted,
    speakers_may_accompany,
    viewer_for_official,
    visible,
)
from ..models import (
    AgendaItem,
    AgendaVersion,
    BriefingPack,
    BriefingPackCopy,
    Dialogue,
    Idea,
    NonPaper,
    NonPaperVersion,
    Official,
    Outcome,
    PublishedAgendaItem,
    Session,
)

# -- what one copy holds -------------------------------------------------------------------------


@dataclass
class PackOutcome:
    outcome: Outcome
    # Names printed next to it: only when on the record, never under Chatham House.
    named_speakers: list[str]


@dataclass
class PackSession:
    session: Session
    items: list[PublishedAgendaItem] = field(default_factory=list)
    outcomes: list[PackOutcome] = field(default_factory=list)


@dataclass
class PackIdea:
    idea: Idea
    # Who put it forward: only when every source is on the record, never under Chatham House.
    named_speakers: list[str]


@dataclass
class PackParagraph:
    number: int  # from 1, as the copy prints it
    paragraph_id: int
    text: str


@dataclass
class PackNonPaper:
    """The circulated version of a non-paper a pack sends: its words, never a comment."""

    version: NonPaperVersion  # its ``non_paper`` loaded
    paragraphs: list[PackParagraph]
    # The ideas it derives from: what the copy carries, for the transfer log.
    idea_ids: list[int]

    @property
    def non_paper(self) -> NonPaper:
        return self.version.non_paper


@dataclass
class PackContents:
    dialogue: Dialogue
    sessions: list[PackSession]
    # The proposals: the dialogue's ideas the recipient may see, set-aside ones left out.
    ideas: list[PackIdea] = field(default_factory=list)
    # A pack sending a non-paper holds that text alone (``non_paper``: None if the recipient may
    # not read it, and the copy then holds nothing).
    sends_non_paper: bool = False
    non_paper: PackNonPaper | None = None

    @property
    def outcome_count(self) -> int:
        return sum(len(s.outcomes) for s in self.sessions)

    @property
    def carried_idea_ids(self) -> list[int]:
        """The ideas the copy carries (``BriefingPackCopy.ideas``): its proposals, or the ideas
        of the non-paper it sends."""
        if self.non_paper is not None:
            return list(self.non_paper.idea_ids)
        return [proposal.idea.pk for proposal in self.ideas]


def pack_changed_since_render(pack: BriefingPack) -> bool:
    """Whether anything a copy of the pack prints may have changed since its oldest copy was
    rendered: the dialogue (its summary), one of the pack's sessions, a working agenda item of
    them (a level raised, readers taken off: what readers may see tightens at once), an outcome,
    an idea of the dialogue (new, or its state moved: the proposals), a new publication, or a
    deletion recorded in the trail; for a pack sending a non-paper, also the non-paper (its
    level or title) or the version. A copy made before is not what its recipient may be sent
    now: it is rendered again first."""
    from trackii.audit.models import AuditEntry

    rendered = [c.rendered_at for c in pack.copies.all() if c.rendered_at is not None]
    if not rendered:
        return False
    since = min(rendered)
    chosen = list(pack.sessions.values_list("pk", flat=True))
    sessions = Session.objects.filter(dialogue_id=pack.dialogue_id)
    if chosen:
        sessions = sessions.filter(pk__in=chosen)
    return (
        Dialogue.objects.filter(pk=pack.dialogue_id, updated_at__gt=since).exists()
        or sessions.filter(updated_at__gt=since).exists()
        or AgendaItem.objects.filter(session__in=sessions, updated_at__gt=since).exists()
        or Outcome.objects.filter(session__in=sessions, updated_at__gt=since).exists()
        or AgendaVersion.objects.filter(session__in=sessions, published_at__gt=since).exists()
        or Idea.objects.filter(dialogue_id=pack.dialogue_id, updated_at__gt=since).exists()
        or _non_paper_changed(pack, since)
        or AuditEntry.objects.filter(
            dialogue_id=pack.dialogue_id, action=AuditEntry.Action.DELETED, at__gt=since
        ).exists()
    )


def _non_paper_changed(pack: BriefingPack, since) -> bool:
    if pack.non_paper_version_id is None:
        return False
    return (
        NonPaper.objects.filter(versions=pack.non_paper_version_id, updated_at__gt=since).exists()
        or NonPaperVersion.objects.filter(
            pk=pack.non_paper_version_id, updated_at__gt=since
        ).exists()
    )


def non_paper_unread_by(pack: BriefingPack) -> list[int]:
    """The numbers of the pack's copies whose recipient may not read the non-paper version it
    sends as things stand now (its level raised, or an idea it derives from narrowed, since the
    request): such a copy holds nothing of it. Empty for any other pack. One query for the
    copies, and two for each clearance among them (``non_paper_readable_at``)."""
    if pack.non_paper_version_id is None:
        return []
    readable: dict[int, bool] = {}
    unread = []
    for copy in pack.copies.select_related("clearance").order_by("number"):
        if copy.clearance_id not in readable:
            readable[copy.clearance_id] = non_paper_readable_at(
                copy.clearance, dialogue_id=pack.dialogue_id, version_id=pack.non_paper_version_id
            )
        if not readable[copy.clearance_id]:
            unread.append(copy.number)
    return unread


def non_paper_readable_at(clearance, *, dialogue_id: int, version_id: int) -> bool:
    """Whether an official at ``clearance`` may read this version of a non-paper of the
    dialogue (rule 12: circulated, the non-paper's level and every idea it derives from). Two
    queries (one for the scale of levels)."""
    official = viewer_for_official(dialogue_id=dialogue_id, clearance=clearance)
    return (
        visible(official, NonPaperVersion, dialogue_id=dialogue_id)
        .filter(pk=version_id, state=NonPaperVersion.State.CIRCULATED)
        .exists()
    )


def pack_contents(*, pack: BriefingPack, clearance) -> PackContents:
    """What a copy at ``clearance`` holds: the pack's sessions (all of the dialogue's if none
    were chosen), each with its current published agenda and its outcomes, and the dialogue's
    proposals (``pack_ideas``), as an official at that clearance may see them. At most eight
    queries (one for the scale of levels), however large the pack. A pack sending a non-paper
    holds that version alone (``pack_non_paper``)."""
    viewer = viewer_for_official(dialogue_id=pack.dialogue_id, clearance=clearance)
    if pack.non_paper_version_id is not None:
        return PackContents(
            dialogue=pack.dialogue,
            sessions=[],
            sends_non_paper=True,
            non_paper=pack_non_paper(
                viewer, dialogue_id=pack.dialogue_id, version_id=pack.non_paper_version_id
            ),
        )
    chosen = list(pack.sessions.values_list("pk", flat=True))
    in_pack = Session.objects.filter(dialogue_id=pack.dialogue_id)
    if chosen:
        in_pack = in_pack.filter(pk__in=chosen)
    sessions = list(visible(viewer, in_pack.select_related("level")).order_by("start", "id"))
    by_id = {s.pk: PackSession(session=s) for s in sessions}

    items = visible(
        viewer,
        PublishedAgendaItem.objects.filter(
            session_id__in=by_id, version__number=F("session__published_version")
        ).select_related("level"),
    ).order_by("session_id", "order", "id")
    for item in items:
        by_id[item.session_id].items.append(item)

    outcomes = (
        visible(viewer, Outcome.objects.filter(session_id__in=by_id))
        .select_related("level")
        .prefetch_related(Prefetch("speakers", queryset=Person.objects.order_by("full_name")))
        .order_by("session_id", "position", "id")
    )
    for outcome in outcomes:
        names = (
            [p.full_name for p in outcome.speakers.all()] if names_may_accompany(outcome) else []
        )
        by_id[outcome.session_id].outcomes.append(PackOutcome(outcome, names))
    return PackContents(
        dialogue=pack.dialogue,
        sessions=list(by_id.values()),
        ideas=pack_ideas(viewer, dialogue_id=pack.dialogue_id, chosen=chosen),
    )


def pack_non_paper(viewer: Viewer, *, dialogue_id: int, version_id: int) -> PackNonPaper | None:
    """The version a pack sends as the official ``viewer`` may read it (rule 12: circulated,
    the non-paper's level and every idea it derives from), its paragraphs numbered from 1, with
    the ideas it derives from; None if they may not read it (the copy then holds nothing of
    it). No comment is read. Two queries."""
    version = (
        visible(
            viewer,
            NonPaperVersion.objects.filter(pk=version_id).select_related("non_paper"),
            dialogue_id=dialogue_id,
        )
        .filter(state=NonPaperVersion.State.CIRCULATED)
        .first()
    )
    if version is None:
        return None
    ideas = visible(
        viewer, Idea.objects.filter(non_papers=version.non_paper_id), dialogue_id=dialogue_id
    ).order_by("created_at", "id")
    return PackNonPaper(
        version=version,
        paragraphs=[
            PackParagraph(number, paragraph["id"], paragraph["text"])
            for number, paragraph in enumerate(version.paragraphs, start=1)
        ],
        idea_ids=list(ideas.values_list("pk", flat=True)),
    )


def pack_ideas(viewer: Viewer, *, dialogue_id: int, chosen: list[int]) -> list[PackIdea]:
    """The proposals a copy carries: the dialogue's ideas the official ``viewer`` may see (their
    own level and every one of their sources, rule 8), but those set aside; with sessions
    ``chosen``, only ideas drawn from those sessions alone. Oldest first, each with who put it
    forward only when every source is on the record (``speakers_may_accompany``): an idea from
    a Chatham House outcome travels alone. Two queries (the second only when an idea may name
    its speakers)."""
    ideas = Idea.objects.filter(dialogue_id=dialogue_id).exclude(state=Idea.State.SET_ASIDE)
    if chosen:
        elsewhere = Idea.sources.through.objects.filter(idea_id=OuterRef("pk")).exclude(
            outcome__session_id__in=chosen
        )
        ideas = ideas.exclude(Exists(elsewhere))
    found = list(visible(viewer, ideas, dialogue_id=dialogue_id).order_by("created_at", "id"))
    named = [idea.pk for idea in found if speakers_may_accompany(idea)]
    speakers: dict[int, list[str]] = {}
    if named:
        rows = (
            Idea.sources.through.objects.filter(idea_id__in=named, outcome__speakers__isnull=False)
            .values_list("idea_id", "outcome__speakers__full_name", "outcome__speakers__id")
            .distinct()
            .order_by("idea_id", "outcome__speakers__full_name", "outcome__speakers__id")
        )
        for idea_id, name, _person_id in rows:
            speakers.setdefault(idea_id, []).append(name)
    return [PackIdea(idea, speakers.get(idea.pk, [])) for idea in found]


# -- the packs of a dialogue ---------------------------------------------------------------------


def packs_of(*, dialogue: Dialogue) -> QuerySet[BriefingPack]:
    """A dialogue's packs, for its convening team's list (callers check ``can_plan``), each with
    the non-paper version it sends, if any (its number and title, not its words)."""
    return (
        BriefingPack.objects.filter(dialogue=dialogue)
        .select_related(
            "dialogue", "requested_by__person", "approved_by", "non_paper_version__non_paper"
        )
        .defer("non_paper_version__paragraphs")
        .prefetch_related(
            Prefetch("copies", queryset=BriefingPackCopy.objects.select_related("clearance"))
        )
    )


# -- the packs as a list, and a pack's name ------------------------------------------------------

# The labels are translated when a page shows them (``Sort.label`` is typed ``str``).
_BY_DATE = both_ways(
    "date",
    cast(str, gettext_lazy("Oldest first")),
    cast(str, gettext_lazy("Newest first")),
    "requested_at",
    "pk",
)
# The first is the default: the newest first, as before.
PACK_SORTS: dict[str, Sort] = {"-date": _BY_DATE["-date"], "date": _BY_DATE["date"]}
# What the list may be filtered by: ``BriefingPack.status``, with a ready pack the attribution
# guard holds for review apart ("held"), as the list shows it.
HELD = "held"
PACK_STATES = [
    ("queued", pgettext_lazy("pack", "Queued")),
    ("rendering", pgettext_lazy("pack", "Rendering")),
    ("failed", pgettext_lazy("pack", "Failed")),
    (HELD, pgettext_lazy("pack", "Held for review")),
    ("ready", pgettext_lazy("pack", "Ready")),
    ("released", pgettext_lazy("pack", "Released")),
]


def _status() -> Case:
    """``BriefingPack.status`` computed in the query (failed if any copy failed, else rendering
    or queued while any is, else released once links went out, else ready), so that the list
    can be filtered by it before it is cut into pages."""
    copies = BriefingPackCopy.objects.filter(pack_id=OuterRef("pk"))
    state = BriefingPackCopy.State
    return Case(
        When(Exists(copies.filter(state=state.FAILED)), then=Value("failed")),
        When(Exists(copies.filter(state=state.RENDERING)), then=Value("rendering")),
        When(Exists(copies.filter(state=state.QUEUED)), then=Value("queued")),
        When(released_at__isnull=False, then=Value("released")),
        default=Value("ready"),
    )


def packs_listed(
    *, viewer: Viewer, dialogue: Dialogue, state: str = "", ordering=PACK_SORTS["-date"].ordering
) -> QuerySet[BriefingPack]:
    """A dialogue's packs as its convening team's list shows them (callers check
    ``can_plan``): in ``state`` (one of ``PACK_STATES``; empty means any), each with its copies
    and the sessions the viewer may see among its own (``sessions_seen``, for ``pack_name``)
    and whether the viewer may see the non-paper it sends (``non_paper_seen``): a fixed number
    of queries whatever the number of packs."""
    packs = packs_of(dialogue=dialogue).annotate(
        listed_status=_status(), non_paper_seen=_non_paper_seen(viewer, dialogue.pk)
    )
    if state == HELD:
        packs = packs.filter(listed_status="ready", guard=BriefingPack.Guard.HELD)
    elif state == "ready":
        packs = packs.filter(listed_status="ready").exclude(guard=BriefingPack.Guard.HELD)
    elif state:
        packs = packs.filter(listed_status=state)
    seen = visible(
        viewer, Session.objects.filter(dialogue_id=dialogue.pk), dialogue_id=dialogue.pk
    ).order_by("start", "id")
    return packs.prefetch_related(
        Prefetch("sessions", queryset=seen, to_attr="sessions_seen")
    ).order_by(*ordering)


def _non_paper_seen(viewer: Viewer, dialogue_id: int) -> Exists:
    """Whether the viewer may see the non-paper version a pack sends (in the pack's query)."""
    return Exists(
        visible(
            viewer,
            NonPaperVersion.objects.filter(pk=OuterRef("non_paper_version_id")),
            dialogue_id=dialogue_id,
        )
    )


def _listed(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) > 1:
        return _("%(names)s and %(last)s") % {
            "names": pgettext("list separator", ", ").join(names[:-1]),
            "last": names[-1],
        }
    return names[0] if names else ""


def _recipients_in_words(names: list[str]) -> str:
    """ "A", "A and B", "A and 2 others"."""
    if len(names) > 2:
        rest = len(names) - 1
        return ngettext("%(name)s and %(count)s other", "%(name)s and %(count)s others", rest) % {
            "name": names[0],
            "count": rest,
        }
    return _listed(names)


def _sessions_in_words(titles: list[str]) -> str:
    """ "A", "A and B", "A, B and 1 other session", "A, B and 3 other sessions"."""
    if len(titles) > 2:
        rest = len(titles) - 2
        return ngettext(
            "%(titles)s and %(count)s other session",
            "%(titles)s and %(count)s other sessions",
            rest,
        ) % {"titles": pgettext("list separator", ", ").join(titles[:2]), "count": rest}
    return _listed(titles)


def pack_name(pack: BriefingPack, *, viewer: Viewer) -> str:
    """What the convening team calls a pack: "Briefing on <subject> for <recipients>". The
    subject is the titles of the pack's sessions that the viewer may see (two at most, then how
    many more of those), or the dialogue's title when the pack covers every session or none of
    its sessions is theirs to see: a session above the viewer's clearance is neither named nor
    counted, so the name tells them nothing the register does not. The recipients are named
    as the register names them (two at most, then how many others). ``sessions_seen`` comes
    with ``packs_listed``; for another pack it is asked here (one query).

    A pack sending a non-paper is "Non-paper “<title>”, version N for <recipients>"; the
    title only if the viewer may see the non-paper (``non_paper_seen`` from ``packs_listed``,
    or asked here: one query)."""
    recipients = [copy.recipient_name for copy in sorted(pack.copies.all(), key=_copy_number)]
    named = _recipients_in_words(recipients)
    if pack.non_paper_version_id is not None:
        subject = _non_paper_subject(pack, viewer=viewer)
    else:
        subject = _("Briefing on %(subject)s") % {"subject": _sessions_subject(pack, viewer=viewer)}
    if not named:
        return subject
    return _("%(subject)s for %(recipients)s") % {"subject": subject, "recipients": named}


def pack_non_paper_seen(pack: BriefingPack, *, viewer: Viewer) -> bool:
    """Whether the viewer may see the non-paper version the pack sends (``non_paper_seen``
    when it came with ``packs_listed``; otherwise one query)."""
    if pack.non_paper_version_id is None:
        return False
    seen = getattr(pack, "non_paper_seen", None)
    if seen is None:
        seen = visible(
            viewer,
            NonPaperVersion.objects.filter(pk=pack.non_paper_version_id),
            dialogue_id=pack.dialogue_id,
        ).exists()
    return bool(seen)


def _non_paper_subject(pack: BriefingPack, *, viewer: Viewer) -> str:
    version = pack.non_paper_version
    assert version is not None
    seen = pack_non_paper_seen(pack, viewer=viewer)
    if not seen:
        return _("Non-paper (above your clearance), version %(number)s") % {
            "number": version.number
        }
    return _("Non-paper “%(title)s”, version %(number)s") % {
        "title": version.non_paper.title,
        "number": version.number,
    }


def _sessions_subject(pack: BriefingPack, *, viewer: Viewer) -> str:
    seen = getattr(pack, "sessions_seen", None)
    if seen is None:
        seen = list(
            visible(viewer, pack.sessions.all(), dialogue_id=pack.dialogue_id).order_by(
                "start", "id"
            )
        )
    titles = [session.title for session in seen]
    return _sessions_in_words(titles) if titles else pack.dialogue.title


def _copy_number(copy: BriefingPackCopy) -> int:
    return copy.number


def pack_for(*, dialogue: Dialogue, pack_id: int) -> BriefingPack:
    """A pack of a dialogue the caller found the viewer plans, or 404 (noted as the page's
    subject)."""
    try:
        pack = (
            packs_of(dialogue=dialogue)
            # The page names the people who requested, approved and reviewed it.
            .select_related("reviewed_by__person", "requested_by__person", "approved_by__person")
            .prefetch_related("sessions")
            .get(pk=pack_id)
        )
    except BriefingPack.DoesNotExist:
        raise Http404 from None
    return noted(pack, dialogue_id=dialogue.pk)


def packs_awaiting_approval(*, dialogue: Dialogue) -> int:
    """How many of the dialogue's packs wait for a facilitator's approval: not released, and
    every copy rendered (for its convening team's overview; one query)."""
    return (
        BriefingPack.objects.filter(dialogue=dialogue, released_at__isnull=True)
        .annotate(
            copy_count=Count("copies"),
            unready=Count("copies", filter=~Q(copies__state=BriefingPackCopy.State.READY)),
        )
        .filter(copy_count__gt=0, unready=0)
        .count()
    )


def copy_for(*, pack: BriefingPack, copy_id: int) -> BriefingPackCopy:
    """A copy of a pack found by ``pack_for``, or 404 (noted as the page's subject, for the
    register's downloads: by the convening team)."""
    try:
        copy = pack.copies.select_related("clearance").get(pk=copy_id)
    except BriefingPackCopy.DoesNotExist:
        raise Http404 from None
    return noted(
        copy, dialogue_id=pack.dialogue_id, via="convening_team", pack=pack.pk, number=copy.number
    )


def member_names_of(*, dialogue_id: int) -> list[tuple[int, list[str]]]:
    """Every member's names (full, family, other names, original script) and affiliation, for
    the attribution guard: (person id, names). Members in any state: a nominee's name leaks
    as much as a participant's."""
    rows = Membership.objects.filter(dialogue_id=dialogue_id).values_list(
        "person_id",
        "person__full_name",
        "person__family_name",
        "person__name_original_script",
        "person__other_names",
        "person__affiliation",
    )
    result = []
    for person_id, full, family, original, others, affiliation in rows:
        names = [full, family, original, affiliation, *others.splitlines()]
        result.append((person_id, [n.strip() for n in names if n and n.strip()]))
    return result


def ideas_carried(*, pack: BriefingPack, viewer: Viewer) -> dict[int, list[Idea]]:
    """For the distribution register: the ideas each copy carried, per copy id, oldest first,
    as far as the viewer may see them (one query; each shown idea recorded as listed). An idea
    the viewer may not see is left out, and nothing says one was."""
    seen = visible(
        viewer, Idea.objects.filter(dialogue_id=pack.dialogue_id), dialogue_id=pack.dialogue_id
    )
    rows = (
        BriefingPackCopy.ideas.through.objects.filter(
            briefingpackcopy__pack_id=pack.pk, idea__in=seen
        )
        .select_related("idea")
        .order_by("idea__created_at", "idea_id")
    )
    result: dict[int, list[Idea]] = {}
    shown: set[int] = set()
    for row in rows:
        result.setdefault(row.briefingpackcopy_id, []).append(row.idea)
        if row.idea_id not in shown:
            shown.add(row.idea_id)
            listed(row.idea, dialogue_id=pack.dialogue_id)
    return result


@dataclass
class Download:
    at: object
    by: str  # the account's e-mail, or "recipient's link"
    ip_address: str | None
    actor: object = None  # the account (its person loaded), shown by name; None for a link


def downloads_of(*, pack: BriefingPack) -> dict[int, list[Download]]:
    """The register's downloads, per copy id, from the audit trail (one query)."""
    from django.contrib.contenttypes.models import ContentType

    from trackii.audit.models import AuditEntry

    copy_ids = [str(c.pk) for c in pack.copies.all()]
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.DOWNLOADED,
        content_type=ContentType.objects.get_for_model(BriefingPackCopy),
        object_id__in=copy_ids,
    ).select_related("actor", "actor__person")
    result: dict[int, list[Download]] = {}
    for entry in entries.order_by("at", "id"):
        who = entry.actor.email if entry.actor else _("the recipient's link")
        result.setdefault(int(entry.object_id), []).append(
            Download(at=entry.at, by=who, ip_address=entry.ip_address, actor=entry.actor)
        )
    return result


@dataclass
class Finding:
    copy_number: int
    person: Person
    place: str  # where the name stands, for the convening team's review page
    url: str | None  # where to mend it, if it can be mended in Trackii


def guard_findings_of(*, pack: BriefingPack, viewer: Viewer) -> list[Finding]:
    """What the attribution guard found, resolved for the convening team's review page (one
    query per kind of place found, and one for the people). A place above the viewer's own
    clearance (a copy for a recipient cleared higher) is not named to them."""
    rows = [(copy.number, finding) for copy in pack.copies.all() for finding in copy.guard_findings]
    if not rows:
        return []

    def ids(kind: str) -> set[int]:
        return {finding[kind] for _, finding in rows if kind in finding}

    def seen(queryset: QuerySet, kind: str) -> dict:
        wanted = ids(kind)
        if not wanted:
            return {}
        return {row.pk: row for row in visible(viewer, queryset.filter(pk__in=wanted))}

    outcomes = seen(Outcome.objects.select_related("session"), "outcome")
    items = seen(PublishedAgendaItem.objects.select_related("session"), "item")
    sessions = seen(Session.objects.all(), "session")
    ideas = seen(Idea.objects.all(), "idea")
    text = _non_paper_found(pack, viewer) if ids("paragraph") | ids("non_paper") else None
    people = Person.objects.in_bulk({finding["person"] for _, finding in rows})
    dialogue_id = pack.dialogue_id

    def place(finding: dict) -> tuple[str, str | None] | None:
        if "outcome" in finding and finding["outcome"] in outcomes:
            outcome = outcomes[finding["outcome"]]
            return _("an outcome of %(session)s") % {"session": outcome.session.title}, reverse(
                "dialogues:outcome_edit", args=[dialogue_id, outcome.session_id, outcome.pk]
            )
        if "item" in finding and finding["item"] in items:
            item = items[finding["item"]]
            url = (
                reverse(
                    "dialogues:agenda_item_edit",
                    args=[dialogue_id, item.session_id, item.source_id],
                )
                if item.source_id
                else None
            )
            return _("the agenda item “%(item)s” of %(session)s") % {
                "item": item.title,
                "session": item.session.title,
            }, url
        if "session" in finding and finding["session"] in sessions:
            session = sessions[finding["session"]]
            return _("the title of the session %(session)s") % {"session": session.title}, reverse(
                "dialogues:session_edit", args=[dialogue_id, session.pk]
            )
        if "idea" in finding and finding["idea"] in ideas:
            # Ideas are not edited: set aside, one leaves the packs rendered after.
            idea = ideas[finding["idea"]]
            return _("the proposal “%(title)s” (set it aside to leave it out)") % {
                "title": idea.title
            }, reverse("dialogues:idea_detail", args=[dialogue_id, idea.pk])
        if "summary" in finding:
            return _("the dialogue's briefing summary"), reverse(
                "dialogues:dialogue_edit", args=[dialogue_id]
            )
        if "note" in finding:
            return _("this pack's note (request a new pack without it)"), None
        if {"outcome", "item", "session", "idea", "paragraph", "non_paper"} & set(finding):
            # Gone since, or above the viewer's clearance: which one is not said either.
            return _("material you cannot see (above your clearance, or removed since)"), None
        return None

    found = []
    for number, finding in rows:
        where = (text.place(finding) if text is not None else None) or place(finding)
        if where is not None and finding["person"] in people:
            found.append(Finding(number, people[finding["person"]], *where))
    return found


@dataclass
class _NonPaperFound:
    """The version a pack sends, for naming where in it the guard found a name."""

    version: NonPaperVersion
    numbers: dict[int, int]  # paragraph id: its number in the version

    def place(self, finding: dict) -> tuple[str, str | None] | None:
        """Where the finding stands in the version (None: elsewhere, or not in it)."""
        non_paper = self.version.non_paper
        # A circulated version is frozen: the name goes in the working version, which is
        # circulated and sent in turn.
        url = reverse("dialogues:non_paper_edit", args=[non_paper.dialogue_id, non_paper.pk])
        values = {"title": non_paper.title, "version": self.version.number}
        if "non_paper" in finding:
            return _(
                "the title of the non-paper “%(title)s”, version %(version)s (mend the working "
                "version, circulate it and send that one)"
            ) % values, url
        paragraph = finding.get("paragraph")
        number = None if paragraph is None else self.numbers.get(paragraph)
        if number is None:
            return None
        return _(
            "paragraph %(number)s of the non-paper “%(title)s”, version %(version)s (mend the "
            "working version, circulate it and send that one)"
        ) % {**values, "number": number}, url


def _non_paper_found(pack: BriefingPack, viewer: Viewer) -> _NonPaperFound | None:
    """The version the pack sends, if the viewer may see it (one query)."""
    if pack.non_paper_version_id is None:
        return None
    version = (
        visible(
            viewer,
            NonPaperVersion.objects.filter(pk=pack.non_paper_version_id).select_related(
                "non_paper"
            ),
            dialogue_id=pack.dialogue_id,
        )
        .filter(non_paper__dialogue_id=pack.dialogue_id)
        .first()
    )
    if version is None:
        return None
    numbers = {p["id"]: n for n, p in enumerate(version.paragraphs, start=1)}
    return _NonPaperFound(version, numbers)


# -- for the staff's pages (``trackii.ops``) -----------------------------------------------------


def copies_linked_to(*, emails) -> QuerySet[BriefingPackCopy]:
    """Copies with a live link sent to one of ``emails`` (compared without regard to case)."""
    if not emails:
        return BriefingPackCopy.objects.none()
    addressed = Q()
    for email in emails:
        addressed |= Q(recipient_email__iexact=email)
    return BriefingPackCopy.objects.filter(addressed).exclude(link_nonce="")


def copy_content_type():
    """The content type the audit trail names a pack's copy by."""
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(BriefingPackCopy)


def copy_numbers_of(*, content_type, object_id: str) -> dict[str, int]:
    """For a briefing pack named in the audit trail (``content_type``, ``object_id``): its
    copies' numbers by copy id (as the trail writes ids); nothing for anything else."""
    if content_type.model_class() is not BriefingPack or not object_id.isdigit():
        return {}
    copies = BriefingPackCopy.objects.filter(pack_id=int(object_id))
    return {str(pk): number for pk, number in copies.values_list("pk", "number")}


# -- whom a pack may go to -----------------------------------------------------------------------


def non_paper_version_to_send(
    *, viewer: Viewer, dialogue: Dialogue, version_id: int
) -> NonPaperVersion:
    """A circulated version of one of the dialogue's non-papers that the viewer may read, to send
    to officials (noted as the page's subject), or 404: a working or internal version is never
    sent."""
    version = (
        visible(
            viewer,
            NonPaperVersion.objects.select_related("non_paper").defer("paragraphs"),
            dialogue_id=dialogue.pk,
        )
        .filter(
            pk=version_id,
            state=NonPaperVersion.State.CIRCULATED,
            non_paper__dialogue_id=dialogue.pk,
        )
        .first()
    )
    if version is None:
        raise Http404
    return noted(version, dialogue_id=dialogue.pk, number=version.number)


def officials_to_brief(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[Official]:
    """The officials of the dialogue's register the viewer may send a pack to: not retired, and
    cleared no higher than the viewer may give (a pack holds only what its requester may read).
    By name, each with its clearance."""
    return (
        Official.objects.filter(
            dialogue=dialogue,
            retired_at__isnull=True,
            clearance__in=grantable_levels(viewer, dialogue.pk),
        )
        .select_related("clearance")
        .order_by("name", "pk")
    )
