"""Changes one person asks for and another confirms: raising a dialogue's outbound level (the
convening team's), and changing the confidentiality scale (staff's). Each test holds data that
would leak if the rule failed: agenda titles above the outbound level, which calendar feeds copy
into calendar clouds."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from dialogues.confidentiality import viewer_for_user
from dialogues.models import (
    ConfidentialityLevel,
    Dialogue,
    OutboundLevelRequest,
    PublishedAgendaItem,
    ScaleChangeRequest,
)
from dialogues.outbound import notifications
from dialogues.outbound import services as outbound_services
from dialogues.scale import services as scale_services
from dialogues.workspace.services import DIALOGUE_FIELDS, dialogue_create, dialogue_update
from participants.models import Membership
from participants.profile.services import calendar_secret_regenerate
from tests.conftest import enable_mfa, sign_in
from tests.dialogues.conftest import world  # noqa: F401 (the shared fixture)
from tests.factories import UserFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

R = Membership.Role
COVER = "Lakeside meetings"
State = OutboundLevelRequest.State


@pytest.fixture
def team(world):  # noqa: F811
    """The shared world, with a cover name, timed published items, and a co-facilitator
    cleared Facilitators beside the convenor (cleared Restricted)."""
    dialogue = world["dialogue"]
    dialogue.cover_name = COVER
    dialogue.outbound_level = level("Public")
    dialogue.save(update_fields=["cover_name", "outbound_level"])
    start = datetime(2027, 3, 15, 9, tzinfo=UTC)
    for n, item in enumerate(PublishedAgendaItem.objects.filter(session=world["round_1"])):
        PublishedAgendaItem.objects.filter(pk=item.pk).update(
            start=start + timedelta(hours=n), end=start + timedelta(hours=n, minutes=45)
        )
    world["co"] = member_with_account(
        dialogue=dialogue, role=R.FACILITATOR, clearance="Facilitators"
    )
    for who in ("convenor", "co"):
        enable_mfa(world[who].person.user)
    return world


def user_of(membership):
    return membership.person.user


def viewer(membership):
    return viewer_for_user(user_of(membership))


def edit_url(dialogue):
    return reverse("dialogues:dialogue_edit", args=[dialogue.pk])


def edit_post(dialogue, **overrides):
    dialogue.refresh_from_db()
    data = {
        name: getattr(
            dialogue, f"{name}_id" if name in ("default_level", "outbound_level") else name
        )
        for name in DIALOGUE_FIELDS
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["attendance_visible"] = "on" if dialogue.attendance_visible else ""
    data["edit_revision"] = dialogue.edit_revision
    data.update(overrides)
    return data


def feed_summaries(client, membership) -> list[str]:
    secret = calendar_secret_regenerate(user=user_of(membership))
    response = client.get(reverse("calendar_feed", args=[secret]))
    assert response.status_code == 200
    return sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT"))


def outbound(dialogue) -> str:
    dialogue.refresh_from_db()
    return dialogue.outbound_level.name


# What the participant's feed carries at outbound Public: the Programme and Participants items of
# Round 1 and the pre-consultation go out under the cover name.
BEFORE = sorted(["Round 1", "R1 Public item", COVER, COVER, COVER])


def raise_to(member, name: str) -> OutboundLevelRequest:
    return outbound_services.outbound_raise_request(
        dialogue=member.dialogue, to_level=level(name), by=user_of(member), viewer=viewer(member)
    )


# -- raising what may leave a dialogue -------------------------------------------------------------


def test_the_edit_form_offers_outbound_levels_up_to_the_editors_own(team, client):
    dialogue = team["dialogue"]
    sign_in(client, user_of(team["co"]))
    form = client.get(edit_url(dialogue)).context["form"]
    assert [lv.name for lv in form.fields["outbound_level"].queryset.order_by("rank")] == [
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
    ]
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(
        edit_url(dialogue),
        edit_post(dialogue, title="Renamed", outbound_level=level("Restricted").pk),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["outbound_level"]
    dialogue.refresh_from_db()
    assert (dialogue.title, dialogue.outbound_level.name) == ("Salt River", "Public")
    assert OutboundLevelRequest.objects.count() == 0
    assert not AuditEntry.objects.filter(action__in=["changed", "created"]).exclude(pk__lte=before)


def test_raising_the_outbound_level_alone_is_only_a_request(
    team, client, django_capture_on_commit_callbacks
):
    dialogue, participant = team["dialogue"], team["participant"]
    assert feed_summaries(client, participant) == BEFORE
    sign_in(client, user_of(team["co"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(dialogue),
            edit_post(
                dialogue, title="Salt River Dialogue", outbound_level=level("Participants").pk
            ),
        )
    assert response.status_code == 302
    dialogue.refresh_from_db()
    # The rest of the edit is saved; the outbound level is not.
    assert (dialogue.title, dialogue.outbound_level.name) == ("Salt River Dialogue", "Public")
    raise_request = OutboundLevelRequest.objects.get()
    assert (
        raise_request.state,
        raise_request.from_level.name,
        raise_request.to_level.name,
        raise_request.requester_id,
    ) == (State.OPEN, "Public", "Participants", team["co"].person_id)
    assert raise_request.expires_at - raise_request.requested_at == timedelta(hours=72)
    client.logout()
    # Nothing more leaves: the pre-consultation and the items above Public stay covered.
    assert feed_summaries(client, participant) == BEFORE
    entry = AuditEntry.objects.get(content_type__model="outboundlevelrequest")
    assert (entry.action, entry.actor, entry.dialogue_id, entry.detail) == (
        "created",
        user_of(team["co"]),
        dialogue.pk,
        {"from_level_id": level("Public").pk, "to_level_id": level("Participants").pk},
    )
    # The convening team is told, without the dialogue's title or anyone's name.
    assert [m.to for m in mail.outbox] == [[user_of(team["convenor"]).email]]
    message = mail.outbox[0]
    assert message.subject == f"[Trackii] {COVER}: what may leave Trackii"
    assert "from Public to Participants" in message.body
    for secret in ("Salt River", team["co"].person.full_name, "Pre-consultation"):
        assert secret not in message.subject + message.body


def test_each_member_of_the_team_is_told_in_their_language(team, monkeypatch, settings):
    """The notice is rendered once per language, inside that language, and each member gets
    the one in theirs (the catalogues are empty yet: the language active at render is what
    tells)."""
    dialogue = team["dialogue"]
    french = member_with_account(dialogue=dialogue, role=R.FACILITATOR, clearance="Programme")
    unset = member_with_account(dialogue=dialogue, role=R.FACILITATOR, clearance="Programme")
    for member, language in ((team["convenor"], "fr"), (french, "fr"), (unset, "")):
        member.person.language = language
        member.person.save(update_fields=["language"])
    raise_request = raise_to(team["co"], "Participants")
    mail.outbox.clear()
    rendered = []
    render = notifications._message

    def spy(request, event):
        rendered.append(translation.get_language())
        subject, body = render(request, event)
        return f"{subject} ({translation.get_language()})", body

    monkeypatch.setattr(notifications, "_message", spy)
    assert notifications.outbound_request_notify(request_id=raise_request.pk, status="open") == 3
    assert sorted(rendered) == sorted(["fr", settings.LANGUAGE_CODE])
    assert {m.to[0]: m.subject for m in mail.outbox} == {
        user_of(team["convenor"]).email: f"[Trackii] {COVER} : ce qui peut sortir de Trackii (fr)",
        user_of(french).email: f"[Trackii] {COVER} : ce qui peut sortir de Trackii (fr)",
        user_of(unset).email: f"[Trackii] {COVER}: what may leave Trackii (en-gb)",
    }
    assert translation.get_language() == settings.LANGUAGE_CODE  # as it was


def test_the_requester_cannot_confirm_their_own_request(team, client):
    raise_request = raise_to(team["co"], "Participants")
    with pytest.raises(ValidationError) as refused:
        outbound_services.outbound_request_confirm(
            raise_request=raise_request, by=user_of(team["co"]), viewer=viewer(team["co"])
        )
    assert refused.value.messages == [
        "It takes another member of the convening team, cleared “Participants” or higher, to "
        "confirm this."
    ]
    sign_in(client, user_of(team["co"]))
    confirm = reverse(
        "dialogues:outbound_request_confirm", args=[team["dialogue"].pk, raise_request.pk]
    )
    assert client.post(confirm).status_code == 403
    assert outbound(team["dialogue"]) == "Public"
    raise_request.refresh_from_db()
    assert raise_request.state == State.OPEN
    page = client.get(edit_url(team["dialogue"])).content.decode()
    assert confirm not in page


def test_a_member_cleared_below_the_new_level_cannot_confirm(team):
    convenor = team["convenor"]
    raise_request = raise_to(convenor, "Restricted")
    junior = member_with_account(
        dialogue=team["dialogue"], role=R.FACILITATOR, clearance="Participants"
    )
    with pytest.raises(ValidationError):
        outbound_services.outbound_request_confirm(
            raise_request=raise_request, by=user_of(junior), viewer=viewer(junior)
        )
    # Nor a participant, whatever their clearance, nor a member of another dialogue.
    outsider = team["outsider"]
    for member in (team["participant"], outsider):
        with pytest.raises(ValidationError):
            outbound_services.outbound_request_confirm(
                raise_request=raise_request, by=user_of(member), viewer=viewer(member)
            )
    assert outbound(team["dialogue"]) == "Public"


def test_another_member_cleared_for_it_confirms_and_more_leaves(
    team, client, django_capture_on_commit_callbacks
):
    dialogue = team["dialogue"]
    raise_request = raise_to(team["co"], "Participants")
    mail.outbox.clear()
    sign_in(client, user_of(team["convenor"]))
    page = client.get(edit_url(dialogue)).content.decode()
    confirm = reverse("dialogues:outbound_request_confirm", args=[dialogue.pk, raise_request.pk])
    assert confirm in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(confirm).status_code == 302
    assert outbound(dialogue) == "Participants"
    raise_request.refresh_from_db()
    assert (raise_request.state, raise_request.decided_by) == (
        State.CONFIRMED,
        user_of(team["convenor"]),
    )
    assert list(
        AuditEntry.objects.filter(content_type__model="outboundlevelrequest")
        .order_by("id")
        .values_list("action", "detail")
    ) == [
        ("created", {"from_level_id": level("Public").pk, "to_level_id": level("Participants").pk}),
        (
            "decided",
            {
                "state": "confirmed",
                "from_level_id": level("Public").pk,
                "to_level_id": level("Participants").pk,
            },
        ),
    ]
    assert [m.to for m in mail.outbox] == [[user_of(team["co"]).email]]
    client.logout()
    assert feed_summaries(client, team["participant"]) == sorted(
        [
            "Round 1",
            "R1 Public item",
            "R1 Programme item",
            "R1 Participants item",
            "Pre-consultation A",
        ]
    )


def test_a_request_lapses_after_72_hours(team):
    raise_request = raise_to(team["co"], "Participants")
    later = timezone.now() + timedelta(hours=72, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        decided = outbound_services.outbound_request_confirm(
            raise_request=raise_request,
            by=user_of(team["convenor"]),
            viewer=viewer(team["convenor"]),
        )
    assert (decided.state, decided.lapse_reason) == (State.LAPSED, outbound_services.EXPIRED)
    assert outbound(team["dialogue"]) == "Public"


def test_the_service_never_raises_the_outbound_level_directly(team):
    dialogue = team["dialogue"]
    raise_request = raise_to(team["co"], "Participants")
    dialogue.refresh_from_db()
    convenor = team["convenor"]
    values = {name: getattr(dialogue, name) for name in DIALOGUE_FIELDS}
    dialogue_update(
        dialogue=dialogue,
        expected_revision=dialogue.edit_revision,
        values={**values, "outbound_level": level("Public")},
        by=user_of(convenor),
        viewer=viewer(convenor),
    )
    raise_request.refresh_from_db()
    assert raise_request.state == State.OPEN  # nothing it names changed
    values["outbound_level"] = level("Programme")
    # Raising directly is refused to the service too.
    with pytest.raises(ValidationError):
        dialogue_update(
            dialogue=dialogue,
            expected_revision=dialogue.edit_revision,
            values=values,
            by=user_of(convenor),
            viewer=viewer(convenor),
        )
    assert outbound(dialogue) == "Public"
    raise_request.refresh_from_db()
    assert raise_request.state == State.OPEN


def test_lowering_the_outbound_level_lapses_an_open_raise(team):
    dialogue = team["dialogue"]
    convenor = team["convenor"]
    first = raise_to(convenor, "Participants")
    # A second raise replaces the first.
    second = raise_to(convenor, "Programme")
    first.refresh_from_db()
    assert (first.state, first.lapse_reason) == (State.LAPSED, outbound_services.SUPERSEDED)
    decided = outbound_services.outbound_request_confirm(
        raise_request=second, by=user_of(team["co"]), viewer=viewer(team["co"])
    )
    assert decided.state == State.CONFIRMED
    third = raise_to(convenor, "Participants")
    dialogue.refresh_from_db()
    values = {name: getattr(dialogue, name) for name in DIALOGUE_FIELDS}
    dialogue_update(
        dialogue=dialogue,
        expected_revision=dialogue.edit_revision,
        values={**values, "outbound_level": level("Public")},
        by=user_of(team["co"]),
        viewer=viewer(team["co"]),
    )
    third.refresh_from_db()
    assert (third.state, third.lapse_reason) == (State.LAPSED, outbound_services.OUTBOUND_CHANGED)
    assert outbound(dialogue) == "Public"


def test_a_request_lapses_when_the_requester_leaves_the_team(team):
    raise_request = raise_to(team["co"], "Participants")
    Membership.objects.filter(pk=team["co"].pk).update(role=R.PARTICIPANT)
    decided = outbound_services.outbound_request_confirm(
        raise_request=raise_request, by=user_of(team["convenor"]), viewer=viewer(team["convenor"])
    )
    assert (decided.state, decided.lapse_reason) == (State.LAPSED, outbound_services.REQUESTER_GONE)
    assert outbound(team["dialogue"]) == "Public"


def test_a_request_lapses_when_its_level_changes_on_the_scale(team):
    raise_request = raise_to(team["co"], "Participants")
    first, second = UserFactory(is_staff=True), UserFactory(is_staff=True)
    participants = level("Participants")
    change = scale_services.scale_change_request(
        level=participants,
        values={
            "name": "Participants",
            "rank": participants.rank,
            "audience": ConfidentialityLevel.Audience.PROGRAMME,
            "description": participants.description,
        },
        by=first,
    )
    scale_services.scale_change_confirm(change=change, by=second)
    raise_request.refresh_from_db()
    assert (raise_request.state, raise_request.lapse_reason) == (
        State.LAPSED,
        outbound_services.SCALE_CHANGED,
    )
    assert outbound(team["dialogue"]) == "Public"


def test_starting_a_dialogue_with_a_raised_outbound_level_asks_for_it(team):
    user = user_of(team["convenor"])
    dialogue = dialogue_create(
        by=user,
        title="Northern Waters",
        default_level=level("Programme"),
        outbound_level=level("Participants"),
        cover_name="Harbour talks",
    )
    assert outbound(dialogue) == "Public"
    raise_request = OutboundLevelRequest.objects.get(dialogue=dialogue)
    assert (raise_request.state, raise_request.to_level.name) == (State.OPEN, "Participants")


# -- the confidentiality scale ---------------------------------------------------------------------


def scale_values(lv: ConfidentialityLevel, **overrides) -> dict:
    values = {name: getattr(lv, name) for name in ("name", "rank", "audience", "description")}
    values.update(overrides)
    return values


def test_a_scale_change_needs_a_second_member_of_staff(team):
    first, second = UserFactory(is_staff=True), UserFactory(is_staff=True)
    facilitators = level("Facilitators")
    # Making the huddle's level programme-wide would show it to every observer cleared for it.
    change = scale_services.scale_change_request(
        level=facilitators,
        values=scale_values(facilitators, audience=ConfidentialityLevel.Audience.PROGRAMME),
        by=first,
    )
    with pytest.raises(ValidationError) as refused:
        scale_services.scale_change_confirm(change=change, by=first)
    assert refused.value.messages == [
        "Another member of staff, not the one who asked, confirms it."
    ]
    member = team["convenor"].person.user
    with pytest.raises(ValidationError):
        scale_services.scale_change_confirm(change=change, by=member)
    assert level("Facilitators").audience == ConfidentialityLevel.Audience.CONVENING_TEAM
    decided = scale_services.scale_change_confirm(change=change, by=second)
    assert decided.state == ScaleChangeRequest.State.CONFIRMED
    assert level("Facilitators").audience == ConfidentialityLevel.Audience.PROGRAMME
    assert list(
        AuditEntry.objects.filter(content_type__model="scalechangerequest")
        .order_by("id")
        .values_list("action", "actor_id", "detail")
    ) == [
        ("created", first.pk, {"kind": "change", "level_id": facilitators.pk}),
        (
            "decided",
            second.pk,
            {"state": "confirmed", "kind": "change", "level_id": facilitators.pk},
        ),
    ]


def test_a_scale_change_lapses_when_the_level_changes_meanwhile(team):
    first, second = UserFactory(is_staff=True), UserFactory(is_staff=True)
    programme = level("Programme")
    one = scale_services.scale_change_request(
        level=programme, values=scale_values(programme, description="All members."), by=first
    )
    two = scale_services.scale_change_request(
        level=programme, values=scale_values(programme, name="Programme members"), by=first
    )
    scale_services.scale_change_confirm(change=one, by=second)
    two.refresh_from_db()
    assert (two.state, two.lapse_reason) == (
        ScaleChangeRequest.State.LAPSED,
        scale_services.LEVEL_CHANGED,
    )
    assert level("Programme").description == "All members."


def test_a_scale_keeps_unique_names_and_ranks(team):
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError) as refused:
        scale_services.scale_change_request(
            level=None,
            values={"name": "Secret", "rank": level("Restricted").rank, "audience": "named"},
            by=staff,
        )
    assert list(refused.value.message_dict) == ["rank"]
    with pytest.raises(ValidationError) as refused:
        scale_services.scale_change_request(
            level=None, values={"name": "Public", "rank": 99, "audience": "outside"}, by=staff
        )
    assert list(refused.value.message_dict) == ["name"]
    assert ScaleChangeRequest.objects.count() == 0
    with pytest.raises(ValidationError):
        scale_services.scale_change_request(
            level=None,
            values={"name": "Secret", "rank": 99, "audience": "named"},
            by=team["convenor"].person.user,
        )
    added = scale_services.scale_change_request(
        level=None, values={"name": "Secret", "rank": 99, "audience": "named"}, by=staff
    )
    scale_services.scale_change_confirm(change=added, by=UserFactory(is_staff=True))
    assert ConfidentialityLevel.objects.filter(name="Secret", rank=99, audience="named").exists()


def test_a_raise_from_an_unset_outbound_level_can_be_confirmed(team):
    # "The lowest level (Public)" on the form stores no level: a request from it still holds.
    dialogue = team["dialogue"]
    Dialogue.objects.filter(pk=dialogue.pk).update(outbound_level=None)
    raise_request = raise_to(team["co"], "Programme")
    assert raise_request.from_level.name == "Public"
    decided = outbound_services.outbound_request_confirm(
        raise_request=raise_request, by=user_of(team["convenor"]), viewer=viewer(team["convenor"])
    )
    assert decided.state == State.CONFIRMED
    assert outbound(dialogue) == "Programme"
