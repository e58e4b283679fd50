"""The briefing packs as a list (issue 16): named by their subject and recipients, never by a
session the reader may not see; filtered by state (the same state the pack shows), sorted by
date, in pages of 25, in a fixed number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from dialogues.briefing.selectors import pack_name, packs_listed
from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, BriefingPackCopy
from participants.models import Membership
from tests.conftest import enable_mfa, sign_in
from tests.factories import SessionFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
START = datetime(2027, 3, 1, 9, tzinfo=UTC)
C = BriefingPackCopy.State


@pytest.fixture
def desk(world):
    """``world`` (Round 1 at Public, the pre-consultation at Participants), with a Restricted
    session only the convenor is named on, and a co-facilitator cleared Facilitators (not
    named on it). The convenor is known by the display name of their account."""
    secret = SessionFactory(
        dialogue=world["dialogue"], title="Secret talks", level=level("Restricted")
    )
    secret.readers.set([world["convenor"].person])
    co = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    user = world["convenor"].person.user
    user.display_name = "Zora Convenor"
    user.save()
    return {**world, "secret": secret, "co": co}


def pack(desk, *, sessions=(), recipients=("Amal Haddad",), states=(), days=0, **fields):
    created = BriefingPack.objects.create(
        dialogue=desk["dialogue"], requested_by=desk["convenor"].person.user, **fields
    )
    BriefingPack.objects.filter(pk=created.pk).update(requested_at=START + timedelta(days=days))
    created.sessions.set(sessions)
    for n, name in enumerate(recipients, start=1):
        state = states[n - 1] if states else C.QUEUED
        BriefingPackCopy.objects.create(
            pack=created,
            number=n,
            total=len(recipients),
            recipient_name=name,
            recipient_email=f"r{n}@ministry.example",
            clearance=level("Programme"),
            state=state,
            sha256="a" * 64 if state == C.READY else "",
        )
    return created


def listed_names(desk, who, **query) -> list[str]:
    return [p.name for p in page(desk, who, **query).context["packs"]]


def page(desk, who, **query):
    user = desk[who].person.user
    enable_mfa(user)
    client = sign_in(Client(), user)
    response = client.get(reverse("dialogues:pack_list", args=[desk["dialogue"].pk]), query)
    assert response.status_code == 200
    return response


def test_packs_are_named_by_their_subject_and_recipients(desk):
    round_1, pre, secret = desk["round_1"], desk["pre"], desk["secret"]
    pack(desk, days=1)
    pack(desk, sessions=[round_1], recipients=["Amal Haddad", "Ben Okafor"], days=2)
    pack(desk, sessions=[secret, pre, round_1], recipients=["A", "B", "C"], days=3)
    pack(desk, sessions=[secret], recipients=["Dina Sayed"], days=4)
    pack(desk, sessions=[secret, pre], recipients=[], days=5)
    assert listed_names(desk, "convenor") == [
        "Briefing on Pre-consultation A and Secret talks",
        "Briefing on Secret talks for Dina Sayed",
        "Briefing on Round 1, Pre-consultation A and 1 other session for A and 2 others",
        "Briefing on Round 1 for Amal Haddad and Ben Okafor",
        "Briefing on Salt River for Amal Haddad",
    ]


def test_a_session_the_reader_may_not_see_is_neither_named_nor_counted(desk):
    round_1, pre, secret = desk["round_1"], desk["pre"], desk["secret"]
    pack(desk, sessions=[secret, pre, round_1], recipients=["A", "B", "C"], days=3)
    pack(desk, sessions=[secret], recipients=["Dina Sayed"], days=4)
    pack(desk, sessions=[secret, pre], recipients=[], days=5)
    response = page(desk, "co")
    assert [p.name for p in response.context["packs"]] == [
        "Briefing on Pre-consultation A",
        "Briefing on Salt River for Dina Sayed",
        "Briefing on Round 1 and Pre-consultation A for A and 2 others",
    ]
    assert "Secret talks" not in response.content.decode()
    # The same name for one pack, asked outside the list (the pack's own page may use it).
    only = BriefingPack.objects.get(copies__recipient_name="Dina Sayed")
    viewer = viewer_for_user(desk["co"].person.user)
    assert pack_name(only, viewer=viewer) == "Briefing on Salt River for Dina Sayed"
    convenor = viewer_for_user(desk["convenor"].person.user)
    assert pack_name(only, viewer=convenor) == "Briefing on Secret talks for Dina Sayed"


def test_the_list_names_who_requested_a_pack_and_when(desk):
    pack(desk, days=1)
    content = page(desk, "convenor").content.decode()
    assert '<span class="meta">by <bdi>Zora Convenor</bdi></span>' in content
    # The address appears only in the top bar's "signed in as" (base.html), never in the list.
    assert desk["convenor"].person.user.email not in content.partition('<main id="main"')[2]
    assert '<time datetime="2027-03-02T09:00:00+00:00">Tue 2 Mar 2027, 09:00 UTC</time>' in content
    assert "Pack 1" not in content


STATES = {
    "queued": {"states": [C.READY, C.QUEUED]},
    "rendering": {"states": [C.QUEUED, C.RENDERING]},
    "failed": {"states": [C.RENDERING, C.FAILED]},
    "ready": {"states": [C.READY, C.READY], "guard": BriefingPack.Guard.CLEAR},
    "held": {"states": [C.READY, C.READY], "guard": BriefingPack.Guard.HELD},
    "released": {"states": [C.READY, C.READY], "released_at": START},
}


def test_the_state_filter_finds_each_pack_by_the_state_it_shows(desk):
    made = {}
    for n, (key, fields) in enumerate(STATES.items()):
        made[key] = pack(desk, recipients=[f"{key} 1", f"{key} 2"], days=n, **fields)
    viewer = viewer_for_user(desk["convenor"].person.user)
    for key, created in made.items():
        shown = "held" if created.status == "ready" and created.guard == "held" else created.status
        assert shown == key
        found = list(packs_listed(viewer=viewer, dialogue=desk["dialogue"], state=key))
        assert [p.pk for p in found] == [created.pk], key
        assert [p.listed_status for p in found] == ["ready" if key == "held" else key]
    everything = [p.pk for p in packs_listed(viewer=viewer, dialogue=desk["dialogue"])]
    assert everything == [made[key].pk for key in reversed(list(STATES))]
    response = page(desk, "convenor", state="held")
    assert [p.pk for p in response.context["packs"]] == [made["held"].pk]
    assert "Held for review" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ({}, [3, 2, 1]),
        ({"sort": "-date"}, [3, 2, 1]),
        ({"sort": "date"}, [1, 2, 3]),
        ({"sort": "recipient"}, [3, 2, 1]),
        ({"state": "lost"}, [3, 2, 1]),
        ({"page": "two"}, [3, 2, 1]),
        ({"page": "4"}, [3, 2, 1]),
    ],
)
def test_packs_are_sorted_by_date_and_bad_parameters_are_ignored(desk, query, order):
    for day in (1, 2, 3):
        pack(desk, recipients=[f"Recipient {day}"], days=day)
    names = listed_names(desk, "convenor", **query)
    assert names == [f"Briefing on Salt River for Recipient {day}" for day in order]


def test_pages_of_25(desk):
    for day in range(30):
        pack(desk, recipients=[f"R{day:02d}"], days=day)
    response = page(desk, "convenor", sort="date", page="2")
    assert [p.name for p in response.context["packs"]] == [
        f"Briefing on Salt River for R{day:02d}" for day in range(25, 30)
    ]
    assert 'href="?sort=date&amp;page=1" rel="prev"' in response.content.decode()


def test_the_list_is_recorded_as_its_dialogue(desk):
    pack(desk)
    reads = AuditEntry.objects.filter(action="viewed")
    page(desk, "co", state="queued", sort="date")
    assert list(reads.values_list("content_type__model", "object_id", "detail")) == [
        ("dialogue", str(desk["dialogue"].pk), {"page": "pack_list"})
    ]


@pytest.mark.parametrize("size", [3, 30])
def test_the_filtered_pack_list_query_count_does_not_grow(desk, django_assert_num_queries, size):
    for day in range(size):
        pack(
            desk,
            sessions=[desk["round_1"], desk["secret"]],
            recipients=[f"A{day}", f"B{day}", f"C{day}"],
            states=[C.QUEUED, C.READY, C.READY],
            days=day,
        )
    user = desk["co"].person.user
    enable_mfa(user)
    client = sign_in(Client(), user)
    url = reverse("dialogues:pack_list", args=[desk["dialogue"].pk])
    query = {"state": "queued", "sort": "date"}
    client.get(url, query)
    with django_assert_num_queries(10):
        response = client.get(url, query)
    assert len(response.context["packs"]) == min(size, 25)
    assert response.context["packs"][0].name == "Briefing on Round 1 for A0 and 2 others"
