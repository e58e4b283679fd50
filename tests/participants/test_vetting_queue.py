"""The vetting queue as a list (issue 16): filtered by status, searched by the nominee's name,
sorted by age or name, in pages of 25, never an error for what does not fit, people by name."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from participants.models import Membership, PossibleMatch, VettingCase
from participants.vetting.services import membership_nominate, screen_cases
from tests.conftest import enable_mfa, sign_in
from tests.factories import DialogueFactory, PersonFactory, UserFactory, level
from tests.world import designation_entry, member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
S = VettingCase.Status
QUEUE = reverse("vetting:queue")
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def queue(db, client):
    """Five nominees of Salt River, nominated a day apart (Amal first), by its convenor, who is
    known by name; Chen's case is cleared, Dara's rejected, Ben's in review."""
    dialogue = DialogueFactory(title="Salt River")
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    convenor.person.full_name = "Farah Convenor"
    convenor.person.save()
    cases = {}
    for n, name in enumerate(["Amal Haddad", "Ben Okafor", "Chen Wei", "Dara Novak", "Eli Cohen"]):
        cases[name.split()[0]] = nominee(dialogue, convenor, name, START + timedelta(days=n))
    VettingCase.objects.filter(pk=cases["Chen"].pk).update(status=S.CLEARED)
    VettingCase.objects.filter(pk=cases["Dara"].pk).update(status=S.REJECTED)
    VettingCase.objects.filter(pk=cases["Ben"].pk).update(status=S.IN_REVIEW)
    admin = UserFactory(email="admin@example.org", is_staff=True)
    enable_mfa(admin)
    sign_in(client, admin)
    return {"client": client, "cases": cases, "dialogue": dialogue, "convenor": convenor}


def nominee(dialogue, convenor, full_name, created_at):
    membership = membership_nominate(
        person=PersonFactory(full_name=full_name, family_name=full_name.split()[-1]),
        dialogue=dialogue,
        role=Membership.Role.PARTICIPANT,
        clearance=level("Participants"),
        nominated_by=convenor.person.user,
        vet=False,
    )
    case = VettingCase.objects.create(membership=membership)
    VettingCase.objects.filter(pk=case.pk).update(created_at=created_at)
    return case


def listed(queue, **query) -> list[str]:
    response = queue["client"].get(QUEUE, query)
    assert response.status_code == 200
    return [case.membership.person.full_name for case in response.context["cases"]]


def test_by_default_the_cases_to_decide_most_matches_first_then_the_oldest(queue):
    designation_entry(reference="QDi.1", name="Eli Cohen")
    screen_cases([queue["cases"]["Eli"]])
    assert PossibleMatch.objects.filter(case=queue["cases"]["Eli"]).count() == 1
    assert listed(queue) == ["Eli Cohen", "Amal Haddad", "Ben Okafor"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "cleared"}, ["Chen Wei"]),
        ({"status": "in_review"}, ["Ben Okafor"]),
        ({"status": "all"}, ["Amal Haddad", "Ben Okafor", "Chen Wei", "Dara Novak", "Eli Cohen"]),
        ({"status": "all", "sort": "-age"},
         ["Eli Cohen", "Dara Novak", "Chen Wei", "Ben Okafor", "Amal Haddad"]),
        ({"status": "all", "sort": "name"},
         ["Eli Cohen", "Amal Haddad", "Dara Novak", "Ben Okafor", "Chen Wei"]),
        ({"status": "all", "sort": "-name"},
         ["Chen Wei", "Ben Okafor", "Dara Novak", "Amal Haddad", "Eli Cohen"]),
        ({"search": "okafor"}, ["Ben Okafor"]),
        ({"search": "wei"}, []),  # cleared: not to decide
        ({"search": "wei", "status": "all"}, ["Chen Wei"]),
    ],
)  # fmt: skip
def test_the_queue_is_filtered_searched_and_sorted(queue, query, expected):
    assert listed(queue, **query) == expected


@pytest.mark.parametrize(
    "query",
    [{"status": "lost"}, {"sort": "danger"}, {"page": "x"}, {"page": "0"}, {"status": ""}],
)
def test_parameters_that_do_not_fit_are_read_as_the_default(queue, query):
    assert listed(queue, **query) == ["Amal Haddad", "Ben Okafor", "Eli Cohen"]


def test_statuses_are_offered_with_their_counts_and_people_are_named(queue):
    response = queue["client"].get(QUEUE)
    choices = response.context["filters"].fields["status"].choices
    assert choices == [
        ("open", "To decide (3)"),
        ("pending", "Pending (2)"),
        ("in_review", "In review (1)"),
        ("cleared", "Cleared (1)"),
        ("cleared_with_conditions", "Cleared with conditions (0)"),
        ("rejected", "Rejected (1)"),
        ("all", "All (5)"),
    ]
    content = response.content.decode()
    assert '<td data-label="Nominated by">Farah Convenor</td>' in content
    assert queue["convenor"].person.user.email not in content
    assert '<time datetime="2027-03-01T09:00:00+00:00">Mon 1 Mar 2027, 09:00 UTC</time>' in content


def test_pages_of_25_and_a_page_past_the_end_is_the_last(queue):
    for n in range(30):
        nominee(queue["dialogue"], queue["convenor"], f"Zed Crowd{n:02d}", START + timedelta(n))
    first = queue["client"].get(QUEUE, {"sort": "age"})
    assert first.context["page_obj"].paginator.count == 33
    assert len(first.context["cases"]) == 25
    assert 'href="?sort=age&amp;page=2" rel="next"' in first.content.decode()
    assert len(listed(queue, sort="age", page="99")) == 8


@pytest.mark.parametrize("size", [3, 30])
def test_the_filtered_queue_query_count_does_not_grow(queue, django_assert_num_queries, size):
    for n in range(size):
        nominee(queue["dialogue"], queue["convenor"], f"Zed Crowd{n:02d}", START + timedelta(n))
    query = {"status": "pending", "search": "crowd", "sort": "-name", "page": "1"}
    queue["client"].get(QUEUE, query)
    with django_assert_num_queries(6):
        response = queue["client"].get(QUEUE, query)
    assert len(response.context["cases"]) == min(size, 25)


def test_the_queue_writes_nothing_to_the_trail(queue):
    queue["client"].get(QUEUE, {"status": "all", "search": "a"})
    assert not AuditEntry.objects.exists()
