"""The workspace: starting a dialogue, editing it without losing anyone's edit, its sides, its
roster (new and known people, never people from elsewhere), the room at a glance, the 404s for
everyone outside the dialogue's convening team, and the query counts of its pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from dialogues.models import Dialogue, Side
from dialogues.workspace.selectors import room_composition, room_warnings
from participants.models import Membership, Person
from participants.selectors import roster_of
from tests.conftest import enable_mfa, sign_in
from tests.factories import (
    DialogueFactory,
    MembershipFactory,
    PersonFactory,
    SideFactory,
    UserFactory,
    level,
)
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

R = Membership.Role
S = Membership.State
G = Person.Gender
P = Person.Proximity


@pytest.fixture
def ws(db):
    """Salt River (Track 2) with two parties and a third party; its convenor also convenes
    Northern Waters, whose people are known to them. Coastal Fisheries is someone else's: its
    facilitator and its people must stay out of Salt River's workspace, and the other way round."""
    dialogue = DialogueFactory(title="Salt River", ground_rules="Chatham House.")
    side_a = SideFactory(dialogue=dialogue, name="Side A", position=1)
    side_b = SideFactory(dialogue=dialogue, name="Side B", position=2)
    third = SideFactory(dialogue=dialogue, name="Facilitation", position=3, is_third_party=True)
    convenor = member_with_account(dialogue=dialogue, role=R.CONVENOR, clearance="Restricted")
    facilitator = member_with_account(
        dialogue=dialogue, role=R.FACILITATOR, clearance="Facilitators", side=third
    )
    participant = member_with_account(dialogue=dialogue, side=side_a)

    northern = DialogueFactory(title="Northern Waters")
    MembershipFactory(
        dialogue=northern, person=convenor.person, role=R.CONVENOR, clearance=level("Restricted")
    )
    known = MembershipFactory(
        dialogue=northern, person=PersonFactory(full_name="Leila Known", family_name="Known")
    )

    elsewhere = DialogueFactory(title="Coastal Fisheries")
    elsewhere_side = SideFactory(dialogue=elsewhere, name="Harbour side")
    other_facilitator = member_with_account(
        dialogue=elsewhere, role=R.FACILITATOR, clearance="Restricted"
    )
    stranger = MembershipFactory(
        dialogue=elsewhere,
        person=PersonFactory(full_name="Omar Stranger", family_name="Stranger"),
        side=elsewhere_side,
    )
    return {
        "dialogue": dialogue,
        "side_a": side_a,
        "side_b": side_b,
        "third": third,
        "convenor": convenor,
        "facilitator": facilitator,
        "participant": participant,
        "northern": northern,
        "known": known.person,
        "elsewhere": elsewhere,
        "elsewhere_side": elsewhere_side,
        "other_facilitator": other_facilitator,
        "stranger": stranger,
    }


def url(name, *args):
    return reverse(f"dialogues:{name}", args=args)


def dialogue_post(dialogue, **overrides):
    data = {
        "title": dialogue.title,
        "context": dialogue.context,
        "convening_organisation": dialogue.convening_organisation,
        "track": dialogue.track,
        "aim": dialogue.aim,
        "status": dialogue.status,
        "default_level": dialogue.default_level_id,
        "ground_rules": dialogue.ground_rules,
        "edit_revision": dialogue.edit_revision,
    }
    data.update(overrides)
    return data


def new_person_post(**overrides):
    data = {
        "action": "new",
        "new-full_name": "Amina Diallo",
        "new-family_name": "Diallo",
        "new-name_original_script": "",
        "new-affiliation": "University of Valdera",
        "new-position": "Professor",
        "new-proximity": P.ACADEMIC,
        "new-nationality": "sn",
        "new-gender": G.WOMAN,
        "new-languages": "French, Wolof",
        "new-email": "amina@example.org",
        "new-side": "",
        "new-role": R.PARTICIPANT,
        "new-clearance": level("Participants").pk,
    }
    data.update(overrides)
    return data


def signed_in(membership) -> Client:
    """A second browser, for a second facilitator."""
    other = Client()
    enable_mfa(membership.person.user)
    sign_in(other, membership.person.user)
    return other


def audit_of(model_name: str) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(content_type__model=model_name)
        .order_by("id")
        .values_list("action", "object_id")
    )


# -- starting a dialogue --------------------------------------------------------------------------


def test_a_facilitator_starts_a_dialogue_and_is_its_accepted_convenor(ws, login):
    client = login(ws["facilitator"])
    response = client.post(
        url("dialogue_create"),
        dialogue_post(
            Dialogue(title="Lakeside", default_level=level("Programme")), edit_revision=""
        ),
    )
    dialogue = Dialogue.objects.get(title="Lakeside")
    assert response.status_code == 302
    assert response["Location"] == url("dialogue_detail", dialogue.pk)
    assert list(
        Membership.objects.filter(dialogue=dialogue).values_list(
            "person_id", "role", "state", "clearance__name"
        )
    ) == [(ws["facilitator"].person_id, R.CONVENOR, S.ACCEPTED, "Restricted")]
    assert audit_of("dialogue") == [("created", str(dialogue.pk))]
    assert client.get(url("dialogue_detail", dialogue.pk)).status_code == 200


def test_staff_without_a_person_gets_one_when_starting_a_dialogue(login):
    user = UserFactory(is_staff=True, display_name="Amira Haddad", email="amira@example.org")
    client = login(user)
    response = client.post(
        url("dialogue_create"),
        dialogue_post(Dialogue(title="Lakeside", default_level=level("Programme"))),
    )
    assert response.status_code == 302
    person = Person.objects.get(user=user)
    assert (person.full_name, person.email) == ("Amira Haddad", "amira@example.org")
    membership = Membership.objects.get(person=person)
    assert (membership.dialogue.title, membership.role, membership.state) == (
        "Lakeside",
        R.CONVENOR,
        S.ACCEPTED,
    )


def test_a_participant_may_not_start_a_dialogue(ws, login):
    client = login(ws["participant"])
    before = Dialogue.objects.count()
    assert client.get(url("dialogue_create")).status_code == 404
    post = dialogue_post(Dialogue(title="Sneaky", default_level=level("Programme")))
    assert client.post(url("dialogue_create"), post).status_code == 404
    assert Dialogue.objects.count() == before


def test_home_offers_a_new_dialogue_to_convening_members_only(ws, login, client):
    link = url("dialogue_create").encode()
    assert link in login(ws["convenor"]).get(reverse("home")).content
    client.logout()
    assert link not in login(ws["participant"]).get(reverse("home")).content


# -- no lost edits --------------------------------------------------------------------------------


def test_the_later_of_two_dialogue_edits_is_refused_with_what_changed(ws, login):
    dialogue = ws["dialogue"]
    first, second = login(ws["convenor"]), signed_in(ws["facilitator"])
    form_1 = first.get(url("dialogue_edit", dialogue.pk)).context["form"]
    form_2 = second.get(url("dialogue_edit", dialogue.pk)).context["form"]
    assert form_1["edit_revision"].value() == form_2["edit_revision"].value() == 1

    saved = first.post(url("dialogue_edit", dialogue.pk), dialogue_post(dialogue, title="Salt"))
    assert saved.status_code == 302
    refused = second.post(
        url("dialogue_edit", dialogue.pk),
        dialogue_post(dialogue, status=Dialogue.Status.ACTIVE, ground_rules="On the record."),
    )

    assert refused.status_code == 409
    changes = [(c.field, str(c.theirs), str(c.yours)) for c in refused.context["conflict"].changes]
    assert changes == [
        ("title", "Salt", "Salt River"),
        ("status", "Exploratory", "Active"),
        ("ground_rules", "Chatham House.", "On the record."),
    ]
    content = refused.content.decode()
    assert "Someone else saved this while you were editing" in content
    assert '<th scope="row">Title</th><td>Salt</td><td>Salt River</td>' in content
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.status, dialogue.ground_rules, dialogue.edit_revision) == (
        "Salt",
        Dialogue.Status.EXPLORATORY,
        "Chatham House.",
        2,
    )
    # The form keeps this editor's values, now at the saved revision: saving again is deliberate.
    form = refused.context["form"]
    assert (form["status"].value(), form["edit_revision"].value()) == ("active", "2")
    again = second.post(
        url("dialogue_edit", dialogue.pk),
        dialogue_post(dialogue, status=Dialogue.Status.ACTIVE, edit_revision=2),
    )
    assert again.status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.status, dialogue.edit_revision) == ("Salt", "active", 3)
    # Each form shown (the conflict's too) is a read of the dialogue; each save a change.
    assert [e[0] for e in audit_of("dialogue")] == [
        "viewed",
        "viewed",
        "changed",
        "viewed",
        "changed",
    ]


def test_an_edit_identical_to_what_was_saved_meanwhile_is_not_a_conflict(ws, login):
    dialogue = ws["dialogue"]
    client = login(ws["convenor"])
    assert client.post(url("dialogue_edit", dialogue.pk), dialogue_post(dialogue, title="Salt"))
    response = client.post(
        url("dialogue_edit", dialogue.pk), dialogue_post(dialogue, title="Salt", edit_revision=1)
    )
    assert response.status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.edit_revision) == ("Salt", 2)


def test_an_invalid_dialogue_edit_saves_nothing(ws, login):
    dialogue = ws["dialogue"]
    response = login(ws["convenor"]).post(
        url("dialogue_edit", dialogue.pk), dialogue_post(dialogue, title="", track="7")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "track"}
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.edit_revision) == ("Salt River", 1)


# -- sides ----------------------------------------------------------------------------------------


def test_sides_are_added_renamed_and_deleted(ws, login):
    dialogue = ws["dialogue"]
    client = login(ws["convenor"])
    page = url("sides_edit", dialogue.pk)
    response = client.post(
        page, {"action": "add", "add-name": "Side C", "add-position": 4, "add-is_third_party": ""}
    )
    assert response.status_code == 302
    side_c = Side.objects.get(dialogue=dialogue, name="Side C")
    response = client.post(
        page,
        {
            "action": "update",
            "side": side_c.pk,
            f"side-{side_c.pk}-name": "Diaspora",
            f"side-{side_c.pk}-position": 0,
        },
    )
    assert response.status_code == 302
    assert list(Side.objects.filter(dialogue=dialogue).values_list("name", flat=True)) == [
        "Diaspora",
        "Side A",
        "Side B",
        "Facilitation",
    ]
    assert client.post(page, {"action": "delete", "side": side_c.pk}).status_code == 302
    assert not Side.objects.filter(pk=side_c.pk).exists()
    assert [a for a, _ in audit_of("side")] == ["created", "changed", "deleted"]


def test_a_side_name_is_unique_within_its_dialogue(ws, login):
    dialogue = ws["dialogue"]
    response = login(ws["convenor"]).post(
        url("sides_edit", dialogue.pk), {"action": "add", "add-name": "side a", "add-position": 0}
    )
    assert response.status_code == 400
    assert response.context["add_form"].errors == {
        "name": ["This dialogue already has a side called “side a”."]
    }
    assert Side.objects.filter(dialogue=dialogue).count() == 3


def test_a_side_with_members_cannot_be_deleted(ws, login):
    dialogue, side_a = ws["dialogue"], ws["side_a"]
    client = login(ws["convenor"])
    response = client.post(url("sides_edit", dialogue.pk), {"action": "delete", "side": side_a.pk})
    assert Side.objects.filter(pk=side_a.pk).exists()
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "“Side A” still has 1 member on the roster. Move them to another side first, then "
        "delete it."
    ]
    assert audit_of("side") == []


def test_a_side_of_another_dialogue_cannot_be_touched_from_this_one(ws, login):
    foreign = ws["elsewhere_side"]
    client = login(ws["convenor"])
    page = url("sides_edit", ws["dialogue"].pk)
    assert client.post(page, {"action": "delete", "side": foreign.pk}).status_code == 404
    rename = {"action": "update", "side": foreign.pk, f"side-{foreign.pk}-name": "Mine"}
    assert client.post(page, rename).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Harbour side"


# -- the roster -----------------------------------------------------------------------------------


def test_a_new_person_joins_the_roster_as_nominated(ws, login):
    dialogue = ws["dialogue"]
    response = login(ws["facilitator"]).post(
        url("roster", dialogue.pk), new_person_post(**{"new-side": ws["side_b"].pk})
    )
    assert response.status_code == 302
    person = Person.objects.get(full_name="Amina Diallo")
    assert (person.nationality, person.gender, person.proximity, person.email) == (
        "SN",
        G.WOMAN,
        P.ACADEMIC,
        "amina@example.org",
    )
    membership = Membership.objects.get(person=person)
    assert (
        membership.dialogue,
        membership.side,
        membership.role,
        membership.clearance.name,
        membership.state,
        membership.nominated_by,
    ) == (
        dialogue,
        ws["side_b"],
        R.PARTICIPANT,
        "Participants",
        S.NOMINATED,
        ws["facilitator"].person.user,
    )
    assert audit_of("person") == [("created", str(person.pk))]
    assert audit_of("membership") == [("created", str(membership.pk))]
    detail = AuditEntry.objects.get(content_type__model="membership").detail
    assert detail == {
        "person_id": person.pk,
        "side_id": ws["side_b"].pk,
        "role": "participant",
        "clearance_id": level("Participants").pk,
    }


def test_a_new_person_needs_a_name_and_a_side_of_this_dialogue(ws, login):
    dialogue = ws["dialogue"]
    response = login(ws["convenor"]).post(
        url("roster", dialogue.pk),
        new_person_post(**{"new-full_name": "", "new-side": ws["elsewhere_side"].pk}),
    )
    assert response.status_code == 400
    assert set(response.context["new_form"].errors) == {"full_name", "side"}
    assert not Person.objects.filter(family_name="Diallo").exists()


def test_the_convenor_picks_from_people_they_already_work_with_only(ws, login):
    dialogue = ws["dialogue"]
    client = login(ws["convenor"])
    form = client.get(url("roster", dialogue.pk)).context["existing_form"]
    # Northern Waters is theirs; Coastal Fisheries is not; Salt River's people are on it already.
    assert list(form.fields["person"].queryset) == [ws["known"]]

    response = client.post(
        url("roster", dialogue.pk),
        {
            "action": "existing",
            "existing-person": ws["known"].pk,
            "existing-side": ws["side_b"].pk,
            "existing-role": R.OBSERVER,
            "existing-clearance": level("Programme").pk,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(dialogue=dialogue, person=ws["known"])
    assert (membership.side, membership.role, membership.state) == (
        ws["side_b"],
        R.OBSERVER,
        S.NOMINATED,
    )


def test_a_person_from_another_dialogue_is_refused(ws, login):
    dialogue = ws["dialogue"]
    stranger = ws["stranger"].person
    before = Membership.objects.filter(dialogue=dialogue).count()
    response = login(ws["convenor"]).post(
        url("roster", dialogue.pk),
        {
            "action": "existing",
            "existing-person": stranger.pk,
            "existing-role": R.PARTICIPANT,
            "existing-clearance": level("Participants").pk,
        },
    )
    assert response.status_code == 400
    assert list(response.context["existing_form"].errors) == ["person"]
    assert Membership.objects.filter(dialogue=dialogue).count() == before
    assert b"Omar Stranger" not in response.content


def test_a_facilitator_of_another_dialogue_sees_none_of_our_people(ws, login):
    form = (
        login(ws["other_facilitator"])
        .get(url("roster", ws["elsewhere"].pk))
        .context["existing_form"]
    )
    assert list(form.fields["person"].queryset) == []


def test_the_search_narrows_the_people_offered(ws, login):
    dialogue = ws["dialogue"]
    MembershipFactory(
        dialogue=ws["northern"], person=PersonFactory(full_name="Yusuf Other", family_name="Other")
    )
    client = login(ws["convenor"])
    form = client.get(url("roster", dialogue.pk), {"q": "leila"}).context["existing_form"]
    assert list(form.fields["person"].queryset) == [ws["known"]]
    form = client.get(url("roster", dialogue.pk), {"q": "omar"}).context["existing_form"]
    assert list(form.fields["person"].queryset) == []


def test_a_member_changes_side_role_and_clearance_but_not_state(ws, login):
    dialogue, membership = ws["dialogue"], ws["participant"]
    client = login(ws["convenor"])
    page = url("membership_edit", dialogue.pk, membership.pk)
    assert client.get(page).status_code == 200
    response = client.post(
        page,
        {"side": ws["side_b"].pk, "role": R.RAPPORTEUR, "clearance": level("Facilitators").pk},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.side, membership.role, membership.clearance.name, membership.state) == (
        ws["side_b"],
        R.RAPPORTEUR,
        "Facilitators",
        S.ACCEPTED,
    )
    changed = AuditEntry.objects.get(content_type__model="membership", action="changed")
    assert changed.detail["fields"] == [
        "clearance",
        "role",
        "side",
    ]


def test_a_member_cannot_be_put_on_a_side_of_another_dialogue(ws, login):
    dialogue, membership = ws["dialogue"], ws["participant"]
    response = login(ws["convenor"]).post(
        url("membership_edit", dialogue.pk, membership.pk),
        {
            "side": ws["elsewhere_side"].pk,
            "role": R.PARTICIPANT,
            "clearance": level("Participants").pk,
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["side"]
    membership.refresh_from_db()
    assert membership.side == ws["side_a"]


def test_the_last_convenor_cannot_leave_the_convenor_role(ws, login):
    dialogue = ws["dialogue"]
    client = login(ws["convenor"])
    demote = {"side": "", "role": R.PARTICIPANT, "clearance": level("Restricted").pk}
    # The facilitator may step down: the convenor remains.
    facilitator = ws["facilitator"]
    page = url("membership_edit", dialogue.pk, facilitator.pk)
    assert client.post(page, demote).status_code == 302
    response = client.post(url("membership_edit", dialogue.pk, ws["convenor"].pk), demote)
    assert response.status_code == 400
    assert (
        response.context["form"].errors["role"][0]
        == "This is the dialogue's last accepted convenor: the convening team would have "
        "nobody to hold its roles. Make someone else convenor first."
    )
    ws["convenor"].refresh_from_db()
    assert ws["convenor"].role == R.CONVENOR


def test_a_membership_of_another_dialogue_is_404_under_this_one(ws, login):
    client = login(ws["convenor"])
    page = url("membership_edit", ws["dialogue"].pk, ws["stranger"].pk)
    assert client.get(page).status_code == 404
    post = {"role": R.OBSERVER, "clearance": level("Public").pk}
    assert client.post(page, post).status_code == 404
    ws["stranger"].refresh_from_db()
    assert ws["stranger"].role == R.PARTICIPANT


# -- no clearance above the granter's own ---------------------------------------------------------

LEVEL_NAMES = ["Public", "Programme", "Participants", "Facilitators", "Restricted"]


def clearance_choices(form) -> list[str]:
    return [level.name for level in form.fields["clearance"].queryset.order_by("rank")]


def test_the_roster_offers_only_clearances_up_to_the_editors_own(ws, login):
    dialogue = ws["dialogue"]
    page = login(ws["facilitator"]).get(url("roster", dialogue.pk))  # cleared Facilitators
    assert clearance_choices(page.context["new_form"]) == LEVEL_NAMES[:4]
    assert clearance_choices(page.context["existing_form"]) == LEVEL_NAMES[:4]
    page = signed_in(ws["convenor"]).get(url("roster", dialogue.pk))  # cleared Restricted
    assert clearance_choices(page.context["new_form"]) == LEVEL_NAMES


def test_a_clearance_above_ones_own_is_refused_and_nothing_is_added(ws, login):
    dialogue = ws["dialogue"]
    before = snapshot()
    response = login(ws["facilitator"]).post(
        url("roster", dialogue.pk), new_person_post(**{"new-clearance": level("Restricted").pk})
    )
    assert response.status_code == 400
    assert list(response.context["new_form"].errors) == ["clearance"]
    assert snapshot() == before


def test_nobody_raises_their_own_clearance(ws, login):
    # A facilitator's own membership is not below their own clearance: not theirs to change.
    dialogue, facilitator = ws["dialogue"], ws["facilitator"]
    client = login(facilitator)
    page = url("membership_edit", dialogue.pk, facilitator.pk)
    assert client.get(page).status_code == 404
    response = client.post(
        page, {"side": ws["third"].pk, "role": R.FACILITATOR, "clearance": level("Restricted").pk}
    )
    assert response.status_code == 404
    facilitator.refresh_from_db()
    assert (facilitator.side, facilitator.clearance.name) == (ws["third"], "Facilitators")


def test_a_member_cleared_above_the_editor_keeps_that_clearance_when_moved(ws, login):
    # A convenor cleared Facilitators moves a member cleared Restricted: the clearance may stay.
    dialogue = ws["dialogue"]
    junior_convenor = member_with_account(
        dialogue=dialogue, role=R.CONVENOR, clearance="Facilitators"
    )
    senior = MembershipFactory(dialogue=dialogue, clearance=level("Restricted"), side=ws["side_a"])
    client = login(junior_convenor)
    page = url("membership_edit", dialogue.pk, senior.pk)
    assert clearance_choices(client.get(page).context["form"]) == LEVEL_NAMES
    response = client.post(
        page, {"side": ws["third"].pk, "role": R.PARTICIPANT, "clearance": level("Restricted").pk}
    )
    assert response.status_code == 302
    senior.refresh_from_db()
    assert (senior.side, senior.clearance.name) == (ws["third"], "Restricted")


def test_the_services_refuse_a_clearance_above_the_viewers_own(ws):
    from django.core.exceptions import ValidationError

    from dialogues.confidentiality import viewer_for_user
    from dialogues.workspace.services import roster_add_person, roster_update_membership

    facilitator = ws["facilitator"]
    user = facilitator.person.user
    viewer = viewer_for_user(user)
    with pytest.raises(ValidationError) as refused:
        roster_add_person(
            dialogue=ws["dialogue"],
            side=None,
            role=R.PARTICIPANT,
            clearance=level("Restricted"),
            by=user,
            viewer=viewer,
            person=ws["known"],
        )
    assert refused.value.message_dict == {
        "clearance": [
            "“Restricted” is above your own clearance in this dialogue: only someone cleared "
            "for it can give it."
        ]
    }
    with pytest.raises(ValidationError) as refused_again:
        roster_update_membership(
            membership=ws["participant"],
            side=None,
            role=R.PARTICIPANT,
            clearance=level("Restricted"),
            by=user,
            viewer=viewer,
        )
    assert refused_again.value.message_dict == refused.value.message_dict
    assert not Membership.objects.filter(dialogue=ws["dialogue"], person=ws["known"]).exists()
    ws["participant"].refresh_from_db()
    assert ws["participant"].clearance.name == "Participants"


# -- who may reach the workspace ------------------------------------------------------------------


def workspace_requests(ws):
    """Every workspace URL of Salt River, with a POST that would change something."""
    dialogue, member = ws["dialogue"], ws["participant"]
    return [
        (url("dialogue_edit", dialogue.pk), dialogue_post(dialogue, title="Taken over")),
        (url("sides_edit", dialogue.pk), {"action": "add", "add-name": "Side X"}),
        (url("sides_edit", dialogue.pk), {"action": "delete", "side": ws["side_b"].pk}),
        (url("roster", dialogue.pk), new_person_post()),
        (
            url("roster", dialogue.pk),
            {
                "action": "existing",
                "existing-person": ws["stranger"].person_id,
                "existing-role": R.PARTICIPANT,
                "existing-clearance": level("Restricted").pk,
            },
        ),
        (
            url("membership_edit", dialogue.pk, member.pk),
            {"side": "", "role": R.CONVENOR, "clearance": level("Restricted").pk},
        ),
    ]


def snapshot():
    return (
        list(Dialogue.objects.values_list("id", "title", "edit_revision")),
        list(Side.objects.values_list("id", "name")),
        list(Membership.objects.values_list("id", "dialogue_id", "side_id", "role", "state")),
        list(Person.objects.values_list("id", "full_name")),
    )


@pytest.mark.parametrize("who", ["participant", "other_facilitator", "nominated_facilitator"])
def test_only_the_convening_team_of_this_dialogue_reaches_its_workspace(ws, login, who):
    if who == "nominated_facilitator":
        # On the convening team's roster, but not yet accepted: no access either.
        member = member_with_account(
            dialogue=ws["dialogue"], role=R.FACILITATOR, clearance="Restricted", state=S.NOMINATED
        )
    else:
        member = ws[who]
    client = login(member)
    before = snapshot()
    for page, data in workspace_requests(ws):
        assert client.get(page).status_code == 404, page
        assert client.post(page, data).status_code == 404, page
    assert snapshot() == before
    assert not AuditEntry.objects.filter(dialogue_id=ws["dialogue"].pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(ws, client):
    for page, data in [(url("dialogue_create"), {}), *workspace_requests(ws)]:
        response = client.post(page, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_facilitator_of_the_dialogue_reaches_every_workspace_page(ws, login):
    client = login(ws["facilitator"])
    for page, _ in workspace_requests(ws):
        assert client.get(page).status_code == 200, page


# -- the room at a glance -------------------------------------------------------------------------


def room(dialogue, *members):
    """Put (role, side, gender, proximity, state) members on ``dialogue``'s roster."""
    for role, side, gender, proximity, state in members:
        MembershipFactory(
            dialogue=dialogue,
            role=role,
            side=side,
            state=state,
            person=PersonFactory(gender=gender, proximity=proximity),
        )
    return list(roster_of(dialogue_id=dialogue.pk))


def test_composition_counts_the_room_exactly(django_assert_num_queries):
    dialogue = DialogueFactory(track=Dialogue.Track.TRACK_2)
    a = SideFactory(dialogue=dialogue, name="Side A", position=1)
    b = SideFactory(dialogue=dialogue, name="Side B", position=2)
    third = SideFactory(dialogue=dialogue, name="Facilitation", position=3, is_third_party=True)
    roster = room(
        dialogue,
        (R.CONVENOR, third, G.WOMAN, P.OTHER, S.ACCEPTED),
        (R.PARTICIPANT, a, G.MAN, P.SERVING_OFFICIAL, S.ACCEPTED),
        (R.PARTICIPANT, a, G.MAN, P.ACADEMIC, S.NOMINATED),
        (R.PARTICIPANT, a, G.MAN, P.ACADEMIC, S.INVITED),
        (R.PARTICIPANT, b, G.NON_BINARY, P.CIVIL_SOCIETY, S.CLEARED),
        (R.PARTICIPANT, None, G.UNDISCLOSED, P.ACADEMIC, S.ACCEPTED),
        (R.PARTICIPANT, b, G.WOMAN, P.JOURNALIST, S.REJECTED),  # not counted
        (R.OBSERVER, b, G.WOMAN, P.JOURNALIST, S.DECLINED),  # not counted
        (R.OBSERVER, None, G.MAN, P.SERVING_OFFICIAL, S.NOMINATED),
    )
    sides = [a, b, third]
    with django_assert_num_queries(0):
        composition = room_composition(roster=roster, sides=sides)
        warnings = room_warnings(dialogue=dialogue, roster=roster, sides=sides)
    assert (composition.members, composition.participants) == (7, 5)
    assert composition.by_side.as_dict() == {
        "Side A": 3,
        "Side B": 1,
        "Facilitation": 0,
        "No side": 1,
    }
    assert composition.by_gender.as_dict() == {
        "Woman": 0,
        "Man": 3,
        "Non-binary": 1,
        "Not disclosed": 1,
    }
    assert composition.by_proximity.as_dict() == {
        "Serving official (personal capacity)": 1,
        "Academic or think tank": 3,
        "Civil society": 1,
    }
    assert composition.by_role.as_dict() == {"Convenor": 1, "Participant": 5, "Observer": 1}
    assert warnings == [
        "<bdi>Side A</bdi> has more than twice the participants of <bdi>Side B</bdi> (3 to 1).",
        "1 participant has no side.",
        "No women among participants.",
        "No rapporteur: nobody is named to keep the record.",
        "2 serving officials in a Track 2 dialogue, which is meant to have none (Track 1.5 is "
        "the track for officials).",
        "More than 50% of participants (3 of 5) are in one category of proximity to power: "
        "Academic or think tank.",
    ]


def test_a_balanced_room_has_no_warnings():
    dialogue = DialogueFactory(track=Dialogue.Track.TRACK_1_5)
    a = SideFactory(dialogue=dialogue, name="Side A", position=1)
    b = SideFactory(dialogue=dialogue, name="Side B", position=2)
    roster = room(
        dialogue,
        (R.RAPPORTEUR, None, G.MAN, P.OTHER, S.ACCEPTED),
        (R.PARTICIPANT, a, G.WOMAN, P.SERVING_OFFICIAL, S.ACCEPTED),  # fine in Track 1.5
        (R.PARTICIPANT, a, G.MAN, P.ACADEMIC, S.ACCEPTED),
        (R.PARTICIPANT, b, G.MAN, P.FORMER_OFFICIAL, S.NOMINATED),
        (R.PARTICIPANT, b, G.WOMAN, P.CIVIL_SOCIETY, S.INVITED),
    )
    assert room_warnings(dialogue=dialogue, roster=roster, sides=[a, b]) == []


def test_a_side_with_only_rejected_or_declined_people_has_no_participant():
    dialogue = DialogueFactory()
    a = SideFactory(dialogue=dialogue, name="Side A", position=1)
    b = SideFactory(dialogue=dialogue, name="Side B", position=2)
    roster = room(
        dialogue,
        (R.RAPPORTEUR, None, G.MAN, P.OTHER, S.ACCEPTED),
        (R.PARTICIPANT, a, G.WOMAN, P.ACADEMIC, S.ACCEPTED),
        (R.PARTICIPANT, b, G.WOMAN, P.ACADEMIC, S.REJECTED),
        (R.PARTICIPANT, b, G.MAN, P.ACADEMIC, S.DECLINED),
        (R.OBSERVER, b, G.MAN, P.ACADEMIC, S.ACCEPTED),  # an observer is not a participant
    )
    assert room_warnings(dialogue=dialogue, roster=roster, sides=[a, b]) == [
        "<bdi>Side B</bdi> has no participant."
    ]


def test_an_empty_room_says_so():
    dialogue = DialogueFactory()
    assert room_warnings(dialogue=dialogue, roster=[], sides=[]) == [
        "No sides yet: add the parties to the conflict.",
        "No participants on the roster yet.",
        "No rapporteur: nobody is named to keep the record.",
    ]


def test_the_convenor_sees_the_room_picture_and_a_participant_does_not(ws, login, client):
    # One picture on the Roster tab (a bar per dimension), its numbers in a table for screen
    # readers only; the warnings as before.
    dialogue = ws["dialogue"]
    content = login(ws["convenor"]).get(url("roster", dialogue.pk)).content.decode()
    svgs = re.findall(r"<svg [^>]*>", content)
    assert len(svgs) == 1
    assert 'aria-hidden="true"' in svgs[0]
    assert '<table class="visually-hidden room__numbers">' in content
    assert "Participants by side" in content
    assert "<bdi>Side B</bdi> has no participant." in content
    assert '<tr><th scope="row">Side A</th><td>1</td></tr>' in content
    assert '<tr><th scope="row">Side B</th><td>0</td></tr>' in content
    assert url("roster", dialogue.pk) in content
    # The overview no longer draws it.
    assert (
        "The room at a glance"
        not in login(ws["convenor"]).get(url("dialogue_detail", dialogue.pk)).content.decode()
    )

    client.logout()
    participant = login(ws["participant"])
    content = participant.get(url("dialogue_detail", dialogue.pk)).content.decode()
    assert "<svg" not in content
    assert "The room at a glance" not in content
    assert url("roster", dialogue.pk) not in content
    assert participant.get(url("roster", dialogue.pk)).status_code == 404


# -- query counts: the same literal at two sizes --------------------------------------------------


def crowd(dialogue, size: int) -> None:
    sides = [SideFactory(dialogue=dialogue, position=n) for n in range(3)]
    for n in range(size):
        member_with_account(
            dialogue=dialogue, side=sides[n % 3], state=[S.ACCEPTED, S.NOMINATED][n % 2]
        )
        MembershipFactory(dialogue=DialogueFactory())  # people elsewhere, never offered


@pytest.mark.parametrize("size", [3, 40])
def test_roster_page_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=R.CONVENOR, clearance="Restricted"
    )
    crowd(convenor.dialogue, size)
    other = DialogueFactory()
    MembershipFactory(dialogue=other, person=convenor.person, role=R.FACILITATOR)
    for _ in range(size):
        MembershipFactory(dialogue=other)  # people the convenor knows from there
    client = login(convenor)
    page = url("roster", convenor.dialogue_id)
    client.get(page)
    # Three more than before the roster became a list (issue 16): the sides and the clearances
    # its toolbar offers, and the paginator's count; one page of 25 members at most. The room
    # at a glance, on this tab now, reads the whole roster and the sides (two).
    with django_assert_num_queries(22):
        response = client.get(page)
    assert response.context["page_obj"].paginator.count == size + 1
    assert len(response.context["members"]) == min(size + 1, 25)
    assert len(response.context["existing_form"].fields["person"].queryset) == size


@pytest.mark.parametrize("size", [3, 40])
def test_convenor_dialogue_page_with_the_room_query_count_does_not_grow(
    login, django_assert_num_queries, size
):
    # The room is drawn on the Roster tab now, from the whole roster, whatever the page lists.
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=R.CONVENOR, clearance="Restricted"
    )
    crowd(convenor.dialogue, size)
    client = login(convenor)
    page = url("roster", convenor.dialogue_id)
    client.get(page)
    # Three more since the roster became a list: its toolbar's sides and clearances, and the
    # paginator's count.
    with django_assert_num_queries(17):
        response = client.get(page)
    # The list shows a page of 25 at most; the room counts everyone.
    assert response.context["page_obj"].paginator.count == size + 1
    assert len(response.context["members"]) == min(size + 1, 25)
    assert b"The room at a glance" in response.content
    # Everyone in the crowd is a participant, accepted or nominated: all in the room.
    assert f"{size + 1} members, of whom {size} are participants".encode() in response.content


@pytest.mark.parametrize("size", [2, 30])
def test_sides_page_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=R.CONVENOR, clearance="Restricted"
    )
    for n in range(size):
        side = SideFactory(dialogue=convenor.dialogue, position=n)
        member_with_account(dialogue=convenor.dialogue, side=side)
    client = login(convenor)
    page = url("sides_edit", convenor.dialogue_id)
    client.get(page)
    # One query writes the audit entry of what the page shows (trackii.audit.reads).
    with django_assert_num_queries(7):
        response = client.get(page)
    assert response.status_code == 200
    assert len(response.context["rows"]) == size


# -- rules inside the convening team --------------------------------------------------------------
# In ``ws`` the convenor is cleared Restricted and the facilitator (a co-facilitator) Facilitators.


def role_choices(form) -> list[str]:
    return [value for value, _label in form.fields["role"].choices]


def membership_row(membership) -> tuple:
    membership.refresh_from_db()
    return (membership.side_id, membership.role, membership.clearance.name, membership.state)


def test_a_co_facilitator_cannot_demote_the_convenor(ws, login):
    # The security review's finding: a co-facilitator cleared Facilitators posted the roster edit
    # form and made the convenor (cleared Restricted) a Public-cleared participant.
    dialogue, convenor = ws["dialogue"], ws["convenor"]
    before = membership_row(convenor)
    client = login(ws["facilitator"])
    page = url("membership_edit", dialogue.pk, convenor.pk)
    assert client.get(page).status_code == 404
    demote = {"side": "", "role": R.PARTICIPANT, "clearance": level("Public").pk}
    assert client.post(page, demote).status_code == 404
    assert membership_row(convenor) == before
    roster = client.get(url("roster", dialogue.pk)).content.decode()
    assert page not in roster
    assert url("membership_edit", dialogue.pk, ws["participant"].pk) in roster
    assert signed_in(convenor).get(url("dialogue_detail", dialogue.pk)).status_code == 200
    assert not AuditEntry.objects.filter(
        action="changed", content_type__model="membership"
    ).exists()


def test_the_services_refuse_a_co_facilitator_changing_a_senior(ws):
    from django.core.exceptions import ValidationError

    from dialogues.confidentiality import viewer_for_user
    from dialogues.workspace.services import roster_update_membership

    user = ws["facilitator"].person.user
    convenor = ws["convenor"]
    before = membership_row(convenor)
    with pytest.raises(ValidationError) as refused:
        roster_update_membership(
            membership=convenor,
            side=None,
            role=R.PARTICIPANT,
            clearance=level("Public"),
            by=user,
            viewer=viewer_for_user(user),
        )
    assert refused.value.messages == [
        "Only the convenor changes the membership of someone cleared at or above your own "
        "clearance."
    ]
    assert membership_row(convenor) == before


def test_a_co_facilitator_changes_members_cleared_below_them_without_team_roles(ws, login):
    dialogue, participant = ws["dialogue"], ws["participant"]
    client = login(ws["facilitator"])
    page = url("membership_edit", dialogue.pk, participant.pk)
    form = client.get(page).context["form"]
    assert role_choices(form) == [R.PARTICIPANT, R.OBSERVER, R.OFFICIAL_LIAISON]
    assert clearance_choices(form) == LEVEL_NAMES[:4]
    promote = {"side": ws["side_b"].pk, "role": R.FACILITATOR, "clearance": level("Programme").pk}
    response = client.post(page, promote)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "role": ["Select a valid choice. facilitator is not one of the available choices."]
    }
    assert membership_row(participant) == (
        ws["side_a"].pk,
        R.PARTICIPANT,
        "Participants",
        S.ACCEPTED,
    )
    move = {"side": ws["side_b"].pk, "role": R.OBSERVER, "clearance": level("Programme").pk}
    assert client.post(page, move).status_code == 302
    assert membership_row(participant) == (ws["side_b"].pk, R.OBSERVER, "Programme", S.ACCEPTED)


def test_only_a_convenor_gives_or_takes_the_team_roles(ws, login):
    from django.core.exceptions import ValidationError

    from dialogues.confidentiality import viewer_for_user
    from dialogues.workspace.services import roster_add_person, roster_update_membership

    dialogue = ws["dialogue"]
    # A facilitator cleared below the co-facilitator: theirs to move, not to demote.
    junior = MembershipFactory(dialogue=dialogue, role=R.FACILITATOR, clearance=level("Programme"))
    user = ws["facilitator"].person.user
    viewer = viewer_for_user(user)
    client = login(ws["facilitator"])
    page = url("membership_edit", dialogue.pk, junior.pk)
    assert role_choices(client.get(page).context["form"]) == [R.FACILITATOR]
    with pytest.raises(ValidationError) as taken:
        roster_update_membership(
            membership=junior,
            side=None,
            role=R.PARTICIPANT,
            clearance=level("Programme"),
            by=user,
            viewer=viewer,
        )
    assert taken.value.message_dict == {
        "role": ["Only a convenor gives or takes the convenor, facilitator and rapporteur roles."]
    }
    with pytest.raises(ValidationError) as given:
        roster_add_person(
            dialogue=dialogue,
            side=None,
            role=R.CONVENOR,
            clearance=level("Programme"),
            by=user,
            viewer=viewer,
            person=ws["known"],
        )
    assert given.value.message_dict == {
        "role": ["Only a convenor gives the convenor, facilitator and rapporteur roles."]
    }
    assert not Membership.objects.filter(dialogue=dialogue, person=ws["known"]).exists()
    assert membership_row(junior)[1] == R.FACILITATOR
    # Moving the junior facilitator to another side is the co-facilitator's to do.
    move = {"side": ws["third"].pk, "role": R.FACILITATOR, "clearance": level("Programme").pk}
    assert client.post(page, move).status_code == 302
    assert membership_row(junior)[:2] == (ws["third"].pk, R.FACILITATOR)
    # The convenor gives and takes the roles.
    convenor_client = signed_in(ws["convenor"])
    page = url("membership_edit", dialogue.pk, ws["participant"].pk)
    assert role_choices(convenor_client.get(page).context["form"]) == [
        value for value, _label in R.choices
    ]
    make_facilitator = {"side": "", "role": R.FACILITATOR, "clearance": level("Programme").pk}
    assert convenor_client.post(page, make_facilitator).status_code == 302
    assert membership_row(ws["participant"])[1] == R.FACILITATOR
    demote = {"side": "", "role": R.PARTICIPANT, "clearance": level("Programme").pk}
    edit_junior = url("membership_edit", dialogue.pk, junior.pk)
    assert convenor_client.post(edit_junior, demote).status_code == 302
    assert membership_row(junior)[1] == R.PARTICIPANT


def test_a_second_convenor_lets_the_first_step_down(ws, login):
    dialogue, convenor = ws["dialogue"], ws["convenor"]
    second = member_with_account(dialogue=dialogue, role=R.CONVENOR, clearance="Restricted")
    client = login(second)
    step_down = {"side": "", "role": R.FACILITATOR, "clearance": level("Restricted").pk}
    assert (
        client.post(url("membership_edit", dialogue.pk, convenor.pk), step_down).status_code == 302
    )
    assert membership_row(convenor)[1] == R.FACILITATOR
    # Now the second is the last convenor: they stay.
    response = client.post(url("membership_edit", dialogue.pk, second.pk), step_down)
    assert response.status_code == 400
    assert membership_row(second)[1] == R.CONVENOR


def test_invitations_follow_the_roster_rule(ws, login):
    from participants.models import Invitation

    dialogue = ws["dialogue"]
    low = MembershipFactory(
        dialogue=dialogue,
        clearance=level("Participants"),
        state=S.CLEARED,
        person=PersonFactory(email="low@example.org"),
    )
    high = MembershipFactory(
        dialogue=dialogue,
        clearance=level("Facilitators"),
        state=S.CLEARED,
        person=PersonFactory(email="high@example.org"),
    )
    client = login(ws["facilitator"])
    invite = lambda m: url("invitation_send", dialogue.pk, m.pk)  # noqa: E731
    roster = client.get(url("roster", dialogue.pk)).content.decode()
    assert invite(low) in roster
    assert invite(high) not in roster
    assert client.post(invite(high)).status_code == 404
    assert not Invitation.objects.filter(membership=high).exists()
    assert client.post(invite(low)).status_code == 302
    assert list(Invitation.objects.values_list("membership_id", "email")) == [
        (low.pk, "low@example.org")
    ]
    # The convenor invites the member cleared Facilitators; the co-facilitator cannot revoke it.
    convenor_client = signed_in(ws["convenor"])
    assert convenor_client.post(invite(high)).status_code == 302
    invitation = Invitation.objects.get(membership=high)
    revoke = url("invitation_revoke", dialogue.pk, high.pk, invitation.pk)
    assert client.post(revoke).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert convenor_client.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # An invitation of another member, named under this one, is 404.
    low_invitation = Invitation.objects.get(membership=low)
    wrong = url("invitation_revoke", dialogue.pk, high.pk, low_invitation.pk)
    assert convenor_client.post(wrong).status_code == 404
    low_invitation.refresh_from_db()
    assert low_invitation.revoked_at is None


def test_a_co_facilitator_cannot_make_a_rapporteur(ws, login):
    # A rapporteur reads the attributed record (who said what): only the convenor gives the role.
    dialogue, participant = ws["dialogue"], ws["participant"]
    client = login(ws["facilitator"])
    page = url("membership_edit", dialogue.pk, participant.pk)
    make = {"side": ws["side_a"].pk, "role": R.RAPPORTEUR, "clearance": level("Participants").pk}
    response = client.post(page, make)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["role"]
    assert membership_row(participant)[1] == R.PARTICIPANT
    assert signed_in(ws["convenor"]).post(page, make).status_code == 302
    assert membership_row(participant)[1] == R.RAPPORTEUR


def test_a_junior_convenor_cannot_demote_a_senior_convenor(ws, login):
    dialogue, senior = ws["dialogue"], ws["convenor"]  # cleared Restricted
    junior = member_with_account(dialogue=dialogue, role=R.CONVENOR, clearance="Programme")
    before = membership_row(senior)
    client = login(junior)
    page = url("membership_edit", dialogue.pk, senior.pk)
    assert client.get(page).status_code == 404
    demote = {"side": "", "role": R.PARTICIPANT, "clearance": level("Public").pk}
    assert client.post(page, demote).status_code == 404
    assert membership_row(senior) == before
    # The senior convenor changes the junior one; a co-facilitator cleared above a convenor
    # still does not touch a convenor's membership.
    assert signed_in(senior).get(url("membership_edit", dialogue.pk, junior.pk)).status_code == 200
    facilitator_client = signed_in(ws["facilitator"])  # cleared Facilitators, above Programme
    assert facilitator_client.get(url("membership_edit", dialogue.pk, junior.pk)).status_code == 404
