"""The roster as a list (issue 16): search, filters, order and pages from the address, never an
error for what does not fit, filters only among what the viewer may give; and actions on several
members at once (invite them, put them on a side), all or nothing under the convening team's
rules, each refused member named with the reason, audited as the single actions are."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from dialogues.confidentiality import viewer_for_user
from dialogues.workspace import services as ws_services
from participants.models import Invitation, Membership
from tests.factories import DialogueFactory, MembershipFactory, PersonFactory, SideFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

R = Membership.Role
S = Membership.State


def person(full_name: str, **fields):
    family = full_name.split()[-1]
    return PersonFactory(full_name=full_name, family_name=family, **fields)


@pytest.fixture
def roster(db):
    """Salt River: a convenor (Restricted), a co-facilitator and a peer facilitator (both
    Facilitators), and five people on the roster in every side, role, state and clearance the
    filters tell apart. Coastal Fisheries is another dialogue, with a member of its own."""
    dialogue = DialogueFactory(title="Salt River")
    side_a = SideFactory(dialogue=dialogue, name="Side A", position=1)
    side_b = SideFactory(dialogue=dialogue, name="Side B", position=2)
    convenor = member_with_account(dialogue=dialogue, role=R.CONVENOR, clearance="Restricted")
    convenor.person.full_name, convenor.person.family_name = "Zora Convenor", "Convenor"
    convenor.person.save()
    facilitator = member_with_account(
        dialogue=dialogue, role=R.FACILITATOR, clearance="Facilitators"
    )
    facilitator.person.full_name, facilitator.person.family_name = "Yan Facilitator", "Facilitator"
    facilitator.person.save()
    peer = MembershipFactory(
        dialogue=dialogue,
        person=person("Xavier Peer", email="peer@example.org"),
        role=R.FACILITATOR,
        clearance=level("Facilitators"),
        state=S.CLEARED,
    )

    def member(name, side, role, state, clearance, affiliation="", email=None):
        return MembershipFactory(
            dialogue=dialogue,
            person=person(
                name, affiliation=affiliation, email=email or f"{name.split()[0].lower()}@x.org"
            ),
            side=side,
            role=role,
            state=state,
            clearance=level(clearance),
        )

    amina = member("Amina Diallo", side_a, R.PARTICIPANT, S.CLEARED, "Participants")
    boris = member("Boris Petrov", side_b, R.OBSERVER, S.NOMINATED, "Programme")
    chen = member("Chen Wei", None, R.PARTICIPANT, S.ACCEPTED, "Participants", "Univ. of Valdera")
    dana = member("Dana Abebe", side_a, R.PARTICIPANT, S.CLEARED, "Programme")
    emil = member("Emil Novak", side_b, R.PARTICIPANT, S.INVITED, "Participants")

    elsewhere = DialogueFactory(title="Coastal Fisheries")
    stranger = MembershipFactory(
        dialogue=elsewhere, person=person("Omar Stranger"), state=S.CLEARED
    )
    return {
        "dialogue": dialogue,
        "side_a": side_a,
        "side_b": side_b,
        "convenor": convenor,
        "facilitator": facilitator,
        "peer": peer,
        "amina": amina,
        "boris": boris,
        "chen": chen,
        "dana": dana,
        "emil": emil,
        "stranger": stranger,
    }


def roster_url(roster) -> str:
    return reverse("dialogues:roster", args=[roster["dialogue"].pk])


def names(response) -> list[str]:
    return [m.person.full_name for m in response.context["members"]]


def state(*memberships) -> list[tuple]:
    rows = []
    for membership in memberships:
        membership.refresh_from_db()
        rows.append((membership.person.full_name, membership.side_id, membership.state))
    return rows


# -- search, filters, order ------------------------------------------------------------------------


# Side A (participants by family name), Side B (a participant, then an observer), then those on
# no side: the convenor, the facilitators, a participant.
DEFAULT_NAMES = [
    "Dana Abebe",
    "Amina Diallo",
    "Emil Novak",
    "Boris Petrov",
    "Zora Convenor",
    "Yan Facilitator",
    "Xavier Peer",
    "Chen Wei",
]


def test_by_default_the_roster_is_in_sides_order_then_role_then_name(roster, login):
    response = login(roster["convenor"]).get(roster_url(roster))
    assert response.status_code == 200
    assert names(response) == DEFAULT_NAMES


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "valdera"}, ["Chen Wei"]),
        ({"search": "  NOVAK "}, ["Emil Novak"]),
        ({"side": "none"}, ["Zora Convenor", "Yan Facilitator", "Xavier Peer", "Chen Wei"]),
        ({"role": "observer"}, ["Boris Petrov"]),
        ({"state": "cleared"}, ["Dana Abebe", "Amina Diallo", "Xavier Peer"]),
        ({"state": "cleared", "role": "participant"}, ["Dana Abebe", "Amina Diallo"]),
        ({"sort": "name"}, ["Dana Abebe", "Zora Convenor", "Amina Diallo", "Yan Facilitator",
                            "Emil Novak", "Xavier Peer", "Boris Petrov", "Chen Wei"]),
        ({"sort": "-name"}, ["Chen Wei", "Boris Petrov", "Xavier Peer", "Emil Novak",
                             "Yan Facilitator", "Amina Diallo", "Zora Convenor", "Dana Abebe"]),
        ({"sort": "role", "state": "cleared"}, ["Xavier Peer", "Dana Abebe", "Amina Diallo"]),
        ({"sort": "-state", "side": "none"},
         ["Zora Convenor", "Yan Facilitator", "Chen Wei", "Xavier Peer"]),
    ],
)  # fmt: skip
def test_the_roster_is_searched_filtered_and_sorted(roster, login, query, expected):
    response = login(roster["convenor"]).get(roster_url(roster), query)
    assert response.status_code == 200
    assert names(response) == expected


def test_a_side_and_a_clearance_filter(roster, login):
    client = login(roster["convenor"])
    response = client.get(roster_url(roster), {"side": roster["side_b"].pk})
    assert names(response) == ["Emil Novak", "Boris Petrov"]
    response = client.get(roster_url(roster), {"clearance": level("Programme").pk})
    assert names(response) == ["Dana Abebe", "Boris Petrov"]


def test_the_clearance_filter_offers_only_clearances_the_viewer_may_give(roster, login):
    client = login(roster["facilitator"])  # cleared Facilitators
    response = client.get(roster_url(roster))
    offered = [label for _value, label in response.context["filters"].fields["clearance"].choices]
    assert offered == ["Any clearance", "Public", "Programme", "Participants", "Facilitators"]
    # A clearance above theirs, asked for in the address, is not a filter: the whole roster.
    response = client.get(roster_url(roster), {"clearance": level("Restricted").pk})
    assert response.status_code == 200
    assert response.context["filters"].errors == {}
    assert len(names(response)) == 8
    assert f'value="{level("Restricted").pk}" selected' not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "clearance"},
        {"sort": "-"},
        {"side": "999999"},
        {"side": "-1"},
        {"side": "1" * 40},
        {"role": "king"},
        {"state": "asleep"},
        {"clearance": "x"},
        {"page": "abc"},
        {"page": "-3"},
        {"search": "x" * 5000},
    ],
)
def test_parameters_that_do_not_fit_are_ignored_never_an_error(roster, login, query):
    response = login(roster["convenor"]).get(roster_url(roster), query)
    assert response.status_code == 200
    assert response.context["filters"].errors == {}
    assert names(response) == ([] if "search" in query else DEFAULT_NAMES)


def many(dialogue, n: int, side=None):
    for i in range(n):
        MembershipFactory(
            dialogue=dialogue,
            person=person(f"Member {i:03d} Crowd{i:03d}", email=f"m{i}@x.org"),
            side=side,
            state=S.CLEARED,
        )


def test_pages_of_25_keep_the_filters_and_a_page_past_the_end_is_the_last(roster, login):
    many(roster["dialogue"], 30, side=roster["side_a"])
    client = login(roster["convenor"])
    query = {"side": roster["side_a"].pk, "sort": "name"}
    first = client.get(roster_url(roster), query)
    assert first.context["page_obj"].paginator.count == 32
    assert len(first.context["members"]) == 25
    content = first.content.decode()
    assert f'href="?side={roster["side_a"].pk}&amp;sort=name&amp;page=2" rel="next"' in content
    assert "Page 1 of 2" in content
    last = client.get(roster_url(roster), {**query, "page": 7})
    assert last.context["page_obj"].number == 2
    # By family name: Abebe, the crowd, Diallo.
    assert names(last) == [f"Member {i:03d} Crowd{i:03d}" for i in range(24, 30)] + ["Amina Diallo"]


@pytest.mark.parametrize("size", [3, 30])
def test_the_filtered_roster_query_count_does_not_grow(
    roster, login, django_assert_num_queries, size
):
    many(roster["dialogue"], size, side=roster["side_b"])
    for membership in Membership.objects.filter(dialogue=roster["dialogue"], state=S.CLEARED):
        Invitation.objects.create(
            membership=membership,
            email=f"{membership.pk}@x.org",
            token_hash=f"{membership.pk:064d}",
            expires_at=datetime(2099, 1, 1, tzinfo=UTC),
        )
    client = login(roster["convenor"])
    query = {"side": roster["side_b"].pk, "state": "cleared", "sort": "-name", "search": "crowd"}
    client.get(roster_url(roster), query)
    # Two more since the room at a glance moved to this tab: the whole roster and the sides.
    with django_assert_num_queries(17):
        response = client.get(roster_url(roster), query)
    assert len(response.context["members"]) == min(size, 25)
    assert all(m.latest_invitation is not None for m in response.context["members"])


def test_the_roster_page_is_recorded_as_its_dialogue_whatever_the_filters(roster, login):
    client = login(roster["convenor"])
    client.get(roster_url(roster), {"search": "amina", "side": "none", "page": "2"})
    entries = AuditEntry.objects.values_list("content_type__model", "object_id", "action", "detail")
    assert list(entries) == [("dialogue", str(roster["dialogue"].pk), "viewed", {"page": "roster"})]


def test_each_checkbox_is_labelled_with_the_persons_name(roster, login):
    content = login(roster["convenor"]).get(roster_url(roster)).content.decode()
    amina = roster["amina"].pk
    assert (
        f'<input type="checkbox" name="members" value="{amina}" id="member-{amina}" '
        f'form="roster-bulk"> <label for="member-{amina}" class="visually-hidden">'
        "Select <bdi>Amina Diallo</bdi></label>"
    ) in content
    assert '<option value="invite">Invite the selected</option>' in content
    side_b = roster["side_b"].pk
    assert f'<option value="side-{side_b}">Set side to Side B</option>' in content


# -- several at once -------------------------------------------------------------------------------


def bulk(client, roster, action, *members, query=""):
    data = {"action": "bulk", "bulk_action": action, "members": [m.pk for m in members]}
    return client.post(roster_url(roster) + query, data)


def side(roster, key) -> str:
    return f"side-{roster[key].pk}"


def changes() -> list[tuple]:
    return list(
        AuditEntry.objects.exclude(action="viewed")
        .order_by("id")
        .values_list("content_type__model", "object_id", "action")
    )


def test_inviting_the_selected_invites_each_as_the_single_action_would(roster, login):
    client = login(roster["convenor"])
    response = bulk(
        client, roster, "invite", roster["amina"], roster["dana"], roster["emil"],
        query="?state=cleared",
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == roster_url(roster) + "?state=cleared"
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Invitations sent to 3 members. 1 of them had been invited before: their earlier "
        "links no longer work."
    ]
    assert state(roster["amina"], roster["dana"], roster["emil"]) == [
        ("Amina Diallo", roster["side_a"].pk, S.INVITED),
        ("Dana Abebe", roster["side_a"].pk, S.INVITED),
        ("Emil Novak", roster["side_b"].pk, S.INVITED),
    ]
    invited = sorted(Invitation.objects.values_list("membership_id", "email"))
    assert invited == sorted(
        [(roster[k].pk, roster[k].person.email) for k in ("amina", "dana", "emil")]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        roster[k].person.email for k in ("amina", "dana", "emil")
    )
    created = [row for row in changes() if row[0] == "invitation"]
    assert [row[2] for row in created] == ["created", "created", "created"]
    assert sorted(
        AuditEntry.objects.filter(content_type__model="invitation").values_list(
            "detail__membership", "detail__resend"
        )
    ) == sorted(
        [(roster["amina"].pk, False), (roster["dana"].pk, False), (roster["emil"].pk, True)]
    )


def test_one_member_who_cannot_be_invited_and_nobody_is_invited(roster, login):
    client = login(roster["convenor"])
    before = state(roster["amina"], roster["boris"], roster["dana"])
    response = bulk(client, roster, "invite", roster["amina"], roster["boris"], roster["dana"])
    assert response.status_code == 400
    assert [(r.membership.pk, r.reason) for r in response.context["bulk_refusals"]] == [
        (
            roster["boris"].pk,
            "Only a member whose vetting is cleared can be invited (this member is nominated).",
        )
    ]
    content = response.content.decode()
    assert "Nothing was changed" in content
    assert (
        "<li>Boris Petrov: Only a member whose vetting is cleared can be invited (this member "
        "is nominated).</li>"
    ) in content
    # The boxes stay ticked, to untick the one refused.
    for key in ("amina", "boris", "dana"):
        assert (
            f'value="{roster[key].pk}" id="member-{roster[key].pk}" form="roster-bulk" checked'
            in content
        )
    assert state(roster["amina"], roster["boris"], roster["dana"]) == before
    assert Invitation.objects.count() == 0
    assert mail.outbox == []
    assert changes() == []


def test_a_facilitator_cannot_move_a_peer_or_a_senior_in_bulk_and_nothing_moves(roster, login):
    client = login(roster["facilitator"])  # cleared Facilitators, as the peer
    chosen = (roster["amina"], roster["peer"], roster["convenor"], roster["facilitator"])
    before = state(*chosen)
    response = bulk(client, roster, side(roster, "side_b"), *chosen)
    assert response.status_code == 400
    reason = (
        "Only the convenor changes the membership of someone cleared at or above your own "
        "clearance."
    )
    assert [
        (r.membership.person.full_name, r.reason) for r in response.context["bulk_refusals"]
    ] == [
        ("Zora Convenor", reason),
        ("Yan Facilitator", reason),
        ("Xavier Peer", reason),
    ]
    assert "3 of the 4 members you selected are not yours to change:" in response.content.decode()
    assert state(*chosen) == before
    assert changes() == []


def test_a_facilitator_cannot_invite_a_peer_in_bulk(roster, login):
    client = login(roster["facilitator"])
    response = bulk(client, roster, "invite", roster["amina"], roster["peer"])
    assert response.status_code == 400
    assert [(r.membership.pk, r.reason) for r in response.context["bulk_refusals"]] == [
        (
            roster["peer"].pk,
            "Only the convenor invites someone cleared at or above your own clearance.",
        )
    ]
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_setting_the_side_moves_everyone_selected_and_is_audited_as_one_edit_each(roster, login):
    client = login(roster["facilitator"])  # members cleared below them are theirs to move
    response = bulk(
        client, roster, side(roster, "side_b"), roster["amina"], roster["chen"], roster["emil"]
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "2 members put on the side “<bdi>Side B</bdi>”. 1 member already on it."
    ]
    assert state(roster["amina"], roster["chen"], roster["emil"]) == [
        ("Amina Diallo", roster["side_b"].pk, S.CLEARED),
        ("Chen Wei", roster["side_b"].pk, S.ACCEPTED),
        ("Emil Novak", roster["side_b"].pk, S.INVITED),
    ]
    assert changes() == [
        ("membership", str(roster["amina"].pk), "changed"),
        ("membership", str(roster["chen"].pk), "changed"),
    ]
    details = AuditEntry.objects.filter(action="changed").values_list("detail", flat=True)
    assert [d["fields"] for d in details] == [["side"], ["side"]]


def test_a_member_of_another_dialogue_among_the_selected_is_404_and_nothing_changes(roster, login):
    client = login(roster["convenor"])
    before = state(roster["amina"], roster["stranger"])
    for action in ("invite", side(roster, "side_b")):
        response = bulk(client, roster, action, roster["amina"], roster["stranger"])
        assert response.status_code == 404
    assert state(roster["amina"], roster["stranger"]) == before
    assert Invitation.objects.count() == 0
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("member", ["x", "1.0", "-1", "99999999999999999999999", "٣"])
def test_a_member_that_is_not_an_id_is_404(roster, login, member):
    client = login(roster["convenor"])
    response = client.post(
        roster_url(roster), {"action": "bulk", "bulk_action": "invite", "members": [member]}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


def test_nothing_selected_or_an_unknown_action_is_shown_again_with_the_reason(roster, login):
    client = login(roster["convenor"])
    response = bulk(client, roster, "invite")
    assert response.status_code == 400
    assert response.context["bulk_form"].non_field_errors() == [
        "Choose at least one member of the roster."
    ]
    other_side = SideFactory(dialogue=DialogueFactory())
    response = bulk(client, roster, f"side-{other_side.pk}", roster["amina"])
    assert response.status_code == 400
    assert list(response.context["bulk_form"].errors) == ["bulk_action"]
    assert state(roster["amina"])[0][1] == roster["side_a"].pk
    assert changes() == []


def test_the_services_refuse_all_or_nothing(roster):
    user = roster["facilitator"].person.user
    viewer = viewer_for_user(user)
    chosen = [roster["dana"], roster["peer"]]
    with pytest.raises(ws_services.RosterBulkRefused) as refused:
        ws_services.roster_bulk_set_side(
            dialogue=roster["dialogue"],
            memberships=chosen,
            side=roster["side_b"],
            by=user,
            viewer=viewer,
        )
    assert refused.value.messages == [
        "Xavier Peer: Only the convenor changes the membership of someone cleared at or above "
        "your own clearance."
    ]
    with pytest.raises(ws_services.RosterBulkRefused):
        ws_services.roster_bulk_invite(
            dialogue=roster["dialogue"], memberships=chosen, by=user, viewer=viewer
        )
    with pytest.raises(ValidationError) as elsewhere:
        ws_services.roster_bulk_invite(
            dialogue=roster["dialogue"],
            memberships=[roster["dana"], roster["stranger"]],
            by=user,
            viewer=viewer,
        )
    assert elsewhere.value.messages == ["Only members of this dialogue's roster can be chosen."]
    assert state(roster["dana"], roster["peer"]) == [
        ("Dana Abebe", roster["side_a"].pk, S.CLEARED),
        ("Xavier Peer", None, S.CLEARED),
    ]
    assert Invitation.objects.count() == 0
    assert changes() == []


def test_only_the_convening_team_acts_on_the_roster(roster, login):
    participant = member_with_account(dialogue=roster["dialogue"])
    client = login(participant)
    assert client.get(roster_url(roster)).status_code == 404
    assert bulk(client, roster, "invite", roster["amina"]).status_code == 404
    assert Invitation.objects.count() == 0
