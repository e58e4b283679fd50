import pytest

from dialogues.models import PublishedAgendaItem
from dialogues.planning.services import agenda_publish
from participants.models import Membership
from tests.factories import (
    AgendaItemFactory,
    DialogueFactory,
    SessionFactory,
    SideFactory,
    level,
    member_with_account,
)

LEVELS = ["Public", "Programme", "Participants", "Facilitators", "Restricted"]


@pytest.fixture
def world(db):
    """One dialogue with a session at Public and a pre-consultation at Participants, items at
    every level in the first (agendas published once), and a second dialogue with its own
    member; each person in a role."""
    dialogue = DialogueFactory(title="Salt River")
    side_a = SideFactory(dialogue=dialogue, name="Side A")
    side_b = SideFactory(dialogue=dialogue, name="Side B")
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    participant = member_with_account(dialogue=dialogue, clearance="Participants", side=side_a)
    other_side = member_with_account(dialogue=dialogue, clearance="Participants", side=side_b)
    observer = member_with_account(
        dialogue=dialogue, role=Membership.Role.OBSERVER, clearance="Programme"
    )
    nominee = member_with_account(
        dialogue=dialogue, clearance="Restricted", state=Membership.State.NOMINATED
    )
    rapporteur = member_with_account(
        dialogue=dialogue, role=Membership.Role.RAPPORTEUR, clearance="Facilitators"
    )
    round_1 = SessionFactory(dialogue=dialogue, title="Round 1", level=level("Public"))
    pre = SessionFactory(dialogue=dialogue, title="Pre-consultation A", level=level("Participants"))
    for membership in (participant, other_side, observer):
        round_1.attendances.create(membership=membership)
    pre.attendances.create(membership=participant)
    items = {
        name: AgendaItemFactory(session=round_1, title=f"R1 {name} item", level=level(name))
        for name in LEVELS
    }
    items["Restricted"].readers.set([convenor.person])
    pre_item = AgendaItemFactory(session=pre, title="Pre item", level=level("Participants"))
    agenda_publish(session=round_1)
    agenda_publish(session=pre)
    round_1.refresh_from_db()
    pre.refresh_from_db()
    published = {p.title: p for p in PublishedAgendaItem.objects.filter(session__in=[round_1, pre])}

    elsewhere = DialogueFactory(title="Coastal Fisheries")
    outsider = member_with_account(dialogue=elsewhere, clearance="Restricted")
    elsewhere_session = SessionFactory(dialogue=elsewhere, title="Harbour", level=level("Public"))
    AgendaItemFactory(session=elsewhere_session, title="Harbour item", level=level("Public"))
    agenda_publish(session=elsewhere_session)
    elsewhere_session.refresh_from_db()
    return {
        "dialogue": dialogue,
        "convenor": convenor,
        "participant": participant,
        "other_side": other_side,
        "observer": observer,
        "nominee": nominee,
        "rapporteur": rapporteur,
        "outsider": outsider,
        "round_1": round_1,
        "pre": pre,
        "items": items,
        "pre_item": pre_item,
        "published": published,
        "elsewhere": elsewhere,
    }
