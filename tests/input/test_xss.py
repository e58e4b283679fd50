"""Markup and line breaks typed into any text field stay text, wherever they go out.

Every user-entered text field of one world holds the payload ``<TAG><script>alert(1)</script>
"'><img src=x onerror=alert(1)>`` with a tag naming the field. Then:

- pages: the raw payload never appears; its escaped form does, for each field the page shows;
- PDFs (the agenda and a briefing pack copy): the payload is printed as literal text, and the
  renderer fetched only the allow-listed stylesheet (and logo), nothing the payload names;
- the calendar feed: titles, descriptions and places come back exactly after parsing, and a
  title carrying ``\\r\\nATTENDEE:...`` adds no property line (RFC 5545 escaping);
- e-mails: subjects carry no CR or LF, and a cover name with a line break is refused by the
  form before it could reach a subject; headers are only the ones we set.
"""

from __future__ import annotations

import email
import io
import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar
from pypdf import PdfReader

from dialogues import pdf
from dialogues.briefing import services as briefing
from dialogues.calendar.feeds import calendar_for
from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, BriefingPackCopy, Dialogue, Outcome, Session
from dialogues.outcomes.services import outcome_create
from dialogues.papers.services import document_upload
from dialogues.planning.notifications import agenda_published_notify
from dialogues.planning.services import agenda_publish
from participants.invitations import services as invitation_services
from participants.models import Membership, PossibleMatch
from participants.services import ground_rules_accept
from participants.vetting.services import (
    membership_nominate,
    possible_match_decide,
    vetting_case_decide,
)
from tests.factories import (
    AgendaItemFactory,
    DialogueFactory,
    MembershipFactory,
    PersonFactory,
    SessionFactory,
    SideFactory,
    UserFactory,
    level,
)
from tests.world import designation_entry, idea, member_with_account, official

pytestmark = pytest.mark.django_db

RAW_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror", "\"'><img")
INJECTED = "\r\nATTENDEE:mailto:evil@example.org"


def payload(tag: str) -> str:
    return f"{tag}<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"


def squeezed(text: str) -> str:
    """Text without whitespace: PDF text extraction breaks lines where the layout did."""
    return "".join(text.split())


@pytest.fixture
def xss(db, django_capture_on_commit_callbacks):
    """A world whose every text field holds the payload, tagged by field."""
    dialogue = DialogueFactory(
        title=payload("DLG-TITLE"),
        context=payload("DLG-CONTEXT"),
        briefing_summary=payload("DLG-SUMMARY"),
        ground_rules=payload("DLG-RULES"),
        cover_name=payload("DLG-COVER")[:100],
        convening_organisation=payload("DLG-ORG"),
        outbound_level=level("Programme"),
    )
    side = SideFactory(dialogue=dialogue, name=payload("SIDE-A"))
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    convenor.person.__dict__.update(
        full_name=payload("CONV-NAME"),
        affiliation=payload("CONV-AFF"),
        position=payload("CONV-POS"),
        name_original_script=payload("CONV-SCRIPT"),
    )
    convenor.person.save()
    facilitator = member_with_account(
        dialogue=dialogue, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    participant = member_with_account(dialogue=dialogue, clearance="Participants", side=side)
    participant.person.full_name = payload("PART-NAME")
    participant.person.save()
    ground_rules_accept(membership=participant, version=dialogue.ground_rules_version)
    newcomer = member_with_account(dialogue=dialogue, clearance="Participants")

    session = SessionFactory(
        dialogue=dialogue,
        title=payload("S-TITLE") + INJECTED,
        venue=payload("S-VENUE"),
        city=payload("S-CITY"),
        level=level("Public"),
    )
    session.attendances.create(membership=participant)
    item = AgendaItemFactory(
        session=session,
        title=payload("I-TITLE") + INJECTED,
        description=payload("I-DESC") + "\nDESCRIPTION:evil\rX-INJECTED:1",
        room=payload("I-ROOM"),
        level=level("Public"),
        start=datetime(2027, 3, 15, 9, tzinfo=UTC),
        end=datetime(2027, 3, 15, 10, tzinfo=UTC),
    )
    agenda_publish(session=session)
    session.refresh_from_db()
    document = document_upload(
        dialogue=dialogue,
        session=session,
        uploaded_by=convenor.person.user,
        title=payload("DOC-TITLE"),
        kind="other",
        level=level("Public"),
        upload=SimpleUploadedFile(payload("DOC-FILE") + ".txt", b"A paper."),
    )
    source = outcome_create(
        session=session,
        kind=Outcome.Kind.IDEA,
        attribution=Outcome.Attribution.CHATHAM_HOUSE,
        summary=payload("OUT-SUMMARY"),
        record=payload("OUT-RECORD"),
        level=level("Public"),
    )
    idea(
        dialogue,
        sources=[source],
        level="Public",
        title=payload("IDEA-TITLE"),
        summary=payload("IDEA-SUMMARY"),
    )

    # A pack, rendered, reviewed and released: its copy's PDF and the recipient's link.
    pack = briefing.pack_request(
        dialogue=dialogue,
        viewer=viewer_for_user(convenor.person.user),
        requested_by=convenor.person.user,
        officials=[
            official(
                dialogue,
                payload("REC-NAME"),
                "recipient@ministry.example",
                "Programme",
                position=payload("REC-POS"),
                institution=payload("REC-ORG"),
            )
        ],
        sessions=[session],
        note=payload("PACK-NOTE"),
    )
    copy = pack.copies.get()
    assert briefing.copy_render(copy_id=copy.pk) == "ready"
    BriefingPack.objects.filter(pk=pack.pk).update(guard=BriefingPack.Guard.HELD)
    briefing.pack_review(pack=pack, by=facilitator.person.user, reason=payload("REVIEW"))
    with django_capture_on_commit_callbacks(execute=True):
        briefing.pack_release(pack=pack, by=facilitator.person.user)
    token = re.search(r"/packs/(\S+)/", mail.outbox[-1].body).group(1)

    # Vetting: a nominee, a possible match dismissed, a case decided, each with its words.
    staff = UserFactory(email="admin@example.org", is_staff=True)
    nominee = membership_nominate(
        person=PersonFactory(full_name=payload("NOM-NAME")),
        dialogue=dialogue,
        role=Membership.Role.PARTICIPANT,
        clearance=level("Participants"),
        nominated_by=convenor.person.user,
    )
    case = nominee.vetting_case
    match = PossibleMatch.objects.create(
        case=case,
        entry=designation_entry(reference="QDi.1", name="Someone Else"),
        score=0.9,
        nominee_name="n",
        matched_name="m",
    )
    possible_match_decide(match=match, same_person=False, note=payload("MATCH-NOTE"), by=staff)
    vetting_case_decide(
        case=case,
        decision="cleared_with_conditions",
        reason=payload("CASE-REASON"),
        conditions=payload("CASE-COND"),
        jurisdictions=payload("CASE-JUR"),
        references=payload("CASE-REF"),
        conflicts_of_interest=payload("CASE-COI"),
        by=staff,
    )
    invitation_services.invitation_send(
        membership=MembershipFactory(
            person=PersonFactory(email="invitee@example.org"),
            dialogue=dialogue,
            state=Membership.State.CLEARED,
        ),
        by=convenor.person.user,
    )
    invitation_token = re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)
    return {
        "dialogue": dialogue,
        "convenor": convenor,
        "facilitator": facilitator,
        "participant": participant,
        "newcomer": newcomer,
        "session": session,
        "item": item,
        "document": document,
        "outcome": Outcome.objects.get(session=session),
        "pack": pack,
        "copy": BriefingPackCopy.objects.get(pk=copy.pk),
        "token": token,
        "staff": staff,
        "case": case,
        "invitation_token": invitation_token,
    }


# -- pages -----------------------------------------------------------------------------------------


PAGES = {
    # name: (who, url maker, the fields the page shows)
    "home": ("convenor", lambda x: reverse("home"), ["DLG-TITLE"]),
    # The dialogue's workspace: its overview, and the tabs that took over what its page showed
    # (the sessions; the roster and its room at a glance are the "roster" page below).
    "dialogue": (
        "convenor",
        lambda x: reverse("dialogues:dialogue_detail", args=[x["dialogue"].pk]),
        ["DLG-TITLE", "DLG-CONTEXT", "DLG-ORG", "DLG-RULES", "SIDE-A"],
    ),
    "sessions tab": (
        "convenor",
        lambda x: reverse("dialogues:sessions", args=[x["dialogue"].pk]),
        ["DLG-TITLE", "S-TITLE"],
    ),
    "outcomes tab": (
        "convenor",
        lambda x: reverse("dialogues:outcomes", args=[x["dialogue"].pk]),
        ["DLG-TITLE", "S-TITLE", "OUT-SUMMARY", "OUT-RECORD"],
    ),
    "papers tab": (
        "convenor",
        lambda x: reverse("dialogues:documents", args=[x["dialogue"].pk]),
        ["DLG-TITLE"],
    ),
    "session": (
        "convenor",
        lambda x: reverse("dialogues:session_detail", args=[x["dialogue"].pk, x["session"].pk]),
        [
            "DLG-TITLE",
            "S-TITLE",
            "S-VENUE",
            "S-CITY",
            "I-TITLE",
            "I-DESC",
            "I-ROOM",
            "DOC-TITLE",
            "OUT-SUMMARY",
            "OUT-RECORD",
            "PART-NAME",
        ],
    ),
    "session seen by a participant": (
        "participant",
        lambda x: reverse("dialogues:session_detail", args=[x["dialogue"].pk, x["session"].pk]),
        [
            "DLG-TITLE",
            "S-TITLE",
            "S-VENUE",
            "I-TITLE",
            "I-DESC",
            "I-ROOM",
            "DOC-TITLE",
            "OUT-SUMMARY",
        ],
    ),
    "agenda editor": (
        "convenor",
        lambda x: reverse("dialogues:agenda_edit", args=[x["dialogue"].pk, x["session"].pk]),
        ["S-TITLE", "I-TITLE", "I-ROOM"],
    ),
    "roster": (
        "convenor",
        lambda x: reverse("dialogues:roster", args=[x["dialogue"].pk]),
        ["CONV-NAME", "CONV-SCRIPT", "CONV-AFF", "CONV-POS", "SIDE-A", "PART-NAME", "NOM-NAME"],
    ),
    "sides": (
        "convenor",
        lambda x: reverse("dialogues:sides_edit", args=[x["dialogue"].pk]),
        ["SIDE-A"],
    ),
    "dialogue form": (
        "convenor",
        lambda x: reverse("dialogues:dialogue_edit", args=[x["dialogue"].pk]),
        ["DLG-TITLE", "DLG-CONTEXT", "DLG-SUMMARY", "DLG-RULES", "DLG-ORG"],
    ),
    "session form": (
        "convenor",
        lambda x: reverse("dialogues:session_edit", args=[x["dialogue"].pk, x["session"].pk]),
        ["S-TITLE", "S-VENUE", "S-CITY", "PART-NAME"],
    ),
    "agenda item form": (
        "convenor",
        lambda x: reverse(
            "dialogues:agenda_item_edit",
            args=[x["dialogue"].pk, x["session"].pk, x["item"].pk],
        ),
        ["I-TITLE", "I-DESC", "I-ROOM", "CONV-NAME"],
    ),
    "outcome form": (
        "convenor",
        lambda x: reverse(
            "dialogues:outcome_edit",
            args=[x["dialogue"].pk, x["session"].pk, x["outcome"].pk],
        ),
        ["OUT-SUMMARY", "OUT-RECORD", "PART-NAME"],
    ),
    "pack": (
        "convenor",
        lambda x: reverse("dialogues:pack_detail", args=[x["dialogue"].pk, x["pack"].pk]),
        ["DLG-TITLE", "PACK-NOTE", "REC-NAME", "REVIEW", "S-TITLE", "IDEA-TITLE"],
    ),
    "ground rules": (
        "newcomer",
        lambda x: reverse("dialogues:ground_rules", args=[x["dialogue"].pk]),
        ["DLG-TITLE", "DLG-RULES"],
    ),
    "vetting case": (
        "staff",
        lambda x: reverse("vetting:case", args=[x["case"].pk]),
        ["NOM-NAME", "MATCH-NOTE", "CASE-REASON", "CASE-COND"],
    ),
    "pack link": (None, lambda x: reverse("pack_link", args=[x["token"]]), ["REC-NAME"]),
}


def test_payloads_render_escaped_in_pages(login, xss):
    # One world for every page (it renders a PDF to build): failures are collected per page.
    failures = {}
    for page, (who, url, tags) in PAGES.items():
        client = Client() if who is None else login(xss[who])
        response = client.get(url(xss))
        html = response.content.decode()
        raw = [marker for marker in RAW_MARKERS if marker in html]
        missing = [tag for tag in tags if escape(payload(tag)) not in html]
        if response.status_code != 200 or raw or missing:
            failures[page] = {"status": response.status_code, "raw": raw, "missing": missing}
    assert failures == {}


def test_cover_name_renders_escaped_where_it_is_shown(login, xss):
    cover = escape(xss["dialogue"].cover_name)
    link = Client().get(reverse("pack_link", args=[xss["token"]])).content.decode()
    invitation = (
        Client().get(reverse("invitations:open", args=[xss["invitation_token"]])).content.decode()
    )
    form = (
        login(xss["convenor"])
        .get(reverse("dialogues:dialogue_edit", args=[xss["dialogue"].pk]))
        .content.decode()
    )
    for html in (link, invitation, form):
        assert "<script>" not in html
        assert cover in html


def test_paper_file_name_is_shown_escaped_and_sent_back_in_a_safe_header(login, xss):
    document = xss["document"]
    # Only the last path part is kept ("</script>" holds a slash); markup stays in the name.
    assert document.original_name == "script>\"'><img src=x onerror=alert(1)>.txt"
    client = login(xss["convenor"])
    page = client.get(
        reverse("dialogues:session_detail", args=[xss["dialogue"].pk, xss["session"].pk])
    ).content.decode()
    assert escape(document.original_name) in page
    assert "<img src=x" not in page
    download = client.get(
        reverse("dialogues:document_download", args=[xss["dialogue"].pk, document.pk])
    )
    disposition = download["Content-Disposition"]
    b"".join(download.streaming_content)
    assert "\r" not in disposition
    assert "\n" not in disposition
    # The quotes are escaped: a mail parser reads back the very name, nothing more.
    header = email.message.Message()
    header["Content-Disposition"] = disposition
    assert header.get_content_disposition() == "attachment"
    assert header.get_filename() == document.original_name
    assert header.get_params(header="content-disposition") == [
        ("attachment", ""),
        ("filename", document.original_name),
    ]


# -- PDFs ------------------------------------------------------------------------------------------


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks the project's fetcher for."""
    urls = []
    fetcher_class = pdf._fetcher_class()
    original = fetcher_class.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(fetcher_class, "fetch", spy)
    return urls


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_agenda_pdf_prints_the_payloads_as_text_and_fetches_nothing_else(login, xss, fetched):
    response = login(xss["participant"]).get(
        reverse("dialogues:agenda_pdf", args=[xss["dialogue"].pk, xss["session"].pk])
    )
    assert response.status_code == 200
    text = squeezed(pdf_text(response.content))
    for tag in (
        "DLG-TITLE",
        "S-TITLE",
        "S-VENUE",
        "S-CITY",
        "I-TITLE",
        "I-DESC",
        "I-ROOM",
        "PART-NAME",
    ):
        assert squeezed(payload(tag)) in text, tag
    assert fetched == [pdf.static_url("css/agenda_pdf.css")]


def test_briefing_copy_prints_the_payloads_as_text_and_fetches_nothing_else(xss, fetched):
    text = squeezed(pdf_text(briefing.render_copy_pdf(xss["copy"]).data))
    for tag in (
        "REC-NAME",
        "REC-POS",
        "REC-ORG",
        "PACK-NOTE",
        "DLG-SUMMARY",
        "OUT-SUMMARY",
        "S-TITLE",
        "I-TITLE",
        "I-DESC",
        "IDEA-TITLE",
        "IDEA-SUMMARY",
    ):
        assert squeezed(payload(tag)) in text, tag
    # The group's base, then its marks: each its two style sheets and the logo (hidden in the
    # marks, laid out all the same).
    assert fetched == [
        pdf.static_url("css/briefing_pdf.css"),
        pdf.static_url("css/briefing_pdf_base.css"),
        pdf.static_url("img/trackii-mark.svg"),
        pdf.static_url("css/briefing_pdf.css"),
        pdf.static_url("css/briefing_pdf_marks.css"),
        pdf.static_url("img/trackii-mark.svg"),
    ]
    # The copy on file is the same document: what the recipient downloads.
    with xss["copy"].file.open("rb") as stored_file:
        stored = stored_file.read()
    assert squeezed(payload("REC-NAME")) in squeezed(pdf_text(stored))


# -- the calendar feed -----------------------------------------------------------------------------


def content_lines(raw: bytes) -> list[bytes]:
    """The feed's content lines, unfolded (RFC 5545 section 3.1)."""
    assert raw.endswith(b"\r\n")
    return raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").split(b"\r\n")[:-1]


def as_ical_text(text: str) -> str:
    """What a TEXT value can carry: RFC 5545 has one escape for a line break (``\\n``), so
    CR LF and a lone CR come back as LF; everything else is kept exactly."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_feed_keeps_titles_and_places_as_text_and_injects_no_property(xss):
    user = xss["participant"].person.user
    raw = calendar_for(user=user)
    lines = content_lines(raw)
    for line in lines:
        assert b"\r" not in line
        assert b"\n" not in line
    names = [line.split(b":", 1)[0].split(b";", 1)[0] for line in lines]
    assert b"ATTENDEE" not in names
    assert b"X-INJECTED" not in names
    assert names.count(b"DESCRIPTION") == 1  # the item's own, and no second one

    events = {str(e["uid"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}
    session, item = xss["session"], xss["item"]
    on_session = events[f"session-{session.pk}@trackii"]
    assert str(on_session["summary"]) == as_ical_text(session.title)
    assert str(on_session["location"]) == f"{session.venue}, {session.city}"
    [on_item] = [e for uid, e in events.items() if uid.startswith("item-")]
    assert str(on_item["summary"]) == as_ical_text(item.title)
    assert str(on_item["description"]) == as_ical_text(item.description)
    assert str(on_item["location"]) == f"{item.room}, {session.venue}, {session.city}"


def test_feed_over_http_is_the_same_text(xss):
    from participants.profile.services import calendar_secret_regenerate

    user = xss["participant"].person.user
    calendar_secret_regenerate(user=user)
    response = Client().get(reverse("calendar_feed", args=[user.calendar_secret]))
    assert response.status_code == 200
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert as_ical_text(xss["session"].title) in summaries


# -- e-mails ---------------------------------------------------------------------------------------


def assert_clean_message(message, *, to: list[str]) -> email.message.Message:
    """No CR or LF in the subject; once serialised, the headers are exactly ours."""
    assert "\r" not in message.subject
    assert "\n" not in message.subject
    parsed = email.message_from_bytes(message.message().as_bytes())
    names = [k.lower() for k in parsed]
    assert len(names) == len(set(names))
    assert set(names) <= {
        "content-type",
        "content-transfer-encoding",
        "date",
        "from",
        "message-id",
        "mime-version",
        "subject",
        "to",
    }
    # Folded for length, but one header: unfolded, it is the subject as given.
    assert re.sub(r"\n ", " ", parsed["Subject"]) == message.subject
    assert parsed["To"] == ", ".join(to)
    return parsed


def test_mails_carry_payloads_as_plain_text_without_header_injection(xss):
    # The invitation and the pack's link were sent while the world was built.
    invitation, link = (
        next(m for m in mail.outbox if "invitation" in m.subject),
        next(m for m in mail.outbox if "briefing pack" in m.subject),
    )
    cover = xss["dialogue"].cover_name
    assert invitation.subject == f"[Trackii] An invitation: {cover}"
    assert_clean_message(invitation, to=["invitee@example.org"])
    assert link.subject == f"[Trackii] {cover}: a briefing pack for you"
    assert f"Dear {payload('REC-NAME')}," in link.body
    assert_clean_message(link, to=["recipient@ministry.example"])

    mail.outbox.clear()
    session = xss["session"]
    membership = xss["participant"]  # an attendee with an account
    item = xss["item"]
    item.title = payload("I-TITLE-2") + INJECTED
    item.save()
    agenda_publish(session=session)
    session.refresh_from_db()
    assert agenda_published_notify(session_id=session.pk, version=session.published_version) == 1
    [notice] = mail.outbox
    assert_clean_message(notice, to=[membership.person.user.email])
    assert payload("I-TITLE-2") + INJECTED in notice.body  # plain text: kept as typed
    [attachment] = notice.attachments
    names = [line.split(b":", 1)[0] for line in content_lines(attachment[1].encode())]
    assert b"ATTENDEE" not in names


@pytest.mark.parametrize(
    "cover_name",
    [
        "Lakeside\r\nBcc: evil@example.org",
        "Lakeside\nBcc: evil@example.org",
        "Lakeside\rBcc: evil@example.org",
        "Lakeside\x0bmeetings",
        "Lakeside\u2028meetings",
    ],
)
def test_a_cover_name_with_a_line_break_is_refused_by_the_form(login, xss, cover_name):
    dialogue = xss["dialogue"]
    client = login(xss["convenor"])
    data = {
        "title": "Salt River",
        "track": "2",
        "aim": "manage",
        "status": "active",
        "default_level": level("Programme").pk,
        "cover_name": cover_name,
        "edit_revision": dialogue.edit_revision,
    }
    response = client.post(reverse("dialogues:dialogue_edit", args=[dialogue.pk]), data)
    assert response.status_code == 200
    assert "one line" in response.content.decode()
    assert Dialogue.objects.get(pk=dialogue.pk).cover_name == dialogue.cover_name


def test_the_same_form_accepts_a_one_line_cover_name(login, xss):
    dialogue = xss["dialogue"]
    data = {
        "title": "Salt River",
        "track": "2",
        "aim": "manage",
        "status": "active",
        "default_level": level("Programme").pk,
        "cover_name": "  Lakeside\u200cmeetings  ",
        "edit_revision": dialogue.edit_revision,
    }
    response = login(xss["convenor"]).post(
        reverse("dialogues:dialogue_edit", args=[dialogue.pk]), data
    )
    assert response.status_code == 302
    assert Dialogue.objects.get(pk=dialogue.pk).cover_name == "Lakeside\u200cmeetings"


def test_session_list_is_unchanged_by_the_payloads(xss):
    # A positive control for the world itself: the payloads were stored exactly as typed.
    session = Session.objects.get(pk=xss["session"].pk)
    assert session.title == payload("S-TITLE") + INJECTED
    assert xss["dialogue"].cover_name == payload("DLG-COVER")
