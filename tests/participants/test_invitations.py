"""Invitations: only cleared members, single use, expiring, revocable, bound to the invited
mailbox by a one-time code; the e-mails name the cover name only."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dialogues.confidentiality import viewer_for_user
from dialogues.workspace.services import roster_invite
from participants.invitations import services as services
from participants.invitations.selectors import latest_invitations
from participants.models import Invitation, Membership, User
from tests.conftest import sign_in
from tests.factories import DialogueFactory, MembershipFactory, PersonFactory, UserFactory, level
from tests.world import member_with_account

pytestmark = pytest.mark.django_db

R = Membership.Role
S = Membership.State
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def dialogue():
    return DialogueFactory(title="Salt River", cover_name="Lakeside meetings")


@pytest.fixture
def convenor(dialogue):
    return member_with_account(dialogue=dialogue, role=R.CONVENOR, clearance="Restricted")


def invitee(dialogue, state=S.CLEARED, email="amira@example.org"):
    person = PersonFactory(full_name="Amira Haddad", email=email)
    return MembershipFactory(
        person=person, dialogue=dialogue, state=state, clearance=level("Participants")
    )


def send(membership, convenor):
    """Send and return the invitation with the token taken from the e-mail's link."""
    invitation = services.invitation_send(membership=membership, by=convenor.person.user)
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)
    return invitation, token


def page(token):
    return reverse("invitations:open", args=[token])


def sent_code():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def verify(client, token):
    client.post(page(token), {"action": "send_code"})
    code = sent_code()
    response = client.post(page(token), {"action": "verify", "code": code})
    assert response.status_code == 302
    return code


def test_invitation_send_nominated_member_is_refused(dialogue, convenor):
    membership = invitee(dialogue, state=S.NOMINATED)
    with pytest.raises(ValidationError, match="Only a member whose vetting is cleared"):
        services.invitation_send(membership=membership, by=convenor.person.user)
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_send_by_a_participant_is_refused(dialogue):
    # Who may invite is the workspace's to decide (the confidentiality module), not participants'.
    membership = invitee(dialogue)
    participant = member_with_account(dialogue=dialogue)
    user = participant.person.user
    with pytest.raises(ValidationError) as refused:
        roster_invite(membership=membership, by=user, viewer=viewer_for_user(user))
    assert refused.value.messages == [
        "Only the convenor invites someone cleared at or above your own clearance."
    ]
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_send_moves_membership_to_invited_and_stores_only_digests(dialogue, convenor):
    membership = invitee(dialogue)
    invitation, token = send(membership, convenor)
    membership.refresh_from_db()
    assert membership.state == S.INVITED
    assert invitation.email == "amira@example.org"
    assert invitation.state == Invitation.State.SENT
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert mail.outbox[-1].to == ["amira@example.org"]


def test_invitation_mail_names_only_the_cover_name(dialogue, convenor):
    membership = invitee(dialogue)
    _, token = send(membership, convenor)
    message = mail.outbox[-1]
    assert message.subject == "[Trackii] An invitation: Lakeside meetings"
    for text in (message.subject, message.body):
        assert "Salt River" not in text
        assert "Amira" not in text
        assert convenor.person.full_name not in text
    assert f"http://localhost:8000/invitations/{token}/" in message.body
    # The code e-mail too.
    from django.test import Client

    Client().post(page(token), {"action": "send_code"})
    assert mail.outbox[-1].to == ["amira@example.org"]
    assert "Salt River" not in mail.outbox[-1].subject + mail.outbox[-1].body


def test_invitation_page_shows_the_cover_name_only(client, dialogue, convenor):
    _, token = send(invitee(dialogue), convenor)
    response = client.get(page(token))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lakeside meetings" in content
    assert "Salt River" not in content
    assert "Amira" not in content
    assert "amira@example.org" not in content


def test_invitation_accept_creates_the_account_and_accepts_the_membership(
    client, dialogue, convenor
):
    membership = invitee(dialogue)
    invitation, token = send(membership, convenor)
    verify(client, token)
    response = client.post(
        page(token),
        {"action": "accept", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dialogues:ground_rules", args=[dialogue.pk])
    membership.refresh_from_db()
    invitation.refresh_from_db()
    user = User.objects.get(email="amira@example.org")
    assert membership.state == S.ACCEPTED
    assert membership.person.user == user
    assert user.check_password(PASSWORD)
    assert invitation.state == Invitation.State.ACCEPTED
    assert int(client.session["_auth_user_id"]) == user.pk


def test_invitation_accept_weak_password_is_refused(client, dialogue, convenor):
    membership = invitee(dialogue)
    _, token = send(membership, convenor)
    verify(client, token)
    response = client.post(
        page(token), {"action": "accept", "new_password1": "123", "new_password2": "123"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="amira@example.org").exists()


def test_invitation_reused_gives_a_clear_message(client, dialogue, convenor):
    _, token = send(invitee(dialogue), convenor)
    verify(client, token)
    client.post(
        page(token), {"action": "accept", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    client.logout()
    response = client.get(page(token))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_invitation_expired_gives_a_clear_message(client, dialogue, convenor):
    invitation, token = send(invitee(dialogue), convenor)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.EXPIRED
    response = client.get(page(token))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


def test_invitation_expires_after_the_setting(dialogue, convenor, settings):
    settings.INVITATION_VALID_DAYS = 3
    invitation, _ = send(invitee(dialogue), convenor)
    assert (invitation.expires_at - invitation.created_at).days in (2, 3)


def test_invitation_revoked_gives_a_clear_message(client, dialogue, convenor):
    invitation, token = send(invitee(dialogue), convenor)
    services.invitation_revoke(invitation=invitation, by=convenor.person.user)
    response = client.get(page(token))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_invitation_resend_revokes_the_earlier_link(client, dialogue, convenor):
    membership = invitee(dialogue)
    first, old_token = send(membership, convenor)
    second, new_token = send(membership, convenor)
    first.refresh_from_db()
    assert first.state == Invitation.State.REVOKED
    assert second.state == Invitation.State.SENT
    assert client.get(page(old_token)).status_code == 410
    assert client.get(page(new_token)).status_code == 200
    assert latest_invitations(dialogue.pk) == {membership.pk: second}


def test_invitation_unknown_token_gives_a_clear_message(client):
    response = client.get(page("not-a-real-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_invitation_forwarded_cannot_proceed_without_the_code(client, dialogue, convenor):
    """Someone holding a forwarded link gets no code (it goes to the invited address) and can
    neither accept nor decline."""
    membership = invitee(dialogue)
    _, token = send(membership, convenor)
    client.post(page(token), {"action": "send_code"})
    assert mail.outbox[-1].to == ["amira@example.org"]
    for action in ("accept", "decline"):
        response = client.post(
            page(token),
            {"action": action, "new_password1": PASSWORD, "new_password2": PASSWORD},
        )
        assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.state == S.INVITED
    assert not User.objects.filter(email="amira@example.org").exists()


def test_invitation_verified_in_another_browser_does_not_let_a_forwardee_accept(
    client, dialogue, convenor
):
    from django.test import Client

    membership = invitee(dialogue)
    _, token = send(membership, convenor)
    verify(Client(), token)  # the invitee, in their own browser
    response = client.post(
        page(token), {"action": "accept", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="amira@example.org").exists()


def test_invitation_wrong_code_attempts_are_limited(client, dialogue, convenor):
    invitation, token = send(invitee(dialogue), convenor)
    client.post(page(token), {"action": "send_code"})
    right = sent_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(services.CODE_MAX_ATTEMPTS):
        response = client.post(page(token), {"action": "verify", "code": wrong})
        assert response.status_code == 400
    response = client.post(page(token), {"action": "verify", "code": right})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.verified_at is None
    assert invitation.code_attempts == services.CODE_MAX_ATTEMPTS
    # A new code does not reset the count.
    Invitation.objects.filter(pk=invitation.pk).update(
        code_sent_at=timezone.now() - timedelta(minutes=5)
    )
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        services.invitation_send_code(invitation=invitation)


def test_invitation_code_expires_after_fifteen_minutes(dialogue, convenor):
    invitation, _ = send(invitee(dialogue), convenor)
    services.invitation_send_code(invitation=invitation)
    code = sent_code()
    Invitation.objects.filter(pk=invitation.pk).update(
        code_sent_at=timezone.now() - timedelta(minutes=16)
    )
    with pytest.raises(ValidationError, match="code has expired"):
        services.invitation_verify_code(invitation=invitation, code=code)


def test_invitation_link_existing_signed_in_account_with_the_same_email(client, dialogue, convenor):
    user = UserFactory(email="amira@example.org")
    membership = invitee(dialogue)
    _, token = send(membership, convenor)
    sign_in(client, user)
    verify(client, token)
    response = client.post(page(token), {"action": "link"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dialogues:ground_rules", args=[dialogue.pk])
    membership.refresh_from_db()
    assert membership.state == S.ACCEPTED
    assert membership.person.user == user


def test_invitation_different_signed_in_account_cannot_link(client, dialogue, convenor):
    other = UserFactory(email="someone.else@example.org")
    membership = invitee(dialogue)
    invitation, token = send(membership, convenor)
    sign_in(client, other)
    verify(client, token)
    response = client.post(page(token), {"action": "link"})
    assert response.status_code == 400
    assert "another e-mail address" in response.content.decode()
    membership.refresh_from_db()
    assert membership.state == S.INVITED
    assert membership.person.user is None
    with pytest.raises(ValidationError, match="another e-mail address"):
        services.invitation_accept(invitation=invitation, user=other)


def test_invitation_existing_account_not_signed_in_must_sign_in(client, dialogue, convenor):
    UserFactory(email="amira@example.org")
    membership = invitee(dialogue)
    _, token = send(membership, convenor)
    verify(client, token)
    response = client.post(
        page(token), {"action": "accept", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.state == S.INVITED


def test_invitation_decline(client, dialogue, convenor):
    membership = invitee(dialogue)
    invitation, token = send(membership, convenor)
    verify(client, token)
    response = client.post(page(token), {"action": "decline"})
    assert response.status_code == 200
    membership.refresh_from_db()
    invitation.refresh_from_db()
    assert membership.state == S.DECLINED
    assert invitation.state == Invitation.State.DECLINED
    assert client.get(page(token)).status_code == 410


def send_url(membership):
    return reverse("dialogues:invitation_send", args=[membership.dialogue_id, membership.pk])


def revoke_url(invitation):
    membership = invitation.membership
    return reverse(
        "dialogues:invitation_revoke", args=[membership.dialogue_id, membership.pk, invitation.pk]
    )


def test_invitation_opened_state(client, dialogue, convenor):
    invitation, token = send(invitee(dialogue), convenor)
    client.get(page(token))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.OPENED


def test_invitation_send_view_outsider_gets_404(login, dialogue):
    membership = invitee(dialogue)
    outsider = member_with_account(dialogue=DialogueFactory(), role=R.CONVENOR)
    participant = member_with_account(dialogue=dialogue)
    for who in (outsider, participant):
        client = login(who)
        response = client.post(send_url(membership))
        assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_invitation_revoke_view_outsider_gets_404(login, dialogue, convenor):
    invitation, _ = send(invitee(dialogue), convenor)
    outsider = member_with_account(dialogue=DialogueFactory(), role=R.CONVENOR)
    response = login(outsider).post(revoke_url(invitation))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_roster_invite_resend_revoke_and_state(login, dialogue, convenor):
    membership = invitee(dialogue)
    client = login(convenor)
    roster = reverse("dialogues:roster", args=[dialogue.pk])
    assert "Invite" in client.get(roster).content.decode()
    response = client.post(send_url(membership))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == S.INVITED
    content = client.get(roster).content.decode()
    assert 'class="invitation-state">Sent<' in content
    assert "Resend" in content
    invitation = Invitation.objects.get()
    client.post(revoke_url(invitation))
    content = client.get(roster).content.decode()
    assert 'class="invitation-state">Revoked<' in content
    client.post(send_url(membership))
    assert Invitation.objects.count() == 2
    assert latest_invitations(dialogue.pk)[membership.pk].state == Invitation.State.SENT


def test_latest_invitations_is_one_query(django_assert_num_queries, dialogue, convenor):
    memberships = [invitee(dialogue, email=f"p{n}@example.org") for n in range(3)]
    for membership in memberships:
        send(membership, convenor)
        send(membership, convenor)
    with django_assert_num_queries(1):
        latest = latest_invitations(dialogue.pk)
    assert sorted(latest) == sorted(m.pk for m in memberships)
    assert all(i.state == Invitation.State.SENT for i in latest.values())
