"""The audit search as a list (issue 16): its filters as before, sorted by time or person, pages
of 25 that keep the filters, a date that is not one shown as the field's error (nothing is
searched), an unknown order or page read as the default; accounts by name."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from tests.conftest import enable_mfa, sign_in
from tests.factories import PersonFactory, SessionFactory, UserFactory
from trackii.audit.models import AuditEntry
from trackii.audit.services import Action, audit_record

pytestmark = pytest.mark.django_db
SEARCH = reverse("ops:audit_search")
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def staff_client():
    user = UserFactory(email="admin@example.org", is_staff=True)
    enable_mfa(user)
    return sign_in(Client(), user)


def entry(actor, obj, minutes: int) -> AuditEntry:
    with mock.patch("django.utils.timezone.now", return_value=START + timedelta(minutes=minutes)):
        return audit_record(action=Action.VIEWED, obj=obj, actor=actor)


@pytest.fixture
def trail():
    """Three accounts: Amira (her person's name), Ben (a display name), Cleo (no name at all);
    each viewed the session, Amira first."""
    amira = UserFactory(email="amira@example.org")
    PersonFactory(user=amira, full_name="Amira Haddad")
    ben = UserFactory(email="ben@example.org", display_name="Ben Okafor")
    cleo = UserFactory(email="cleo@example.org")
    session = SessionFactory()
    entries = {
        "amira": entry(amira, session, 1),
        "ben": entry(ben, session, 2),
        "cleo": entry(cleo, session, 3),
    }
    return {"session": session, **entries}


def found(client, **query) -> list:
    response = client.get(SEARCH, query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["cleo", "ben", "amira"]),
        ("-when", ["cleo", "ben", "amira"]),
        ("when", ["amira", "ben", "cleo"]),
        ("who", ["amira", "ben", "cleo"]),
        ("-who", ["cleo", "ben", "amira"]),
        ("size", ["cleo", "ben", "amira"]),  # unknown: the default
    ],
)
def test_the_trail_is_sorted_by_time_or_person(staff_client, trail, sort, order):
    response = staff_client.get(SEARCH, {"person": "@example.org", "sort": sort})
    assert response.context["form"].errors == {}
    assert list(response.context["page"].object_list) == [trail[k] for k in order]


def test_the_history_is_sorted_too(staff_client):
    for name in ("zed@example.org", "abe@example.org"):
        with set_actor(UserFactory(email=name)):
            SessionFactory()
    newest_first = found(staff_client, source="history", person="@example.org")
    by_person = found(staff_client, source="history", person="@example.org", sort="who")
    assert [e.actor.email for e in newest_first] == ["abe@example.org"] * 2 + [
        "zed@example.org"
    ] * 2
    assert [e.actor.email for e in by_person] == ["abe@example.org"] * 2 + ["zed@example.org"] * 2
    oldest = found(staff_client, source="history", person="@example.org", sort="when")
    assert oldest == list(reversed(newest_first))
    assert all(isinstance(e, LogEntry) for e in oldest)


def test_accounts_are_named_with_their_address_beside(staff_client, trail):
    content = staff_client.get(SEARCH, {"person": "@example.org"}).content.decode()
    assert (
        '<td data-label="Who">Amira Haddad<br><span class="meta">amira@example.org</span></td>'
    ) in content
    assert (
        '<td data-label="Who">Ben Okafor<br><span class="meta">ben@example.org</span></td>'
    ) in content
    # Without a name, the address alone (once).
    assert '<td data-label="Who">cleo@example.org</td>' in content
    assert '<time datetime="2027-03-01T09:01:00+00:00">Mon 1 Mar 2027, 09:01 UTC</time>' in content


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"date_from": "2027-02-30"},
            {"date_from": ["Enter a date as day/month/year, such as 14/03/2027."]},
        ),
        (
            {"date_to": "yesterday", "sort": "when"},
            {"date_to": ["Enter a date as day/month/year, such as 14/03/2027."]},
        ),
    ],
)
def test_a_date_that_is_not_one_is_shown_as_its_fields_error(staff_client, trail, query, errors):
    response = staff_client.get(SEARCH, query)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert response.context["page"] is None
    name = next(iter(errors))
    content = response.content.decode()
    assert (
        f'<p class="errorlist" id="id_{name}_errors">'
        "Enter a date as day/month/year, such as 14/03/2027.</p>" in content
    )
    assert f'aria-describedby="id_{name}_errors"' in content
    assert 'aria-invalid="true"' in content
    assert "Correct the search above: nothing was searched." in content


def test_pages_of_25_keep_the_filters(staff_client):
    session = SessionFactory()
    user = UserFactory(email="many@example.org")
    entries = [entry(user, session, n) for n in range(30)]
    query = {"person": "many@", "sort": "when"}
    first = staff_client.get(SEARCH, query)
    assert list(first.context["page"].object_list) == entries[:25]
    assert 'href="?person=many%40&amp;sort=when&amp;page=2" rel="next"' in first.content.decode()
    assert found(staff_client, **query, page="2") == entries[25:]
    assert found(staff_client, **query, page="9") == entries[25:]  # past the end: the last
    assert found(staff_client, **query, page="x") == entries[:25]


@pytest.mark.parametrize("size", [3, 30])
def test_the_sorted_search_query_count_does_not_grow(staff_client, django_assert_num_queries, size):
    session = SessionFactory()
    for n in range(size):
        user = UserFactory(email=f"u{n}@example.org")
        PersonFactory(user=user)
        entry(user, session, n)
    query = {"person": "@example.org", "sort": "-who", "page": "1"}
    staff_client.get(SEARCH, query)
    with django_assert_num_queries(6):
        response = staff_client.get(SEARCH, query)
    assert len(response.context["page"].object_list) == min(size, 25)
    last = max(f"u{n}@example.org" for n in range(size))  # Z to A: the last address first
    assert response.context["page"].object_list[0].actor.email == last
