"""Tightening takes effect at once; loosening waits for the next publication (issue 14, item 6).

Round 1 of the shared world is published a second time with timed items the tests change
afterwards, as a convenor would in the planner: a level raised or lowered, named readers taken
off or added, an item deleted. Every check has the material that could leak present (the
published copy keeps its title and text) and a positive control beside it (an item, a reader or
a paper that must still be there)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from dialogues.confidentiality import (
    can_view,
    published_to_compare,
    viewer_for_official,
    viewer_for_user,
    visible,
)
from dialogues.models import AgendaItem, Document, PublishedAgendaItem
from dialogues.papers import services as document_services
from dialogues.planning.notifications import agenda_published_notify
from dialogues.planning.services import (
    ITEM_FIELDS,
    agenda_item_delete,
    agenda_item_update,
    agenda_publish,
)
from participants.models import Membership
from participants.profile.services import calendar_secret_regenerate
from tests.dialogues.test_documents import pdf
from tests.factories import AgendaItemFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 15, 9, tzinfo=UTC)
COVER = "Lakeside meetings"
TIMED = {
    "Opening": "Programme",  # never changed: the positive control
    "Ceasefire lines": "Programme",  # raised
    "Visit to the dam": "Programme",  # raised to Participants: still read, no longer leaves
    "Prisoner lists": "Facilitators",  # lowered
    "Dinner at the residence": "Programme",  # deleted
    "Back channel": "Restricted",  # readers changed
}


@pytest.fixture
def agenda(world):
    """Round 1 with the timed items above, published as version 2. Its dialogue's outbound
    level is Programme (Programme titles leave in calendars), under a cover name."""
    dialogue = world["dialogue"]
    dialogue.cover_name = COVER
    dialogue.outbound_level = level("Programme")
    dialogue.save(update_fields=["cover_name", "outbound_level"])
    round_1 = world["round_1"]
    items = {}
    for n, (title, level_name) in enumerate(TIMED.items()):
        start = START + timedelta(hours=n)
        items[title] = AgendaItemFactory(
            session=round_1,
            title=title,
            description=f"About {title.lower()}.",
            level=level(level_name),
            start=start,
            end=start + timedelta(minutes=45),
        )
    items["Back channel"].readers.set(
        [world[k].person for k in ("participant", "other_side", "convenor")]
    )
    agenda_publish(session=round_1)
    round_1.refresh_from_db()
    assert round_1.published_version == 2
    return {**world, "timed": items}


def viewer(membership):
    return viewer_for_user(membership.person.user)


def current_titles(who, session) -> set[str]:
    """What ``who`` reads of the session's current version (the published agenda)."""
    return set(
        visible(viewer(who), PublishedAgendaItem)
        .filter(session=session, version__number=session.published_version)
        .values_list("title", flat=True)
    )


def copy_of(item, version=2) -> PublishedAgendaItem:
    return PublishedAgendaItem.objects.get(title=item.title, version__number=version)


def edit(item: AgendaItem, *, by=None, readers=None, **changes) -> AgendaItem:
    """Save the item as the planner's form would, with ``changes``."""
    item.refresh_from_db()
    values = {name: getattr(item, name) for name in ITEM_FIELDS} | changes
    if readers is None:
        readers = list(item.readers.all())
    agenda_item_update(
        item=item, expected_revision=item.edit_revision, values=values, readers=readers, by=by
    )
    item.refresh_from_db()
    return item


def session_page(client, session) -> str:
    url = reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def changes_listed(client, session) -> list[tuple[str, str, tuple[str, ...]]]:
    url = reverse("dialogues:agenda_edit", args=[session.dialogue_id, session.pk])
    response = client.get(url)
    assert response.status_code == 200
    return [(c.kind, c.title, c.fields) for c in response.context["changes"]]


def feed_events(client, membership) -> dict[str, str]:
    """The calendar feed's agenda items: UID -> summary."""
    secret = calendar_secret_regenerate(user=membership.person.user)
    response = client.get(reverse("calendar_feed", args=[secret]))
    assert response.status_code == 200
    return {
        str(event["UID"]): str(event["SUMMARY"])
        for event in Calendar.from_ical(response.content).walk("VEVENT")
        if str(event["UID"]).startswith("item-")
    }


def uid(item) -> str:
    return f"item-{item.session_id}-{item.pk}@trackii"


# -- a higher level --------------------------------------------------------------------------------


def test_raising_a_level_hides_the_published_item_at_once(agenda):
    round_1, item = agenda["round_1"], agenda["timed"]["Ceasefire lines"]
    participant, observer = agenda["participant"], agenda["observer"]
    assert "Ceasefire lines" in current_titles(participant, round_1)
    assert "Ceasefire lines" in current_titles(observer, round_1)

    edit(item, level=level("Facilitators"))

    copy = copy_of(item)
    # Nothing of what it says changed: only readers are held to the stricter level.
    assert (copy.title, copy.description) == ("Ceasefire lines", "About ceasefire lines.")
    assert (copy.level_as_published.name, copy.level.name) == ("Programme", "Facilitators")
    for member in (participant, observer, agenda["rapporteur"]):
        titles = current_titles(member, round_1)
        assert "Ceasefire lines" not in titles
        assert "Opening" in titles
        assert not can_view(viewer(member), copy)
    # Those the raised level still allows read it as before.
    assert can_view(viewer(agenda["convenor"]), copy)
    official = viewer_for_official(
        dialogue_id=agenda["dialogue"].pk, clearance=level("Facilitators")
    )
    assert can_view(official, copy)
    low = viewer_for_official(dialogue_id=agenda["dialogue"].pk, clearance=level("Programme"))
    assert not can_view(low, copy)


def test_raising_into_named_readers_admits_nobody_the_published_level_kept_out(agenda):
    """Programme to Restricted: a person named on the item now but not cleared for Programme
    waits for the next version; a named person cleared for it keeps reading."""
    round_1, item = agenda["round_1"], agenda["timed"]["Ceasefire lines"]
    public = member_with_account(dialogue=agenda["dialogue"], clearance="Public")
    round_1.attendances.create(membership=public)
    assert "Opening" not in current_titles(public, round_1)  # Programme: above their clearance
    assert "R1 Public item" in current_titles(public, round_1)

    edit(item, level=level("Restricted"), readers=[agenda["participant"].person, public.person])

    assert "Ceasefire lines" in current_titles(agenda["participant"], round_1)
    assert "Ceasefire lines" not in current_titles(public, round_1)
    assert "Ceasefire lines" not in current_titles(agenda["observer"], round_1)
    agenda_publish(session=round_1)
    round_1.refresh_from_db()
    assert "Ceasefire lines" in current_titles(public, round_1)
    assert "Ceasefire lines" in current_titles(agenda["participant"], round_1)
    assert "Ceasefire lines" not in current_titles(agenda["observer"], round_1)


def test_the_convening_team_is_held_to_a_raised_level_too(agenda):
    """A facilitator cleared for Facilitators stops reading an item raised to Restricted
    without naming them, in every version; the convenor named on it still reads it."""
    round_1, item = agenda["round_1"], agenda["timed"]["Opening"]
    facilitator = member_with_account(
        dialogue=agenda["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    before = set(visible(viewer(facilitator), PublishedAgendaItem).filter(title="Opening"))
    assert before == {copy_of(item)}

    edit(item, level=level("Restricted"), readers=[agenda["convenor"].person])

    assert not visible(viewer(facilitator), PublishedAgendaItem).filter(title="Opening").exists()
    assert not can_view(viewer(facilitator), copy_of(item))
    assert can_view(viewer(agenda["convenor"]), copy_of(item))
    # The change list does not name it to the facilitator either: it is no longer theirs.
    assert "Opening" not in {
        c.title
        for c in published_to_compare(
            viewer(facilitator), PublishedAgendaItem.objects.all(), session=round_1
        )
    }


# -- named readers ---------------------------------------------------------------------------------


def test_a_reader_taken_off_stops_at_once_and_one_added_waits(agenda, login):
    round_1, item = agenda["round_1"], agenda["timed"]["Back channel"]
    participant, other_side, observer = (
        agenda[k] for k in ("participant", "other_side", "observer")
    )
    assert "Back channel" in current_titles(participant, round_1)
    assert "Back channel" not in current_titles(observer, round_1)

    edit(item, readers=[other_side.person, observer.person, agenda["convenor"].person])

    assert "Back channel" not in current_titles(participant, round_1)
    assert "Back channel" not in current_titles(observer, round_1)  # waits
    assert "Back channel" in current_titles(other_side, round_1)  # still named
    assert not can_view(viewer(participant), copy_of(item))
    assert "Back channel" not in session_page(login(participant), round_1)
    # The copy's readers are still those published: the change list compares against them.
    assert set(copy_of(item).readers.all()) == {
        participant.person,
        other_side.person,
        agenda["convenor"].person,
    }
    assert changes_listed(login(agenda["convenor"]), round_1) == [
        ("changed", "Back channel", ("readers",))
    ]

    agenda_publish(session=round_1)
    round_1.refresh_from_db()
    assert "Back channel" in current_titles(observer, round_1)
    assert "Back channel" not in current_titles(participant, round_1)
    assert "Back channel" in current_titles(other_side, round_1)


# -- a lower level, and a raise undone ----------------------------------------------------------


def test_lowering_a_level_waits_for_the_next_publication(agenda, login):
    round_1, item = agenda["round_1"], agenda["timed"]["Prisoner lists"]
    participant = agenda["participant"]
    assert "Prisoner lists" not in current_titles(participant, round_1)

    edit(item, level=level("Programme"))

    assert "Prisoner lists" not in current_titles(participant, round_1)
    assert not can_view(viewer(participant), copy_of(item))
    assert copy_of(item).level.name == "Facilitators"  # its marking stays until then
    assert "Prisoner lists" not in session_page(login(participant), round_1)
    assert changes_listed(login(agenda["convenor"]), round_1) == [
        ("changed", "Prisoner lists", ("level",))
    ]

    agenda_publish(session=round_1)
    round_1.refresh_from_db()
    assert "Prisoner lists" in current_titles(participant, round_1)
    assert copy_of(item, version=3).level.name == "Programme"


def test_a_raise_undone_before_publishing_gives_back_the_version_as_published(agenda, login):
    """Raise, then lower back: readers read the version as it was published, marked so, and
    the change list has nothing to tell. Nothing beyond the published version ever shows."""
    round_1, item = agenda["round_1"], agenda["timed"]["Ceasefire lines"]
    edit(item, level=level("Facilitators"))
    assert "Ceasefire lines" not in current_titles(agenda["observer"], round_1)
    edit(item, level=level("Programme"))
    assert "Ceasefire lines" in current_titles(agenda["observer"], round_1)
    assert copy_of(item).level.name == "Programme"
    assert changes_listed(login(agenda["convenor"]), round_1) == []


# -- deleting --------------------------------------------------------------------------------------


def test_deleting_an_item_withdraws_its_published_copy_at_once(agenda, login):
    round_1, item = agenda["round_1"], agenda["timed"]["Dinner at the residence"]
    copy = copy_of(item)
    convenor = agenda["convenor"]

    item_id = item.pk
    agenda_item_delete(item=item, by=convenor.person.user)

    copy.refresh_from_db()
    assert copy.source is None
    assert (copy.title, copy.version.number) == ("Dinner at the residence", 2)  # kept as history
    for member in ("participant", "observer", "other_side", "convenor"):
        titles = current_titles(agenda[member], round_1)
        assert "Dinner at the residence" not in titles, member
        assert "Opening" in titles, member
    official = viewer_for_official(dialogue_id=agenda["dialogue"].pk, clearance=level("Restricted"))
    assert not can_view(official, copy)
    # The convening team's pages read the version as readers do, but the team still compares:
    # the planner lists the item as removed until the next version is published.
    client = login(convenor)
    page = session_page(client, round_1)
    assert "Dinner at the residence" not in page
    assert "Opening" in page
    assert copy in set(
        published_to_compare(viewer(convenor), PublishedAgendaItem.objects.all(), session=round_1)
    )
    assert not published_to_compare(
        viewer(agenda["participant"]), PublishedAgendaItem.objects.all(), session=round_1
    ).exists()
    assert changes_listed(client, round_1) == [("removed", "Dinner at the residence", ())]
    entry = AuditEntry.objects.filter(action="deleted").latest("pk")
    assert (entry.object_id, entry.actor) == (str(item_id), convenor.person.user)

    agenda_publish(session=round_1)
    round_1.refresh_from_db()
    assert not PublishedAgendaItem.objects.filter(
        version__number=3, title="Dinner at the residence"
    ).exists()
    assert changes_listed(client, round_1) == []


# -- papers follow their item ---------------------------------------------------------------------


def paper_on(world, item, title, level_name="Programme") -> Document:
    return document_services.document_upload(
        dialogue=world["dialogue"],
        session=item.session if item else world["round_1"],
        agenda_item=item,
        uploaded_by=world["convenor"].person.user,
        title=title,
        kind=Document.Kind.BACKGROUND_PAPER,
        level=level(level_name),
        upload=pdf(),
    )


def paper_titles(member) -> set[str]:
    return set(visible(viewer(member), Document).values_list("title", flat=True))


def download(client, document) -> int:
    url = reverse("dialogues:document_download", args=[document.dialogue_id, document.pk])
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_papers_on_an_item_follow_it_tightening_at_once_loosening_on_publication(agenda, login):
    timed = agenda["timed"]
    on_raised = paper_on(agenda, timed["Ceasefire lines"], "Map of the lines")
    in_session = paper_on(agenda, None, "Logistics note")
    participant = agenda["participant"]
    assert paper_titles(participant) == {"Map of the lines", "Logistics note"}

    edit(timed["Ceasefire lines"], level=level("Facilitators"))
    edit(timed["Prisoner lists"], level=level("Programme"))
    # A Programme paper on the item lowered to Programme (the narrow-only rule allows it now).
    on_lowered = paper_on(agenda, timed["Prisoner lists"], "List of names")

    # The raised item's paper goes at once; the lowered item's paper waits with its item.
    assert paper_titles(participant) == {"Logistics note"}
    client = login(participant)
    assert download(client, on_raised) == 404
    assert download(client, on_lowered) == 404
    assert download(client, in_session) == 200
    # The convening team works on the working agenda: both papers are theirs.
    assert {"Map of the lines", "List of names"} <= paper_titles(agenda["convenor"])

    agenda_publish(session=agenda["round_1"])
    assert paper_titles(participant) == {"List of names", "Logistics note"}
    assert download(login(participant), on_lowered) == 200


def test_a_paper_on_a_deleted_item_goes_with_it(agenda):
    item = agenda["timed"]["Dinner at the residence"]
    paper_on(agenda, item, "Seating plan")
    assert "Seating plan" in paper_titles(agenda["participant"])
    agenda_item_delete(item=item)
    assert not Document.objects.filter(title="Seating plan").exists()


# -- pages and feeds follow the module -------------------------------------------------------------


def test_calendar_feed_and_session_page_follow_a_tightening_at_once(agenda, client, login):
    timed = agenda["timed"]
    participant = agenda["participant"]
    events = feed_events(client, participant)
    assert events[uid(timed["Ceasefire lines"])] == "Ceasefire lines"
    assert events[uid(timed["Dinner at the residence"])] == "Dinner at the residence"
    assert events[uid(timed["Visit to the dam"])] == "Visit to the dam"

    edit(timed["Ceasefire lines"], level=level("Facilitators"))
    agenda_item_delete(item=timed["Dinner at the residence"])
    # Participants: the participant still reads it, but it no longer leaves Trackii.
    edit(timed["Visit to the dam"], level=level("Participants"))

    events = feed_events(client, participant)
    assert uid(timed["Ceasefire lines"]) not in events
    withdrawn = copy_of(timed["Dinner at the residence"])
    assert f"item-{withdrawn.session_id}-{withdrawn.pk}@trackii" not in events
    assert "Dinner at the residence" not in events.values()
    assert events[uid(timed["Visit to the dam"])] == COVER
    assert events[uid(timed["Opening"])] == "Opening"  # the positive control

    page = session_page(login(participant), agenda["round_1"])
    assert "Ceasefire lines" not in page
    assert "Dinner at the residence" not in page
    assert "Opening" in page
    # The item still read shows the level it is held to.
    assert 'Visit to the dam <span class="level level--attendees" ' in page.replace("\n", " ")


def test_the_session_page_costs_the_same_queries_after_tightening(agenda, login):
    client = login(agenda["participant"])
    round_1, timed = agenda["round_1"], agenda["timed"]
    paper_on(agenda, timed["Opening"], "On the opening")
    paper_on(agenda, timed["Ceasefire lines"], "On the lines")
    session_page(client, round_1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            session_page(client, round_1)
        return len(captured.captured_queries)

    before = queries()
    edit(timed["Ceasefire lines"], level=level("Facilitators"))
    edit(timed["Prisoner lists"], level=level("Programme"))
    agenda_item_delete(item=timed["Dinner at the residence"])
    assert queries() == before


# -- the next version's change list, and the e-mail ------------------------------------------------


def test_a_raise_still_shows_in_the_change_list_and_the_next_versions_email(agenda, login):
    round_1 = agenda["round_1"]
    public_item = agenda["items"]["Public"]  # "R1 Public item", published in versions 1 and 2
    edit(public_item, level=level("Programme"), by=agenda["convenor"].person.user)
    # Its copies in both versions are marked Programme now; the audit entry says so.
    assert {c.level.name for c in PublishedAgendaItem.objects.filter(source=public_item)} == {
        "Programme"
    }
    entry = AuditEntry.objects.filter(action="changed").latest("pk")
    assert entry.detail == {"edit_revision": 2, "published_copies_marked": 2}
    assert changes_listed(login(agenda["convenor"]), round_1) == [
        ("changed", "R1 Public item", ("level",))
    ]

    mail.outbox = []
    version = agenda_publish(session=round_1)
    assert agenda_published_notify(session_id=round_1.pk, version=version.number) == 3
    to_observer = next(m for m in mail.outbox if m.to == [agenda["observer"].person.user.email])
    assert "- R1 Public item (level)" in to_observer.body.splitlines()


def test_an_edit_that_changes_no_level_marks_nothing(agenda):
    item = agenda["timed"]["Opening"]
    copy = copy_of(item)
    edit(item, title="Opening, revised", by=agenda["convenor"].person.user)
    entry = AuditEntry.objects.filter(action="changed").latest("pk")
    assert entry.detail == {"edit_revision": 2}
    copy.refresh_from_db()
    assert (copy.title, copy.level.name) == ("Opening", "Programme")
    assert "Opening" in current_titles(agenda["participant"], agenda["round_1"])


def test_a_papers_file_name_waits_for_its_lowered_item_to_be_published(agenda, login):
    # "Back channel" was published Restricted (the participant named on it); lowered on the
    # working agenda to Programme, the outbound level, a paper's real name must not leave with
    # the file before the lowered item is published.
    timed = agenda["timed"]
    edit(timed["Back channel"], level=level("Programme"))
    paper = paper_on(agenda, timed["Back channel"], "Interlocutors")
    Document.objects.filter(pk=paper.pk).update(original_name="back-channel-interlocutors.pdf")
    url = reverse("dialogues:document_download", args=[paper.dialogue_id, paper.pk])

    def file_name(client) -> str:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
        return response["Content-Disposition"]

    covered = f"lakeside-meetings-paper-{paper.pk}.pdf"
    assert covered in file_name(login(agenda["convenor"]))
    assert covered in file_name(login(agenda["participant"]))  # named on the published copy
    agenda_publish(session=agenda["round_1"])
    participant = login(agenda["participant"])
    assert "back-channel-interlocutors.pdf" in file_name(participant)  # the positive control
