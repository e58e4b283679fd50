"""Accounts: e-mail login, no open sign-up, password reset, and MFA for those who hold the keys."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.urls import reverse

from participants.models import Membership, User
from tests.conftest import enable_totp, sign_in
from tests.factories import DialogueFactory, MembershipFactory, UserFactory, level
from tests.webauthn import add_security_key
from tests.world import member_with_account

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


def _account(kind: str):
    """An account in one place: staff, the convenor or a facilitator (with or without a convenor's
    role elsewhere), a participant, or a convenor whose membership is not accepted yet. Each
    dialogue also has another person as its convenor, whose role must not rub off."""
    if kind == "staff":
        return UserFactory(is_staff=True)
    dialogue = DialogueFactory()
    member_with_account(dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted")
    if kind == "participant":
        return member_with_account(dialogue=dialogue).person.user
    if kind == "invited convenor":
        membership = member_with_account(
            dialogue=dialogue,
            role=Membership.Role.CONVENOR,
            clearance="Restricted",
            state=Membership.State.INVITED,
        )
        return membership.person.user
    role = Membership.Role.CONVENOR if kind == "convenor" else Membership.Role.FACILITATOR
    user = member_with_account(dialogue=dialogue, role=role, clearance="Restricted").person.user
    if kind == "facilitator, convenor elsewhere":
        MembershipFactory(
            person=user.person,
            dialogue=DialogueFactory(),
            role=Membership.Role.CONVENOR,
            clearance=level("Restricted"),
            state=Membership.State.ACCEPTED,
        )
    return user


def _give(user, factors: str) -> None:
    """Real allauth authenticators: TOTP (with the recovery codes allauth makes beside it), a
    WebAuthn security key, or both."""
    if "totp" in factors:
        enable_totp(user)
        RecoveryCodes.activate(user)
    if "key" in factors:
        add_security_key(user)


ADD_KEY = reverse("mfa_add_webauthn")
ADD_APP = reverse("mfa_activate_totp")


@pytest.mark.parametrize(
    ("kind", "factors", "answer"),
    [
        # Staff and convenors: a passkey or security key; an authenticator app is not enough.
        ("staff", "", ADD_KEY),
        ("staff", "totp", ADD_KEY),
        ("staff", "key", 200),
        ("staff", "totp+key", 200),
        ("convenor", "", ADD_KEY),
        ("convenor", "totp", ADD_KEY),
        ("convenor", "key", 200),
        ("facilitator, convenor elsewhere", "totp", ADD_KEY),
        ("facilitator, convenor elsewhere", "key", 200),
        # Facilitators: any second factor.
        ("facilitator", "", ADD_APP),
        ("facilitator", "totp", 200),
        ("facilitator", "key", 200),
        # Everyone else is never asked.
        ("participant", "", 200),
        ("participant", "totp", 200),
        ("invited convenor", "", 200),
    ],
)
def test_each_place_must_hold_its_second_factor(client, kind, factors, answer):
    user = _account(kind)
    _give(user, factors)
    sign_in(client, user)
    response = client.get(reverse("home"))
    if answer == 200:
        assert response.status_code == 200
    else:
        assert (response.status_code, response["Location"]) == (302, answer)


def test_recovery_codes_alone_are_no_second_factor(client):
    user = _account("facilitator")
    enable_totp(user)
    RecoveryCodes.activate(user)
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    assert list(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == [
        Authenticator.Type.RECOVERY_CODES
    ]
    sign_in(client, user)
    assert client.get(reverse("home"))["Location"] == ADD_APP


def test_a_convenor_with_an_app_only_is_told_why_and_may_add_a_key(client):
    user = _account("convenor")
    enable_totp(user)
    sign_in(client, user)
    response = client.get(reverse("home"), headers={"accept": "text/html"}, follow=True)
    # Adding a key asks for the password again first; neither step is blocked.
    assert response.redirect_chain == [
        (ADD_KEY, 302),
        (f"{reverse('account_reauthenticate')}?next=%2Faccounts%2F2fa%2Fwebauthn%2Fadd%2F", 302),
    ]
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Admins and convenors sign in with a passkey or a security key: an authenticator app "
        "alone is not enough for them. Add one to continue."
    ]
    # Every page of a key's set-up answers; nothing else does.
    for url in (reverse("mfa_index"), reverse("mfa_list_webauthn"), ADD_KEY):
        assert client.get(url).status_code in (200, 302)
        assert not client.get(url).get("Location", "").startswith(ADD_KEY)
    assert client.get(reverse("profile"))["Location"] == ADD_KEY
    # An htmx call makes the whole page go there, not a fragment of it.
    response = client.get(reverse("profile"), headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (200, ADD_KEY)


def test_mfa_requirement_can_be_switched_off(client, settings):
    settings.TRACKII_REQUIRE_MFA = False
    sign_in(client, UserFactory(is_staff=True))
    assert client.get(reverse("home")).status_code == 200


def test_totp_and_recovery_codes_are_offered_to_every_user(client):
    participant = member_with_account(dialogue=DialogueFactory())
    sign_in(client, participant.person.user)
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert reverse("mfa_activate_totp").encode() in page.content
