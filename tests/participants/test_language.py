"""A person's language (issue 20): set by the convening team at nomination, chosen by the person
in their profile (the pages switch at once), and what is e-mailed to them written in it: the
invitation and its code, and allauth's e-mails (the one-time sign-in code, a password reset)."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from participants.invitations import services as invitations
from participants.models import Membership, Person
from tests.conftest import sign_in
from tests.factories import DialogueFactory, PersonFactory, UserFactory
from tests.world import account, member_with_account, membership, person
from trackii.i18n import SESSION_KEY

pytestmark = pytest.mark.django_db

PROFILE = reverse("profile")


def _language(client, code: str, **headers):
    return client.post(PROFILE, {"action": "language", "language": code}, **headers)


def _spy(monkeypatch, module, name: str) -> list[str]:
    """Record the active language each time ``module.name`` is called (it still runs)."""
    seen: list[str] = []
    real = getattr(module, name)

    def spied(*args, **kwargs):
        seen.append(translation.get_language())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spied)
    return seen


# -- the profile ---------------------------------------------------------------------------------


def test_choosing_a_language_in_the_profile_switches_the_pages_at_once(client, monkeypatch):
    member = member_with_account(dialogue=DialogueFactory())
    sign_in(client, member.person.user)
    assert '<html lang="en-gb"' in client.get(PROFILE).content.decode()
    from participants.profile import views

    said_in = _spy(monkeypatch, views, "_")
    response = _language(client, "fr")
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert said_in == ["fr"]  # the confirmation is written in the new language
    member.person.refresh_from_db()
    assert member.person.language == "fr"
    assert client.session[SESSION_KEY] == "fr"
    page = client.get(PROFILE).content.decode()
    assert '<html lang="fr"' in page
    assert '<option value="fr" selected>Français</option>' in page


def test_not_set_gives_the_pages_back_to_the_browser(client):
    member = member_with_account(dialogue=DialogueFactory())
    Person.objects.filter(pk=member.person.pk).update(language="fr")
    sign_in(client, member.person.user)
    response = _language(client, "", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    member.person.refresh_from_db()
    assert member.person.language == ""
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in page


def test_a_language_trackii_does_not_speak_is_refused(client):
    member = member_with_account(dialogue=DialogueFactory())
    sign_in(client, member.person.user)
    response = _language(client, "de")
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    member.person.refresh_from_db()
    assert member.person.language == ""


def test_an_account_without_a_person_keeps_its_language_for_the_session_only(client):
    user = account()
    sign_in(client, user)
    response = _language(client, "ru")
    assert response.status_code == 302
    assert not Person.objects.exists()  # none is made for it
    assert '<html lang="ru"' in client.get(PROFILE).content.decode()


def test_the_time_zone_form_is_untouched_by_the_language_form(client):
    member = member_with_account(dialogue=DialogueFactory())
    sign_in(client, member.person.user)
    assert client.post(PROFILE, {"time_zone": "Asia/Tokyo"}).status_code == 302
    member.person.user.refresh_from_db()
    member.person.refresh_from_db()
    assert (member.person.user.time_zone, member.person.language) == ("Asia/Tokyo", "")


# -- nomination ----------------------------------------------------------------------------------


def test_the_convening_team_sets_a_nominees_language(client, login):
    dialogue = DialogueFactory()
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    client = login(convenor)
    roster = reverse("dialogues:roster", args=[dialogue.pk])
    page = client.get(roster).content.decode()
    assert "Language for Trackii&#x27;s messages" in page
    assert "Not set (the browser&#x27;s language)" in page
    post = {
        "action": "new",
        "new-full_name": "Amina Diallo",
        "new-family_name": "Diallo",
        "new-proximity": Person.Proximity.ACADEMIC,
        "new-gender": Person.Gender.WOMAN,
        "new-language": "fr",
        "new-email": "amina@example.org",
        "new-role": Membership.Role.PARTICIPANT,
        "new-clearance": convenor.clearance.pk,
    }
    assert client.post(roster, {**post, "new-language": "xx"}).status_code == 400
    assert not Person.objects.filter(full_name="Amina Diallo").exists()
    assert client.post(roster, post).status_code == 302
    assert Person.objects.get(full_name="Amina Diallo").language == "fr"


def test_a_person_is_made_only_with_a_language_trackii_speaks():
    from django.core.exceptions import ValidationError

    from participants.services import person_create

    with pytest.raises(ValidationError) as refused:
        person_create(full_name="Someone", language="de")
    assert "language" in refused.value.message_dict
    assert person_create(full_name="Someone", language="ar").language == "ar"


# -- what is e-mailed ----------------------------------------------------------------------------


@pytest.fixture
def cleared_in_french():
    dialogue = DialogueFactory(cover_name="Meetings")
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    nominee = membership(
        person=PersonFactory(email="amina@example.org", language="fr"),
        dialogue=dialogue,
        state=Membership.State.CLEARED,
    )
    return nominee, convenor.person.user


def test_the_invitation_is_written_in_the_invitees_language(cleared_in_french, monkeypatch):
    nominee, by = cleared_in_french
    rendered_in = _spy(monkeypatch, invitations, "_invitation_mail")
    invitation = invitations.invitation_send(membership=nominee, by=by)
    assert rendered_in == ["fr"]
    assert translation.get_language() == "en-gb"  # the sender's language is back
    with translation.override("fr"):
        until = date_format(invitation.expires_at, "d F Y")
    with translation.override("en-gb"):
        assert until != date_format(invitation.expires_at, "d F Y")
    assert until in mail.outbox[-1].body  # the month named in French, by Django's catalogue


def test_an_invitation_to_someone_without_a_language_is_in_english(cleared_in_french):
    nominee, by = cleared_in_french
    Person.objects.filter(pk=nominee.person_id).update(language="")
    nominee.person.refresh_from_db()
    with translation.override("fr"):  # whoever sends it
        invitation = invitations.invitation_send(membership=nominee, by=by)
    with translation.override("en-gb"):
        assert date_format(invitation.expires_at, "d F Y") in mail.outbox[-1].body


def test_the_invitations_code_is_written_in_the_invitees_language(cleared_in_french, monkeypatch):
    nominee, by = cleared_in_french
    invitation = invitations.invitation_send(membership=nominee, by=by)
    rendered_in = _spy(monkeypatch, invitations, "_code_mail")
    invitations.invitation_send_code(invitation=invitation)
    assert rendered_in == ["fr"]
    assert mail.outbox[-1].subject == "[Trackii] Votre code : Meetings"


def _reset(client, email: str, **headers):
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": email}, **headers)
    (message,) = mail.outbox
    return message


def test_allauths_e_mails_are_in_the_account_holders_language(client):
    user = UserFactory(email="reader@example.org")
    person(user=user, language="fr")
    # allauth's French catalogue: "Password Reset Email".
    expected = "[Trackii] E-mail de réinitialisation de mot de passe"
    assert _reset(client, "reader@example.org").subject == expected
    # The person's language wins over the browser's.
    assert _reset(client, "reader@example.org", HTTP_ACCEPT_LANGUAGE="es").subject == expected


def test_allauths_e_mails_follow_the_page_when_the_person_chose_no_language(client):
    user = UserFactory(email="reader@example.org")
    person(user=user)
    message = _reset(client, "reader@example.org", HTTP_ACCEPT_LANGUAGE="fr")
    assert message.subject == "[Trackii] E-mail de réinitialisation de mot de passe"
    message = _reset(client, "reader@example.org")
    assert message.subject == "[Trackii] Password Reset Email"


def test_the_one_time_sign_in_code_is_in_the_account_holders_language(rf):
    """Signing in by code is off here (no page asks for one), but the code's e-mail goes through
    the same adapter as every allauth e-mail: as allauth's flow sends it."""
    from allauth.account.adapter import get_adapter
    from allauth.core.context import request_context

    user = UserFactory(email="reader@example.org")
    person(user=user, language="fr")
    request = rf.post("/accounts/login/code/", HTTP_ACCEPT_LANGUAGE="es")
    with request_context(request):
        get_adapter(request).send_mail(
            "account/email/login_code", "Reader@Example.org", {"request": request, "code": "X"}
        )
    (message,) = mail.outbox
    # allauth's French catalogue: "Sign-In Code".
    assert message.subject == "[Trackii] Code de connexion"


def test_the_invitation_page_speaks_the_invitees_language_until_they_have_an_account(
    cleared_in_french, client
):
    nominee, by = cleared_in_french
    invitations.invitation_send(membership=nominee, by=by)
    path = re.search(r"https?://[^/]+(/invitations/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    assert response.cookies["django_language"].value == "fr"
    # The pages after it (the sign-in page, say) keep it, whatever the browser asks for.
    login = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="ru")
    assert '<html lang="fr" dir="ltr">' in login.content.decode()


def test_an_unknown_invitation_link_sets_no_language(client):
    response = client.get("/invitations/" + "x" * 43 + "/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    assert "django_language" not in response.cookies
    assert '<html lang="ru" dir="ltr">' in response.content.decode()
