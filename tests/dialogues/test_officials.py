"""The officials register (issue 18): the convening team's only (404 to everyone else, on every
page and action); its list (search, briefed or retired, by name, in pages, in a fixed number of
queries); adding and editing (one e-mail per official in a dialogue, clearances up to the
editor's own, no lost edit); retiring (no longer offered for packs, kept for history); packs
made from the register (each copy linked to its official, with a snapshot of them); and the
migration that put the existing packs' recipients into it."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dialogues.briefing import services as briefing
from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, BriefingPackCopy, Official
from dialogues.officials import services
from participants.models import Membership
from tests.factories import DialogueFactory, level
from tests.world import member_with_account, official
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(name: str, dialogue, *args) -> str:
    return reverse(f"dialogues:{name}", args=[dialogue.pk, *args])


@pytest.fixture
def register(world):
    """Salt River's register: two briefed officials and a retired one, at three clearances; a
    facilitator cleared Facilitators; Coastal Fisheries' register has an official of its own
    whose name and institution match the searches below."""
    dialogue = world["dialogue"]
    world["facilitator"] = member_with_account(
        dialogue=dialogue, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    world["amal"] = official(
        dialogue,
        "Amal Haddad",
        "amal@mfa.norland.example",
        "Programme",
        position="Special Envoy",
        institution="Norland Ministry of Foreign Affairs",
        reached_by="Directly",
    )
    world["ben"] = official(
        dialogue,
        "Ben Okafor",
        "ben@water.marovia.example",
        "Public",
        position="Deputy Minister",
        institution="Marovian Water Ministry",
    )
    world["chen"] = official(
        dialogue,
        "Chen Li",
        "chen@mfa.osterlan.example",
        "Participants",
        institution="Osterlan Ministry of Foreign Affairs",
        retired_at=timezone.now(),
    )
    world["far"] = official(
        world["elsewhere"],
        "Amal Farhat",
        "amal@coast.example",
        "Public",
        institution="Coastal Ministry of Foreign Affairs",
    )
    return world


def listed(client, dialogue, **query) -> list[str]:
    response = client.get(url("official_list", dialogue), query)
    assert response.status_code == 200
    return [o.name for o in response.context["officials"]]


# -- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["participant", "observer", "rapporteur", "outsider"])
def test_every_page_and_action_of_the_register_answers_404_outside_the_convening_team(
    login, register, who
):
    dialogue, amal = register["dialogue"], register["amal"]
    client = login(register[who])
    pages = [
        url("official_list", dialogue),
        url("official_create", dialogue),
        url("official_edit", dialogue, amal.pk),
    ]
    actions = [
        url("official_retire", dialogue, amal.pk),
        url("official_reinstate", dialogue, register["chen"].pk),
    ]
    assert [client.get(page).status_code for page in pages] == [404, 404, 404]
    changed = {
        "name": "Changed",
        "email": "changed@example.org",
        "clearance": level("Public").pk,
        "edit_revision": 1,
    }
    assert [client.post(page, changed).status_code for page in pages[1:]] == [404, 404]
    assert [client.post(action).status_code for action in actions] == [404, 404]
    assert sorted(
        (o.name, o.retired_at is None, o.edit_revision)
        for o in Official.objects.filter(dialogue=dialogue)
    ) == [("Amal Haddad", True, 1), ("Ben Okafor", True, 1), ("Chen Li", False, 1)]
    assert not AuditEntry.objects.filter(actor=register[who].person.user).exists()


def test_the_signed_out_are_sent_to_sign_in(client, register):
    response = client.get(url("official_list", register["dialogue"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_convening_team_gets_the_officials_tab(login, register):
    content = login(register["convenor"]).get(url("official_list", register["dialogue"]))
    html = content.content.decode()
    assert f'<a class="tabs__tab" href="{url("official_list", register["dialogue"])}"' in html
    assert 'aria-current="page">Officials</a>' in html


# -- the list --------------------------------------------------------------------------------------


def test_the_list_searches_names_and_institutions_and_tells_briefed_from_retired(login, register):
    dialogue = register["dialogue"]
    client = login(register["convenor"])
    assert listed(client, dialogue) == ["Amal Haddad", "Ben Okafor", "Chen Li"]
    assert listed(client, dialogue, state="active") == ["Amal Haddad", "Ben Okafor"]
    assert listed(client, dialogue, state="retired") == ["Chen Li"]
    assert listed(client, dialogue, search="amal") == ["Amal Haddad"]
    assert listed(client, dialogue, search="foreign affairs") == ["Amal Haddad", "Chen Li"]
    assert listed(client, dialogue, search="foreign affairs", state="active") == ["Amal Haddad"]
    assert listed(client, dialogue, search="nobody") == []
    assert listed(client, dialogue, sort="-name") == ["Chen Li", "Ben Okafor", "Amal Haddad"]
    assert listed(client, dialogue, sort="institution") == ["Ben Okafor", "Amal Haddad", "Chen Li"]
    # What does not fit is read as not sent.
    assert listed(client, dialogue, state="everyone", sort="email") == [
        "Amal Haddad",
        "Ben Okafor",
        "Chen Li",
    ]
    html = client.get(url("official_list", dialogue)).content.decode()
    assert "Amal Farhat" not in html
    assert '<td data-label="Institution">Norland Ministry of Foreign Affairs</td>' in html
    # Reading the register is a read of the dialogue's content.
    assert set(
        AuditEntry.objects.filter(
            actor=register["convenor"].person.user, action="viewed"
        ).values_list("content_type__model", "object_id")
    ) == {("dialogue", str(dialogue.pk))}


@pytest.mark.parametrize("size", [2, 30])
def test_the_list_query_count_does_not_grow(login, django_assert_num_queries, size):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    dialogue = convenor.dialogue
    for n in range(size):
        official(dialogue, f"Official {n:02}", f"o{n}@ministry.example", "Programme")
    client = login(convenor)
    client.get(url("official_list", dialogue))
    # The viewer and the dialogue, the paginator's count, the page's rows with their clearances
    # (one query), the trail's write: the same at both sizes.
    with django_assert_num_queries(8):
        response = client.get(url("official_list", dialogue))
    assert len(response.context["officials"]) == min(size, 25)


# -- adding and editing ----------------------------------------------------------------------------


def official_data(**fields) -> dict:
    return {
        "name": "Dana Petrova",
        "position": "Adviser",
        "institution": "Marovian Presidency",
        "email": "dana@presidency.marovia.example",
        "reached_by": "Through the ministry's liaison office",
        "clearance": level("Programme").pk,
        "note": "",
        **fields,
    }


def test_the_team_adds_an_official_and_it_is_audited(login, register):
    dialogue = register["dialogue"]
    user = register["facilitator"].person.user
    response = login(register["facilitator"]).post(
        url("official_create", dialogue), official_data()
    )
    assert response.status_code == 302
    assert response["Location"] == url("official_list", dialogue)
    dana = Official.objects.get(email="dana@presidency.marovia.example")
    assert (dana.dialogue, dana.name, dana.reached_by, dana.clearance.name, dana.created_by) == (
        dialogue,
        "Dana Petrova",
        "Through the ministry's liaison office",
        "Programme",
        user,
    )
    entry = AuditEntry.objects.get(action="created", object_id=str(dana.pk))
    assert (entry.actor, entry.dialogue_id, entry.detail) == (
        user,
        dialogue.pk,
        {"clearance": level("Programme").pk},
    )


def test_an_e_mail_already_in_the_register_is_refused_with_a_field_error(login, register):
    dialogue = register["dialogue"]
    client = login(register["convenor"])
    response = client.post(
        url("official_create", dialogue), official_data(email="  AMAL@mfa.Norland.example")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "email": ["The register already has an official with this e-mail."]
    }
    # Editing Ben to Amal's address: refused the same way.
    ben = register["ben"]
    response = client.post(
        url("official_edit", dialogue, ben.pk),
        official_data(email="amal@mfa.norland.example", edit_revision=ben.edit_revision),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "email": ["The register already has an official with this e-mail."]
    }
    assert Official.objects.filter(dialogue=dialogue).count() == 3
    # Another dialogue's register may hold the same address.
    far = login(
        member_with_account(
            dialogue=register["elsewhere"], role=Membership.Role.CONVENOR, clearance="Restricted"
        )
    )
    assert (
        far.post(
            url("official_create", register["elsewhere"]),
            official_data(email="amal@mfa.norland.example"),
        ).status_code
        == 302
    )


def test_clearances_are_offered_up_to_the_editors_own(login, register):
    dialogue = register["dialogue"]
    client = login(register["facilitator"])
    form = client.get(url("official_create", dialogue)).context["form"]
    assert [lv.name for lv in form.fields["clearance"].queryset.order_by("rank")] == [
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
    ]
    response = client.post(
        url("official_create", dialogue), official_data(clearance=level("Restricted").pk)
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["clearance"]
    with pytest.raises(ValidationError) as refused:
        services.official_create(
            dialogue=dialogue,
            viewer=viewer_for_user(register["facilitator"].person.user),
            by=register["facilitator"].person.user,
            values={
                **official_data(clearance=level("Restricted")),
                "email": "r@example.org",
            },
        )
    assert refused.value.message_dict == {
        "clearance": [
            "“Restricted” is above your own clearance: a pack can hold only what you may read "
            "yourself."
        ]
    }
    assert Official.objects.filter(dialogue=dialogue).count() == 3


def test_an_edit_over_someone_elses_is_refused_with_what_differs(login, register):
    dialogue, ben = register["dialogue"], register["ben"]
    client = login(register["facilitator"])
    page = client.get(url("official_edit", dialogue, ben.pk))
    assert page.context["form"]["edit_revision"].value() == 1
    # The convenor saves first.
    services.official_edit(
        official=ben,
        viewer=viewer_for_user(register["convenor"].person.user),
        by=register["convenor"].person.user,
        expected_revision=1,
        values={
            **{f: getattr(ben, f) for f in services.OFFICIAL_FIELDS},
            "position": "Minister",
        },
    )
    mine = official_data(
        name="Ben Okafor",
        email="ben@water.marovia.example",
        position="Acting Minister",
        edit_revision=1,
    )
    response = client.post(url("official_edit", dialogue, ben.pk), mine)
    assert response.status_code == 409
    assert [(c.field, c.theirs, c.yours) for c in response.context["conflict"].changes] == [
        ("position", "Minister", "Acting Minister"),
        ("institution", "Marovian Water Ministry", "Marovian Presidency"),
        ("reached_by", "", "Through the ministry's liaison office"),
        ("clearance", level("Public"), level("Programme")),
    ]
    assert "Someone else saved this while you were editing" in response.content.decode()
    ben.refresh_from_db()
    assert (ben.position, ben.edit_revision) == ("Minister", 2)
    # Saved again from the revision now shown: theirs is replaced, knowingly.
    response = client.post(url("official_edit", dialogue, ben.pk), {**mine, "edit_revision": 2})
    assert response.status_code == 302
    ben.refresh_from_db()
    assert (ben.position, ben.clearance.name, ben.edit_revision) == (
        "Acting Minister",
        "Programme",
        3,
    )
    entry = AuditEntry.objects.filter(action="changed", object_id=str(ben.pk)).latest("pk")
    assert entry.detail == {
        "fields": ["clearance", "institution", "position", "reached_by"],
        "revision": 3,
    }


def test_the_register_keeps_the_language_of_each_officials_packs(login, register):
    """Issue 20: a pack's copy and the e-mail with its link are written in the language the
    register gives the official (``settings.LANGUAGES``; none is English)."""
    dialogue = register["dialogue"]
    client = login(register["convenor"])
    form = client.get(url("official_create", dialogue)).context["form"]
    assert form.fields["language"].choices == [
        ("", "English"),
        ("fr", "Français"),
        ("es", "Español"),
        ("ru", "Русский"),
        ("ar", "العربية"),
    ]
    assert form["language"].value() in ("", None)
    response = client.post(url("official_create", dialogue), official_data(language="fr"))
    assert response.status_code == 302
    dana = Official.objects.get(email="dana@presidency.marovia.example")
    assert dana.language == "fr"
    # Shown as chosen when the register opens the official again.
    page = client.get(url("official_edit", dialogue, dana.pk))
    assert page.context["form"]["language"].value() == "fr"
    assert '<option value="fr" selected>Français</option>' in page.content.decode()
    # A language Trackii does not write in is refused, and nothing changes.
    response = client.post(
        url("official_edit", dialogue, dana.pk),
        official_data(language="de", edit_revision=dana.edit_revision),
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["language"]
    dana.refresh_from_db()
    assert (dana.language, dana.edit_revision) == ("fr", 1)
    # Back to English: saved, and the trail names the field.
    response = client.post(
        url("official_edit", dialogue, dana.pk),
        official_data(language="", edit_revision=dana.edit_revision),
    )
    assert response.status_code == 302
    dana.refresh_from_db()
    assert (dana.language, dana.edit_revision) == ("", 2)
    entry = AuditEntry.objects.filter(action="changed", object_id=str(dana.pk)).latest("pk")
    assert entry.detail == {"fields": ["language"], "revision": 2}


# -- packs from the register -----------------------------------------------------------------------


def test_a_pack_goes_to_officials_and_each_copy_keeps_who_they_were(
    login, register, django_capture_on_commit_callbacks
):
    dialogue, amal, ben = register["dialogue"], register["amal"], register["ben"]
    client = login(register["convenor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url("pack_request", dialogue), {"officials": [ben.pk, amal.pk], "note": ""}
        )
    assert response.status_code == 302
    pack = BriefingPack.objects.get()
    assert [
        (
            c.number,
            c.total,
            c.official,
            c.recipient_name,
            c.recipient_position,
            c.recipient_organisation,
            c.recipient_email,
            c.clearance.name,
        )
        for c in pack.copies.order_by("number")
    ] == [
        (
            1,
            2,
            amal,
            "Amal Haddad",
            "Special Envoy",
            "Norland Ministry of Foreign Affairs",
            "amal@mfa.norland.example",
            "Programme",
        ),
        (
            2,
            2,
            ben,
            "Ben Okafor",
            "Deputy Minister",
            "Marovian Water Ministry",
            "ben@water.marovia.example",
            "Public",
        ),
    ]
    assert AuditEntry.objects.get(action="created", object_id=str(pack.pk)).detail == {
        "copies": 2,
        "officials": [amal.pk, ben.pk],
        "sessions": [],
    }
    # A later edit of the register leaves the copies as they were made.
    Official.objects.filter(pk=amal.pk).update(position="Minister")
    assert pack.copies.get(official=amal).recipient_position == "Special Envoy"


def test_the_request_form_says_when_there_is_nobody_to_brief(login, world):
    response = login(world["convenor"]).get(url("pack_request", world["dialogue"]))
    html = response.content.decode()
    assert "There is no official to brief yet." in html
    assert (
        f'<a class="btn" href="{url("official_create", world["dialogue"])}">Add an official</a>'
        in html
    )
    assert "Request the pack" not in html


def test_a_retired_official_is_not_offered_for_packs_and_keeps_their_history(
    login, register, django_capture_on_commit_callbacks
):
    dialogue, amal = register["dialogue"], register["amal"]
    convenor = register["convenor"]
    client = login(convenor)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url("pack_request", dialogue), {"officials": [amal.pk]})
    copy = BriefingPackCopy.objects.get()

    def offered() -> list[str]:
        form = client.get(url("pack_request", dialogue)).context["form"]
        return [o.name for o in form.fields["officials"].queryset]

    assert offered() == ["Amal Haddad", "Ben Okafor"]
    response = client.post(url("official_retire", dialogue, amal.pk))
    assert response.status_code == 302
    amal.refresh_from_db()
    assert amal.retired_at is not None
    assert offered() == ["Ben Okafor"]
    assert listed(client, dialogue, state="retired") == ["Amal Haddad", "Chen Li"]
    copy.refresh_from_db()
    assert copy.official == amal
    assert list(amal.pack_copies.all()) == [copy]
    # Ticked anyway (a form opened before): refused, nothing made.
    response = client.post(url("pack_request", dialogue), {"officials": [amal.pk]})
    assert response.context["form"].errors == {
        "officials": [f"Select a valid choice. {amal.pk} is not one of the available choices."]
    }
    with pytest.raises(ValidationError) as refused:
        briefing.pack_request(
            dialogue=dialogue,
            viewer=viewer_for_user(convenor.person.user),
            requested_by=convenor.person.user,
            officials=[amal],
        )
    assert refused.value.message_dict == {
        "officials": ["Amal Haddad is retired: reinstate them to brief them."]
    }
    assert BriefingPack.objects.count() == 1
    assert list(
        AuditEntry.objects.filter(action="changed", object_id=str(amal.pk)).values_list(
            "detail", flat=True
        )
    ) == [{"retired": True, "revision": 2}]
    # Reinstated: offered again.
    assert client.post(url("official_reinstate", dialogue, amal.pk)).status_code == 302
    assert offered() == ["Amal Haddad", "Ben Okafor"]
    # Retiring is POST only.
    assert client.get(url("official_retire", dialogue, amal.pk)).status_code == 405


def test_a_pack_cannot_go_to_another_dialogues_official(register):
    convenor = register["convenor"].person.user
    with pytest.raises(ValidationError) as refused:
        briefing.pack_request(
            dialogue=register["dialogue"],
            viewer=viewer_for_user(convenor),
            requested_by=convenor,
            officials=[register["far"]],
        )
    assert refused.value.message_dict == {
        "officials": ["Every official must be of this dialogue's register."]
    }
    assert BriefingPack.objects.count() == 0


# -- the migration -------------------------------------------------------------------------------

migration = importlib.import_module("dialogues.migrations.0014_officials")


def old_copy(pack, number, name, email, clearance, **fields) -> BriefingPackCopy:
    return BriefingPackCopy.objects.create(
        pack=pack,
        number=number,
        total=2,
        recipient_name=name,
        recipient_email=email,
        clearance=level(clearance),
        **fields,
    )


def test_the_migration_registers_each_packs_recipients_once_as_last_named(world):
    salt, coast = world["dialogue"], world["elsewhere"]
    now = timezone.now()
    older = BriefingPack.objects.create(dialogue=salt)
    newer = BriefingPack.objects.create(dialogue=salt)
    far = BriefingPack.objects.create(dialogue=coast)
    BriefingPack.objects.filter(pk=older.pk).update(requested_at=now - timedelta(days=30))
    BriefingPack.objects.filter(pk=newer.pk).update(requested_at=now - timedelta(days=1))
    copies = [
        old_copy(older, 1, "Amal Haddad", "Amal@MFA.example", "Public", recipient_position="Envoy"),
        old_copy(older, 2, "Ben Okafor", "ben@water.example", "Programme"),
        old_copy(
            newer,
            1,
            "Amal Haddad-Stone",
            "amal@mfa.example",
            "Programme",
            recipient_position="Special Envoy",
            recipient_organisation="Norland MFA",
        ),
        old_copy(far, 1, "Amal Haddad", "amal@mfa.example", "Public"),
    ]
    migration.register_recipients(apps, None)

    def register_of(dialogue):
        return sorted(
            Official.objects.filter(dialogue=dialogue).values_list(
                "name", "position", "institution", "email", "clearance__name", "retired_at"
            )
        )

    assert register_of(salt) == [
        (
            "Amal Haddad-Stone",
            "Special Envoy",
            "Norland MFA",
            "amal@mfa.example",
            "Programme",
            None,
        ),
        ("Ben Okafor", "", "", "ben@water.example", "Programme", None),
    ]
    assert register_of(coast) == [("Amal Haddad", "", "", "amal@mfa.example", "Public", None)]
    linked = [
        (c.official.dialogue_id, c.official.email)
        for c in BriefingPackCopy.objects.filter(pk__in=[c.pk for c in copies])
        .select_related("official")
        .order_by("pk")
    ]
    assert linked == [
        (salt.pk, "amal@mfa.example"),
        (salt.pk, "ben@water.example"),
        (salt.pk, "amal@mfa.example"),
        (coast.pk, "amal@mfa.example"),
    ]
    # The copies keep whom they went to, as they were then.
    assert BriefingPackCopy.objects.get(pk=copies[0].pk).recipient_name == "Amal Haddad"

    migration.unregister_recipients(apps, None)
    assert Official.objects.count() == 0
    assert list(BriefingPackCopy.objects.values_list("official", flat=True)) == [None] * 4


def test_the_change_history_says_what_changed_never_who_the_official_is(register):
    from auditlog.models import LogEntry

    from trackii.audit.registry import REDACTED

    ben = register["ben"]
    services.official_edit(
        official=ben,
        viewer=viewer_for_user(register["convenor"].person.user),
        by=register["convenor"].person.user,
        expected_revision=1,
        values={
            **{f: getattr(ben, f) for f in services.OFFICIAL_FIELDS},
            "name": "Benedict Okafor",
            "email": "benedict@water.marovia.example",
        },
    )
    update = LogEntry.objects.get_for_object(ben).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["name"] == [REDACTED, REDACTED]
    assert update.changes_dict["email"] == [REDACTED, REDACTED]
    assert "Okafor" not in str(update.changes) + update.object_repr
