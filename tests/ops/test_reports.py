"""The staff's reports (trackii.ops.views): searching the audit trail and the change history by
person, object and date, and who saw an object; every /staff/ page is staff-only (404 for
everyone else) and costs a fixed number of queries whatever the trail's size."""

from datetime import UTC, datetime

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from dialogues.models import BriefingPack, BriefingPackCopy, Dialogue, Session
from participants.models import Membership
from tests.conftest import enable_mfa, sign_in
from tests.factories import DialogueFactory, PersonFactory, SessionFactory, UserFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry
from trackii.audit.services import Action, audit_record
from trackii.ops import urls as ops_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    user = UserFactory(email="admin@example.org", is_staff=True)
    enable_mfa(user)
    client = Client()
    sign_in(client, user)
    return client


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=UTC)


def entry_at(when: datetime, **kwargs) -> AuditEntry:
    """An entry written at a given time (``at`` is set by the database on insert)."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit_record(**kwargs)


def key(model) -> str:
    content_type = ContentType.objects.get_for_model(model)
    return f"{content_type.app_label}.{content_type.model}"


def search(client, **params):
    response = client.get(reverse("ops:audit_search"), params)
    assert response.status_code == 200
    return response


# -- who may see the staff pages -------------------------------------------------------------------


def every_staff_url(person_id: int) -> list[str]:
    """One URL per pattern of trackii.ops.urls, so that a new page is checked without being
    listed here; a pattern with an argument this does not know fails the test."""
    examples = {
        "person_id": person_id,
        "model": "dialogues.session",
        "object_id": "1",
        "change_id": 1,
    }
    urls = []
    for pattern in ops_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: examples[name] for name in pattern.pattern.converters}
        urls.append(reverse(f"ops:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.mark.parametrize("who", ["participant", "convenor", "superuser_without_staff"])
def test_every_staff_page_answers_404_to_non_staff(who):
    dialogue = DialogueFactory()
    if who == "superuser_without_staff":
        user = UserFactory(is_superuser=True)
    else:
        role = Membership.Role.CONVENOR if who == "convenor" else Membership.Role.PARTICIPANT
        user = member_with_account(dialogue=dialogue, role=role, clearance="Restricted").person.user
    enable_mfa(user)
    client = Client()
    sign_in(client, user)
    target = PersonFactory()
    urls = every_staff_url(target.pk)
    assert len(urls) == 8
    for url in urls:
        assert (url, client.get(url).status_code) == (url, 404)
        assert (url, client.post(url, {"reason": "x"}).status_code) == (url, 404)
    assert AuditEntry.objects.count() == 0


def test_every_staff_page_sends_the_anonymous_to_sign_in():
    for url in every_staff_url(PersonFactory().pk):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_mfa_are_sent_to_set_it_up():
    user = UserFactory(is_staff=True)
    client = Client()
    sign_in(client, user)
    response = client.get(reverse("ops:audit_search"))
    assert (response.status_code, response["Location"]) == (302, reverse("mfa_add_webauthn"))


# Decisions are POSTs only: staff asking for them by GET are told the method is not allowed.
POST_ONLY = {"scale_change_confirm", "scale_change_withdraw"}


def test_every_staff_page_opens_for_staff(staff_client):
    names = [pattern.name for pattern in ops_urls.urlpatterns]
    for name, url in zip(names, every_staff_url(PersonFactory().pk), strict=True):
        expected = 405 if name in POST_ONLY else 200
        assert (url, staff_client.get(url).status_code) == (url, expected)


# -- searching the trail ---------------------------------------------------------------------------


@pytest.fixture
def trail():
    amira = UserFactory(email="amira@example.org")
    ben = UserFactory(email="ben@example.org")
    session = SessionFactory(title="SENTINEL-SESSION-TITLE")
    other = SessionFactory()
    dialogue = session.dialogue
    entries = {
        "amira_session_1": entry_at(at(1), action=Action.VIEWED, obj=session, actor=amira),
        "amira_other_2": entry_at(at(2), action=Action.VIEWED, obj=other, actor=amira),
        "ben_session_3": entry_at(at(3), action=Action.DOWNLOADED, obj=session, actor=ben),
        "amira_dialogue_4": entry_at(at(4), action=Action.VIEWED, obj=dialogue, actor=amira),
    }
    return {"session": session, "other": other, "dialogue": dialogue, **entries}


def results(response) -> list:
    return list(response.context["page"].object_list)


def test_search_by_person(staff_client, trail):
    response = search(staff_client, person="amira@")
    assert results(response) == [
        trail["amira_dialogue_4"],
        trail["amira_other_2"],
        trail["amira_session_1"],
    ]


def test_search_by_object(staff_client, trail):
    response = search(staff_client, object_type=key(Session), object_id=str(trail["session"].pk))
    assert results(response) == [trail["ben_session_3"], trail["amira_session_1"]]
    response = search(staff_client, object_type=key(Dialogue))
    assert results(response) == [trail["amira_dialogue_4"]]


def test_search_by_dates_includes_both_ends(staff_client, trail):
    response = search(staff_client, date_from="2027-03-02", date_to="2027-03-03")
    assert results(response) == [trail["ben_session_3"], trail["amira_other_2"]]


def test_search_by_person_object_and_action_together(staff_client, trail):
    response = search(
        staff_client,
        person="ben@example.org",
        object_type=key(Session),
        object_id=str(trail["session"].pk),
        action="downloaded",
    )
    assert results(response) == [trail["ben_session_3"]]


def test_search_rows_show_ids_and_link_to_who_saw(staff_client, trail):
    page = search(staff_client, person="ben@").content.decode()
    assert reverse("ops:who_saw", args=[key(Session), trail["session"].pk]) in page
    assert "SENTINEL-SESSION-TITLE" not in page


def test_search_refuses_an_id_without_its_kind_and_a_period_backwards(staff_client, trail):
    response = search(staff_client, object_id="12", date_from="2027-03-05", date_to="2027-03-01")
    errors = response.context["form"].errors
    assert errors == {
        "object_type": ["Choose the kind of object the id belongs to."],
        "date_to": ["The end of the period is before its start."],
    }
    assert response.context["page"] is None


def test_search_the_change_history_by_person_and_object(staff_client):
    editor = UserFactory(email="editor@example.org")
    session = SessionFactory(venue="Villa Uno")
    with set_actor(editor):
        session.venue = "Villa Due"
        session.save()
    SessionFactory()  # someone else's record
    response = search(
        staff_client,
        source="history",
        person="editor@",
        object_type=key(Session),
        object_id=str(session.pk),
    )
    edit = LogEntry.objects.get(object_pk=str(session.pk), action=LogEntry.Action.UPDATE)
    assert results(response) == [edit]
    page = response.content.decode()
    assert "venue" in page
    assert "Villa Due" not in page  # the values are in the admin, not on this page


@pytest.mark.parametrize("size", [2, 6])
def test_search_query_count_does_not_grow(staff_client, django_assert_num_queries, size):
    users = [UserFactory() for _ in range(size)]
    for user in users:
        with set_actor(user):
            session = SessionFactory()
            session.venue = "Changed"
            session.save()
        audit_record(action=Action.VIEWED, obj=session, actor=user)
    search(staff_client)  # warm the content-type cache
    with django_assert_num_queries(6):
        response = search(staff_client, person="@example.org")
    assert len(results(response)) == size
    with django_assert_num_queries(6):
        response = search(staff_client, source="history", person="@example.org")
    assert len(results(response)) == 3 * size  # the dialogue, the session, the edit


# -- who saw this ----------------------------------------------------------------------------------


def who_saw(client, model, object_id):
    return client.get(reverse("ops:who_saw", args=[key(model), object_id]))


def test_who_saw_lists_views_and_downloads_of_the_object_only(staff_client, trail):
    response = who_saw(staff_client, Session, trail["session"].pk)
    assert response.status_code == 200
    rows = [(r.at, r.by, r.action, r.what) for r in response.context["rows"]]
    assert rows == [
        (at(3), "ben@example.org", "Downloaded", "this object"),
        (at(1), "amira@example.org", "Viewed", "this object"),
    ]


def test_who_saw_leaves_out_changes_and_decisions(staff_client):
    session = SessionFactory()
    audit_record(action=Action.CHANGED, obj=session, actor=UserFactory())
    audit_record(action=Action.DECIDED, obj=session, actor=UserFactory())
    assert who_saw(staff_client, Session, session.pk).context["rows"] == []


def test_who_saw_a_pack_includes_its_copies_and_the_officials_links(staff_client, rf):
    pack = BriefingPack.objects.create(dialogue=DialogueFactory(), released_at=timezone.now())
    copies = [
        BriefingPackCopy.objects.create(
            pack=pack,
            number=n,
            total=2,
            recipient_name="Official",
            recipient_email=f"o{n}@ministry.example",
            clearance=level("Public"),
        )
        for n in (1, 2)
    ]
    other_pack_copy = BriefingPackCopy.objects.create(
        pack=BriefingPack.objects.create(dialogue=pack.dialogue),
        number=1,
        total=1,
        recipient_name="Official",
        recipient_email="x@ministry.example",
        clearance=level("Public"),
    )
    facilitator = UserFactory(email="facilitator@example.org")
    link_request = rf.get("/", REMOTE_ADDR="198.51.100.4")
    link_request.user = AnonymousUser()
    entry_at(at(1), action=Action.VIEWED, obj=pack, actor=facilitator)
    entry_at(
        at(2), action=Action.VIEWED, obj=copies[1], request=link_request, detail={"via": "link"}
    )
    entry_at(at(3), action=Action.DOWNLOADED, obj=copies[1], actor=facilitator)
    entry_at(at(4), action=Action.DOWNLOADED, obj=other_pack_copy, actor=facilitator)

    response = who_saw(staff_client, BriefingPack, pack.pk)
    rows = [(r.at, r.by, r.action, r.what, r.ip_address) for r in response.context["rows"]]
    assert rows == [
        (at(3), "facilitator@example.org", "Downloaded", "copy 2", None),
        (at(2), "the recipient's link", "Viewed", "copy 2", "198.51.100.4"),
        (at(1), "facilitator@example.org", "Viewed", "this object", None),
    ]


def test_who_saw_an_object_that_is_gone_still_lists_the_trail(staff_client):
    session = SessionFactory()
    session_id = session.pk
    audit_record(action=Action.VIEWED, obj=session, actor=UserFactory(email="r@example.org"))
    session.delete()
    rows = who_saw(staff_client, Session, session_id).context["rows"]
    assert [r.by for r in rows] == ["r@example.org"]


def test_who_saw_an_unknown_kind_of_object_is_404(staff_client):
    url = reverse("ops:who_saw", args=["dialogues.nothing", "1"])
    assert staff_client.get(url).status_code == 404
    url = reverse("ops:who_saw", args=["nodot", "1"])
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize("size", [2, 6])
def test_who_saw_query_count_does_not_grow(staff_client, django_assert_num_queries, size):
    pack = BriefingPack.objects.create(dialogue=DialogueFactory())
    for n in range(1, size + 1):
        copy = BriefingPackCopy.objects.create(
            pack=pack,
            number=n,
            total=size,
            recipient_name="Official",
            recipient_email=f"o{n}@ministry.example",
            clearance=level("Public"),
        )
        audit_record(action=Action.DOWNLOADED, obj=copy, actor=UserFactory())
        audit_record(action=Action.VIEWED, obj=pack, actor=UserFactory())
    who_saw(staff_client, BriefingPack, pack.pk)  # warm the content-type cache
    with django_assert_num_queries(6):
        response = who_saw(staff_client, BriefingPack, pack.pk)
    assert len(response.context["rows"]) == 2 * size


# -- finding a person to lock down -----------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 6])
def test_people_search_finds_by_name_or_address_in_fixed_queries(
    staff_client, django_assert_num_queries, size
):
    for n in range(size):
        member_with_account(dialogue=DialogueFactory(), email=f"haddad{n}@example.org")
    PersonFactory(full_name="Nadia Haddad")  # no account, found by name
    PersonFactory(full_name="Someone else", email="else@example.org")
    staff_client.get(reverse("ops:people"), {"q": "haddad"})
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("ops:people"), {"q": "haddad"})
    found = response.context["people"]
    assert len(found) == size + 1
    assert "Someone else" not in {p.full_name for p in found}
    assert reverse("ops:lockdown", args=[found[0].pk]) in response.content.decode()


def test_who_saw_a_session_finds_its_page_its_pdf_and_the_feeds_that_carried_it(staff_client):
    """What the pages and the feed wrote (trackii.audit.reads), as the staff read it: who, and
    where they saw it."""
    from dialogues.planning.services import agenda_publish
    from participants.profile.services import calendar_secret_regenerate

    member = member_with_account(dialogue=DialogueFactory(), email="reader@example.org")
    session = SessionFactory(dialogue=member.dialogue, level=level("Public"))
    agenda_publish(session=session)
    other = SessionFactory(dialogue=member.dialogue, level=level("Public"))
    reader = Client()
    sign_in(reader, member.person.user)
    page = reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk])
    assert reader.get(page).status_code == 200
    pdf = reverse("dialogues:agenda_pdf", args=[session.dialogue_id, session.pk])
    assert reader.get(pdf).status_code == 200
    feed = reverse("calendar_feed", args=[calendar_secret_regenerate(user=member.person.user)])
    assert Client().get(feed).status_code == 200  # a calendar service, signed out

    rows = [
        (r.by, r.action, r.what, r.where)
        for r in who_saw(staff_client, Session, session.pk).context["rows"]
    ]
    assert rows == [
        ("reader@example.org", "Viewed", "this object", "calendar feed"),
        ("reader@example.org", "Downloaded", "this object", "agenda pdf"),
        ("reader@example.org", "Viewed", "this object", "session detail"),
    ]
    # The feed carried the other session too: its own report says so, and nothing else.
    rows = [(r.by, r.where) for r in who_saw(staff_client, Session, other.pk).context["rows"]]
    assert rows == [("reader@example.org", "calendar feed")]
    page = who_saw(staff_client, Session, session.pk).content.decode()
    assert '<td data-label="Where">session detail</td>' in page
