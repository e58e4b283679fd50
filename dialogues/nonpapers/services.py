"""Writes of non-papers: drafted from ideas the drafter may see (all of one dialogue), at a
level no lower than any idea's (derivation only narrows); the working version edited under the
edit-revision rule; a version frozen, kept internal or circulated, the next working version
opened as its copy; caucus comments written for the writer's side, and the convening team's
replies in a side's thread. Each write is recorded in the audit trail (never the words)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Person
from trackii.audit.services import Action, audit_record

from ..concurrency import save_with_revision
from ..confidentiality import Viewer, can_plan, caucus_side_of, check_narrow_only, visible
from ..models import (
    CaucusComment,
    ConfidentialityLevel,
    Dialogue,
    Idea,
    NonPaper,
    NonPaperParagraph,
    NonPaperVersion,
    Side,
)
from ..services import name_readers
from . import tasks

# Size limits, each said on the form that meets it.
MAX_PARAGRAPHS = 150
MAX_PARAGRAPH_CHARS = 4000
MAX_COMMENT_CHARS = 2000
MAX_VERSIONS = 99

State = NonPaperVersion.State
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text: separated by a blank line, each trimmed, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]


def _check_sizes(texts: list[str], *, field: str) -> None:
    if len(texts) > MAX_PARAGRAPHS:
        raise ValidationError(
            {field: _("A non-paper has at most %(count)s paragraphs.") % {"count": MAX_PARAGRAPHS}}
        )
    for n, text in enumerate(texts, start=1):
        if len(text) > MAX_PARAGRAPH_CHARS:
            raise ValidationError(
                {
                    field: _(
                        "Paragraph %(number)s has %(length)s characters; a paragraph has at most "
                        "%(most)s. Split it with a blank line."
                    )
                    % {"number": n, "length": len(text), "most": MAX_PARAGRAPH_CHARS}
                }
            )


def _ideas_checked(*, viewer: Viewer, dialogue: Dialogue, ideas) -> list[Idea]:
    ids = sorted({i.pk for i in ideas})
    if not ids:
        raise ValidationError({"ideas": _("Draft the non-paper from at least one idea.")})
    seen = list(
        visible(
            viewer,
            Idea.objects.filter(pk__in=ids, dialogue=dialogue).select_related("level"),
            dialogue_id=dialogue.pk,
        )
    )
    if len(seen) != len(ids):
        raise ValidationError({"ideas": _("Choose ideas of this dialogue that you may read.")})
    return seen


def _check_level(*, level: ConfidentialityLevel, ideas: list[Idea]) -> None:
    for idea in ideas:
        try:
            check_narrow_only(level=level, container_level=idea.level)
        except ValidationError:
            raise ValidationError(
                {
                    "level": _(
                        "A non-paper is held at least at its ideas' levels: “%(title)s” is at "
                        "%(level)s."
                    )
                    % {"title": idea.title, "level": idea.level.label}
                }
            ) from None


def _new_paragraphs(non_paper: NonPaper, texts: list[str]) -> list[dict]:
    rows = NonPaperParagraph.objects.bulk_create(
        NonPaperParagraph(non_paper=non_paper) for _text in texts
    )
    return [{"id": row.pk, "text": text} for row, text in zip(rows, texts, strict=True)]


@transaction.atomic
def non_paper_draft(
    *,
    dialogue: Dialogue,
    viewer: Viewer,
    ideas,
    title: str,
    text: str,
    level: ConfidentialityLevel,
    readers=(),
    by=None,
) -> NonPaper:
    """A new non-paper and its first working version (the text split into paragraphs at blank
    lines). Its ideas not yet drafted move to "Drafted"."""
    if not can_plan(viewer, dialogue.pk):
        raise ValidationError(_("Only the dialogue's convening team drafts non-papers."))
    seen = _ideas_checked(viewer=viewer, dialogue=dialogue, ideas=ideas)
    _check_level(level=level, ideas=seen)
    texts = split_paragraphs(text)
    if not texts:
        raise ValidationError({"text": _("Write at least one paragraph.")})
    _check_sizes(texts, field="text")
    non_paper = NonPaper(dialogue=dialogue, title=title.strip(), level=level, created_by=by)
    non_paper.full_clean()
    non_paper.save()
    non_paper.ideas.set(seen)
    name_readers(non_paper, readers=readers, created_by=by)
    version = NonPaperVersion.objects.create(
        non_paper=non_paper, number=1, paragraphs=_new_paragraphs(non_paper, texts)
    )
    early = (Idea.State.RAISED, Idea.State.DEVELOPED)
    Idea.objects.filter(pk__in=[i.pk for i in seen], state__in=early).update(
        state=Idea.State.DRAFTED, updated_at=timezone.now()
    )
    audit_record(
        action=Action.CREATED,
        obj=non_paper,
        actor=by,
        dialogue_id=dialogue.pk,
        detail={"ideas": [i.pk for i in seen], "version": version.number},
    )
    return non_paper


def _working(version: NonPaperVersion) -> None:
    if version.state != State.WORKING:
        raise ValidationError(
            _(
                "Version %(number)s is %(state)s: frozen, it is never edited. Edit the working "
                "version instead."
            )
            % {"number": version.number, "state": version.get_state_display().lower()}
        )


@transaction.atomic
def version_edit(
    *,
    version: NonPaperVersion,
    viewer: Viewer,
    expected_revision: int,
    paragraphs: list[tuple[int, int, str]],
    added: str = "",
    note: str = "",
    by=None,
) -> NonPaperVersion:
    """Save the working version's text. ``paragraphs``: (paragraph id, order, text) for the
    paragraphs the editor saw: emptied, a paragraph is removed; with blank lines, it is split
    (the first part keeps its identity and its comments). ``added``: new paragraphs at the end.
    A paragraph of the version the editor did not see (added meanwhile) is kept where it was.
    Refused if the version is frozen, or with what changed if someone saved since
    ``expected_revision`` (``EditConflict``)."""
    non_paper = version.non_paper
    if not can_plan(viewer, non_paper.dialogue_id):
        raise ValidationError(_("Only the dialogue's convening team edits non-papers."))
    current = NonPaperVersion.objects.select_for_update().get(pk=version.pk)
    _working(current)
    present = [p["id"] for p in current.paragraphs]
    given = {pid for pid, _order, _text in paragraphs}
    if not given <= set(present) and current.edit_revision == expected_revision:
        raise ValidationError(_("A paragraph of the form is not in this version."))
    pieces: list[tuple[float, int | None, str]] = []  # (order, id or None if new, text)
    for index, (pid, order, text) in enumerate(paragraphs):
        known = pid if pid in present else None  # gone meanwhile: the save is refused below
        for k, part in enumerate(split_paragraphs(text)):
            place = order + index / 10_000 + k / 10_000_000
            pieces.append((place, known if k == 0 else None, part))
    for index, pid in enumerate(present):
        if pid not in given:  # saved meanwhile by someone else: kept, where it stood
            text = next(p["text"] for p in current.paragraphs if p["id"] == pid)
            pieces.append((index + 1 + 0.5, pid, text))
    pieces.sort(key=lambda piece: piece[0])
    texts = [text for _o, _pid, text in pieces] + split_paragraphs(added)
    if not texts:
        raise ValidationError(_("A non-paper keeps at least one paragraph."))
    _check_sizes(texts, field="__all__")
    fresh = iter(_new_paragraphs(non_paper, [t for _o, pid, t in pieces if pid is None]))
    result = [
        {"id": pid, "text": text} if pid is not None else next(fresh) for _o, pid, text in pieces
    ]
    result += _new_paragraphs(non_paper, split_paragraphs(added))
    saved = save_with_revision(
        instance=current,
        expected_revision=expected_revision,
        values={"paragraphs": result, "note": note.strip()},
    )
    NonPaper.objects.filter(pk=non_paper.pk).update(updated_at=timezone.now())
    audit_record(
        action=Action.CHANGED,
        obj=saved,
        actor=by,
        dialogue_id=non_paper.dialogue_id,
        detail={"paragraphs": len(result), "revision": saved.edit_revision},
    )
    return saved


@transaction.atomic
def version_freeze(
    *, version: NonPaperVersion, viewer: Viewer, circulate: bool, by=None
) -> NonPaperVersion:
    """Freeze the working version, circulated to the sides or kept internal, and open the next
    working version as its copy. Circulating tells the members who may now read it, by e-mail,
    once this commits."""
    non_paper = version.non_paper
    if not can_plan(viewer, non_paper.dialogue_id):
        raise ValidationError(_("Only the dialogue's convening team circulates non-papers."))
    current = NonPaperVersion.objects.select_for_update().get(pk=version.pk)
    _working(current)
    if current.number >= MAX_VERSIONS:
        raise ValidationError(
            _("A non-paper has at most %(count)s versions.") % {"count": MAX_VERSIONS}
        )
    current.state = State.CIRCULATED if circulate else State.INTERNAL
    current.frozen_at = timezone.now()
    current.frozen_by = by
    current.save(update_fields=["state", "frozen_at", "frozen_by", "updated_at"])
    NonPaperVersion.objects.create(
        non_paper=non_paper, number=current.number + 1, paragraphs=current.paragraphs
    )
    NonPaper.objects.filter(pk=non_paper.pk).update(updated_at=timezone.now())
    audit_record(
        action=Action.CHANGED,
        obj=current,
        actor=by,
        dialogue_id=non_paper.dialogue_id,
        detail={"state": current.state},
    )
    if circulate:
        version_id = current.pk
        transaction.on_commit(lambda: tasks.non_paper_circulated_send.delay(version_id=version_id))
    return current


def _comment_checks(version: NonPaperVersion, paragraph_id: int, body: str) -> str:
    if version.state != State.CIRCULATED:
        raise ValidationError(_("Comments are made on circulated versions only."))
    latest = (
        NonPaperVersion.objects.filter(non_paper_id=version.non_paper_id, state=State.CIRCULATED)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if latest != version.number:
        raise ValidationError(
            _("Version %(number)s has been followed by version %(latest)s: comment on that.")
            % {"number": version.number, "latest": latest}
        )
    if paragraph_id not in {p["id"] for p in version.paragraphs}:
        raise ValidationError(_("That paragraph is not in this version."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the comment.")})
    if len(body) > MAX_COMMENT_CHARS:
        raise ValidationError(
            {
                "body": _("A comment has at most %(most)s characters (%(length)s given).")
                % {"most": MAX_COMMENT_CHARS, "length": len(body)}
            }
        )
    return body


def _comment(version, paragraph_id, side_id, person, body, *, by_team, by) -> CaucusComment:
    if person is None:
        raise ValidationError(_("Your account is not a person of this dialogue."))
    comment = CaucusComment.objects.create(
        version=version,
        paragraph_id=paragraph_id,
        side_id=side_id,
        author=person,
        by_team=by_team,
        body=body,
    )
    audit_record(
        action=Action.CREATED,
        obj=comment,
        actor=by,
        dialogue_id=version.non_paper.dialogue_id,
        detail={"version": version.number, "side": side_id, "by_team": by_team},
    )
    return comment


@transaction.atomic
def comment_add(
    *,
    version: NonPaperVersion,
    paragraph_id: int,
    viewer: Viewer,
    person: Person | None,
    body: str,
    by,
) -> CaucusComment:
    """A participant's comment on a paragraph of the current circulated version, for the side
    they belong to now (recorded with it)."""
    side_id = caucus_side_of(viewer, version.non_paper.dialogue_id)
    if side_id is None:
        raise ValidationError(_("Only a participant of one of the sides comments, for that side."))
    body = _comment_checks(version, paragraph_id, body)
    return _comment(version, paragraph_id, side_id, person, body, by_team=False, by=by)


@transaction.atomic
def comment_reply(
    *,
    version: NonPaperVersion,
    paragraph_id: int,
    side: Side,
    viewer: Viewer,
    person: Person | None,
    body: str,
    by,
) -> CaucusComment:
    """The convening team's reply in one side's thread on a paragraph: read by that side only."""
    dialogue_id = version.non_paper.dialogue_id
    if not can_plan(viewer, dialogue_id) or viewer.parts:
        raise ValidationError(_("Only the dialogue's convening team replies in a side's thread."))
    if side.dialogue_id != dialogue_id or side.is_third_party:
        raise ValidationError(_("Reply in the thread of one of this dialogue's sides."))
    body = _comment_checks(version, paragraph_id, body)
    return _comment(version, paragraph_id, side.pk, person, body, by_team=True, by=by)
