"""What one copy of a briefing pack holds, read back from the PDF with pypdf.

Every absence check uses a distinctive sentinel beside a positive control in the same PDF. One
PDF is rendered per recipient and shared by the checks of that case (WeasyPrint takes about 0.1
s a page)."""

import io

import pytest
from pypdf import PdfReader

from dialogues.briefing import services as briefing
from dialogues.models import BriefingPackCopy, Outcome
from dialogues.outcomes.services import outcome_create
from tests.factories import level
from tests.world import recipient

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

LONG = "Both delegations set out what a first confidence-building step could look like. " * 30


def recipients(dialogue, *pairs):
    """Officials of the dialogue's register (added to it if new)."""
    return [
        recipient(
            name,
            f"{name.split()[0].lower()}@ministry.example",
            clearance,
            position="Special Envoy",
            organisation="Ministry of Foreign Affairs",
        ).official_of(dialogue)
        for name, clearance in pairs
    ]


def add_outcomes(world):
    """Outcomes at each level and under each rule, with sentinels, on round 1."""
    round_1, convenor = world["round_1"], world["convenor"]
    speaker = world["participant"].person
    speaker.affiliation = "Institute for River Studies"
    speaker.save()
    made = {}
    for key, lvl, rule, summary in [
        ("public_idea", "Public", "chatham_house", "CONTROL-PUBLIC-IDEA water sharing commission"),
        ("programme_long", "Programme", "chatham_house", "CONTROL-PROGRAMME-LONG " + LONG),
        ("on_record", "Programme", "on_record", "CONTROL-ON-RECORD joint statement drafted"),
        ("off_record", "Public", "off_record", "SENTINEL-OFF-RECORD-K4 private red line"),
        ("participants", "Participants", "chatham_house", "SENTINEL-PARTICIPANTS-Z8 prisoner list"),
        ("facilitators", "Facilitators", "chatham_house", "SENTINEL-FACILITATORS-Q2 back channel"),
    ]:
        made[key] = outcome_create(
            session=round_1,
            created_by=convenor.person.user,
            kind=Outcome.Kind.IDEA,
            attribution=rule,
            summary=summary,
            record=f"SENTINEL-RECORD-{key} said by {speaker.full_name}",
            level=level(lvl),
            speakers=[speaker],
        )
    return made


def request_pack(world, pairs, **kwargs):
    convenor = world["convenor"]
    from dialogues.confidentiality import viewer_for_user

    return briefing.pack_request(
        dialogue=world["dialogue"],
        viewer=viewer_for_user(convenor.person.user),
        requested_by=convenor.person.user,
        officials=recipients(world["dialogue"], *pairs),
        **kwargs,
    )


def render_all(pack):
    for copy in pack.copies.order_by("number"):
        assert briefing.copy_render(copy_id=copy.pk, worker="test:1") == "ready"
    return list(pack.copies.order_by("number"))


def pages_of(copy: BriefingPackCopy) -> list[str]:
    with copy.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture
def rendered(world):
    """One pack with a Programme and a Facilitators copy, rendered."""
    add_outcomes(world)
    world["dialogue"].briefing_summary = "CONTROL-SUMMARY The dialogue explores water sharing."
    world["dialogue"].save()
    pack = request_pack(world, [("Amal Haddad", "Programme"), ("Brian Osei", "Facilitators")])
    programme, facilitators = render_all(pack)
    return {
        "pack": pack,
        "programme": (programme, pages_of(programme)),
        "facilitators": (facilitators, pages_of(facilitators)),
    }


def test_every_page_carries_classification_recipient_copy_and_page_numbers(rendered):
    copy, pages = rendered["programme"]
    assert len(pages) == copy.pages >= 4
    for number, page in enumerate(pages, start=1):
        assert "PROGRAMME" in page
        assert "Prepared for Amal Haddad" in page
        assert "Copy 1 of 2" in page
        assert f"Page {number} of {len(pages)}" in page


def test_a_copy_holds_nothing_above_its_recipients_clearance(rendered):
    text = "\n".join(rendered["programme"][1])
    for control in ("CONTROL-PUBLIC-IDEA", "CONTROL-PROGRAMME-LONG", "CONTROL-SUMMARY"):
        assert control in text
    assert "R1 Programme item" in text
    assert "R1 Public item" in text
    for sentinel in ("SENTINEL-PARTICIPANTS-Z8", "SENTINEL-FACILITATORS-Q2"):
        assert sentinel not in text
    for title in ("R1 Participants item", "R1 Facilitators item", "Pre-consultation A"):
        assert title not in text


def test_two_recipients_of_different_clearance_get_different_copies(rendered):
    programme, _ = rendered["programme"]
    facilitators, pages = rendered["facilitators"]
    text = "\n".join(pages)
    # The official's clearance stands for attendance and the convening team.
    for shown in ("SENTINEL-PARTICIPANTS-Z8", "SENTINEL-FACILITATORS-Q2", "Pre-consultation A"):
        assert shown in text
    assert "Prepared for Brian Osei" in pages[0]
    assert "Copy 2 of 2" in pages[-1]
    assert "R1 Restricted item" not in text  # named readers only: never an official
    assert programme.sha256 != facilitators.sha256


def test_off_the_record_and_the_attributed_record_never_appear(rendered):
    for _copy, pages in (rendered["programme"], rendered["facilitators"]):
        text = "\n".join(pages)
        assert "CONTROL-PUBLIC-IDEA" in text
        assert "SENTINEL-OFF-RECORD-K4" not in text
        assert "SENTINEL-RECORD-" not in text


def test_no_speaker_name_next_to_chatham_house_outcomes_but_on_record_names_stand(rendered, world):
    name = world["participant"].person.full_name
    text = " ".join("\n".join(rendered["facilitators"][1]).split())
    assert f"On the record: {name}" in text  # positive control: the name renders
    assert text.count(name) == 1  # ...once: never beside the Chatham House outcomes
    assert "Chatham House Rule: not for attribution" in text
    assert world["participant"].person.affiliation not in text


def test_metadata_names_no_author_and_the_file_name_only_cover_and_copy(rendered, world):
    copy, _ = rendered["programme"]
    with copy.file.open("rb") as handle:
        metadata = PdfReader(io.BytesIO(handle.read())).metadata
    cover = world["dialogue"].cover_name
    assert metadata.title == f"{cover}: copy 1 of 2"
    assert metadata.author is None
    for key in ("/Author", "/Keywords", "/Subject", "/Creator"):
        assert key not in metadata
    assert world["dialogue"].title not in str(dict(metadata))
    assert "Amal" not in str(dict(metadata))
    from dialogues.briefing.exports import briefing_pack_filename

    assert briefing_pack_filename(copy) == "meetings-copy-1-of-2.pdf"
    assert not copy.file.name.endswith(cover)  # stored under a random name
