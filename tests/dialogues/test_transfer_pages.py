"""The pages of transfers and observed changes (issue 18, rule 10): an idea's page shows where it
went and what changed after, to whoever may see each (and nothing that says how many are
hidden); logging a transfer, recording a reaction (no lost edit), the list of observed changes
and recording one are the convening team's (404 to everyone else); each page through the
confidentiality module, audited, with a fixed number of queries. With data present that could
leak: an idea from one side's pre-consultation, a Restricted transfer naming a participant, a
retired official, another dialogue's official."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import BriefingPack, BriefingPackCopy, Idea, ObservedChange, Transfer
from dialogues.transfers.services import change_record, transfer_log
from participants.models import Membership
from tests.factories import level
from tests.world import idea, member_with_account, official, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)
OFFICIAL = "Elena Marsh"
CARRIER = "Carrier Sentinel"


def url(name: str, world, *args) -> str:
    return reverse(f"dialogues:{name}", args=[world["dialogue"].pk, *args])


def text(response) -> str:
    return response.content.decode()


def log(path, name: str, *, at: str = "Facilitators", readers=(), reaction="", **kwargs):
    made = path["ideas"][name]
    return transfer_log(
        idea=made,
        official=kwargs.pop("to", path["envoy"]),
        means=kwargs.pop("means", Transfer.Means.MEETING),
        occurred_on=kwargs.pop("on", DAY),
        level=level(at),
        carried_by=path["carrier"],
        readers=readers,
        reaction=reaction,
        by=path["by"],
        **kwargs,
    )


@pytest.fixture
def path(world):
    """Three ideas (the Round 1 plenary at Programme; side A's pre-consultation; a Restricted
    note for the convenor), an envoy in the register (a retired one and another dialogue's
    too), a facilitator who carries ideas (and a co-facilitator cleared Facilitators), and a
    released pack's copy to the envoy."""
    d = world["dialogue"]
    carrier = member_with_account(
        dialogue=d, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    carrier.person.full_name = CARRIER
    carrier.person.save()
    plenary = outcome(world["round_1"], level="Programme", summary="A shared gauge.")
    pre = outcome(world["pre"], level="Participants", summary="Side A's red line.")
    note = outcome(
        world["round_1"], level="Restricted", readers=[world["convenor"].person], summary="Hint."
    )
    envoy = official(
        d, OFFICIAL, "marsh@example.org", "Programme", position="Envoy", institution="Ministry"
    )
    retired = official(d, "Retired Envoy", "old@example.org", "Public", retired_at=timezone.now())
    elsewhere = official(world["elsewhere"], "Coastal Envoy", "coast@example.org", "Public")
    pack = BriefingPack.objects.create(dialogue=d, requested_by=world["convenor"].person.user)
    copy = BriefingPackCopy.objects.create(
        pack=pack,
        number=1,
        total=1,
        recipient_name=OFFICIAL,
        recipient_email="marsh@example.org",
        clearance=level("Programme"),
        official=envoy,
        link_issued_at=timezone.now(),
    )
    return {
        "ideas": {
            "plenary": idea(d, sources=[plenary], level="Programme", title="Joint gauge network"),
            "pre": idea(d, sources=[pre], level="Participants", title="Side A's offer"),
            "note": idea(
                d,
                sources=[note],
                level="Restricted",
                readers=[world["convenor"].person],
                title="The envoy's opening",
            ),
        },
        "envoy": envoy,
        "retired": retired,
        "elsewhere": elsewhere,
        "copy": copy,
        "carrier": carrier,
        "by": world["convenor"].person.user,
    }


# -- the idea's page ------------------------------------------------------------------------------


def test_the_idea_page_shows_its_transfers_and_changes_to_the_convening_team(world, path, login):
    sent = log(path, "plenary", reaction="Asked for the annex.", pack_copy=path["copy"])
    change_record(
        dialogue=world["dialogue"],
        viewer=_viewer(world["convenor"]),
        kind=ObservedChange.Kind.POLICY,
        observed_on=DAY,
        who_changed="The water ministry",
        what_changed="Adopted a gauge pilot.",
        significance="First shared data.",
        contribution="Our idea, through the envoy.",
        level=level("Facilitators"),
        ideas=[path["ideas"]["plenary"]],
        transfers=[sent],
    )
    page = login(world["convenor"]).get(url("idea_detail", world, path["ideas"]["plenary"].pk))
    html = text(page)
    assert page.status_code == 200
    assert [t.pk for t in page.context["transfers"]] == [sent.pk]
    assert [c.what_changed for c in page.context["changes"]] == ["Adopted a gauge pilot."]
    for shown in (
        '<h2 id="transfers-h">Transfers</h2>',
        "Briefing pack copy",
        OFFICIAL,
        "Envoy, Ministry",
        CARRIER,
        "Asked for the annex.",
        url("pack_detail", world, path["copy"].pack_id) + f"#copy-{path['copy'].pk}",
        url("transfer_detail", world, sent.pk),
        url("transfer_create", world, path["ideas"]["plenary"].pk),
        url("change_create", world) + f"?idea={path['ideas']['plenary'].pk}",
        "Adopted a gauge pilot.",
    ):
        assert shown in html, shown


def test_a_member_who_sees_no_transfer_gets_no_section_at_all(world, path, login):
    log(path, "plenary", reaction="Kept for the team.")
    page = login(world["participant"]).get(url("idea_detail", world, path["ideas"]["plenary"].pk))
    html = text(page)
    assert page.status_code == 200
    assert (page.context["transfers"], page.context["changes"]) == ([], [])
    for hidden in ("Transfers", "Changes observed", "Kept for the team.", OFFICIAL, "transfers/"):
        assert hidden not in html, hidden


def test_a_named_participant_reads_the_transfer_and_whom_it_reached_but_not_who_carried_it(
    world, path, login
):
    named = log(
        path,
        "pre",
        at="Restricted",
        readers=[world["participant"].person],
        reaction="Open to it.",
    )
    log(path, "pre", reaction="For the team only.")
    page = login(world["participant"]).get(url("idea_detail", world, path["ideas"]["pre"].pk))
    html = text(page)
    assert [t.pk for t in page.context["transfers"]] == [named.pk]
    assert "Open to it." in html
    assert OFFICIAL in html
    for hidden in ("For the team only.", CARRIER, "Log a transfer", "packs/"):
        assert hidden not in html, hidden
    detail = login(world["participant"]).get(url("transfer_detail", world, named.pk))
    assert detail.status_code == 200
    assert "Open to it." in text(detail)
    assert OFFICIAL in text(detail)
    for hidden in (CARRIER, "Record the reaction", "Named readers"):
        assert hidden not in text(detail), hidden
    # The other side never sees the idea from side A's pre-consultation, nor its transfer.
    other = login(world["other_side"])
    assert other.get(url("transfer_detail", world, named.pk)).status_code == 404


def test_a_facilitator_not_named_sees_the_section_without_a_trace_of_the_hidden_one(
    world, path, login
):
    log(path, "note", at="Restricted", readers=[world["convenor"].person], reaction="Secret.")
    client = login(path["carrier"])
    # The Restricted idea itself is hidden from the co-facilitator: 404, not an empty section.
    assert client.get(url("idea_detail", world, path["ideas"]["note"].pk)).status_code == 404
    shown = log(path, "plenary", reaction="Seen.")
    hidden = log(path, "plenary", at="Restricted", readers=[world["convenor"].person])
    page = client.get(url("idea_detail", world, path["ideas"]["plenary"].pk))
    assert [t.pk for t in page.context["transfers"]] == [shown.pk]
    assert url("transfer_detail", world, hidden.pk) not in text(page)
    assert client.get(url("transfer_detail", world, hidden.pk)).status_code == 404


# -- logging a transfer ---------------------------------------------------------------------------


def test_the_transfer_form_offers_briefed_officials_the_team_copies_sent_and_levels_allowed(
    world, path, login
):
    client = login(world["convenor"])
    form = client.get(url("transfer_create", world, path["ideas"]["plenary"].pk)).context["form"]
    assert list(form.fields["official"].queryset) == [path["envoy"]]
    assert {m.pk for m in form.fields["carried_by"].queryset} == {
        world["convenor"].pk,
        world["rapporteur"].pk,
        path["carrier"].pk,
    }
    assert list(form.fields["pack_copy"].queryset) == [path["copy"]]
    assert [lv.name for lv in form.fields["level"].queryset] == ["Facilitators", "Restricted"]
    assert form.initial["occurred_on"] == timezone.localdate()
    # The Restricted idea's transfer can only be Restricted; a copy already logged for an idea
    # is not offered for it again.
    restricted = client.get(url("transfer_create", world, path["ideas"]["note"].pk))
    assert [lv.name for lv in restricted.context["form"].fields["level"].queryset] == ["Restricted"]
    log(path, "plenary", pack_copy=path["copy"])
    again = client.get(url("transfer_create", world, path["ideas"]["plenary"].pk))
    assert list(again.context["form"].fields["pack_copy"].queryset) == []


def test_a_transfer_is_logged_from_the_form_and_audited(world, path, login):
    client = login(world["convenor"])
    made = path["ideas"]["plenary"]
    response = client.post(
        url("transfer_create", world, made.pk),
        {
            "official": path["envoy"].pk,
            "means": "call",
            "occurred_on": "03/12/2026",
            "carried_by": path["carrier"].pk,
            "reaction_kind": "asked_more",
            "reaction": "Wants the data-sharing annex.",
            "level": level("Facilitators").pk,
        },
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("transfer_detail", world, transfer.pk)
    assert (
        transfer.idea,
        transfer.official,
        transfer.means,
        transfer.occurred_on,
        transfer.carried_by,
        transfer.reaction_kind,
        transfer.reaction,
        transfer.level,
    ) == (
        made,
        path["envoy"],
        "call",
        date(2026, 12, 3),
        path["carrier"],
        "asked_more",
        "Wants the data-sharing annex.",
        level("Facilitators"),
    )
    made.refresh_from_db()
    assert made.state == Idea.State.TRANSFERRED
    created = AuditEntry.objects.get(content_type__model="transfer", action="created")
    assert (created.actor, created.object_id) == (world["convenor"].person.user, str(transfer.pk))


def test_the_transfer_form_shows_its_errors_and_keeps_what_was_typed(world, path, login):
    client = login(world["convenor"])
    typed = {
        "official": path["retired"].pk,
        "means": "letter",
        "occurred_on": "31/02/2027",
        "reaction_kind": "receptive",
        "reaction": "Typed with care.",
        "level": level("Programme").pk,
    }
    response = client.post(url("transfer_create", world, path["ideas"]["plenary"].pk), typed)
    form = response.context["form"]
    assert response.status_code == 400
    assert sorted(form.errors) == ["level", "occurred_on", "official"]
    assert form.errors["occurred_on"] == ["Enter a date as day/month/year, such as 14/03/2027."]
    assert "Typed with care." in text(response)
    assert 'value="31/02/2027"' in text(response)
    assert Transfer.objects.count() == 0


def test_a_copy_that_went_to_someone_else_is_refused_on_its_field(world, path, login):
    other = official(world["dialogue"], "Second Envoy", "second@example.org", "Public")
    client = login(world["convenor"])
    response = client.post(
        url("transfer_create", world, path["ideas"]["plenary"].pk),
        {
            "official": other.pk,
            "means": "meeting",
            "occurred_on": "03/12/2026",
            "pack_copy": path["copy"].pk,
            "reaction_kind": "unknown",
            "level": level("Facilitators").pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "pack_copy": ["Choose a copy that went to this official."]
    }
    assert Transfer.objects.count() == 0


@pytest.mark.parametrize("who", ["participant", "observer", "rapporteur", "outsider"])
def test_logging_and_reacting_and_changes_answer_404_outside_the_convening_team(
    world, path, login, who
):
    transfer = log(path, "plenary")
    client = login(world[who])
    made = path["ideas"]["plenary"]
    pages = [
        url("transfer_create", world, made.pk),
        url("changes", world),
        url("change_create", world),
    ]
    assert [client.get(page).status_code for page in pages] == [404, 404, 404]
    posts = [
        url("transfer_create", world, made.pk),
        url("transfer_reaction", world, transfer.pk),
        url("change_create", world),
    ]
    assert [client.post(page, {"reaction_kind": "rejected"}).status_code for page in posts] == [
        404,
        404,
        404,
    ]
    transfer.refresh_from_db()
    assert (Transfer.objects.count(), transfer.reaction_kind) == (1, "unknown")
    assert ObservedChange.objects.count() == 0
    assert not AuditEntry.objects.filter(actor=world[who].person.user).exists()


def test_the_signed_out_are_sent_to_sign_in(client, world, path):
    transfer = log(path, "plenary")
    for page in (url("transfer_detail", world, transfer.pk), url("changes", world)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


# -- the reaction ---------------------------------------------------------------------------------


def test_the_reaction_is_recorded_against_the_revision_it_was_read_at(world, path, login):
    transfer = log(path, "plenary")
    client = login(world["convenor"])
    page = client.get(url("transfer_detail", world, transfer.pk))
    assert page.context["reaction_form"].initial["edit_revision"] == 1
    saved = client.post(
        url("transfer_reaction", world, transfer.pk),
        {"reaction_kind": "receptive", "reaction": "Will raise it in cabinet.", "edit_revision": 1},
    )
    assert saved.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.reaction_kind, transfer.reaction, transfer.edit_revision) == (
        "receptive",
        "Will raise it in cabinet.",
        2,
    )
    # A second editor still holding revision 1: refused, nothing overwritten, their text kept,
    # the difference shown, and the form now at revision 2 (saving again is deliberate).
    clash = client.post(
        url("transfer_reaction", world, transfer.pk),
        {"reaction_kind": "rejected", "reaction": "Said no.", "edit_revision": 1},
    )
    html = text(clash)
    assert clash.status_code == 409
    assert "Someone else saved this while you were editing" in html
    assert "Said no." in html
    assert "Will raise it in cabinet." in html
    assert clash.context["reaction_form"]["edit_revision"].value() == 2
    assert [c.field for c in clash.context["conflict"].changes] == ["reaction_kind", "reaction"]
    transfer.refresh_from_db()
    assert (transfer.reaction, transfer.edit_revision) == ("Will raise it in cabinet.", 2)
    again = client.post(
        url("transfer_reaction", world, transfer.pk),
        {"reaction_kind": "rejected", "reaction": "Said no.", "edit_revision": 2},
    )
    assert again.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.reaction_kind, transfer.edit_revision) == ("rejected", 3)
    changed = list(
        AuditEntry.objects.filter(content_type__model="transfer", action="changed")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert changed == [
        {"reaction": ["unknown", "receptive"]},
        {"reaction": ["receptive", "rejected"]},
    ]


def test_a_reaction_form_with_errors_keeps_what_was_typed(world, path, login):
    transfer = log(path, "plenary")
    response = login(world["convenor"]).post(
        url("transfer_reaction", world, transfer.pk),
        {"reaction_kind": "furious", "reaction": "Typed with care.", "edit_revision": 1},
    )
    assert response.status_code == 400
    assert list(response.context["reaction_form"].errors) == ["reaction_kind"]
    assert "Typed with care." in text(response)
    transfer.refresh_from_db()
    assert (transfer.reaction_kind, transfer.edit_revision) == ("unknown", 1)


# -- observed changes -----------------------------------------------------------------------------


def _viewer(member):
    from dialogues.confidentiality import viewer_for_user

    return viewer_for_user(member.person.user)


def record(world, path, *, what: str, at="Facilitators", ideas=(), transfers=(), readers=()):
    return change_record(
        dialogue=world["dialogue"],
        viewer=_viewer(world["convenor"]),
        kind=ObservedChange.Kind.POSITION,
        observed_on=DAY,
        who_changed="The envoy",
        what_changed=what,
        significance="It matters.",
        contribution="Our idea.",
        level=level(at),
        ideas=ideas,
        transfers=transfers,
        readers=readers,
        by=path["by"],
    )


def test_the_changes_list_shows_what_the_viewer_may_see_only(world, path, login):
    hidden = log(path, "note", at="Restricted", readers=[world["convenor"].person])
    record(world, path, what="Seen by the team.", ideas=[path["ideas"]["plenary"]])
    record(world, path, what="Behind a hidden transfer.", at="Restricted", transfers=[hidden])
    convenor = login(world["convenor"]).get(url("changes", world))
    assert [c.what_changed for c in convenor.context["changes"]] == [
        "Behind a hidden transfer.",
        "Seen by the team.",
    ]
    facilitator = login(path["carrier"]).get(url("changes", world))
    assert [c.what_changed for c in facilitator.context["changes"]] == ["Seen by the team."]
    assert "Behind a hidden transfer." not in text(facilitator)
    assert 'aria-current="page">Changes</a>' in text(facilitator)


def test_a_change_is_recorded_from_the_form_prefilled_from_an_idea(world, path, login):
    sent = log(path, "plenary")
    log(path, "note", at="Restricted", readers=[world["convenor"].person])
    client = login(path["carrier"])
    made = path["ideas"]["plenary"]
    form = client.get(url("change_create", world) + f"?idea={made.pk}").context["form"]
    assert form.initial["ideas"] == [str(made.pk)]
    # Only what the co-facilitator may see is offered.
    assert {i.title for i in form.fields["ideas"].queryset} == {
        "Joint gauge network",
        "Side A's offer",
    }
    assert list(form.fields["transfers"].queryset) == [sent]
    # A named level is anyone's to use: those named read it, whatever their clearance.
    assert [lv.name for lv in form.fields["level"].queryset] == ["Facilitators", "Restricted"]
    response = client.post(
        url("change_create", world),
        {
            "kind": "policy",
            "observed_on": "10/01/2027",
            "who_changed": "The water ministry",
            "what_changed": "Adopted a joint gauge pilot.",
            "significance": "First shared data across the river.",
            "contribution": "The idea reached the minister through our envoy.",
            "substantiated_by": "The ministry's spokesperson, on the record.",
            "ideas": [made.pk],
            "transfers": [sent.pk],
            "level": level("Facilitators").pk,
        },
    )
    change = ObservedChange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("change_detail", world, change.pk)
    assert (list(change.ideas.all()), list(change.transfers.all()), change.observed_on) == (
        [made],
        [sent],
        date(2027, 1, 10),
    )
    detail = text(client.get(url("change_detail", world, change.pk)))
    for shown in (
        "Adopted a joint gauge pilot.",
        "First shared data across the river.",
        "The idea reached the minister through our envoy.",
        "The ministry&#x27;s spokesperson, on the record.",
        url("idea_detail", world, made.pk),
        url("transfer_detail", world, sent.pk),
    ):
        assert shown in detail, shown


def test_the_change_form_shows_its_errors_and_keeps_what_was_typed(world, path, login):
    hidden = log(path, "note", at="Restricted", readers=[world["convenor"].person])
    client = login(path["carrier"])
    typed = {
        "kind": "agreement",
        "observed_on": "yesterday",
        "who_changed": "",
        "what_changed": "Typed with care.",
        "significance": "It matters.",
        "contribution": "Ours.",
        "transfers": [hidden.pk],
        "level": level("Programme").pk,
    }
    response = client.post(url("change_create", world), typed)
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == [
        "level",
        "observed_on",
        "transfers",
        "who_changed",
    ]
    assert "Typed with care." in text(response)
    assert ObservedChange.objects.count() == 0


def test_a_change_below_what_it_links_to_is_refused_on_the_level(world, path, login):
    restricted = log(path, "plenary", at="Restricted", readers=[world["convenor"].person])
    response = login(world["convenor"]).post(
        url("change_create", world),
        {
            "kind": "position",
            "observed_on": "10/01/2027",
            "who_changed": "The envoy",
            "what_changed": "Softer line.",
            "significance": "It matters.",
            "contribution": "Ours.",
            "transfers": [restricted.pk],
            "level": level("Facilitators").pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "level": ["Never below its idea's level: Restricted or stricter."]
    }
    assert ObservedChange.objects.count() == 0


def test_a_change_s_page_answers_404_to_who_may_not_see_it(world, path, login):
    named = log(path, "pre", at="Restricted", readers=[world["participant"].person])
    change = record(
        world,
        path,
        what="Seen by a named participant.",
        at="Restricted",
        transfers=[named],
        readers=[world["participant"].person],
    )
    participant = login(world["participant"])
    page = participant.get(url("change_detail", world, change.pk))
    assert page.status_code == 200
    assert f"to <bdi>{OFFICIAL}</bdi>" in text(page)
    assert CARRIER not in text(page)
    assert url("changes", world) not in text(page)
    for who in ("other_side", "observer", "outsider"):
        assert login(world[who]).get(url("change_detail", world, change.pk)).status_code == 404
    assert login(path["carrier"]).get(url("change_detail", world, change.pk)).status_code == 404


# -- the trail ------------------------------------------------------------------------------------


def test_the_pages_record_what_they_showed(world, path, login):
    sent = log(path, "plenary")
    log(path, "plenary", at="Restricted", readers=[world["convenor"].person])  # not shown below
    change = record(world, path, what="Shown.", transfers=[sent])
    client = login(path["carrier"])
    made = path["ideas"]["plenary"]

    def shown(address: str) -> list[tuple[str, str]]:
        since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        assert client.get(address).status_code == 200
        return sorted(
            AuditEntry.objects.filter(
                pk__gt=since, action="viewed", actor=path["carrier"].person.user
            ).values_list("content_type__model", "object_id")
        )

    # The change is linked to the idea's transfer only: the idea's page shows it too.
    assert shown(url("idea_detail", world, made.pk)) == sorted(
        [("idea", str(made.pk)), ("transfer", str(sent.pk)), ("observedchange", str(change.pk))]
    )
    assert shown(url("transfer_detail", world, sent.pk)) == sorted(
        [("transfer", str(sent.pk)), ("observedchange", str(change.pk))]
    )
    assert shown(url("changes", world)) == sorted(
        [("dialogue", str(world["dialogue"].pk)), ("observedchange", str(change.pk))]
    )
    assert shown(url("change_detail", world, change.pk)) == sorted(
        [("observedchange", str(change.pk)), ("transfer", str(sent.pk))]
    )


# -- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_the_idea_page_query_count_does_not_grow_with_its_transfers(
    world, path, login, size, django_assert_num_queries
):
    made = path["ideas"]["plenary"]
    transfers = [log(path, "plenary", reaction=f"Reaction {n}") for n in range(size)]
    for n in range(size):
        record(world, path, what=f"Change {n}", ideas=[made], transfers=[transfers[n]])
    client = login(world["convenor"])
    page = url("idea_detail", world, made.pk)
    client.get(page)
    with django_assert_num_queries(12):
        response = client.get(page)
    assert (len(response.context["transfers"]), len(response.context["changes"])) == (size, size)


@pytest.mark.parametrize("size", [2, 12])
def test_the_changes_list_query_count_does_not_grow(
    world, path, login, size, django_assert_num_queries
):
    for n in range(size):
        record(world, path, what=f"Change {n}", ideas=[path["ideas"]["plenary"]])
    client = login(world["convenor"])
    client.get(url("changes", world))
    with django_assert_num_queries(7):
        response = client.get(url("changes", world))
    assert len(response.context["changes"]) == size


def test_the_convening_team_gets_the_changes_tab_and_members_do_not(world, path, login):
    team = text(login(world["convenor"]).get(url("dialogue_detail", world)))
    members = text(login(world["participant"]).get(url("dialogue_detail", world)))
    tab = f'<a class="tabs__tab" href="{url("changes", world)}">Changes</a>'
    assert tab in team
    assert url("changes", world) not in members


def test_the_envoy_of_another_dialogue_is_never_offered_nor_accepted(world, path, login):
    client = login(world["convenor"])
    response = client.post(
        url("transfer_create", world, path["ideas"]["plenary"].pk),
        {
            "official": path["elsewhere"].pk,
            "means": "meeting",
            "occurred_on": "03/12/2026",
            "reaction_kind": "unknown",
            "level": level("Facilitators").pk,
        },
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["official"]
    assert Transfer.objects.count() == 0
