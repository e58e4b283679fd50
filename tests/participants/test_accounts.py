"""Accounts: e-mail login, no open sign-up, password reset, and MFA for those who hold the keys."""

import pytest
from django.core import mail
from django.urls import reverse

from participants.models import Membership, User
from tests.conftest import enable_mfa
from tests.factories import DialogueFactory, UserFactory, member_with_account

pytestmark = pytest.mark.django_db


def test_login_by_email_and_password(client):
    UserFactory(email="reader@example.org")
    response = client.post(
        reverse("account_login"),
        {"login": "Reader@Example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_with_wrong_password_is_refused(client):
    UserFactory(email="reader@example.org")
    response = client.post(
        reverse("account_login"), {"login": "reader@example.org", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_up(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long passphrase 1",
            "password2": "a long passphrase 1",
        },
    )
    assert response.status_code == 200
    assert b"Sign Up Closed" in response.content
    assert not User.objects.filter(email="new@example.org").exists()


def test_password_reset_sends_a_link_to_known_addresses_only(client):
    UserFactory(email="reader@example.org")
    client.post(reverse("account_reset_password"), {"email": "reader@example.org"})
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    # Enumeration is prevented: the unknown address gets a "no account" notice, not a link.
    assert sorted(m.to[0] for m in mail.outbox) == ["nobody@example.org", "reader@example.org"]
    reset = next(m for m in mail.outbox if m.to == ["reader@example.org"])
    assert "/accounts/password/reset/key/" in reset.body
    unknown = next(m for m in mail.outbox if m.to == ["nobody@example.org"])
    assert "/accounts/password/reset/key/" not in unknown.body


def test_passwords_are_hashed_with_argon2_outside_tests():
    from trackii.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_facilitator_without_mfa_is_sent_to_set_it_up(client):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    client.force_login(convenor.person.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Setting up TOTP asks for the password again first; neither step is blocked.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [
        (f"{reverse('account_reauthenticate')}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F", 302)
    ]


def test_staff_without_mfa_is_sent_to_set_it_up(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_facilitator_with_mfa_goes_through(client):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    enable_mfa(convenor.person.user)
    client.force_login(convenor.person.user)
    assert client.get(reverse("home")).status_code == 200


def test_participant_is_not_forced_into_mfa(client):
    participant = member_with_account(dialogue=DialogueFactory())
    client.force_login(participant.person.user)
    assert client.get(reverse("home")).status_code == 200


def test_mfa_requirement_can_be_switched_off(client, settings):
    settings.TRACKII_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("home")).status_code == 200


def test_totp_and_recovery_codes_are_offered_to_every_user(client):
    participant = member_with_account(dialogue=DialogueFactory())
    client.force_login(participant.person.user)
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert reverse("mfa_activate_totp").encode() in page.content
