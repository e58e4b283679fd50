"""Lockdown (trackii.ops.lockdown and /staff/people/<id>/lockdown/): one action ends a person's
sessions on every device and revokes their calendar address, open invitations and pack links at
once; someone else's are untouched; one audit entry records it with ids and counts only."""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogues.briefing.services import copy_link_issue, link_token
from dialogues.models import BriefingPack, BriefingPackCopy
from participants.invitations.services import invitation_send
from participants.models import Invitation, Membership, Person
from participants.profile.services import calendar_secret_regenerate
from tests.conftest import enable_mfa, sign_in
from tests.factories import DialogueFactory, MembershipFactory, UserFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry
from trackii.ops.lockdown import lockdown_plan, person_lockdown
from trackii.ops.models import Lockdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    user = UserFactory(email="admin@example.org", is_staff=True)
    enable_mfa(user)
    return user


@pytest.fixture
def staff_client(staff):
    client = Client()
    sign_in(client, staff)
    return client


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get(reverse("profile"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    return False


def released_copy(*, dialogue, email, number=1):
    """A ready copy of a released pack, with a live link (the render is not what is tested)."""
    pack = BriefingPack.objects.create(dialogue=dialogue, released_at=timezone.now())
    copy = BriefingPackCopy.objects.create(
        pack=pack,
        number=number,
        total=number,
        recipient_name="An official",
        recipient_email=email,
        clearance=level("Public"),
        state=BriefingPackCopy.State.READY,
        sha256="0" * 64,
    )
    copy_link_issue(copy=copy, by=None)
    copy.refresh_from_db()
    return copy


def open_invitation(*, person, dialogue):
    """An invitation of the person into another dialogue, still waiting for an answer; its link."""
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    membership = MembershipFactory(person=person, dialogue=dialogue, state=Membership.State.CLEARED)
    invitation_send(membership=membership, by=convenor.person.user)
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)
    return membership.invitations.get(), reverse("invitations:open", args=[token])


@pytest.fixture
def target():
    """Amira: signed in on two devices, a calendar address, an open invitation, a pack link
    sent to her address (written in another case). Her colleague Ben has the same of each."""
    people = {}
    for name, email in (("amira", "amira@example.org"), ("ben", "ben@example.org")):
        member = member_with_account(dialogue=DialogueFactory(), email=email)
        person, user = member.person, member.person.user
        secret = calendar_secret_regenerate(user=user)
        invitation, invitation_url = open_invitation(person=person, dialogue=DialogueFactory())
        copy = released_copy(dialogue=member.dialogue, email=email.upper())
        people[name] = {
            "person": person,
            "user": user,
            "devices": [signed_in(user), signed_in(user)],
            "feed": reverse("calendar_feed", args=[secret]),
            "invitation": invitation,
            "invitation_url": invitation_url,
            "copy": copy,
            "pack_link": reverse("pack_link", args=[link_token(copy)]),
        }
    return people


def lockdown_url(person) -> str:
    return reverse("ops:lockdown", args=[person.pk])


@pytest.fixture(
    params=["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def session_engine(request, settings):
    """Sessions in the database, and (as in production) read from the cache in front of it: a
    lockdown must reach both."""
    settings.SESSION_ENGINE = request.param
    return request.param


def test_lockdown_ends_sessions_feed_invitations_and_pack_links_at_once(
    session_engine, target, staff, staff_client
):
    amira, ben = target["amira"], target["ben"]
    anonymous = Client()
    assert all(is_signed_in(device) for device in amira["devices"])
    assert anonymous.get(amira["feed"]).status_code == 200
    assert anonymous.get(amira["pack_link"]).status_code == 200

    response = staff_client.post(
        lockdown_url(amira["person"]), {"reason": "Her laptop was stolen in transit."}
    )

    assert response.status_code == 302
    assert response["Location"] == lockdown_url(amira["person"])
    # Signed out everywhere: each device is sent to the login page.
    assert [is_signed_in(device) for device in amira["devices"]] == [False, False]
    assert anonymous.get(amira["feed"]).status_code == 404
    amira["invitation"].refresh_from_db()
    assert amira["invitation"].state == Invitation.State.REVOKED
    assert (
        "This invitation was withdrawn." in anonymous.get(amira["invitation_url"]).content.decode()
    )
    assert anonymous.get(amira["pack_link"]).status_code == 404
    # The account itself stays (it was not asked to be deactivated).
    amira["user"].refresh_from_db()
    assert amira["user"].is_active

    # Ben's are all still there.
    assert [is_signed_in(device) for device in ben["devices"]] == [True, True]
    assert anonymous.get(ben["feed"]).status_code == 200
    assert anonymous.get(ben["pack_link"]).status_code == 200
    ben["invitation"].refresh_from_db()
    assert ben["invitation"].state == Invitation.State.SENT

    record = Lockdown.objects.get()
    assert (record.person, record.by, record.reason) == (
        amira["person"],
        staff,
        "Her laptop was stolen in transit.",
    )
    entry = AuditEntry.objects.get(content_type__model="person")
    assert (entry.actor, entry.action, entry.object_id) == (
        staff,
        AuditEntry.Action.CHANGED,
        str(amira["person"].pk),
    )
    assert entry.detail == {
        "lockdown": record.pk,
        "user": amira["user"].pk,
        "sessions_ended": 2,
        "calendar_secret_renewed": True,
        "invitations_revoked": [amira["invitation"].pk],
        "pack_copies_revoked": [amira["copy"].pk],
        "account_deactivated": False,
    }
    assert "stolen" not in repr(list(AuditEntry.objects.values()))


def test_lockdown_page_says_what_will_happen(target, staff_client):
    amira = target["amira"]
    response = staff_client.get(lockdown_url(amira["person"]))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (
        plan.has_account,
        plan.account_active,
        plan.sessions,
        plan.calendar_feed,
        plan.invitations,
        plan.pack_links,
        plan.emails,
    ) == (True, True, 2, True, 1, 1, ["amira@example.org"])
    # Looking changes nothing.
    assert Lockdown.objects.count() == 0
    assert is_signed_in(amira["devices"][0])


def test_lockdown_without_a_reason_does_nothing(target, staff_client):
    amira = target["amira"]
    response = staff_client.post(lockdown_url(amira["person"]), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert Lockdown.objects.count() == 0
    assert is_signed_in(amira["devices"][0])
    assert Client().get(amira["pack_link"]).status_code == 200


def test_lockdown_can_also_deactivate_the_account(target, staff_client):
    amira = target["amira"]
    staff_client.post(
        lockdown_url(amira["person"]), {"reason": "Account compromised.", "deactivate": "on"}
    )
    amira["user"].refresh_from_db()
    assert amira["user"].is_active is False
    assert Client().login(email="amira@example.org", password="correct horse battery") is False
    assert Lockdown.objects.get().account_deactivated is True


def test_staff_cannot_lock_down_their_own_account(staff):
    person = Person.objects.create(full_name="The admin", user=staff, email=staff.email)
    with pytest.raises(ValidationError, match="You cannot lock down your own account"):
        person_lockdown(person=person, by=staff, reason="Testing myself.")
    assert Lockdown.objects.count() == 0


def test_lockdown_of_a_person_without_an_account_revokes_what_was_sent_to_them(staff):
    person = Person.objects.create(full_name="Nadia", email="nadia@example.org")
    invitation, _ = open_invitation(person=person, dialogue=DialogueFactory())
    copy = released_copy(dialogue=DialogueFactory(), email="Nadia@Example.org")
    assert lockdown_plan(person=person).sessions == 0
    record = person_lockdown(person=person, by=staff, reason="Mailbox compromised.")
    assert (record.sessions_ended, record.calendar_secret_renewed) == (0, False)
    assert (record.invitations_revoked, record.pack_copies_revoked) == ([invitation.pk], [copy.pk])


def test_expired_and_answered_invitations_are_left_as_they_are(staff):
    member = member_with_account(dialogue=DialogueFactory())
    invitation, _ = open_invitation(person=member.person, dialogue=DialogueFactory())
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    record = person_lockdown(person=member.person, by=staff, reason="Precaution.")
    invitation.refresh_from_db()
    assert (record.invitations_revoked, invitation.revoked_at) == ([], None)


@pytest.mark.skipif(
    not apps.is_installed("allauth.usersessions"), reason="allauth.usersessions not installed"
)
def test_lockdown_also_ends_the_sessions_allauth_lists(target, staff_client):
    from allauth.usersessions.models import UserSession

    def listed(user):
        # Each device on its owner's list of signed-in browsers (/accounts/sessions/).
        for device in target[user]["devices"]:
            UserSession.objects.get_or_create(
                session_key=device.session.session_key,
                defaults={"user": target[user]["user"], "ip": "127.0.0.1", "user_agent": "test"},
            )

    listed("amira")
    listed("ben")
    staff_client.post(lockdown_url(target["amira"]["person"]), {"reason": "Lost phone."})
    assert UserSession.objects.filter(user=target["amira"]["user"]).count() == 0
    assert UserSession.objects.filter(user=target["ben"]["user"]).count() == 2


@pytest.mark.parametrize("size", [1, 4])
def test_lockdown_page_query_count_does_not_grow(staff_client, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory(), email="many@example.org")
    for _ in range(size):
        signed_in(member.person.user)
        open_invitation(person=member.person, dialogue=DialogueFactory())
        released_copy(dialogue=member.dialogue, email="many@example.org")
    staff_client.get(lockdown_url(member.person))  # warm the content-type cache
    with django_assert_num_queries(7):
        response = staff_client.get(lockdown_url(member.person))
    plan = response.context["plan"]
    assert (plan.sessions, plan.invitations, plan.pack_links) == (size, size, size)
