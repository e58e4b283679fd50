import pytest

from dialogues.models import PublishedAgendaItem
from participants.models import Membership
from tests.world import (
    LEVELS,
    agenda_item,
    dialogue,
    member_with_account,
    publish,
    session,
    sides,
)


@pytest.fixture
def world(db):
    """One dialogue with a session at Public and a pre-consultation at Participants, items at
    every level in the first (agendas published once), and a second dialogue with its own
    member; each person in a role."""
    salt_river = dialogue(title="Salt River")
    side_a, side_b = sides(salt_river, "Side A", "Side B")
    convenor = member_with_account(
        dialogue=salt_river, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    participant = member_with_account(dialogue=salt_river, clearance="Participants", side=side_a)
    other_side = member_with_account(dialogue=salt_river, clearance="Participants", side=side_b)
    observer = member_with_account(
        dialogue=salt_river, role=Membership.Role.OBSERVER, clearance="Programme"
    )
    nominee = member_with_account(
        dialogue=salt_river, clearance="Restricted", state=Membership.State.NOMINATED
    )
    rapporteur = member_with_account(
        dialogue=salt_river, role=Membership.Role.RAPPORTEUR, clearance="Facilitators"
    )
    round_1 = session(
        salt_river,
        title="Round 1",
        level="Public",
        attendees=[participant, other_side, observer],
    )
    pre = session(
        salt_river, title="Pre-consultation A", level="Participants", attendees=[participant]
    )
    items = {name: agenda_item(round_1, title=f"R1 {name} item", level=name) for name in LEVELS}
    items["Restricted"].readers.set([convenor.person])
    pre_item = agenda_item(pre, title="Pre item", level="Participants")
    publish(round_1)
    publish(pre)
    published = {p.title: p for p in PublishedAgendaItem.objects.filter(session__in=[round_1, pre])}

    elsewhere = dialogue(title="Coastal Fisheries")
    outsider = member_with_account(dialogue=elsewhere, clearance="Restricted")
    elsewhere_session = session(elsewhere, title="Harbour", level="Public")
    agenda_item(elsewhere_session, title="Harbour item", level="Public")
    publish(elsewhere_session)
    return {
        "dialogue": salt_river,
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
