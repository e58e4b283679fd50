"""Briefing packs: request, render (the job), the attribution guard, review, release, links.

The job's life: a copy is ``queued`` when the request commits; a worker claims it
(``rendering``, one more attempt), renders it and stores the file (``ready``), or records why it
could not (``failed``). The task is idempotent: a copy already ready or failed is left alone, and
only the attempt that holds the latest claim may store its result, so a copy ends ready exactly
once however often its message is delivered. A worker that dies mid-render leaves the message
unacknowledged (late acknowledgement, reject on worker lost): it is delivered again and the next
claim counts one more attempt; after ``BRIEFING_MAX_ATTEMPTS`` the copy fails with the reason.
The sweeper requeues copies whose message was lost.

The unit of work is a group (issue 21): the copies of one pack at one clearance and in one
language, which print the same text. One message carries a group's copy ids; its task claims
them all (each copy its own attempt), lays the text out once (the base) and every copy's marks
once, merges them (``stamping``), stores every file, and then marks the copies ready in one
transaction, each only if its claim still holds. A worker that dies anywhere before that commit
leaves every copy of the group ``rendering`` and the message unacknowledged: the next delivery
claims them again and renders the whole group; copies that a superseding attempt already ended
are skipped. So each copy still ends ready exactly once, and its files from a dead attempt are
orphans that ``pack_files_sweep`` deletes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackii.audit.services import Action, audit_record
from trackii.i18n import in_language

from .. import pdf
from ..confidentiality import Viewer, can_plan, grantable_levels, visible
from ..models import (
    BriefingPack,
    BriefingPackCopy,
    Dialogue,
    NonPaperVersion,
    Official,
    Outcome,
)
from ..models.briefing import PACKS_DIR
from ..transfers.services import transfers_for_copy
from . import exports, stamping, tasks
from .selectors import (
    PackContents,
    member_names_of,
    non_paper_readable_at,
    non_paper_unread_by,
    pack_changed_since_render,
    pack_contents,
)

logger = logging.getLogger(__name__)

State = BriefingPackCopy.State
Guard = BriefingPack.Guard
LINK_SALT = "trackii.briefing-pack-link"


def render_batches(copy_ids: list[int]) -> list[list[int]]:
    """The copies' ids by group (``group_key``), one message each; in the copies' order."""
    batches: dict[tuple[int, int, str], list[int]] = {}
    copies = (
        BriefingPackCopy.objects.filter(pk__in=copy_ids)
        .select_related("official")
        .only("pk", "pack_id", "clearance_id", "official__language")
        .order_by("pack_id", "number")
    )
    for copy in copies:
        batches.setdefault(group_key(copy), []).append(copy.pk)
    return list(batches.values())


def _enqueue(copy_ids: list[int]) -> None:
    for batch in render_batches(copy_ids):
        tasks.briefing_render_copies.delay(copy_ids=batch)


def _enqueue_on_commit(copy_ids: list[int]) -> None:
    ids = list(copy_ids)
    transaction.on_commit(lambda: _enqueue(ids))


# -- request -------------------------------------------------------------------------------------


@transaction.atomic
def pack_request(
    *,
    dialogue: Dialogue,
    viewer: Viewer,
    requested_by,
    officials: list[Official],
    sessions=(),
    note: str = "",
    non_paper_version: NonPaperVersion | None = None,
) -> BriefingPack:
    """Record the request, one copy per official of the dialogue's register (each copy keeps
    their name, position, institution, e-mail and clearance as they are now), and queue the
    copies once it commits. With ``non_paper_version`` (a circulated version of one of the
    dialogue's non-papers), the pack sends that text alone, to officials who may each read it."""
    if not can_plan(viewer, dialogue.pk):
        raise ValidationError(_("Only the dialogue's convening team may request a briefing pack."))
    officials = list(officials)
    if not officials:
        raise ValidationError({"officials": _("Choose at least one official.")})
    if len(officials) > settings.BRIEFING_MAX_RECIPIENTS:
        raise ValidationError(
            {
                "officials": _("A pack goes to at most %(count)s officials.")
                % {"count": settings.BRIEFING_MAX_RECIPIENTS}
            }
        )
    if len({o.pk for o in officials}) != len(officials):
        raise ValidationError({"officials": _("Each official appears once.")})
    # Read again, locked: as the register stands now (not retired meanwhile, the clearance now).
    current = {
        o.pk: o
        for o in Official.objects.select_for_update(of=("self",))
        .select_related("clearance")
        .filter(pk__in=[o.pk for o in officials])
    }
    officials = [current[o.pk] for o in officials if o.pk in current]
    if len(officials) != len(current) or any(o.dialogue_id != dialogue.pk for o in officials):
        raise ValidationError(
            {"officials": _("Every official must be of this dialogue's register.")}
        )
    retired = [o for o in officials if o.retired_at is not None]
    if retired:
        raise ValidationError(
            {
                "officials": _("%(name)s is retired: reinstate them to brief them.")
                % {"name": retired[0].name}
            }
        )
    # The same rule as for the roster: nobody is given a clearance above the giver's own.
    grantable = set(grantable_levels(viewer, dialogue.pk).values_list("pk", flat=True))
    above = [o for o in officials if o.clearance_id not in grantable]
    if above:
        raise ValidationError(
            {
                "officials": _(
                    "%(name)s's clearance “%(level)s” is above your own: a pack can hold only "
                    "what you may read yourself."
                )
                % {"name": above[0].name, "level": above[0].clearance}
            }
        )
    sessions = list(sessions)
    if any(s.dialogue_id != dialogue.pk for s in sessions):
        raise ValidationError(_("Every session must belong to this dialogue."))
    if non_paper_version is not None:
        if sessions:
            raise ValidationError(
                {
                    "sessions": _(
                        "A pack that sends a non-paper holds that text alone: choose no sessions."
                    )
                }
            )
        non_paper_version = _non_paper_to_send(
            dialogue=dialogue, viewer=viewer, version=non_paper_version, officials=officials
        )

    pack = BriefingPack.objects.create(
        dialogue=dialogue,
        requested_by=requested_by,
        note=note,
        non_paper_version=non_paper_version,
    )
    pack.sessions.set(sessions)
    copies = BriefingPackCopy.objects.bulk_create(
        BriefingPackCopy(
            pack=pack,
            number=number,
            total=len(officials),
            official=official,
            recipient_name=official.name,
            recipient_position=official.position,
            recipient_organisation=official.institution,
            recipient_email=official.email,
            clearance=official.clearance,
        )
        for number, official in enumerate(officials, start=1)
    )
    detail = {
        "copies": len(copies),
        "officials": [o.pk for o in officials],
        "sessions": [s.pk for s in sessions],
    }
    if non_paper_version is not None:
        detail["non_paper_version"] = non_paper_version.pk
    audit_record(
        action=Action.CREATED,
        obj=pack,
        actor=requested_by,
        dialogue_id=dialogue.pk,
        detail=detail,
    )
    _enqueue_on_commit([c.pk for c in copies])
    return pack


def _non_paper_to_send(
    *, dialogue: Dialogue, viewer: Viewer, version: NonPaperVersion, officials: list[Official]
) -> NonPaperVersion:
    """The version as it stands now, if it may be sent: circulated (frozen, read by the sides),
    of one of the dialogue's non-papers, read by the requester, and readable by every official
    at their clearance (rule 12: the non-paper's level and every idea it derives from)."""
    current = (
        visible(
            viewer, NonPaperVersion.objects.select_related("non_paper"), dialogue_id=dialogue.pk
        )
        .filter(pk=version.pk, non_paper__dialogue_id=dialogue.pk)
        .first()
    )
    if current is None:
        raise ValidationError(_("Choose a non-paper of this dialogue that you may read."))
    if current.state != NonPaperVersion.State.CIRCULATED:
        raise ValidationError(
            _(
                "Version %(number)s has not been circulated: only a circulated version of a "
                "non-paper is sent to officials."
            )
            % {"number": current.number}
        )
    readable: dict[int, bool] = {}
    for official in officials:
        if official.clearance_id not in readable:
            readable[official.clearance_id] = non_paper_readable_at(
                official.clearance, dialogue_id=dialogue.pk, version_id=current.pk
            )
        if not readable[official.clearance_id]:
            raise ValidationError(
                {
                    "officials": _(
                        "%(name)s's clearance “%(level)s” does not let them read this non-paper."
                    )
                    % {"name": official.name, "level": official.clearance}
                }
            )
    return current


# -- the attribution guard -----------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_MIN_NAME_LENGTH = 3


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold().split())


def _word_pattern(name: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def attribution_findings(
    contents: PackContents, names: list[tuple[int, list[str]]], *, pack: BriefingPack | None = None
) -> list[dict[str, int]]:
    """Where a member's name (or affiliation) stands in what the pack prints, except beside an
    outcome on the record or a proposal drawn from such outcomes alone (the only places names
    may stand): the pack's note, the dialogue's briefing summary, session titles, agenda items,
    the other outcomes and the other proposals. Ids only, each finding one of {"note": pack
    id}, {"summary": dialogue id}, {"session": id}, {"item": published agenda item id},
    {"outcome": id} or {"idea": id}, with {"person": id}. A pack sending a non-paper prints its
    note, the non-paper's title ({"non_paper": id}) and its paragraphs ({"paragraph": id}):
    names never stand there."""
    # Each pattern compiled once (not per text), and tried only where the name occurs.
    wanted = [
        (person_id, normalised, _word_pattern(normalised))
        for person_id, person_names in names
        for normalised in {_normalise(n) for n in person_names}
        if len(normalised) >= _MIN_NAME_LENGTH
    ]
    findings: list[dict[str, int]] = []

    def scan(place: str, pk: int, *texts: str) -> None:
        text = _normalise("\n".join(t for t in texts if t))
        hit = sorted(
            {pid for pid, name, pattern in wanted if name in text and pattern.search(text)}
        )
        findings.extend({place: pk, "person": pid} for pid in hit)

    if pack is not None:
        scan("note", pack.pk, pack.note)
    if contents.sends_non_paper:
        # A pack sending a non-paper prints its title and paragraphs, and nothing else.
        if contents.non_paper is not None:
            scan("non_paper", contents.non_paper.non_paper.pk, contents.non_paper.non_paper.title)
            for paragraph in contents.non_paper.paragraphs:
                scan("paragraph", paragraph.paragraph_id, paragraph.text)
        return findings
    scan("summary", contents.dialogue.pk, contents.dialogue.briefing_summary)
    for packed in contents.sessions:
        scan("session", packed.session.pk, packed.session.title)
        for item in packed.items:
            scan("item", item.pk, item.title, item.description)
        for entry in packed.outcomes:
            outcome = entry.outcome
            if outcome.attribution != Outcome.Attribution.ON_RECORD:
                scan("outcome", outcome.pk, outcome.summary)
    for proposal in contents.ideas:
        idea = proposal.idea
        if idea.attribution != Outcome.Attribution.ON_RECORD:
            scan("idea", idea.pk, idea.title, idea.summary)
    return findings


# -- the job -------------------------------------------------------------------------------------


def _claim(copy_ids: list[int], worker: str) -> list[BriefingPackCopy]:
    """Take the copies still to render for one attempt each (``copy.attempts`` is the
    attempt), failing those out of attempts. Copies ready, failed or gone are left out."""
    claimed = []
    with transaction.atomic():
        copies = (
            # Only the copies' rows are locked (in one order: no deadlock between workers): the
            # official (for the language) may be absent, and PostgreSQL locks no nullable side
            # of an outer join.
            BriefingPackCopy.objects.select_for_update(of=("self",))
            .select_related("pack__dialogue", "clearance", "official")
            .filter(pk__in=copy_ids)
            .order_by("pk")
        )
        now = timezone.now()
        for copy in copies:
            if copy.state in (State.READY, State.FAILED):
                continue
            if copy.attempts >= settings.BRIEFING_MAX_ATTEMPTS:
                copy.state = State.FAILED
                copy.failure_reason = _(
                    "Rendering was started %(attempts)s times and never finished: the worker "
                    "stopped or crashed each time (last on %(worker)s). Retry once the cause is "
                    "fixed."
                ) % {"attempts": copy.attempts, "worker": copy.worker or _("an unknown worker")}
                copy.save(update_fields=["state", "failure_reason"])
                logger.error("briefing copy %s failed after %s attempts", copy.pk, copy.attempts)
                continue
            copy.state = State.RENDERING
            copy.attempts += 1
            copy.claimed_at = now
            copy.worker = worker[:200]
            copy.save(update_fields=["state", "attempts", "claimed_at", "worker"])
            claimed.append(copy)
    return claimed


def _still_mine(copy_id: int, attempt: int) -> BriefingPackCopy | None:
    copy = BriefingPackCopy.objects.select_for_update().filter(pk=copy_id).first()
    if copy is None or copy.state != State.RENDERING or copy.attempts != attempt:
        return None
    return copy


class RenderedCopy(NamedTuple):
    data: bytes  # the PDF
    pages: int
    findings: list  # the attribution guard's
    idea_ids: list[int]  # the proposals it carries (``BriefingPackCopy.ideas``)
    fingerprint: str  # ``stamping.copy_fingerprint``, in the file's identifiers and layout


def copy_language(copy: BriefingPackCopy) -> str:
    """The language chosen for the copy's recipient in the officials register ("" for
    English, or a copy made for nobody in it)."""
    official = copy.official
    return official.language if official is not None else ""


def group_key(copy: BriefingPackCopy) -> tuple[int, int, str]:
    """The copies that print the same text: one pack, one clearance, one language."""
    return copy.pack_id, copy.clearance_id, copy_language(copy)


def _group_of(copies: list[BriefingPackCopy]) -> list[BriefingPackCopy]:
    """Every copy of the pack in the copies' group, rendered now or not: the base reserves the
    cover's space for all of them, so that it is laid out alike whichever are rendered."""
    key = group_key(copies[0])
    siblings = (
        BriefingPackCopy.objects.select_related("official", "clearance", "pack")
        .filter(pack_id=key[0], clearance_id=key[1])
        .order_by("number")
    )
    return [c for c in siblings if group_key(c) == key] or copies


def render_group_pdfs(copies: list[BriefingPackCopy]) -> list[RenderedCopy]:
    """Render a group's copies (of one pack, at one clearance, in one language): collect what
    their recipients may see, lay it out once in their language (the base), lay every copy's
    marks out at once, merge each copy's marks into the base's pages (``stamping``), and scan
    what the base prints (the attribution guard: the marks are the recipients' own names and
    numbers, not members')."""
    first = copies[0]
    if any(group_key(copy) != group_key(first) for copy in copies):
        raise ValueError("copies of different groups")
    contents = pack_contents(pack=first.pack, clearance=first.clearance)
    group = _group_of(copies)
    with in_language(copy_language(first)):
        base_html = exports.briefing_pack_html(contents=contents, group=group)
        marks_html = exports.briefing_marks_html(contents=contents, copies=copies, group=group)
        titles = [exports.copy_pdf_title(copy) for copy in copies]
    log = pdf.FetchLog()
    base, pages = pdf.render_pdf(base_html, log=log)
    marks, _pages = pdf.render_pdf(marks_html, log=log)
    if log.refused:
        logger.warning("briefing pack %s: %d fetch(es) refused", first.pack_id, len(log.refused))
    fingerprints = [
        stamping.copy_fingerprint(copy_id=copy.pk, attempt=copy.attempts) for copy in copies
    ]
    files = stamping.stamp_copies(
        base,
        marks,
        [
            stamping.CopyMarks(cover=2 * i, running=2 * i + 1, fingerprint=fp, title=title)
            for i, (fp, title) in enumerate(zip(fingerprints, titles, strict=True))
        ],
    )
    findings = attribution_findings(
        contents, member_names_of(dialogue_id=first.pack.dialogue_id), pack=first.pack
    )
    return [
        RenderedCopy(data, pages, findings, contents.carried_idea_ids, fp)
        for data, fp in zip(files, fingerprints, strict=True)
    ]


def render_copy_pdf(copy: BriefingPackCopy) -> RenderedCopy:
    """One copy alone (a group of one): its PDF as a worker renders it."""
    return render_group_pdfs([copy])[0]


def copy_render(*, copy_id: int, worker: str = "") -> str:
    """The job for one copy (a group of one). Returns what happened ("ready", "failed",
    "skipped", "superseded")."""
    return copies_render(copy_ids=[copy_id], worker=worker).get(copy_id, "skipped")


def copies_render(*, copy_ids: list[int], worker: str = "") -> dict[int, str]:
    """The job: render the copies, a group at a time (see the module's docstring). Returns what
    happened to each ("ready", "failed", "skipped", "superseded")."""
    outcomes = dict.fromkeys(copy_ids, "skipped")
    groups: dict[tuple[int, int, str], list[BriefingPackCopy]] = {}
    for copy in _claim(list(copy_ids), worker):
        groups.setdefault(group_key(copy), []).append(copy)
    for copies in groups.values():
        outcomes.update(_group_render(sorted(copies, key=lambda c: c.number)))
    return outcomes


def _group_render(copies: list[BriefingPackCopy]) -> dict[int, str]:
    outcomes: dict[int, str] = {}
    try:
        rendered = render_group_pdfs(copies)
    except Exception as error:  # a broken render is recorded, not retried for ever
        logger.error(
            "briefing copies %s: rendering failed (%s)",
            [c.pk for c in copies],
            type(error).__name__,
        )
        with transaction.atomic():
            for copy in copies:
                current = _still_mine(copy.pk, copy.attempts)
                if current is None:
                    outcomes[copy.pk] = "superseded"
                    continue
                current.state = State.FAILED
                current.failure_reason = _(
                    "The PDF could not be rendered (%(error)s). Retry; if it fails again, tell "
                    "your administrator (the log names this copy's id)."
                ) % {"error": type(error).__name__}
                current.save(update_fields=["state", "failure_reason"])
                outcomes[copy.pk] = "failed"
        return outcomes

    field = BriefingPackCopy._meta.get_field("file")
    stored = [
        field.storage.save(field.generate_filename(copy, "pack.pdf"), ContentFile(result.data))
        for copy, result in zip(copies, rendered, strict=True)
    ]
    with transaction.atomic():
        for copy, result, name in zip(copies, rendered, stored, strict=True):
            current = _still_mine(copy.pk, copy.attempts)
            if current is None:
                # A later attempt holds the claim: its result, not ours, is the copy.
                field.storage.delete(name)
                outcomes[copy.pk] = "superseded"
                continue
            current.file.name = name
            current.sha256 = hashlib.sha256(result.data).hexdigest()
            current.size = len(result.data)
            current.pages = result.pages
            current.fingerprint = result.fingerprint
            current.guard_findings = result.findings
            current.rendered_at = timezone.now()
            current.state = State.READY
            current.failure_reason = ""
            current.save()
            current.ideas.set(result.idea_ids)  # with the file: what the recipient is sent
            outcomes[copy.pk] = "ready"
        if "ready" in outcomes.values():
            _refresh_guard(copies[0].pack_id)
    return outcomes


def _refresh_guard(pack_id: int) -> None:
    """Once every copy is ready, hold the pack if any copy's scan found a name."""
    pack = BriefingPack.objects.select_for_update().get(pk=pack_id)
    copies = list(pack.copies.values_list("state", "guard_findings"))
    if any(state != State.READY for state, _ in copies):
        return
    found = any(findings for _, findings in copies)
    if pack.guard == Guard.REVIEWED:
        return
    pack.guard = Guard.HELD if found else Guard.CLEAR
    pack.save(update_fields=["guard"])


def packs_sweep(*, now=None) -> int:
    """Requeue copies whose job seems lost: queued for longer than
    ``BRIEFING_STALE_QUEUED_SECONDS``, or rendering without an end for longer than
    ``BRIEFING_STALE_RENDERING_SECONDS``. Returns how many were requeued."""
    now = now or timezone.now()
    queued = BriefingPackCopy.objects.filter(
        state=State.QUEUED,
        queued_at__lt=now - timedelta(seconds=settings.BRIEFING_STALE_QUEUED_SECONDS),
    )
    rendering = BriefingPackCopy.objects.filter(
        state=State.RENDERING,
        claimed_at__lt=now - timedelta(seconds=settings.BRIEFING_STALE_RENDERING_SECONDS),
    )
    ids = list(queued.values_list("pk", flat=True)) + list(rendering.values_list("pk", flat=True))
    if ids:
        # Restart each clock, so a backlogged queue is not flooded with duplicates every sweep
        # (each duplicate would use up one of the copy's attempts).
        BriefingPackCopy.objects.filter(pk__in=ids, state=State.QUEUED).update(queued_at=now)
        BriefingPackCopy.objects.filter(pk__in=ids, state=State.RENDERING).update(claimed_at=now)
        _enqueue(ids)
    return len(ids)


def pack_files_sweep(*, now=None) -> int:
    """Delete stored pack files that no copy names: left by a worker that stopped between
    storing a file and recording it (a later attempt renders the copy again). A file younger
    than ``BRIEFING_STALE_RENDERING_SECONDS`` may belong to a render still under way and is
    left alone. Returns how many were deleted."""
    now = now or timezone.now()
    field = BriefingPackCopy._meta.get_field("file")
    storage = field.storage
    try:
        _dirs, names = storage.listdir(PACKS_DIR)
    except FileNotFoundError:
        return 0
    stored = {f"{PACKS_DIR}/{name}" for name in names}
    known = set(BriefingPackCopy.objects.filter(file__in=stored).values_list("file", flat=True))
    old_enough = now - timedelta(seconds=settings.BRIEFING_STALE_RENDERING_SECONDS)
    deleted = 0
    for name in sorted(stored - known):
        if storage.get_modified_time(name) < old_enough:
            storage.delete(name)
            deleted += 1
    return deleted


# -- after rendering: retry, review, release ----------------------------------------------------


def _not_released(pack: BriefingPack) -> None:
    if pack.released_at is not None:
        raise ValidationError(_("This pack has been released; request a new one instead."))


@transaction.atomic
def pack_render_again(*, pack: BriefingPack, by, failed_only: bool) -> int:
    """Queue copies again: the failed ones (retry), or all of them (after outcomes were edited
    to mend what the guard found). Returns how many were queued."""
    pack = BriefingPack.objects.select_for_update().get(pk=pack.pk)
    _not_released(pack)
    of_pack = BriefingPackCopy.objects.select_for_update().filter(pack=pack)
    if failed_only:
        of_pack = of_pack.filter(state=State.FAILED)
    else:
        of_pack = of_pack.exclude(state__in=[State.QUEUED, State.RENDERING])
    copies = list(of_pack)
    storage = BriefingPackCopy._meta.get_field("file").storage
    for copy in copies:
        if copy.file.name:
            storage.delete(copy.file.name)
        copy.file.name = ""
        copy.sha256 = copy.fingerprint = ""
        copy.size = copy.pages = copy.rendered_at = copy.claimed_at = None
        copy.state = State.QUEUED
        copy.attempts = 0
        copy.worker = copy.failure_reason = ""
        copy.guard_findings = []
        copy.queued_at = timezone.now()
        copy.save()
        copy.ideas.clear()  # its next render records what it carries
    pack.guard = Guard.PENDING
    pack.reviewed_by = pack.reviewed_at = None
    pack.review_reason = ""
    pack.save(update_fields=["guard", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(
        action=Action.CHANGED,
        obj=pack,
        actor=by,
        dialogue_id=pack.dialogue_id,
        detail={"render_again": [c.pk for c in copies], "failed_only": failed_only},
    )
    _enqueue_on_commit([c.pk for c in copies])
    return len(copies)


@transaction.atomic
def pack_review(*, pack: BriefingPack, by, reason: str) -> BriefingPack:
    """A facilitator read what the guard found and judged it safe to release (e.g. a name that
    is also a place), saying why."""
    pack = BriefingPack.objects.select_for_update().get(pk=pack.pk)
    _not_released(pack)
    if pack.guard != Guard.HELD:
        raise ValidationError(_("Only a pack held by the attribution guard needs a review."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the names found may stand.")})
    pack.guard = Guard.REVIEWED
    pack.reviewed_by = by
    pack.reviewed_at = timezone.now()
    pack.review_reason = reason.strip()
    pack.save(update_fields=["guard", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(
        action=Action.DECIDED,
        obj=pack,
        actor=by,
        dialogue_id=pack.dialogue_id,
        detail={"guard": "reviewed"},
    )
    return pack


CHANGED_SINCE_RENDER = gettext_lazy(
    "Something the pack prints changed after its copies were rendered (a level raised, an item "
    "edited or deleted, a new version published): render it again, so that no copy holds what "
    "its recipient may no longer be sent."
)


def release_blockers(pack: BriefingPack, *, by) -> list[str]:
    """Why ``by`` may not release the pack now (empty: they may)."""
    copies = list(pack.copies.all())
    reasons = []
    if pack.released_at is not None:
        reasons.append(_("The pack has been released."))
    if any(c.state != State.READY for c in copies):
        reasons.append(_("Every copy must be ready."))
    elif pack.released_at is None and pack_changed_since_render(pack):
        reasons.append(str(CHANGED_SINCE_RENDER))
    if pack.released_at is None:
        for number in non_paper_unread_by(pack):
            reasons.append(
                _(
                    "The recipient of copy %(number)s may no longer read the non-paper this pack "
                    "sends (its level or its ideas changed): request a new pack without them."
                )
                % {"number": number}
            )
    if pack.guard == Guard.HELD:
        reasons.append(
            _(
                "The attribution guard found a member's name where names may not stand: mend "
                "the text and render again, or review it."
            )
        )
    elif pack.guard == Guard.PENDING:
        reasons.append(_("The attribution guard has not yet scanned every copy."))
    if settings.BRIEFING_FOUR_EYES and by is not None and by.pk == pack.requested_by_id:
        reasons.append(_("A second facilitator must approve it: you requested it."))
    return reasons


@transaction.atomic
def pack_release(*, pack: BriefingPack, by) -> BriefingPack:
    """Approve the pack and send each recipient their personal link: each idea a copy carries
    has then reached its official (a transfer each, ``_issue_link``)."""
    pack = BriefingPack.objects.select_for_update().get(pk=pack.pk)
    blockers = release_blockers(pack, by=by)
    if blockers:
        raise ValidationError(blockers)
    pack.approved_by = by
    pack.released_at = timezone.now()
    pack.save(update_fields=["approved_by", "released_at"])
    audit_record(
        action=Action.DECIDED,
        obj=pack,
        actor=by,
        dialogue_id=pack.dialogue_id,
        detail={"released": True},
    )
    for copy in pack.copies.all():
        _issue_link(copy, by=by)
    return pack


# -- links ---------------------------------------------------------------------------------------


def link_token(copy: BriefingPackCopy) -> str:
    """The signed token of the copy's current link (only while it has one)."""
    if not copy.link_nonce:
        raise ValueError("this copy has no link")
    return signing.TimestampSigner(salt=LINK_SALT).sign_object({"c": copy.pk, "n": copy.link_nonce})


def copy_by_token(token: str) -> BriefingPackCopy | None:
    """The copy a link opens, or None: bad signature, older than the links' lifetime, revoked
    or replaced, expired, or its pack not released."""
    max_age = timedelta(days=settings.BRIEFING_LINK_VALID_DAYS)
    try:
        data = signing.TimestampSigner(salt=LINK_SALT).unsign_object(token, max_age=max_age)
        copy_id, nonce = int(data["c"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    copy = (
        BriefingPackCopy.objects.select_related("pack__dialogue", "clearance")
        .filter(pk=copy_id, state=State.READY, pack__released_at__isnull=False)
        .exclude(link_nonce="")
        .first()
    )
    if copy is None or not secrets.compare_digest(copy.link_nonce, nonce):
        return None
    if copy.link_expires_at is None or copy.link_expires_at <= timezone.now():
        return None
    return copy


def _issue_link(copy: BriefingPackCopy, *, by) -> None:
    """A new link for the copy, e-mailed once this commits; each idea the copy carries is
    logged as transferred to its official (once per copy, however often a link is issued)."""
    now = timezone.now()
    copy.link_nonce = secrets.token_hex(16)
    copy.link_issued_at = now
    copy.link_expires_at = now + timedelta(days=settings.BRIEFING_LINK_VALID_DAYS)
    copy.link_revoked_at = None
    copy.save(update_fields=["link_nonce", "link_issued_at", "link_expires_at", "link_revoked_at"])
    audit_record(
        action=Action.CHANGED,
        obj=copy,
        actor=by,
        dialogue_id=copy.pack.dialogue_id,
        detail={"link": "issued"},
    )
    transfers_for_copy(copy=copy, by=by)
    copy_id, nonce = copy.pk, copy.link_nonce
    transaction.on_commit(lambda: tasks.briefing_link_send.delay(copy_id=copy_id, nonce=nonce))


@transaction.atomic
def copy_link_issue(*, copy: BriefingPackCopy, by) -> None:
    """A new link for a released copy (the old one stops working), e-mailed to the recipient."""
    copy = BriefingPackCopy.objects.select_for_update().select_related("pack").get(pk=copy.pk)
    if copy.pack.released_at is None:
        raise ValidationError(_("Links are sent when the pack is released."))
    _issue_link(copy, by=by)


@transaction.atomic
def copy_link_revoke(*, copy: BriefingPackCopy, by) -> None:
    copy = BriefingPackCopy.objects.select_for_update().select_related("pack").get(pk=copy.pk)
    if not copy.link_nonce:
        raise ValidationError(_("This copy has no link to revoke."))
    copy.link_nonce = ""
    copy.link_revoked_at = timezone.now()
    copy.save(update_fields=["link_nonce", "link_revoked_at"])
    audit_record(
        action=Action.CHANGED,
        obj=copy,
        actor=by,
        dialogue_id=copy.pack.dialogue_id,
        detail={"link": "revoked"},
    )


def link_email_send(*, copy_id: int, nonce: str) -> bool:
    """E-mail a recipient their link, if that link is still the copy's current one. The
    message names the cover name only: it says nothing of the dialogue or its content. It is
    written in the language the officials register gives the recipient."""
    from django.urls import reverse

    copy = (
        BriefingPackCopy.objects.select_related("pack__dialogue", "official")
        .filter(pk=copy_id, link_nonce=nonce)
        .first()
    )
    if copy is None or not nonce:
        return False
    link = settings.TRACKII_BASE_URL + reverse("pack_link", args=[link_token(copy)])
    with in_language(copy_language(copy)):
        message = _link_email(copy, link=link)
    message.send()
    return True


def _link_email(copy: BriefingPackCopy, *, link: str):
    """The e-mail with a recipient's link, in the active language."""
    from django.core.mail import EmailMessage

    cover = copy.pack.dialogue.cover_label
    values = {
        "name": copy.recipient_name,
        "cover": cover,
        "number": copy.number,
        "total": copy.total,
        "until": dateformat.format(copy.link_expires_at, "d E Y") if copy.link_expires_at else "",
        "link": link,
    }
    body = "\n".join(
        [
            _("Dear %(name)s,") % values,
            "",
            _(
                "A briefing pack (%(cover)s, copy %(number)s of %(total)s) has been prepared for "
                "you. It is yours alone: please do not forward this message."
            )
            % values,
            "",
            _("Download it here until %(until)s: %(link)s") % values,
            "",
            _(
                "Every download is recorded. If you did not expect this message, ignore it and "
                "tell the person who asked you to receive it."
            ),
        ]
    )
    subject = _("%(cover)s: a briefing pack for you") % values
    return EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        to=[copy.recipient_email],
    )
