"""Reads of non-papers, their versions and caucus comments: each only as far as the
confidentiality module shows it (rule 12). A viewer who may not see a non-paper or a version
gets 404; the comments a page shows are the viewer's side's (or, for the convening team, every
side's), and nothing a page shows depends on another side's comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404

from participants.models import Membership, Person

from ..confidentiality import Viewer, can_plan, listed, noted, readable_levels, resolve, visible
from ..models import CaucusComment, Dialogue, Idea, NonPaper, NonPaperVersion, Side
from . import diff

State = NonPaperVersion.State


def _non_papers() -> QuerySet[NonPaper]:
    return NonPaper.objects.select_related("level").prefetch_related(
        Prefetch("ideas", queryset=Idea.objects.order_by("created_at", "id"))
    )


@dataclass
class Listed:
    non_paper: NonPaper
    latest: int | None  # the latest version the viewer may read (None: none yet)
    latest_state: str | None


def non_papers_listed(*, viewer: Viewer, dialogue: Dialogue) -> list[Listed]:
    """The dialogue's non-papers the viewer may see, newest first, each with the latest version
    they may read (for the sides: circulated; a non-paper not yet circulated is listed for the
    convening team only), each recorded as listed. Three queries, however many."""
    versions = visible(viewer, NonPaperVersion, dialogue_id=dialogue.pk)
    latest = dict(
        versions.values("non_paper_id")
        .annotate(latest=Max("number"))
        .values_list("non_paper_id", "latest")
    )
    states = {
        (v.non_paper_id, v.number): v.state
        for v in versions.filter(
            non_paper_id__in=list(latest), number__in=set(latest.values())
        ).only("non_paper_id", "number", "state")
    }
    found = []
    for non_paper in visible(
        viewer, _non_papers().filter(dialogue=dialogue), dialogue_id=dialogue.pk
    ).order_by("-created_at", "-id"):
        number = latest.get(non_paper.pk)
        if number is None:
            continue
        listed(non_paper, dialogue_id=dialogue.pk)
        found.append(Listed(non_paper, number, states.get((non_paper.pk, number))))
    return found


def non_paper_for(*, viewer: Viewer, dialogue_id: int, non_paper_id: int) -> NonPaper:
    """A non-paper the viewer may see (noted as the page's subject), or 404."""
    try:
        return resolve(
            viewer,
            _non_papers().filter(dialogue_id=dialogue_id),
            pk=non_paper_id,
            dialogue_id=dialogue_id,
        )
    except NonPaper.DoesNotExist:
        raise Http404 from None


def versions_of(*, viewer: Viewer, non_paper: NonPaper) -> list[NonPaperVersion]:
    """The versions of the non-paper the viewer may read, in order (the sides: circulated)."""
    return list(
        visible(
            viewer,
            NonPaperVersion.objects.filter(non_paper=non_paper).defer("paragraphs"),
            dialogue_id=non_paper.dialogue_id,
        ).order_by("number")
    )


def version_for(
    *, viewer: Viewer, non_paper: NonPaper, number: int | None, note: bool = True
) -> NonPaperVersion:
    """One version the viewer may read (``number`` None: the latest), noted as the page's
    subject (unless ``note`` is false), or 404."""
    versions = visible(
        viewer,
        NonPaperVersion.objects.filter(non_paper=non_paper).select_related("frozen_by"),
        dialogue_id=non_paper.dialogue_id,
    )
    found = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if found is None:
        raise Http404
    found.non_paper = non_paper
    if not note:
        return found
    return noted(found, dialogue_id=non_paper.dialogue_id, number=found.number)


def working_version(*, viewer: Viewer, non_paper: NonPaper) -> NonPaperVersion:
    """The working version, for the convening team (404 for anyone else, or if none)."""
    if not can_plan(viewer, non_paper.dialogue_id):
        raise Http404
    found = NonPaperVersion.objects.filter(non_paper=non_paper, state=State.WORKING).first()
    if found is None:
        raise Http404
    found.non_paper = non_paper
    return noted(found, dialogue_id=non_paper.dialogue_id, number=found.number)


# -- a version's paragraphs and the comments on them ---------------------------------------------


@dataclass
class Thread:
    """One side's comments on one paragraph, as the viewer may read them."""

    side: Side
    comments: list[CaucusComment] = field(default_factory=list)
    form_here: bool = False  # the comment form shown again with its errors is this thread's


@dataclass
class ParagraphView:
    number: int
    paragraph_id: int
    text: str
    threads: list[Thread] = field(default_factory=list)


def paragraphs_with_threads(
    *, viewer: Viewer, version: NonPaperVersion, sides: list[Side]
) -> list[ParagraphView]:
    """The version's paragraphs, numbered, each with the comments the viewer may read on it
    made on this version or an earlier one (a paragraph keeps its comments across versions),
    one thread per side in ``sides`` (the viewer's own side, or every side for the convening
    team), each comment recorded as listed. One query."""
    dialogue_id = version.non_paper.dialogue_id
    views = [
        ParagraphView(number=n, paragraph_id=p["id"], text=p["text"])
        for n, p in enumerate(version.paragraphs, start=1)
    ]
    if not sides:
        return views
    by_paragraph = {v.paragraph_id: v for v in views}
    threads: dict[tuple[int, int], Thread] = {}
    for view in views:
        for side in sides:
            thread = Thread(side)
            view.threads.append(thread)
            threads[(view.paragraph_id, side.pk)] = thread
    comments = visible(
        viewer,
        CaucusComment.objects.filter(
            paragraph_id__in=list(by_paragraph),
            version__number__lte=version.number,
            side_id__in=[s.pk for s in sides],
        )
        .select_related("author", "version")
        .order_by("created_at", "id"),
        dialogue_id=dialogue_id,
    )
    for comment in comments:
        threads[(comment.paragraph_id, comment.side_id)].comments.append(comment)
        listed(comment, dialogue_id=dialogue_id)
    return views


def sides_for_threads(*, viewer: Viewer, dialogue: Dialogue, side_id: int | None) -> list[Side]:
    """Whose threads a version's page shows the viewer: every side but the third party for the
    convening team (viewing as one of the team too), the viewer's own side for a participant of
    one, the side of the member the team views as (issue 17), nobody's for anyone else."""
    sides = Side.objects.filter(dialogue=dialogue, is_third_party=False).order_by(
        "position", "name"
    )
    if can_plan(viewer, dialogue.pk):  # viewing as a member: only if they convene too
        return list(sides)
    if side_id is None:
        return []
    return list(sides.filter(pk=side_id))


def caucus_side_for_view_as(*, viewer: Viewer, dialogue_id: int) -> int | None:
    """The side of the member the convening team views the dialogue as, if its caucus is one
    (their grant there holds it: ``viewer.parts``' member)."""
    if viewer.viewing_as is None:
        return None
    member, _team = viewer.parts
    grant = member.grant(dialogue_id)
    return None if grant is None else grant.caucus_side_id


# -- comparing two versions ----------------------------------------------------------------------


def compare_versions(
    *, viewer: Viewer, non_paper: NonPaper, before: int, after: int
) -> tuple[NonPaperVersion, NonPaperVersion, list[diff.ParagraphChange]]:
    """Two versions the viewer may read, compared paragraph by paragraph and word by word (404
    if either is not theirs to read). No comment enters a comparison."""
    first = version_for(viewer=viewer, non_paper=non_paper, number=before, note=False)
    second = version_for(viewer=viewer, non_paper=non_paper, number=after, note=False)
    noted(non_paper, dialogue_id=non_paper.dialogue_id, versions=[first.number, second.number])
    return first, second, diff.compare(first.paragraphs, second.paragraphs)


# -- what the forms offer ------------------------------------------------------------------------


def ideas_to_draft_from(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[Idea]:
    return visible(
        viewer,
        Idea.objects.filter(dialogue=dialogue)
        .exclude(state=Idea.State.SET_ASIDE)
        .select_related("level"),
        dialogue_id=dialogue.pk,
    ).order_by("-created_at", "-id")


def levels_for(*, viewer: Viewer, dialogue_id: int):
    return readable_levels(viewer, dialogue_id)


def people_to_name(*, dialogue: Dialogue) -> QuerySet[Person]:
    return Person.objects.filter(
        memberships__dialogue=dialogue, memberships__state=Membership.State.ACCEPTED
    ).order_by("full_name", "pk")


def comment_counts_by_side(
    *, viewer: Viewer, non_paper: NonPaper, sides: list[Side]
) -> list[tuple[Side, int]]:
    """For the convening team: how many comments each side made on the non-paper, in
    ``sides``' order. Empty for anyone else: no count ever reaches a side."""
    if not can_plan(viewer, non_paper.dialogue_id) or viewer.viewing_as is not None:
        return []
    rows = (
        visible(viewer, CaucusComment, dialogue_id=non_paper.dialogue_id)
        .filter(version__non_paper=non_paper)
        .filter(~Q(by_team=True))
        .values_list("side_id")
    )
    counts: dict[int, int] = {}
    for (side_id,) in rows:
        counts[side_id] = counts.get(side_id, 0) + 1
    return [(side, counts.get(side.pk, 0)) for side in sides]
