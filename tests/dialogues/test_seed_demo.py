"""The demo organisation: idempotent, complete, and as confidential as the real thing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from dialogues.models import (
    AgendaItem,
    ConfidentialityLevel,
    Dialogue,
    PublishedAgendaItem,
    Session,
)
from participants.models import Membership, User
from tests.conftest import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DEMO_EMAILS = {
    "co-facilitator@demo.trackii.org",
    "admin@demo.trackii.org",
    "compliance@demo.trackii.org",
    "facilitator@demo.trackii.org",
    "participant@demo.trackii.org",
    "marovian@demo.trackii.org",
    "samir@demo.trackii.org",
    "dragan@demo.trackii.org",
    "observer@demo.trackii.org",
    "outsider@demo.trackii.org",
}


def snapshot():
    models = [m for m in apps.get_models() if m._meta.app_label in {"dialogues", "participants"}]
    return {m._meta.label: sorted(map(repr, m.objects.values_list())) for m in models}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def demo_urls(dialogue):
    yield reverse("dialogues:dialogue_detail", args=[dialogue.pk])
    for session in dialogue.sessions.all():
        yield reverse("dialogues:session_detail", args=[dialogue.pk, session.pk])


def test_seed_demo_is_idempotent(demo):
    before = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == before


def test_seed_demo_creates_the_accounts_with_the_demo_password(demo):
    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
    for user in User.objects.all():
        assert user.check_password("trackii-demo")
    assert set(User.objects.filter(is_staff=True).values_list("email", flat=True)) == {
        "admin@demo.trackii.org",
        "compliance@demo.trackii.org",
    }


def test_seed_demo_has_three_sessions_and_items_at_every_level(demo):
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    assert dialogue.sessions.count() == 3
    levels_used = set(
        AgendaItem.objects.filter(session__dialogue=dialogue).values_list("level__name", flat=True)
    )
    assert levels_used == set(ConfidentialityLevel.objects.values_list("name", flat=True))
    participant = Membership.objects.get(person__user__email="participant@demo.trackii.org")
    assert participant.attendances.count() == 3
    assert participant.clearance.name == "Participants"
    observer = Membership.objects.get(person__user__email="observer@demo.trackii.org")
    assert observer.clearance.name == "Programme"
    assert observer.role == Membership.Role.OBSERVER


def test_the_seed_prints_the_demo_logins(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for email in DEMO_EMAILS:
        assert email in out
    assert "trackii-demo" in out


def test_observer_sees_no_agenda_item_above_programme_on_any_page(demo, client):
    sign_in(client, User.objects.get(email="observer@demo.trackii.org"))
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    above = AgendaItem.objects.filter(session__dialogue=dialogue, level__rank__gt=20)
    within = PublishedAgendaItem.objects.filter(
        session__dialogue=dialogue, level__rank__lte=20, session__level__rank__lte=20
    )
    assert above.count() > 0
    seen = b""
    statuses = []
    for url in [reverse("home"), *demo_urls(dialogue)]:
        response = client.get(url)
        statuses.append(response.status_code)
        seen += response.content
    assert statuses == [200, 200, 200, 404, 200]  # the pre-consultation is not theirs
    for item in above:
        assert escape(item.title).encode() not in seen
    for item in within:
        assert escape(item.title).encode() in seen


def test_outsider_gets_404_for_every_url_of_the_demo_dialogue(demo, client):
    sign_in(client, User.objects.get(email="outsider@demo.trackii.org"))
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    urls = list(demo_urls(dialogue))
    assert len(urls) == 4
    assert [client.get(url).status_code for url in urls] == [404] * 4
    home = client.get(reverse("home"))
    assert b"Salt River" not in home.content
    assert [d.title for d in home.context["dialogues"]] == ["Coastal Fisheries Dialogue"]


def test_demo_facilitator_sees_everything_in_the_demo_dialogue(demo, client):
    from tests.conftest import enable_mfa

    user = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(user)
    sign_in(client, user)
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    seen = b"".join(client.get(url).content for url in demo_urls(dialogue))
    agenda_urls = [
        reverse("dialogues:agenda_edit", args=[dialogue.pk, session.pk])
        for session in dialogue.sessions.all()
    ]
    seen += b"".join(client.get(url).content for url in agenda_urls)
    for item in AgendaItem.objects.filter(session__dialogue=dialogue):
        assert escape(item.title).encode() in seen
    assert Session.objects.filter(dialogue=dialogue).count() == 3


def test_the_demo_accounts_came_in_by_invitation_and_one_is_under_way(demo):
    from participants.models import Invitation

    states = {
        (i.membership.person.full_name, i.state)
        for i in Invitation.objects.select_related("membership__person")
    }
    assert states == {
        ("Leila Nasrawi", "accepted"),
        ("Ilona Marek", "accepted"),
        ("Samir Haddani", "accepted"),
        ("Dragan Velikov", "accepted"),
        ("Jonas Lindqvist", "accepted"),
        ("Ingrid Solberg", "accepted"),
        ("Nadia Farouk", "sent"),
    }


def test_the_demo_pack_is_rendered_released_and_holds_programme_material_only(demo):
    from pypdf import PdfReader

    from dialogues.models import BriefingPack, Outcome

    pack = BriefingPack.objects.get()
    copy = pack.copies.get()
    assert (copy.recipient_name, copy.clearance.name, copy.state) == (
        "Elena Marsh",
        "Programme",
        "ready",
    )
    assert pack.requested_by.email == "facilitator@demo.trackii.org"
    assert pack.approved_by.email == "co-facilitator@demo.trackii.org"
    assert pack.guard == BriefingPack.Guard.CLEAR
    assert copy.link_nonce != ""
    with copy.file.open("rb") as handle:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(handle).pages).split())
    shown = Outcome.objects.filter(level__name__in=["Public", "Programme"]).exclude(
        attribution="off_record"
    )
    hidden = Outcome.objects.exclude(pk__in=shown)
    assert shown.count() == 3
    assert hidden.count() == 3
    for outcome in shown:
        assert outcome.summary[:60] in text
    for outcome in hidden:
        assert outcome.summary[:60] not in text
    assert "On the record: Hannah Okafor" in text
    for name in ("Dragan Velikov", "Leila Nasrawi", "Samir Haddani", "Jonas Lindqvist"):
        assert name not in text


def test_the_demo_leaves_two_changes_waiting_for_a_second_person(demo):
    from dialogues.models import OutboundLevelRequest, ScaleChangeRequest

    raise_request = OutboundLevelRequest.objects.get()
    assert (
        raise_request.state,
        raise_request.dialogue.title,
        raise_request.from_level.name,
        raise_request.to_level.name,
        raise_request.requested_by.email,
    ) == ("open", "Salt River Dialogue", "Public", "Programme", "co-facilitator@demo.trackii.org")
    assert raise_request.dialogue.outbound_level.name == "Public"
    change = ScaleChangeRequest.objects.get()
    assert (change.state, change.level.name, change.requested_by.email) == (
        "open",
        "Public",
        "admin@demo.trackii.org",
    )


def test_round_2s_options_were_raised_after_publishing_and_left_the_observers_view(demo):
    from dialogues.confidentiality import viewer_for_user
    from dialogues.models import Session
    from dialogues.selectors import published_agenda_visible_to

    round_2 = Session.objects.get(title__startswith="Round 2")
    observer = User.objects.get(email="observer@demo.trackii.org")
    participant = User.objects.get(email="participant@demo.trackii.org")

    def titles(user):
        return [
            item.title
            for item in published_agenda_visible_to(viewer=viewer_for_user(user), session=round_2)
        ]

    assert "Three options for dry-season sharing" in titles(participant)
    assert titles(observer) == ["Opening of the second round"]


def test_the_demo_dialogue_has_an_agenda_template_of_its_first_round(demo):
    from dialogues.models import AgendaTemplate

    template = AgendaTemplate.objects.get()
    assert (template.dialogue.title, template.name, template.created_by.email) == (
        "Salt River Dialogue",
        "Two-day round",
        "facilitator@demo.trackii.org",
    )
    # The convenor's private breakfast is for named readers: not kept.
    assert [
        (i.day, i.start_time.isoformat(), i.title, i.level.name)
        for i in template.items.order_by("order")
    ] == [
        (0, "09:00:00", "Opening and welcome", "Public"),
        (0, "10:00:00", "Ground rules and the Chatham House undertaking", "Programme"),
        (0, "11:30:00", "Mapping the basin: each side's account", "Participants"),
        (0, "18:00:00", "Facilitators' huddle: reading the room", "Facilitators"),
    ]


def test_the_demo_follows_one_idea_from_round_1_to_an_officials_reaction_and_a_change(demo):
    from dialogues.demo.seed import DEMO_CHANGE, DEMO_ENVOY_REACTION, DEMO_IDEA
    from dialogues.models import Idea, ObservedChange, Transfer

    idea = Idea.objects.get(title=DEMO_IDEA)
    assert idea.state == Idea.State.TAKEN_UP
    assert {o.session.title for o in idea.sources.all()} == {"Round 1: Framing the river"}
    assert Transfer.objects.filter(idea=idea).count() == 2
    by_pack = Transfer.objects.get(idea=idea, pack_copy__isnull=False)
    meeting = Transfer.objects.get(idea=idea, pack_copy__isnull=True)
    assert (by_pack.official.name, by_pack.means, by_pack.pack_copy.pack.note) == (
        "Elena Marsh",
        "pack",
        "Prepared for the envoy's consultations after the first round.",
    )
    assert (by_pack.reaction_kind, by_pack.reaction) == ("asked_more", DEMO_ENVOY_REACTION)
    assert list(by_pack.pack_copy.ideas.all()) == [idea]
    assert (meeting.official.name, meeting.means, meeting.reaction_kind) == (
        "Stefan Draganov",
        "meeting",
        "receptive",
    )
    assert {t.level.name for t in (by_pack, meeting)} == {"Facilitators"}
    change = ObservedChange.objects.get()
    assert change.what_changed == DEMO_CHANGE
    assert list(change.ideas.all()) == [idea]
    assert set(change.transfers.all()) == {by_pack, meeting}
    assert change.substantiated_by.startswith("The envoy's office")


def test_the_demo_has_a_report_for_funders_at_the_outbound_level(demo):
    from dialogues.confidentiality import outbound_rank
    from dialogues.models import Dialogue, FunderReport

    report = FunderReport.objects.get()
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    assert (report.dialogue, report.state, report.level.rank) == (
        dialogue,
        "ready",
        outbound_rank(dialogue),
    )
    assert report.requested_by.email == "facilitator@demo.trackii.org"
    with report.csv.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert "Salt River" not in text


def comments_seen(email: str) -> list[tuple[str, str, bool, str]]:
    from dialogues.confidentiality import viewer_for_user, visible
    from dialogues.models import CaucusComment

    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    seen = visible(
        viewer_for_user(User.objects.get(email=email)), CaucusComment, dialogue_id=dialogue.pk
    )
    return [
        (c.side.name, c.author.full_name, c.by_team, c.body)
        for c in seen.select_related("side", "author").order_by("created_at", "id")
    ]


def test_the_demo_non_paper_has_three_versions_and_each_sides_comments_stay_in_its_caucus(demo):
    from dialogues.demo import seed
    from dialogues.models import Idea, NonPaper

    non_paper = NonPaper.objects.get()
    assert (non_paper.title, non_paper.level.name, non_paper.created_by.email) == (
        "A joint technical body for the Salt River's dry-season flows",
        "Programme",
        "facilitator@demo.trackii.org",
    )
    idea = Idea.objects.get(title=seed.DEMO_IDEA)
    assert list(non_paper.ideas.all()) == [idea]
    assert [(f.task, f.done_at is not None) for f in idea.follow_ups.all()] == [
        ("Draft a non-paper on the technical body for the second round", True)
    ]
    versions = list(non_paper.versions.order_by("number"))
    assert [(v.number, v.state) for v in versions] == [
        (1, "circulated"),
        (2, "circulated"),
        (3, "working"),
    ]
    first, second, third = ([p["text"] for p in v.paragraphs] for v in versions)
    assert first == seed.DEMO_NON_PAPER_TEXT
    # Version 2: the station changed, the venue removed, the reservoir's figures added.
    assert second == [
        seed.DEMO_NON_PAPER_TEXT[0],
        seed.DEMO_NON_PAPER_TEXT[1],
        seed.DEMO_NON_PAPER_STATION_V2,
        seed.DEMO_NON_PAPER_TEXT[4],
        seed.DEMO_NON_PAPER_ADDED_V2,
    ]
    assert third == second
    ids = [p["id"] for p in versions[0].paragraphs]
    assert [p["id"] for p in versions[1].paragraphs][:4] == [ids[0], ids[1], ids[2], ids[4]]
    assert versions[1].note == seed.DEMO_NON_PAPER_NOTE_V2

    leilas, ilonas = (body for _email, _index, body in seed.DEMO_NON_PAPER_COMMENTS)
    everyone = [
        (c.version.number, ids.index(c.paragraph_id), c.side.name, c.author.full_name, c.by_team)
        for c in non_paper.versions.get(number=1).comments.order_by("created_at", "id")
    ]
    assert everyone == [
        (1, 2, "Osterlan", "Leila Nasrawi", False),
        (1, 1, "Marovian", "Ilona Marek", False),
        (1, 2, "Osterlan", "Hannah Okafor", True),
    ]
    # Each side reads its own caucus only; the convening team reads both; the observer none.
    assert comments_seen("participant@demo.trackii.org") == [
        ("Osterlan", "Leila Nasrawi", False, leilas),
        ("Osterlan", "Hannah Okafor", True, seed.DEMO_NON_PAPER_REPLY),
    ]
    assert comments_seen("marovian@demo.trackii.org") == [
        ("Marovian", "Ilona Marek", False, ilonas),
    ]
    assert [side for side, *_ in comments_seen("facilitator@demo.trackii.org")] == [
        "Osterlan",
        "Marovian",
        "Osterlan",
    ]
    assert comments_seen("observer@demo.trackii.org") == []


def test_the_demo_non_papers_pages_show_each_side_its_own_thread(demo, client):
    from dialogues.demo import seed
    from dialogues.models import NonPaper

    non_paper = NonPaper.objects.get()
    url = reverse("dialogues:non_paper_detail", args=[non_paper.dialogue_id, non_paper.pk])
    leilas, ilonas = (body for _email, _index, body in seed.DEMO_NON_PAPER_COMMENTS)
    pages = {}
    for email in ("participant@demo.trackii.org", "marovian@demo.trackii.org"):
        client.logout()
        sign_in(client, User.objects.get(email=email))
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["version"].number == 2  # the latest circulated
        pages[email] = response.content.decode()
    osterlan, marovian = pages.values()
    assert escape(leilas) in osterlan
    assert escape(seed.DEMO_NON_PAPER_REPLY) in osterlan
    assert escape(ilonas) not in osterlan
    assert escape(ilonas) in marovian
    assert escape(leilas) not in marovian
    assert escape(seed.DEMO_NON_PAPER_REPLY) not in marovian


def test_a_demo_database_from_before_the_marovian_account_gets_the_non_paper_without_it(demo):
    from dialogues.models import CaucusComment, NonPaper, NonPaperVersion
    from participants.models import Person

    # As an earlier demo left it: Ilona Marek without an account, and no non-paper yet.
    CaucusComment.objects.all().delete()
    NonPaper.objects.all().delete()
    Person.objects.filter(full_name="Ilona Marek").update(user=None)
    call_command("seed_demo", stdout=io.StringIO())
    assert list(NonPaperVersion.objects.order_by("number").values_list("number", "state")) == [
        (1, "circulated"),
        (2, "circulated"),
        (3, "working"),
    ]
    comments = CaucusComment.objects.order_by("created_at", "id")
    assert [(c.side.name, c.author.full_name) for c in comments] == [
        ("Osterlan", "Leila Nasrawi"),
        ("Osterlan", "Hannah Okafor"),
    ]


def test_the_demo_speaks_arabic_and_russian_to_those_who_read_them(demo):
    """Issue 20: Samir reads Trackii in Arabic and Dragan in Russian; the Salt River's ground
    rules are written in all five languages, and each signed the text in his own."""
    from dialogues.models import Dialogue
    from participants.models import GroundRulesAcceptance, Person

    languages = dict(Person.objects.exclude(language="").values_list("full_name", "language"))
    assert languages == {
        "Samir Haddani": "ar",
        "Omar Haddad": "ar",
        "Dragan Velikov": "ru",
        "Yusuf Karimov": "ru",
    }
    salt_river = Dialogue.objects.get(title="Salt River Dialogue")
    assert salt_river.ground_rules_languages() == ["en-gb", "ar", "es", "fr", "ru"]
    signed = dict(
        GroundRulesAcceptance.objects.filter(
            membership__dialogue=salt_river,
            membership__person__full_name__in=["Samir Haddani", "Dragan Velikov", "Ilona Marek"],
        ).values_list("membership__person__full_name", "language")
    )
    assert signed == {"Samir Haddani": "ar", "Dragan Velikov": "ru", "Ilona Marek": "en-gb"}
