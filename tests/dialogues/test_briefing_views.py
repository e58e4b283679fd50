"""Briefing packs through the pages: request, progress, the attribution guard, four eyes,
release, the official's link (no account), revocation, expiry, retry, the register; and notes
and outcomes on the session page. Tasks run in-process once the request commits."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dialogues.briefing import services as briefing
from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, BriefingPackCopy, Outcome
from dialogues.outcomes.services import outcome_create
from participants.models import Membership
from tests.conftest import enable_mfa, sign_in
from tests.factories import level
from tests.world import member_with_account, official, recipient
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    """The world, with a second facilitator (four eyes) and two outcomes on round 1."""
    world["facilitator"] = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    for summary, rule in (
        ("CONTROL-IDEA a joint water commission", Outcome.Attribution.CHATHAM_HOUSE),
        ("SENTINEL-OFF-W3 a private red line", Outcome.Attribution.OFF_RECORD),
    ):
        outcome_create(
            session=world["round_1"],
            kind=Outcome.Kind.IDEA,
            attribution=rule,
            summary=summary,
            level=level("Public"),
        )
    return world


def packs_url(world, name="pack_list", *args):
    return reverse(f"dialogues:{name}", args=[world["dialogue"].pk, *args])


def request_form(world, **recipients):
    """The request form ticking one official per recipient (name: clearance), each added to the
    register (if not there yet) as an envoy of the ministry."""
    officials = [
        recipient(
            name.replace("_", " "),
            f"{name.lower()}@ministry.example",
            clearance,
            position="Envoy",
            organisation="Ministry",
        ).official_of(world["dialogue"])
        for name, clearance in recipients.items()
    ]
    return {"note": "For the envoy's meeting on Thursday.", "officials": [o.pk for o in officials]}


def request_pack(client, world, capture, **recipients):
    with capture(execute=True):
        response = client.post(packs_url(world, "pack_request"), request_form(world, **recipients))
    return response


@pytest.mark.parametrize("who", ["participant", "observer", "rapporteur", "outsider"])
def test_packs_are_the_convening_teams_only(login, world, who):
    client = login(world[who])
    for url in (packs_url(world), packs_url(world, "pack_request")):
        assert client.get(url).status_code == 404


def test_a_facilitator_requests_a_pack_and_it_renders_once_committed(
    login, team, django_capture_on_commit_callbacks
):
    client = login(team["convenor"])
    response = request_pack(
        client, team, django_capture_on_commit_callbacks, Amal_Haddad="Programme", Ben="Public"
    )
    pack = BriefingPack.objects.get()
    assert response.status_code == 302
    assert response["Location"] == packs_url(team, "pack_detail", pack.pk)
    copies = list(pack.copies.order_by("number"))
    assert [(c.number, c.total, c.recipient_name, c.clearance.name) for c in copies] == [
        (1, 2, "Amal Haddad", "Programme"),
        (2, 2, "Ben", "Public"),
    ]
    assert [c.state for c in copies] == ["ready", "ready"]
    assert pack.note == "For the envoy's meeting on Thursday."
    assert pack.guard == BriefingPack.Guard.CLEAR

    page = client.get(packs_url(team, "pack_detail", pack.pk)).content.decode()
    assert "Distribution register" in page
    assert copies[0].sha256 in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling
    # Four eyes: the requester may not release it.
    assert "A second facilitator must approve it: you requested it." in page


def test_recipient_above_the_requesters_clearance_is_refused_and_nothing_is_saved(
    login, team, django_capture_on_commit_callbacks
):
    client = login(team["facilitator"])  # Facilitators clearance
    response = request_pack(client, team, django_capture_on_commit_callbacks, Eve="Restricted")
    assert response.status_code == 200
    eve = team["dialogue"].officials.get(name="Eve")
    assert response.context["form"].errors == {
        "officials": [f"Select a valid choice. {eve.pk} is not one of the available choices."]
    }
    assert BriefingPack.objects.count() == 0


def test_a_form_without_any_recipient_shows_a_field_error(login, team):
    official(team["dialogue"], "Amal", "amal@ministry.example", "Public")
    client = login(team["convenor"])
    data = request_form(team)
    response = client.post(packs_url(team, "pack_request"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"officials": ["Choose at least one official."]}
    assert "Choose at least one official." in response.content.decode()
    assert BriefingPack.objects.count() == 0


def test_progress_is_polled_while_copies_render(login, team):
    convenor = team["convenor"]
    pack = briefing.pack_request(
        dialogue=team["dialogue"],
        viewer=viewer_for_user(convenor.person.user),
        requested_by=convenor.person.user,
        officials=[official(team["dialogue"], "Amal", "a@x.example", "Public")],
    )  # the task is queued on commit, which this test's transaction never reaches
    client = login(convenor)
    fragment = client.get(packs_url(team, "pack_detail", pack.pk), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.strip().startswith('<div id="pack-status"')
    assert 'hx-trigger="every 2s"' in html
    assert "Queued" in html
    assert "<html" not in html


def released(client_for, team, capture):
    """A pack requested by the convenor and released by the second facilitator."""
    request_pack(client_for(team["convenor"]), team, capture, Amal="Programme")
    pack = BriefingPack.objects.get()
    client = client_for(team["facilitator"])
    with capture(execute=True):
        response = client.post(packs_url(team, "pack_release", pack.pk))
    assert response.status_code == 302
    pack.refresh_from_db()
    return pack, client


def link_in(message) -> str:
    return re.search(r"http://\S+/packs/(\S+)/", message.body).group(1)


def test_release_sends_each_recipient_a_personal_link_that_opens_without_an_account(
    login, team, django_capture_on_commit_callbacks
):
    pack, _ = released(login, team, django_capture_on_commit_callbacks)
    assert pack.approved_by == team["facilitator"].person.user
    assert pack.released_at is not None
    [message] = mail.outbox
    assert message.to == ["amal@ministry.example"]
    assert message.subject.endswith("Meetings: a briefing pack for you")
    assert team["dialogue"].title not in message.subject + message.body
    token = link_in(message)

    client = Client()
    page = client.get(reverse("pack_link", args=[token]))
    assert page.status_code == 200
    assert "copy 1 of 1" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    download = client.get(reverse("pack_link_download", args=[token]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="meetings-copy-1-of-1.pdf"'
    # Reading the stream to its end closes the file (as a WSGI server would).
    body = b"".join(download.streaming_content)
    copy = pack.copies.get()

    assert hashlib.sha256(body).hexdigest() == copy.sha256
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "CONTROL-IDEA" in text
    assert "SENTINEL-OFF-W3" not in text

    entry = AuditEntry.objects.filter(action="downloaded", object_id=str(copy.pk)).get()
    assert entry.actor is None
    assert entry.detail == {
        "page": "pack_link_download",
        "via": "link",
        "pack": pack.pk,
        "number": 1,
    }


def test_the_register_lists_downloads_and_a_revoked_link_answers_404(
    login, team, django_capture_on_commit_callbacks
):
    pack, facilitator = released(login, team, django_capture_on_commit_callbacks)
    client = Client()  # the official: no account
    token = link_in(mail.outbox[0])
    copy = pack.copies.get()
    download = client.get(reverse("pack_link_download", args=[token]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    page = facilitator.get(packs_url(team, "pack_detail", pack.pk)).content.decode()
    assert "the recipient&#x27;s link" in page

    facilitator.post(packs_url(team, "copy_link_revoke", pack.pk, copy.pk))
    copy.refresh_from_db()
    assert copy.link_nonce == ""
    assert copy.link_revoked_at is not None
    assert client.get(reverse("pack_link", args=[token])).status_code == 404
    assert client.get(reverse("pack_link_download", args=[token])).status_code == 404

    # A new link works; the revoked one stays dead.
    with django_capture_on_commit_callbacks(execute=True):
        facilitator.post(packs_url(team, "copy_link_issue", pack.pk, copy.pk))
    new_token = link_in(mail.outbox[-1])
    assert new_token != token
    assert client.get(reverse("pack_link", args=[new_token])).status_code == 200
    assert client.get(reverse("pack_link", args=[token])).status_code == 404


def test_expired_tampered_and_unreleased_links_answer_404(
    login, team, django_capture_on_commit_callbacks
):
    pack, _ = released(login, team, django_capture_on_commit_callbacks)
    client = Client()
    token = link_in(mail.outbox[0])
    copy = pack.copies.get()
    assert client.get(reverse("pack_link", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("pack_link", args=["not-a-token"])).status_code == 404

    BriefingPackCopy.objects.filter(pk=copy.pk).update(
        link_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(reverse("pack_link", args=[token])).status_code == 404

    BriefingPackCopy.objects.filter(pk=copy.pk).update(
        link_expires_at=timezone.now() + timedelta(days=1)
    )
    BriefingPack.objects.filter(pk=pack.pk).update(released_at=None)
    assert client.get(reverse("pack_link", args=[token])).status_code == 404


def test_a_name_next_to_chatham_house_material_holds_the_pack_until_reviewed(
    login, team, django_capture_on_commit_callbacks
):
    person = team["other_side"].person
    outcome_create(
        session=team["round_1"],
        kind=Outcome.Kind.PROPOSAL,
        attribution=Outcome.Attribution.CHATHAM_HOUSE,
        summary=f"As {person.full_name} put it, the dam needs a joint operator.",
        level=level("Public"),
    )
    convenor = login(team["convenor"])
    request_pack(convenor, team, django_capture_on_commit_callbacks, Amal="Programme")
    pack = BriefingPack.objects.get()
    assert pack.guard == BriefingPack.Guard.HELD
    assert pack.copies.get().guard_findings == [
        {"outcome": Outcome.objects.get(kind="proposal").pk, "person": person.pk}
    ]

    facilitator = login(team["facilitator"])
    page = facilitator.get(packs_url(team, "pack_detail", pack.pk)).content.decode()
    assert "Held by the attribution guard" in page
    assert person.full_name in page
    facilitator.post(packs_url(team, "pack_release", pack.pk))
    pack.refresh_from_db()
    assert pack.released_at is None
    assert mail.outbox == []

    facilitator.post(packs_url(team, "pack_review", pack.pk), {"reason": ""})
    pack.refresh_from_db()
    assert pack.guard == BriefingPack.Guard.HELD
    facilitator.post(packs_url(team, "pack_review", pack.pk), {"reason": "Agreed on the record."})
    pack.refresh_from_db()
    assert pack.guard == BriefingPack.Guard.REVIEWED
    assert pack.review_reason == "Agreed on the record."
    with django_capture_on_commit_callbacks(execute=True):
        facilitator.post(packs_url(team, "pack_release", pack.pk))
    pack.refresh_from_db()
    assert pack.released_at is not None
    assert len(mail.outbox) == 1


def test_guard_sees_through_case_zero_width_characters_and_affiliations(team):
    person = team["participant"].person
    person.affiliation = "Delta Water Institute"
    person.save()
    pack_contents = briefing.pack_contents
    for text, found in [
        (f"{person.full_name.upper()} proposed it", True),
        (f"{person.full_name[:2]}\u200b{person.full_name[2:]} proposed it", True),
        ("someone at the delta water institute", True),
        ("a water institute somewhere", False),
    ]:
        Outcome.objects.all().delete()
        outcome_create(
            session=team["round_1"],
            kind=Outcome.Kind.IDEA,
            attribution=Outcome.Attribution.CHATHAM_HOUSE,
            summary=text,
            level=level("Public"),
        )
        pack = BriefingPack.objects.create(dialogue=team["dialogue"])
        contents = pack_contents(pack=pack, clearance=level("Public"))
        names = briefing.member_names_of(dialogue_id=team["dialogue"].pk)
        findings = briefing.attribution_findings(contents, names)
        assert bool(findings) is found, text
        assert all(f["person"] == person.pk for f in findings)


def _scan(team, pack=None):
    pack = pack or BriefingPack.objects.create(dialogue=team["dialogue"])
    contents = briefing.pack_contents(pack=pack, clearance=level("Restricted"))
    names = briefing.member_names_of(dialogue_id=team["dialogue"].pk)
    return briefing.attribution_findings(contents, names, pack=pack)


def test_guard_scans_everything_the_pack_prints_but_outcomes_on_the_record(team):
    from dialogues.models import PublishedAgendaItem, Session

    person = team["other_side"].person
    name = person.full_name
    assert _scan(team) == []  # the positive control: nothing named yet

    round_1 = team["round_1"]
    item = PublishedAgendaItem.objects.get(session=round_1, title="R1 Public item")
    PublishedAgendaItem.objects.filter(pk=item.pk).update(description=f"Opened by {name}.")
    Session.objects.filter(pk=round_1.pk).update(title=f"Round 1 at {name}'s farm")
    dialogue = team["dialogue"]
    dialogue.briefing_summary = f"{name.upper()} proposed the commission."
    dialogue.save(update_fields=["briefing_summary"])
    on_record = outcome_create(
        session=round_1,
        kind=Outcome.Kind.PROPOSAL,
        attribution=Outcome.Attribution.ON_RECORD,
        summary=f"{name} proposed a joint operator.",
        level=level("Public"),
        speakers=[person],
    )
    pack = BriefingPack.objects.create(dialogue=dialogue, note=f"Ask {name} first.")

    assert _scan(team, pack) == [
        {"note": pack.pk, "person": person.pk},
        {"summary": dialogue.pk, "person": person.pk},
        {"session": round_1.pk, "person": person.pk},
        {"item": item.pk, "person": person.pk},
    ]
    assert on_record.pk not in {f.get("outcome") for f in _scan(team, pack)}


def pack_naming_in_item(login, team, capture, title: str, clearance: str):
    """A member's name in the description of a published agenda item of round 1, and a pack
    requested by the convenor for one official at ``clearance``: (person, item, pack)."""
    from dialogues.models import PublishedAgendaItem

    person = team["other_side"].person
    item = PublishedAgendaItem.objects.get(session=team["round_1"], title=title)
    PublishedAgendaItem.objects.filter(pk=item.pk).update(
        description=f"Presented by {person.full_name}."
    )
    request_pack(login(team["convenor"]), team, capture, Amal=clearance)
    return person, item, BriefingPack.objects.get()


def signed_in_facilitator(team, clearance: str) -> Client:
    """A further facilitator of the dialogue, cleared to ``clearance``, signed in with MFA."""
    member = member_with_account(
        dialogue=team["dialogue"], role=Membership.Role.FACILITATOR, clearance=clearance
    )
    client = Client()
    enable_mfa(member.person.user)
    sign_in(client, member.person.user)
    return client


def test_review_page_names_each_place_and_where_to_mend_it(
    login, team, django_capture_on_commit_callbacks
):
    person, item, pack = pack_naming_in_item(
        login, team, django_capture_on_commit_callbacks, "R1 Public item", "Programme"
    )
    assert pack.guard == BriefingPack.Guard.HELD
    assert pack.copies.get().guard_findings == [{"item": item.pk, "person": person.pk}]

    page = login(team["facilitator"]).get(packs_url(team, "pack_detail", pack.pk))
    edit = reverse(
        "dialogues:agenda_item_edit",
        args=[team["dialogue"].pk, team["round_1"].pk, item.source_id],
    )
    assert (
        f"Copy 1: <strong><bdi>{person.full_name}</bdi></strong> in "
        f'<a href="{edit}">the agenda item “R1 Public item” of Round 1</a>'
    ) in page.content.decode()


def test_review_page_does_not_name_a_place_above_the_readers_clearance(
    login, team, django_capture_on_commit_callbacks
):
    person, item, pack = pack_naming_in_item(
        login, team, django_capture_on_commit_callbacks, "R1 Facilitators item", "Facilitators"
    )
    assert pack.copies.get().guard_findings == [{"item": item.pk, "person": person.pk}]

    # The convenor (Restricted) is told where; a facilitator cleared to Participants is not.
    readers = (
        (login(team["convenor"]), True),
        (signed_in_facilitator(team, "Participants"), False),
    )
    for page, named in readers:
        body = page.get(packs_url(team, "pack_detail", pack.pk)).content.decode()
        assert ("R1 Facilitators item" in body) is named
        assert (
            "material you cannot see (above your clearance, or removed since)" in body
        ) is not named
        assert person.full_name in body


def test_the_convening_team_downloads_copies_only_up_to_their_own_clearance(
    login, team, django_capture_on_commit_callbacks
):
    request_pack(
        login(team["convenor"]),
        team,
        django_capture_on_commit_callbacks,
        Amal="Facilitators",
        Ben="Participants",
    )
    pack = BriefingPack.objects.get()
    high, low = (
        pack.copies.get(clearance=level("Facilitators")),
        pack.copies.get(clearance=level("Participants")),
    )
    client = signed_in_facilitator(team, "Participants")
    before = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).count()

    assert client.get(packs_url(team, "copy_download", pack.pk, high.pk)).status_code == 404
    download = client.get(packs_url(team, "copy_download", pack.pk, low.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).count() == before + 1
    page = client.get(packs_url(team, "pack_detail", pack.pk)).content.decode()
    assert page.count("PDF above your clearance") == 1
    assert packs_url(team, "copy_download", pack.pk, high.pk) not in page
    assert packs_url(team, "copy_download", pack.pk, low.pk) in page
    # The convenor (Restricted) reads both.
    convenor = login(team["convenor"])
    download = convenor.get(packs_url(team, "copy_download", pack.pk, high.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_failed_render_shows_its_reason_and_retry_renders_it(
    login, team, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(copies):
        raise RuntimeError("Ministry secret text must not reach the reason")

    monkeypatch.setattr(briefing, "render_group_pdfs", broken)
    client = login(team["convenor"])
    request_pack(client, team, django_capture_on_commit_callbacks, Amal="Programme")
    pack = BriefingPack.objects.get()
    copy = pack.copies.get()
    assert copy.state == "failed"
    assert copy.failure_reason == (
        "The PDF could not be rendered (RuntimeError). Retry; if it fails again, tell your "
        "administrator (the log names this copy's id)."
    )
    page = client.get(packs_url(team, "pack_detail", pack.pk)).content.decode()
    assert "Retry the failed copies" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(packs_url(team, "pack_render_again", pack.pk), {"failed_only": "1"})
    copy.refresh_from_db()
    assert copy.state == "ready"
    assert copy.attempts == 1
    assert copy.failure_reason == ""


def test_the_facilitators_download_is_audited(login, team, django_capture_on_commit_callbacks):
    client = login(team["convenor"])
    request_pack(client, team, django_capture_on_commit_callbacks, Amal="Programme")
    pack = BriefingPack.objects.get()
    copy = pack.copies.get()
    response = client.get(packs_url(team, "copy_download", pack.pk, copy.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="downloaded", object_id=str(copy.pk))
    assert entry.actor == team["convenor"].person.user
    assert entry.detail["via"] == "convening_team"
    # Another dialogue's convening team cannot reach it, even by guessing ids.
    outsider = member_with_account(
        dialogue=team["elsewhere"], role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    other = login(outsider)
    assert other.get(packs_url(team, "copy_download", pack.pk, copy.pk)).status_code == 404
    assert other.get(packs_url(team, "pack_detail", pack.pk)).status_code == 404


def test_user_markup_is_printed_as_text_and_fetches_nothing(team, monkeypatch):
    from dialogues import pdf

    outcome_create(
        session=team["round_1"],
        kind=Outcome.Kind.IDEA,
        attribution=Outcome.Attribution.ON_RECORD,
        summary='<img src="file:///etc/passwd"> <img src="https://tracker.example/p.png">',
        level=level("Public"),
    )
    convenor = team["convenor"]
    pack = briefing.pack_request(
        dialogue=team["dialogue"],
        viewer=viewer_for_user(convenor.person.user),
        requested_by=convenor.person.user,
        officials=[official(team["dialogue"], "A", "a@x.example", "Public")],
        note='<link rel="stylesheet" href="http://evil.example/x.css"> data:text/html,hi',
    )
    logs = []
    original = pdf.render_pdf

    def spy(html, *, log=None):
        logs.append(log)
        return original(html, log=log)

    monkeypatch.setattr(pdf, "render_pdf", spy)
    copy = pack.copies.get()
    assert briefing.copy_render(copy_id=copy.pk) == "ready"
    # The group's base and its marks, rendered with one log.
    base_log, marks_log = logs
    assert base_log is marks_log
    assert base_log.refused == []
    assert sorted(base_log.answered) == [
        pdf.static_url("css/briefing_pdf.css"),
        pdf.static_url("css/briefing_pdf.css"),
        pdf.static_url("css/briefing_pdf_base.css"),
        pdf.static_url("css/briefing_pdf_marks.css"),
        pdf.static_url("img/trackii-mark.svg"),
        pdf.static_url("img/trackii-mark.svg"),
    ]
    copy.refresh_from_db()
    with copy.file.open("rb") as handle:
        text = "\n".join(p.extract_text() for p in PdfReader(handle).pages)
    assert '<img src="file:///etc/passwd">' in text
    assert "https://tracker.example/p.png" in text
    assert "http://evil.example/x.css" in text
    assert "root:x:" not in text


# -- notes and outcomes --------------------------------------------------------------------------


def session_url(world, name="session_detail", *args):
    return reverse(f"dialogues:{name}", args=[world["dialogue"].pk, world["round_1"].pk, *args])


def test_a_rapporteur_records_an_outcome_and_only_recorders_see_who_said_it(login, world):
    rapporteur = login(world["rapporteur"])
    speaker = world["participant"].person
    response = rapporteur.post(
        session_url(world, "outcome_create"),
        {
            "kind": "convergence",
            "attribution": "chatham_house",
            "summary": "Both sides accept a phased return.",
            "record": "SENTINEL-WORDS-M5 said it first.",
            "speakers": [speaker.pk],
            "level": level("Public").pk,
        },
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.created_by == world["rapporteur"].person.user
    assert list(outcome.speakers.all()) == [speaker]

    recorder_page = rapporteur.get(session_url(world)).content.decode()
    assert "SENTINEL-WORDS-M5" in recorder_page
    participant_page = login(world["participant"]).get(session_url(world)).content.decode()
    assert "Both sides accept a phased return." in participant_page
    assert "SENTINEL-WORDS-M5" not in participant_page
    assert "Record an outcome" not in participant_page


def test_members_cannot_write_outcomes_and_a_level_below_the_session_is_refused(login, world):
    participant = login(world["participant"])
    assert participant.get(session_url(world, "outcome_create")).status_code == 404
    pre_url = reverse("dialogues:outcome_create", args=[world["dialogue"].pk, world["pre"].pk])
    response = login(world["convenor"]).post(
        pre_url,
        {
            "kind": "idea",
            "attribution": "chatham_house",
            "summary": "x",
            "level": level("Public").pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Outcome.objects.count() == 0


@pytest.mark.parametrize("size", [1, 8])
def test_pack_pages_query_count_does_not_grow(login, team, django_assert_num_queries, size):
    convenor = team["convenor"]
    viewer = viewer_for_user(convenor.person.user)
    for _ in range(size):
        briefing.pack_request(
            dialogue=team["dialogue"],
            viewer=viewer,
            requested_by=convenor.person.user,
            officials=[
                recipient(f"R{n}", f"r{n}@x.example", "Public").official_of(team["dialogue"])
                for n in range(size)
            ],
        )
    client = login(convenor)
    pack = BriefingPack.objects.first()
    # Warm up (per-process caches such as content types), then count. One query of each writes
    # the audit entry of what the page shows (trackii.audit.reads).
    client.get(packs_url(team))
    client.get(packs_url(team, "pack_detail", pack.pk))
    # Two more on the list than before it had pages (issue 16): the paginator's count, and the
    # sessions of the packs the viewer may see (the packs' names). One more on the page than
    # the list (issue 18): the ideas each copy carried, as far as the viewer may see them.
    with django_assert_num_queries(13):
        assert client.get(packs_url(team)).status_code == 200
    with django_assert_num_queries(14):
        assert client.get(packs_url(team, "pack_detail", pack.pk)).status_code == 200


def test_the_service_refuses_a_request_from_outside_the_convening_team(team):
    from django.core.exceptions import ValidationError

    rapporteur = team["rapporteur"].person.user
    with pytest.raises(ValidationError) as refused:
        briefing.pack_request(
            dialogue=team["dialogue"],
            viewer=viewer_for_user(rapporteur),
            requested_by=rapporteur,
            officials=[official(team["dialogue"], "A", "a@x.example", "Public")],
        )
    assert refused.value.messages == [
        "Only the dialogue's convening team may request a briefing pack."
    ]
    assert BriefingPack.objects.count() == 0


def test_the_service_refuses_a_recipient_cleared_above_the_requester(team):
    from django.core.exceptions import ValidationError

    facilitator = team["facilitator"].person.user  # cleared Facilitators
    with pytest.raises(ValidationError) as refused:
        briefing.pack_request(
            dialogue=team["dialogue"],
            viewer=viewer_for_user(facilitator),
            requested_by=facilitator,
            officials=[
                official(team["dialogue"], "A", "a@x.example", "Facilitators"),
                official(team["dialogue"], "B", "b@x.example", "Restricted"),
            ],
        )
    assert refused.value.messages == [
        "B's clearance “Restricted” is above your own: a pack can hold only what you may read "
        "yourself."
    ]
    assert BriefingPack.objects.count() == 0


def test_the_request_form_offers_the_active_officials_cleared_up_to_the_requesters_own(login, team):
    dialogue = team["dialogue"]
    for name in ("Public", "Programme", "Participants", "Facilitators", "Restricted"):
        official(dialogue, f"Official {name}", f"{name.lower()}@ministry.example", name)
    retired = official(dialogue, "Retired official", "retired@ministry.example", "Public")
    retired.retired_at = timezone.now()
    retired.save()
    official(team["elsewhere"], "Elsewhere", "elsewhere@ministry.example", "Public")
    page = login(team["facilitator"]).get(packs_url(team, "pack_request"))
    assert [str(label) for _, label in page.context["form"].fields["officials"].choices] == [
        "Official Facilitators: cleared Facilitators",
        "Official Participants: cleared Participants",
        "Official Programme: cleared Programme",
        "Official Public: cleared Public",
    ]


def copy_text(copy) -> str:
    with copy.file.open("rb") as stream:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(stream.read())).pages)


@pytest.mark.slow
def test_a_pack_whose_content_tightened_after_rendering_is_rendered_again_before_release(
    login, team, django_capture_on_commit_callbacks
):
    """An item raised after the copies were rendered: the copies may hold what their
    recipients may no longer be sent, so the pack cannot go out until rendered again."""
    from dialogues.planning.services import agenda_item_update

    capture = django_capture_on_commit_callbacks
    request_pack(login(team["convenor"]), team, capture, Amal="Programme")
    pack = BriefingPack.objects.get()
    copy = pack.copies.get()
    first = copy_text(copy)
    assert "R1 Programme item" in first
    # The copy was rendered a moment ago; the Programme item of round 1 is raised now.
    pack.copies.update(rendered_at=copy.rendered_at - timedelta(seconds=5))
    item = team["items"]["Programme"]
    agenda_item_update(
        item=item,
        expected_revision=item.edit_revision,
        values={"level": level("Participants")},
        by=team["convenor"].person.user,
    )
    client = login(team["facilitator"])
    page = client.get(packs_url(team, "pack_detail", pack.pk))
    assert briefing.CHANGED_SINCE_RENDER in page.context["blockers"]
    render_again = packs_url(team, "pack_render_again", pack.pk)
    assert render_again in page.content.decode()
    with capture(execute=True):
        refused = client.post(packs_url(team, "pack_release", pack.pk))
    assert refused.status_code == 302
    pack.refresh_from_db()
    assert pack.released_at is None
    assert mail.outbox == []
    # Rendered again, the copy no longer holds the raised item, and the pack can go.
    with capture(execute=True):
        client.post(render_again)
    copy.refresh_from_db()
    text = copy_text(copy)
    assert "R1 Programme item" not in text
    assert "R1 Public item" in text
    assert briefing.release_blockers(pack, by=team["facilitator"].person.user) == []
    with capture(execute=True):
        client.post(packs_url(team, "pack_release", pack.pk))
    pack.refresh_from_db()
    assert pack.released_at is not None
