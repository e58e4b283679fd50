"""Comparing two versions of a non-paper: paragraph by paragraph (each paragraph known by its
identity, so a moved paragraph is moved, not removed and added), and word by word within a
paragraph whose words changed. Pure: lists in, lists out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"

# A word with the spaces after it, so that joining the pieces gives the text back.
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    """A run of words: kept (``op`` "same"), inserted ("ins") or deleted ("del")."""

    op: str
    text: str


@dataclass(frozen=True)
class ParagraphChange:
    paragraph_id: int
    kind: str  # SAME, CHANGED, ADDED, REMOVED
    number_before: int | None  # its number in the earlier version (None: not in it)
    number_after: int | None  # its number in the later version (None: not in it)
    pieces: tuple[Piece, ...]

    @property
    def moved(self) -> bool:
        return (
            self.number_before is not None
            and self.number_after is not None
            and self.number_before != self.number_after
        )


def words(before: str, after: str) -> tuple[Piece, ...]:
    """The word-level difference between two texts of one paragraph."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("ins", "".join(b[j1:j2])))
    return tuple(pieces)


def compare(before: list[dict], after: list[dict]) -> list[ParagraphChange]:
    """Each paragraph of either version, in the later version's order, a paragraph removed
    since shown where it stood (after the paragraph that preceded it). ``before`` and ``after``
    are versions' ``paragraphs`` (``{"id", "text"}`` in order)."""
    old = {p["id"]: (n, p["text"]) for n, p in enumerate(before, start=1)}
    new = {p["id"]: (n, p["text"]) for n, p in enumerate(after, start=1)}
    changes: list[ParagraphChange] = []
    for n, paragraph in enumerate(after, start=1):
        pid, text = paragraph["id"], paragraph["text"]
        if pid not in old:
            changes.append(ParagraphChange(pid, ADDED, None, n, (Piece("ins", text),)))
            continue
        was_n, was = old[pid]
        kind = SAME if was == text else CHANGED
        pieces = (Piece("same", text),) if kind == SAME else words(was, text)
        changes.append(ParagraphChange(pid, kind, was_n, n, pieces))
    # Removed paragraphs go after the nearest paragraph before them that is still there.
    anchor = -1
    for pid, (n, text) in sorted(old.items(), key=lambda kv: kv[1][0]):
        if pid in new:
            anchor = next(i for i, c in enumerate(changes) if c.paragraph_id == pid)
            continue
        anchor += 1
        changes.insert(anchor, ParagraphChange(pid, REMOVED, n, None, (Piece("del", text),)))
    return changes
