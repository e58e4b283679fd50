"""Reads for reports to funders.

``report_figures`` computes what a report holds as a funder sees the dialogue
(``confidentiality.viewer_for_funder``: at most the outbound level, attending nothing, named on
nothing, on no team): every row it counts or names comes through ``visible`` for that viewer.
Two narrowings on top, because the report leaves Trackii: ideas derived from an outcome off the
record are left out altogether (not to be used outside the room), and no person, no side and
not the dialogue's title is ever named (sides are numbered, the dialogue goes by its cover
name). Every count is shown as "<5" below five, zero included, so that no small cell singles
anyone out and no figure says that something hidden exists. A fixed number of queries,
whatever the dialogue's size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Membership, Person

from ..confidentiality import (
    Viewer,
    grantable_levels,
    noted,
    outbound_title,
    reportable_levels,
    viewer_for_funder,
    visible,
)
from ..models import (
    ConfidentialityLevel,
    Dialogue,
    FunderReport,
    Idea,
    ObservedChange,
    Outcome,
    Session,
    Transfer,
)

# Below this, a count is shown as FEWER: a small cell identifies people.
SMALL = 5
FEWER = "<5"


def shown(count: int) -> str:
    """A count as a report prints it: "<5" below five (zero too), the number otherwise."""
    return FEWER if count < SMALL else str(count)


@dataclass(frozen=True)
class Figure:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return shown(self.count)


@dataclass(frozen=True)
class Table:
    """One breakdown: a figure for every category the model knows (whether any row is in it
    or not, so that the table's shape says nothing), and its total where the rows are not
    people."""

    key: str
    title: str
    figures: tuple[Figure, ...]
    total: Figure | None = None


@dataclass(frozen=True)
class HeldSession:
    title: str
    kind: str
    first_day: date  # in the venue's time zone
    last_day: date


@dataclass(frozen=True)
class ReportedIdea:
    title: str
    state: str
    summary: str


@dataclass(frozen=True)
class ReportFigures:
    """What one report holds, and nothing else reaches its PDF or its CSV."""

    title: str  # what the report calls the dialogue: its cover name
    level: ConfidentialityLevel
    prepared_on: date
    sessions: tuple[HeldSession, ...]
    sessions_by_kind: Table
    participants_by_side: Table
    participants_by_gender: Table
    ideas_by_state: Table
    ideas: tuple[ReportedIdea, ...]
    transfers_by_means: Table
    transfers_by_reaction: Table
    changes_by_kind: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (
            self.sessions_by_kind,
            self.participants_by_side,
            self.participants_by_gender,
            self.ideas_by_state,
            self.transfers_by_means,
            self.transfers_by_reaction,
            self.changes_by_kind,
        )


def _table(key: str, title: str, choices, counts: Counter, *, total: str | None) -> Table:
    figures = tuple(Figure(label, counts.get(value, 0)) for value, label in choices)
    return Table(
        key,
        title,
        figures,
        Figure(total, sum(counts.values())) if total is not None else None,
    )


def _held(now: datetime) -> Q:
    """Held: marked so, or published and over (the beat marks those held every few minutes)."""
    return Q(status=Session.Status.HELD) | Q(status=Session.Status.PUBLISHED, end__lt=now)


def _side_labels(dialogue: Dialogue) -> list[tuple[int | None, str]]:
    """The dialogue's sides as the report names them: numbered in their order, the third party
    so called; never by name (a side's name says what the conflict is, as a title would)."""
    labels: list[tuple[int | None, str]] = []
    number = 0
    for side in dialogue.sides.all():
        if side.is_third_party:
            labels.append((side.pk, _("Third party")))
        else:
            number += 1
            labels.append((side.pk, _("Side %(number)s") % {"number": number}))
    labels.append((None, _("No side")))
    return labels


def report_figures(
    *, dialogue: Dialogue, level: ConfidentialityLevel, now: datetime | None = None
) -> ReportFigures:
    """The figures of a report on ``dialogue`` at ``level``, as a funder at that level sees it
    (``ValueError`` above the dialogue's outbound level), their words in the active language.
    Seven queries, whatever the size: the scale, the held sessions, who attended them, the
    sides, ideas, transfers and changes (one more for the outbound level, unless the dialogue
    came with it)."""
    viewer = viewer_for_funder(dialogue=dialogue, level=level)
    now = now or timezone.now()
    of_dialogue = {"dialogue_id": dialogue.pk}

    held = visible(viewer, Session.objects.filter(_held(now), **of_dialogue), **of_dialogue)
    sessions = list(held.select_related("level").order_by("start", "id"))
    held_sessions = tuple(
        HeldSession(
            # Within the funder's level, so within the outbound level: the title may leave.
            title=outbound_title(dialogue, session, rank=level.rank),
            kind=session.get_kind_display(),
            first_day=session.start.astimezone(session.tz).date(),
            last_day=session.end.astimezone(session.tz).date(),
        )
        for session in sessions
    )

    # Participants (the role, as the room at a glance counts them) on the attendance of those
    # sessions, each person once.
    attended = (
        Membership.objects.filter(
            role=Membership.Role.PARTICIPANT,
            attendances__session__in=held.values("pk"),
            **of_dialogue,
        )
        .order_by()
        .values_list("pk", "side_id", "person__gender")
        .distinct()
    )
    per_side: Counter = Counter()
    per_gender: Counter = Counter()
    for _membership, side_id, gender in attended:
        per_side[side_id] += 1
        per_gender[gender] += 1

    ideas = list(
        visible(viewer, Idea.objects.filter(**of_dialogue), **of_dialogue)
        .exclude(attribution=Outcome.Attribution.OFF_RECORD)
        .only("title", "summary", "state")
        .order_by("created_at", "id")
    )
    transfers = (
        visible(viewer, Transfer.objects.filter(**of_dialogue), **of_dialogue)
        .order_by()
        .values_list("means", "reaction_kind")
        .annotate(rows=Count("pk"))
    )
    per_means: Counter = Counter()
    per_reaction: Counter = Counter()
    for means, reaction, rows in transfers:
        per_means[means] += rows
        per_reaction[reaction] += rows
    changes = (
        visible(viewer, ObservedChange.objects.filter(**of_dialogue), **of_dialogue)
        .order_by()
        .values_list("kind")
        .annotate(rows=Count("pk"))
    )

    return ReportFigures(
        title=outbound_title(dialogue),
        level=level,
        prepared_on=timezone.localdate(now),
        sessions=held_sessions,
        sessions_by_kind=_table(
            "sessions",
            _("Sessions held, by kind"),
            Session.Kind.choices,
            Counter(s.kind for s in sessions),
            total=_("All sessions held"),
        ),
        participants_by_side=_table(
            "sides",
            _("Participants who took part, by side"),
            _side_labels(dialogue),
            per_side,
            total=None,
        ),
        participants_by_gender=_table(
            "genders",
            _("Participants who took part, by gender"),
            Person.Gender.choices,
            per_gender,
            total=None,
        ),
        ideas_by_state=_table(
            "ideas",
            _("Ideas, by state"),
            Idea.State.choices,
            Counter(i.state for i in ideas),
            total=_("All ideas"),
        ),
        ideas=tuple(ReportedIdea(i.title, i.get_state_display(), i.summary) for i in ideas),
        transfers_by_means=_table(
            "transfers_means",
            _("Ideas passed to officials, by means"),
            Transfer.Means.choices,
            per_means,
            total=_("All transfers"),
        ),
        transfers_by_reaction=_table(
            "transfers_reaction",
            _("Ideas passed to officials, by the official's reaction"),
            Transfer.Reaction.choices,
            per_reaction,
            total=None,
        ),
        changes_by_kind=_table(
            "changes",
            _("Observed changes, by kind"),
            ObservedChange.Kind.choices,
            Counter(dict(changes)),
            total=_("All observed changes"),
        ),
    )


# -- the reports of a dialogue (its convening team's pages) ------------------------------------


def reports_of(*, dialogue: Dialogue) -> QuerySet[FunderReport]:
    """A dialogue's reports, newest first, with what the list shows (callers check
    ``can_plan``)."""
    return (
        FunderReport.objects.filter(dialogue=dialogue)
        .select_related("level", "requested_by__person")
        .order_by("-requested_at", "-id")
    )


def report_for(*, dialogue: Dialogue, report_id: int) -> FunderReport:
    """A report of a dialogue the caller found the viewer plans, or 404 (noted as the page's
    subject: a download is recorded against it)."""
    try:
        report = reports_of(dialogue=dialogue).get(pk=report_id)
    except FunderReport.DoesNotExist:
        raise Http404 from None
    report.dialogue = dialogue  # the same row: its cover name names the files
    return noted(report, dialogue_id=dialogue.pk)


def request_levels(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[ConfidentialityLevel]:
    """The levels the viewer may ask a report at: at most the dialogue's outbound level
    (``reportable_levels``) and at most their own clearance (``grantable_levels``: a report
    holds only what its requester may read), lowest first."""
    return reportable_levels(dialogue).filter(
        pk__in=grantable_levels(viewer, dialogue.pk).values("pk")
    )


def readable_level_ids(*, viewer: Viewer, dialogue: Dialogue) -> set[int]:
    """The levels of the reports the viewer may download: up to their own clearance, as for a
    briefing pack's copies (one query)."""
    return set(grantable_levels(viewer, dialogue.pk).values_list("pk", flat=True))
