"""The Papers tab (issue 16): every paper of the dialogue the reader may download, searched by
title, filtered by session and level (only those the reader may see are offered, and a filter
never widens what the confidentiality module allows), sorted by date or title, in pages of 25;
recorded as the dialogue, like the dialogue's page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from dialogues.confidentiality import readable_levels, viewer_for_user
from dialogues.models import Document
from tests.factories import SessionFactory, level
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


def paper(dialogue, title, level_name, *, session=None, item=None, days=0, readers=()):
    document = Document.objects.create(
        dialogue=dialogue,
        session=session,
        agenda_item=item,
        title=title,
        kind=Document.Kind.BACKGROUND_PAPER,
        level=level(level_name),
        file=f"documents/{title}.pdf",
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
    )
    Document.objects.filter(pk=document.pk).update(uploaded_at=START + timedelta(days=days))
    document.readers.set(readers)
    return document


@pytest.fixture
def papers(world):
    """In ``world``: a dialogue-wide paper at each of Public, Programme and Facilitators, a
    Restricted one naming the participant; in Round 1 (Public) a Programme paper and one on its
    Facilitators item; in the pre-consultation (Participants: its attendee, the participant) one
    paper. Coastal Fisheries has a Public paper of its own."""
    d, leila = world["dialogue"], world["participant"].person
    return {
        "Charter": paper(d, "Charter", "Public", days=1),
        "Maps": paper(d, "Maps", "Programme", days=2),
        "Team notes": paper(d, "Team notes", "Facilitators", days=3),
        "For Leila": paper(d, "For Leila", "Restricted", days=4, readers=[leila]),
        "Round brief": paper(d, "Round brief", "Programme", session=world["round_1"], days=5),
        "Item memo": paper(
            d,
            "Item memo",
            "Facilitators",
            session=world["round_1"],
            item=world["items"]["Facilitators"],
            days=6,
        ),
        "Pre brief": paper(d, "Pre brief", "Participants", session=world["pre"], days=7),
        "Harbour": paper(world["elsewhere"], "Harbour", "Public", days=8),
    }  # fmt: skip


def tab(world) -> str:
    return reverse("dialogues:documents", args=[world["dialogue"].pk])


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [document.title for document in response.context["documents"]]


def test_each_reader_sees_the_papers_they_may_download_newest_first(world, papers, login):
    assert titles(login(world["participant"]).get(tab(world))) == [
        "Pre brief",
        "Round brief",
        "For Leila",
        "Maps",
        "Charter",
    ]
    # Does not attend the pre-consultation, is not named.
    assert titles(login(world["other_side"]).get(tab(world))) == ["Round brief", "Maps", "Charter"]
    assert titles(login(world["convenor"]).get(tab(world))) == [
        "Pre brief",
        "Item memo",
        "Round brief",
        "Team notes",
        "Maps",
        "Charter",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "BRIEF"}, ["Pre brief", "Round brief"]),
        ({"in_session": "none"}, ["For Leila", "Maps", "Charter"]),
        ({"in_session": "round_1"}, ["Round brief"]),
        ({"in_session": "pre"}, ["Pre brief"]),
        ({"level": "Programme"}, ["Round brief", "Maps"]),
        ({"level": "Restricted"}, ["For Leila"]),
        ({"sort": "title"}, ["Charter", "For Leila", "Maps", "Pre brief", "Round brief"]),
        ({"sort": "date"}, ["Charter", "Maps", "For Leila", "Round brief", "Pre brief"]),
        ({"sort": "-title", "in_session": "none"}, ["Maps", "For Leila", "Charter"]),
    ],
)
def test_the_papers_are_searched_filtered_and_sorted(world, papers, login, query, expected):
    ids = {"round_1": world["round_1"].pk, "pre": world["pre"].pk, "none": "none"}
    query = dict(query)
    if "in_session" in query:
        query["in_session"] = ids[query["in_session"]]
    if "level" in query:
        query["level"] = level(query["level"]).pk
    assert titles(login(world["participant"]).get(tab(world), query)) == expected


def test_only_the_sessions_and_levels_the_reader_may_see_are_offered(world, papers, login):
    response = login(world["other_side"]).get(tab(world))
    fields = response.context["filters"].fields
    assert [label for _v, label in fields["in_session"].choices] == [
        "All papers",
        "Dialogue-wide (no session)",
        "Round 1",
    ]
    assert [label for _v, label in fields["level"].choices] == [
        "Any level",
        "Public",
        "Programme",
        "Participants",
        "Restricted",
    ]
    assert "Pre-consultation A" not in response.content.decode()
    convenor = login(world["convenor"]).get(tab(world)).context["filters"].fields
    assert [label for _v, label in convenor["level"].choices] == [
        "Any level",
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
        "Restricted",
    ]


def test_a_filter_not_offered_widens_nothing(world, papers, login):
    client = login(world["other_side"])
    everything = ["Round brief", "Maps", "Charter"]
    for query in (
        {"in_session": world["pre"].pk},
        {"level": level("Facilitators").pk},
        {"in_session": SessionFactory(dialogue=world["elsewhere"]).pk},
        {"in_session": "x"},
        {"level": "999999"},
    ):
        response = client.get(tab(world), query)
        assert titles(response) == everything, query
        assert response.context["filters"].errors == {}
    content = client.get(tab(world), {"in_session": world["pre"].pk}).content.decode()
    for hidden in ("Pre brief", "Team notes", "Item memo", "For Leila", "Harbour"):
        assert hidden not in content


def test_readable_levels_follow_the_audiences(world):
    def names(membership):
        viewer = viewer_for_user(membership.person.user)
        return [lv.name for lv in readable_levels(viewer, world["dialogue"].pk)]

    assert names(world["observer"]) == ["Public", "Programme", "Restricted"]
    assert names(world["participant"]) == ["Public", "Programme", "Participants", "Restricted"]
    assert names(world["rapporteur"]) == ["Public", "Programme", "Participants", "Restricted"]
    assert names(world["convenor"]) == [
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
        "Restricted",
    ]
    assert (
        readable_levels(viewer_for_user(world["outsider"].person.user), world["dialogue"].pk) == []
    )


def test_the_tab_is_for_members_only_and_recorded_as_the_dialogue(world, papers, login, client):
    reads = AuditEntry.objects.filter(action__in=["viewed", "downloaded"])
    response = client.get(tab(world))
    assert response.status_code == 302
    assert login(world["outsider"]).get(tab(world)).status_code == 404
    assert login(world["nominee"]).get(tab(world)).status_code == 404
    assert not reads.exists()
    participant = login(world["participant"])
    participant.get(tab(world), {"search": "brief", "page": "3"})
    assert list(reads.values_list("content_type__model", "object_id", "action", "detail")) == [
        ("dialogue", str(world["dialogue"].pk), "viewed", {"page": "documents"})
    ]


def test_the_convening_team_is_offered_the_upload_and_the_delete(world, papers, login):
    upload = reverse("dialogues:document_upload", args=[world["dialogue"].pk])
    convenor = login(world["convenor"]).get(tab(world)).content.decode()
    assert f'href="{upload}"' in convenor
    delete = reverse("dialogues:document_delete", args=[world["dialogue"].pk, papers["Maps"].pk])
    assert f'action="{delete}"' in convenor
    participant = login(world["participant"]).get(tab(world)).content.decode()
    assert upload not in participant
    assert delete not in participant


def test_pages_of_25(world, login):
    for n in range(30):
        paper(world["dialogue"], f"Paper {n:02d}", "Public", days=n)
    client = login(world["participant"])
    first = client.get(tab(world), {"sort": "title", "search": "paper"})
    assert titles(first)[:2] == ["Paper 00", "Paper 01"]
    assert first.context["page_obj"].paginator.count == 30
    assert 'href="?sort=title&amp;search=paper&amp;page=2" rel="next"' in first.content.decode()
    last = client.get(tab(world), {"sort": "title", "search": "paper", "page": "5"})
    assert titles(last) == [f"Paper {n}" for n in range(25, 30)]


@pytest.mark.parametrize("size", [3, 30])
def test_the_papers_tab_query_count_does_not_grow(world, login, django_assert_num_queries, size):
    for n in range(size):
        paper(world["dialogue"], f"Paper {n:02d}", "Programme", session=world["round_1"], days=n)
        paper(world["dialogue"], f"Hidden {n:02d}", "Facilitators", days=n)
    client = login(world["participant"])
    query = {"in_session": world["round_1"].pk, "level": level("Programme").pk, "sort": "title"}
    client.get(tab(world), query)
    with django_assert_num_queries(8):
        response = client.get(tab(world), query)
    assert len(response.context["documents"]) == min(size, 25)
