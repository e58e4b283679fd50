"""Reads of the view-as mode: whether a request's session is in it, the member a page starts
it for, and where it opens."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from participants.models import Membership
from participants.selectors import accepted_member, accepted_membership

from ..confidentiality import Viewer, ViewingAs, can_view_as, noted

# The session key holding the mode: {"dialogue": id, "membership": id}.
SESSION_KEY = "trackii_view_as"


@dataclass(frozen=True)
class Mode:
    """The mode as a request holds it (for the banner): whom, where, and as what viewer."""

    viewing: ViewingAs
    member: Membership  # person and dialogue loaded

    @property
    def dialogue_id(self) -> int:
        return self.viewing.dialogue_id


def mode_in(session) -> tuple[int, int] | None:
    """(dialogue id, membership id) if the session views Trackii as a member; None otherwise
    (a malformed value counts as none)."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    dialogue_id, membership_id = held.get("dialogue"), held.get("membership")
    if type(dialogue_id) is not int or type(membership_id) is not int:
        return None
    return dialogue_id, membership_id


def mode_of(viewer: Viewer) -> Mode | None:
    """The mode of a viewer viewing as a member, with the member's row for the banner."""
    viewing = viewer.viewing_as
    if viewing is None:
        return None
    member = accepted_membership(
        dialogue_id=viewing.dialogue_id, membership_id=viewing.membership_id
    )
    return None if member is None else Mode(viewing, member)


def member_to_view_as(
    *, viewer: Viewer, dialogue_id: int, membership_id: int
) -> tuple[Membership, bool]:
    """The accepted member of the dialogue the viewer may view it as (``can_view_as``), noted
    as what the page shows, and whether they see anything of it yet (the ground rules
    accepted, or of the convening team); 404 otherwise."""
    membership = accepted_membership(dialogue_id=dialogue_id, membership_id=membership_id)
    if membership is None or not can_view_as(viewer, membership):
        raise Http404
    member = accepted_member(dialogue_id=dialogue_id, membership_id=membership_id)
    sees_dialogue = member is not None and member.active
    return noted(membership, dialogue_id=dialogue_id), sees_dialogue


def landing(viewer: Viewer) -> str:
    """Where the mode opens, and where the home page leads in it: the dialogue's overview, or
    its ground rules for a member who has not accepted them (all they would see of it)."""
    viewing = viewer.viewing_as
    if viewing is None:
        return reverse("home")
    name = "dialogue_detail" if viewer.grant(viewing.dialogue_id) else "ground_rules"
    return reverse(f"dialogues:{name}", args=[viewing.dialogue_id])
