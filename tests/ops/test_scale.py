"""The staff's page for the confidentiality scale: one member of staff asks for a change, another
confirms it; everyone else gets 404, and the Django admin shows levels read-only."""

import pytest
from django.test import Client
from django.urls import reverse

from dialogues.models import ConfidentialityLevel, ScaleChangeRequest
from tests.conftest import enable_mfa, sign_in
from tests.factories import DialogueFactory, UserFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

Audience = ConfidentialityLevel.Audience


def staff_client() -> tuple:
    # Superusers, as the organisation's admins are: even they change the scale only by asking.
    user = UserFactory(is_staff=True, is_superuser=True)
    enable_mfa(user)
    client = Client()
    sign_in(client, user)
    return user, client


def scale_row() -> list[tuple]:
    return list(
        ConfidentialityLevel.objects.order_by("rank").values_list("name", "rank", "audience")
    )


def test_only_staff_reach_the_scale_page(login):
    convenor = member_with_account(
        dialogue=DialogueFactory(), role="convenor", clearance="Restricted"
    )
    client = login(convenor)
    assert client.get(reverse("ops:scale")).status_code == 404
    post = {
        "level": level("Facilitators").pk,
        "name": "Facilitators",
        "rank": 3,
        "audience": "programme",
    }
    assert client.post(reverse("ops:scale"), post).status_code == 404
    assert ScaleChangeRequest.objects.count() == 0


def test_a_change_asked_by_one_member_of_staff_is_confirmed_by_another():
    before = scale_row()
    first, first_client = staff_client()
    facilitators = level("Facilitators")
    post = {
        "level": facilitators.pk,
        "name": "Facilitators",
        "rank": facilitators.rank,
        "audience": Audience.PROGRAMME,
        "description": facilitators.description,
    }
    response = first_client.post(reverse("ops:scale"), post)
    assert response.status_code == 302
    change = ScaleChangeRequest.objects.get()
    assert (change.kind, change.level, change.audience, change.state) == (
        "change",
        facilitators,
        Audience.PROGRAMME,
        "open",
    )
    confirm = reverse("ops:scale_change_confirm", args=[change.pk])
    page = first_client.get(reverse("ops:scale")).content.decode()
    assert confirm not in page
    assert first_client.post(confirm).status_code == 302
    assert scale_row() == before
    second, second_client = staff_client()
    assert confirm in second_client.get(reverse("ops:scale")).content.decode()
    assert second_client.post(confirm).status_code == 302
    assert level("Facilitators").audience == Audience.PROGRAMME
    change.refresh_from_db()
    assert (change.state, change.decided_by) == ("confirmed", second)
    assert list(
        AuditEntry.objects.filter(content_type__model="scalechangerequest")
        .order_by("id")
        .values_list("action", "actor_id")
    ) == [("created", first.pk), ("decided", second.pk)]


def test_a_taken_rank_is_a_field_error_and_nothing_is_asked():
    _user, client = staff_client()
    response = client.post(
        reverse("ops:scale"),
        {"level": "", "name": "Secret", "rank": level("Restricted").rank, "audience": "named"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["rank"]
    assert ScaleChangeRequest.objects.count() == 0


def test_the_admin_shows_levels_read_only():
    before = scale_row()
    _user, client = staff_client()
    public = level("Public")
    change = reverse("admin:dialogues_confidentialitylevel_change", args=[public.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"name": "Public", "rank": 0, "audience": "named"})
    assert response.status_code == 403
    assert client.get(reverse("admin:dialogues_confidentialitylevel_add")).status_code == 403
    assert scale_row() == before
