"""Names in Arabic, Hebrew (right to left), Chinese, with emoji and zero-width characters,
entered through the forms, come back unchanged: in the database and on the pages byte for byte,
in the calendar feed and in e-mail (subject and body) exactly once decoded, and in the PDFs as the
same letters.

PDF text extraction is not byte-exact by nature: it drops zero-width characters and variation
selectors, may put NUL padding between the letters of a two-byte font, and can reverse a
right-to-left run. The PDF checks compare the letters only (those removed) and accept either
direction. An emoji made of several code points (ZWJ sequence) needs a colour-emoji font, which
the machines do not have: that name is checked everywhere but in the PDFs.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import unicodedata

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar
from pypdf import PdfReader

from dialogues.briefing import services as briefing
from dialogues.calendar.feeds import calendar_for
from dialogues.models import AgendaItem, BriefingPack, Dialogue, Session
from participants.invitations import services as invitation_services
from participants.models import Membership, Person
from participants.services import ground_rules_accept
from tests.factories import DialogueFactory, SideFactory, UserFactory, level
from tests.world import member_with_account, publish_as_a_planner

pytestmark = pytest.mark.django_db

NAMES = {
    "arabic": "أميرة الحدّاد",
    "hebrew": "נועה בן־דוד",
    "chinese": "王秀英",
    "emoji": "Amal 🕊️ Haddad",
    "zero-width": "Fereshte\u200b Mahdavi فرشته\u200cی",
}
# Checked everywhere except in PDFs (no colour-emoji font on the machines).
ZWJ_EMOJI = "Noor 👩\u200d💻 Saleh"
ALL_NAMES = {**NAMES, "zwj-emoji": ZWJ_EMOJI}


def letters(text: str) -> str:
    """What PDF text extraction keeps: no spaces, no NUL padding, no format characters
    (zero-width), no variation selectors; NFC."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if not (
            ch.isspace()
            or ch == "\x00"
            or unicodedata.category(ch) == "Cf"
            or "\ufe00" <= ch <= "\ufe0f"
        )
    )


def in_pdf_text(name: str, text: str) -> bool:
    wanted, found = letters(name), letters(text)
    return wanted in found or wanted[::-1] in found


@pytest.fixture
def team(db):
    dialogue = DialogueFactory(
        title="Salt River", ground_rules="Listen first.", outbound_level=level("Programme")
    )
    side = SideFactory(dialogue=dialogue, name="Side A")
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    facilitator = member_with_account(
        dialogue=dialogue, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    return {"dialogue": dialogue, "side": side, "convenor": convenor, "facilitator": facilitator}


def add_through_the_roster_form(client, team, key: str, name: str) -> Person:
    response = client.post(
        reverse("dialogues:roster", args=[team["dialogue"].pk]),
        {
            "action": "new",
            "new-full_name": name,
            "new-name_original_script": name,
            "new-affiliation": name,
            "new-position": name,
            "new-proximity": "academic",
            "new-gender": "undisclosed",
            "new-email": f"{key}@example.org",
            "new-side": team["side"].pk,
            "new-role": "participant",
            "new-clearance": level("Participants").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Person.objects.get(email=f"{key}@example.org")


def test_names_survive_the_roster_form_the_database_and_the_pages(login, team):
    client = login(team["convenor"])
    people = {
        key: add_through_the_roster_form(client, team, key, n) for key, n in ALL_NAMES.items()
    }
    for key, name in ALL_NAMES.items():
        person = people[key]
        assert (person.full_name, person.name_original_script) == (name, name)
        assert (person.affiliation, person.position) == (name, name)
        assert person.full_name.encode() == name.encode()
    roster = client.get(reverse("dialogues:roster", args=[team["dialogue"].pk]))
    # The roster is shown on its tab only now; the room at a glance beside it names no one.
    edit = client.get(
        reverse(
            "dialogues:membership_edit",
            args=[team["dialogue"].pk, people["hebrew"].memberships.get().pk],
        )
    )
    for page in (roster,):
        html = page.content.decode()
        assert [k for k, name in ALL_NAMES.items() if escape(name) not in html] == []
    assert NAMES["hebrew"] in edit.content.decode()
    # The name in its own script is isolated, its brackets outside it: they stay around it in
    # an English page, instead of being carried off by the Arabic (issue 20).
    assert f"(<bdi>{NAMES['arabic']}</bdi>)" in roster.content.decode()


@pytest.fixture
def planned(login, team):
    """A session and one agenda item per name, entered through the planner's forms; the
    Arabic-named person has an account and attends."""
    client = login(team["convenor"])
    dialogue = team["dialogue"]
    person = add_through_the_roster_form(client, team, "reader", NAMES["arabic"])
    membership = person.memberships.get()
    Membership.objects.filter(pk=membership.pk).update(state=Membership.State.ACCEPTED)
    person.user = UserFactory(email="reader@example.org")
    person.save()
    ground_rules_accept(membership=membership, version=dialogue.ground_rules_version)
    response = client.post(
        reverse("dialogues:session_create", args=[dialogue.pk]),
        {
            "title": f"{NAMES['chinese']} · {NAMES['hebrew']}",
            "kind": "round",
            "venue": NAMES["arabic"],
            "city": NAMES["zero-width"],
            "time_zone": "Asia/Jerusalem",
            "start": "2027-05-01T09:00",
            "end": "2027-05-02T17:00",
            "level": level("Public").pk,
            "attendees": [membership.pk],
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(dialogue=dialogue)
    for n, (key, name) in enumerate(ALL_NAMES.items()):
        response = client.post(
            reverse("dialogues:agenda_item_create", args=[dialogue.pk, session.pk]),
            {
                "title": name,
                "description": f"{key}: {name}",
                "room": name,
                "kind": "plenary",
                "level": level("Public").pk,
                "start": f"2027-05-01T{10 + n}:00",
                "end": f"2027-05-01T{10 + n}:45",
            },
        )
        assert response.status_code == 302
    response = publish_as_a_planner(client, session)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.published_version == 1
    return {"client": client, "session": session, "reader": person.user, "membership": membership}


def test_names_survive_the_agenda_forms_pages_and_pdf(login, team, planned):
    session = planned["session"]
    titles = list(AgendaItem.objects.filter(session=session).values_list("title", flat=True))
    assert titles == list(ALL_NAMES.values())
    page = (
        login(planned["reader"])
        .get(reverse("dialogues:session_detail", args=[team["dialogue"].pk, session.pk]))
        .content.decode()
    )
    assert [k for k, name in ALL_NAMES.items() if escape(name) not in page] == []

    pdf = login(planned["reader"]).get(
        reverse("dialogues:agenda_pdf", args=[team["dialogue"].pk, session.pk])
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert [k for k, name in NAMES.items() if not in_pdf_text(name, text)] == []
    # The reader's own name (right to left) on every page, and the session's title.
    assert in_pdf_text(NAMES["arabic"], text)
    assert in_pdf_text(NAMES["chinese"], text)
    # A positive control for the comparison: a name that is not there is not found.
    assert not in_pdf_text("Ingrid Svensson", text)


def test_names_survive_in_the_calendar_feed_exactly(planned):
    calendar = Calendar.from_ical(calendar_for(user=planned["reader"]))
    events = list(calendar.walk("VEVENT"))
    summaries = [str(e["summary"]) for e in events]
    assert f"{NAMES['chinese']} · {NAMES['hebrew']}" in summaries
    for key, name in ALL_NAMES.items():
        [event] = [e for e in events if str(e["summary"]) == name]
        assert str(event["description"]) == f"{key}: {name}"
        assert str(event["location"]).startswith(f"{name}, {NAMES['arabic']}, ")
        assert str(event["summary"]).encode() == name.encode()
    [on_session] = [e for e in events if str(e["uid"]).startswith("session-")]
    assert str(on_session["location"]) == f"{NAMES['arabic']}, {NAMES['zero-width']}"


def decoded_subject(message) -> str:
    """The subject as a mail client reads it back from the wire (RFC 2047 words decoded; the
    whitespace that folding puts after "Subject:" is not part of it)."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return str(parsed["Subject"]).strip()


@pytest.mark.parametrize("key", list(ALL_NAMES))
def test_cover_name_survives_the_form_and_the_invitation_mail(login, team, key):
    name = ALL_NAMES[key]
    dialogue = team["dialogue"]
    response = login(team["convenor"]).post(
        reverse("dialogues:dialogue_edit", args=[dialogue.pk]),
        {
            "title": name,
            "track": "2",
            "aim": "manage",
            "status": "active",
            "default_level": level("Programme").pk,
            "cover_name": name,
            "ground_rules": dialogue.ground_rules,
            "edit_revision": dialogue.edit_revision,
        },
    )
    assert response.status_code == 302
    dialogue = Dialogue.objects.get(pk=dialogue.pk)
    assert (dialogue.title, dialogue.cover_name) == (name, name)

    invitee = member_with_account(
        dialogue=dialogue, clearance="Participants", email=f"{key}@example.org"
    )
    Membership.objects.filter(pk=invitee.pk).update(state=Membership.State.CLEARED)
    invitation_services.invitation_send(membership=invitee, by=team["convenor"].person.user)
    [message] = mail.outbox
    assert message.subject == f"[Trackii] An invitation: {name}"
    assert decoded_subject(message) == message.subject
    body = message.message().get_payload(decode=True).decode(message.encoding or "utf-8")
    assert f"(\u201c{name}\u201d)" in body


def test_recipient_names_survive_the_pack_form_the_link_mail_and_the_pdf(
    login, team, planned, django_capture_on_commit_callbacks
):
    dialogue = team["dialogue"]
    # The official, added to the register through its page.
    response = login(team["convenor"]).post(
        reverse("dialogues:official_create", args=[dialogue.pk]),
        {
            "name": NAMES["hebrew"],
            "position": NAMES["arabic"],
            "institution": NAMES["chinese"],
            "email": "official@ministry.example",
            "clearance": level("Programme").pk,
        },
    )
    assert response.status_code == 302
    added = dialogue.officials.get()
    assert (added.name, added.position, added.institution) == (
        NAMES["hebrew"],
        NAMES["arabic"],
        NAMES["chinese"],
    )
    data = {"note": " / ".join(NAMES.values()), "officials": [added.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = login(team["convenor"]).post(
            reverse("dialogues:pack_request", args=[dialogue.pk]), data
        )
    assert response.status_code == 302
    pack = BriefingPack.objects.get(dialogue=dialogue)
    copy = pack.copies.get()
    assert (copy.recipient_name, copy.recipient_position, copy.recipient_organisation) == (
        NAMES["hebrew"],
        NAMES["arabic"],
        NAMES["chinese"],
    )
    assert copy.state == copy.State.READY
    with copy.file.open("rb") as stored:
        text = "\n".join(p.extract_text() for p in PdfReader(stored).pages)
    for name in (*NAMES.values(),):
        assert in_pdf_text(name, text), name

    BriefingPack.objects.filter(pk=pack.pk).update(guard=BriefingPack.Guard.CLEAR)
    with django_capture_on_commit_callbacks(execute=True):
        briefing.pack_release(pack=pack, by=team["facilitator"].person.user)
    [message] = [m for m in mail.outbox if m.to == ["official@ministry.example"]]
    body = message.message().get_payload(decode=True).decode(message.encoding or "utf-8")
    assert f"Dear {NAMES['hebrew']}," in body
    token = re.search(r"/packs/(\S+)/", body).group(1)
    page = login(team["convenor"]).get(reverse("pack_link", args=[token])).content.decode()
    assert NAMES["hebrew"] in page
