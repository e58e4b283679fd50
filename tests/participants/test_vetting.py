"""Vetting: screening raises possible matches, admins decide them and the case with four eyes,
"not the same person" is remembered, and only admins ever see any of it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participants.models import (
    MatchDismissal,
    Membership,
    VettingCase,
)
from participants.vetting.services import (
    cases_to_screen,
    membership_nominate,
    possible_match_decide,
    screen_cases,
    vetting_case_decide,
    vetting_case_open,
)
from tests.conftest import enable_mfa, sign_in
from tests.factories import DialogueFactory, PersonFactory, UserFactory, level
from tests.world import designation_entry, member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
S = VettingCase.Status


@pytest.fixture
def team(db):
    dialogue = DialogueFactory(title="Salt River")
    facilitator = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    admin = UserFactory(email="admin@example.org", is_staff=True)
    other_admin = UserFactory(email="admin2@example.org", is_staff=True)
    return {
        "dialogue": dialogue,
        "facilitator": facilitator,
        "admin": admin,
        "other_admin": other_admin,
    }


def nominate(team, full_name, *, by=None, **person):
    membership = membership_nominate(
        person=PersonFactory(full_name=full_name, **person),
        dialogue=team["dialogue"],
        role=Membership.Role.PARTICIPANT,
        clearance=level("Participants"),
        nominated_by=by or team["facilitator"].person.user,
    )
    return membership.vetting_case


def screen(case):
    return screen_cases([VettingCase.objects.select_related("membership__person").get(pk=case.pk)])[
        case.pk
    ]


def test_nomination_opens_a_pending_case(team):
    case = nominate(team, "Leila Nasrawi")
    assert (case.status, case.membership.state) == (S.PENDING, Membership.State.NOMINATED)


def test_a_reordered_transliterated_alias_is_raised_with_its_explanation(team):
    entry = designation_entry(
        reference="QDi.901",
        name="Abd al-Rahman Yusuf Haddad",
        aliases=["Abdulrahman Haddad"],
        birth_years=[1971],
        script="عبد الرحمن يوسف حداد",
    )
    case = nominate(team, "Haddad Abdul Rahman", date_of_birth=datetime.date(1971, 5, 2))
    assert screen(case) == 1
    match = case.matches.get()
    assert match.entry == entry
    assert match.score >= 0.70
    assert match.explanation  # human-readable lines
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW


def test_a_similar_name_with_a_disjoint_birth_year_is_not_raised(team):
    designation_entry(reference="QDi.902", name="Samir Haddani", birth_years=[1948])
    case = nominate(team, "Samira Hadani", date_of_birth=datetime.date(1990, 1, 1))
    assert screen(case) == 0
    assert case.matches.count() == 0


def test_cyrillic_names_match_their_latin_transliteration(team):
    designation_entry(reference="RU.77", name="Dmitriy Sergeyevich Volkov", birth_years=[1965])
    case = nominate(team, "Дмитрий Волков", date_of_birth=datetime.date(1965, 3, 3))
    assert screen(case) == 1


def test_four_eyes_the_nominator_cannot_decide(team):
    staff_nominator = team["admin"]
    case = nominate(team, "Nadia Farouk", by=staff_nominator)
    with pytest.raises(ValidationError, match="Four eyes"):
        vetting_case_decide(
            case=case, decision=S.CLEARED, reason="Known to us.", by=staff_nominator
        )
    case.refresh_from_db()
    assert (case.status, case.membership.state) == (S.PENDING, Membership.State.NOMINATED)
    vetting_case_decide(
        case=case, decision=S.CLEARED, reason="Known to us.", by=team["other_admin"]
    )
    case.refresh_from_db()
    assert (case.status, case.membership.state) == (S.CLEARED, Membership.State.CLEARED)


def test_only_admins_decide(team):
    case = nominate(team, "Nadia Farouk")
    with pytest.raises(ValidationError, match="Only the organisation's admins"):
        vetting_case_decide(
            case=case, decision=S.CLEARED, reason="x", by=team["facilitator"].person.user
        )


def test_a_decision_needs_a_reason_and_conditions_need_saying(team):
    case = nominate(team, "Nadia Farouk")
    with pytest.raises(ValidationError) as raised:
        vetting_case_decide(
            case=case, decision=S.CLEARED_WITH_CONDITIONS, reason=" ", by=team["admin"]
        )
    assert set(raised.value.message_dict) == {"reason", "conditions"}


def test_no_clearing_while_a_possible_match_is_open(team):
    designation_entry(reference="QDi.903", name="Yusuf Karimov")
    case = nominate(team, "Yusuf Karimov")
    screen(case)
    with pytest.raises(ValidationError, match="Decide every possible match first"):
        vetting_case_decide(case=case, decision=S.CLEARED, reason="Looks fine.", by=team["admin"])
    # Rejecting is possible at any time.
    vetting_case_decide(case=case, decision=S.REJECTED, reason="Same person.", by=team["admin"])
    case.refresh_from_db()
    assert case.membership.state == Membership.State.REJECTED


def test_cleared_with_conditions_shows_the_conditions_to_facilitators(team, client):
    case = nominate(team, "Nadia Farouk")
    vetting_case_decide(
        case=case,
        decision=S.CLEARED_WITH_CONDITIONS,
        reason="Journalist: consent to the ground rules in writing.",
        conditions="Not to be told the venue before arrival.",
        by=team["admin"],
    )
    user = team["facilitator"].person.user
    enable_mfa(user)
    sign_in(client, user)
    # On the Roster tab (the dialogue's page no longer repeats the roster).
    page = client.get(reverse("dialogues:roster", args=[team["dialogue"].pk]))
    content = page.content.decode()
    assert "Conditions: <bdi>Not to be told the venue before arrival.</bdi>" in content
    assert "Journalist: consent" not in content  # the reason stays with the admins


def test_not_the_same_person_is_not_raised_again_unless_the_entry_changes(team):
    entry = designation_entry(reference="QDi.904", name="Yusuf Karimov", birth_years=[1950])
    case = nominate(team, "Yusuf Karimov")
    screen(case)
    match = case.matches.get()
    possible_match_decide(
        match=match,
        same_person=False,
        note="Born 1981 in Valdera; passport seen.",
        by=team["admin"],
    )
    assert MatchDismissal.objects.count() == 1
    assert screen(case) == 0
    assert list(case.matches.values_list("status", flat=True)) == ["not_same_person"]
    # A new version of the list with the same entry unchanged: still not raised.
    new_version(entry, fingerprint=entry.fingerprint)
    assert screen(case) == 0
    # A new version in which the entry changed: raised again, for a human to look at.
    new_version(entry, fingerprint="f" * 64, birth_years=[1981])
    assert screen(case) == 1
    assert sorted(case.matches.values_list("status", flat=True)) == ["not_same_person", "open"]


def new_version(entry, *, fingerprint, birth_years=(1950,)):
    from participants.models import DesignationEntry, DesignationListVersion

    designation_list = entry.version.designation_list
    version = DesignationListVersion.objects.create(
        designation_list=designation_list,
        number=designation_list.versions.count() + 1,
        source_names="test.csv",
        sha256="1" * 64,
    )
    DesignationEntry.objects.create(
        version=version,
        reference=entry.reference,
        name=entry.name,
        birth_dates=[{"year_from": y, "year_to": y, "date": ""} for y in birth_years],
        fingerprint=fingerprint,
    )
    designation_list.current_version = version
    designation_list.save(update_fields=["current_version"])


def test_only_admins_see_vetting(team, client):
    designation_entry(reference="QDi.905", name="Yusuf Karimov")
    case = nominate(team, "Yusuf Karimov")
    screen(case)
    match = case.matches.get()
    urls = [
        ("get", reverse("vetting:queue")),
        ("get", reverse("vetting:case", args=[case.pk])),
        ("get", reverse("vetting:check") + "?name=Yusuf+Karimov"),
        ("post", reverse("vetting:case_decide", args=[case.pk])),
        ("post", reverse("vetting:match_decide", args=[case.pk, match.pk])),
    ]
    facilitator = team["facilitator"].person.user
    enable_mfa(facilitator)
    participant = member_with_account(dialogue=team["dialogue"]).person.user
    for user in (facilitator, participant):
        sign_in(client, user)
        statuses = [
            getattr(client, method)(
                url,
                {"decision": "cleared", "reason": "x", "verdict": "not_same_person", "note": "x"},
            ).status_code
            for method, url in urls
        ]
        assert statuses == [404] * len(urls)
    client.logout()
    assert client.get(reverse("vetting:queue")).status_code == 302
    case.refresh_from_db()
    match.refresh_from_db()
    assert (case.status, match.status) == (S.IN_REVIEW, "open")


def test_admin_decides_a_case_through_the_pages(team, client):
    designation_entry(reference="QDi.906", name="Yusuf Karimov", remarks="Financier, born 1950.")
    case = nominate(team, "Yusuf Karimov", date_of_birth=datetime.date(1981, 6, 1))
    assert screen(case) == 1
    admin = team["admin"]
    enable_mfa(admin)
    sign_in(client, admin)
    queue = client.get(reverse("vetting:queue"))
    assert [c.pk for c in queue.context["cases"]] == [case.pk]
    page = client.get(reverse("vetting:case", args=[case.pk]))
    assert page.status_code == 200
    assert b"QDi.906" in page.content
    match = case.matches.get()
    response = client.post(
        reverse("vetting:match_decide", args=[case.pk, match.pk]),
        {
            "verdict": "not_same_person",
            "note": "Different generation: born 1981, remarks say 1950.",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("vetting:case_decide", args=[case.pk]),
        {"decision": "cleared", "reason": "Only possible match ruled out.", "jurisdictions": "CH"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.membership.state, case.jurisdictions) == (
        S.CLEARED,
        Membership.State.CLEARED,
        "CH",
    )
    actions = list(
        AuditEntry.objects.filter(actor=admin).values_list("action", "content_type__model")
    )
    assert actions == [
        ("decided", "vettingcase"),
        ("decided", "possiblematch"),
        ("viewed", "vettingcase"),
    ]


def test_a_rejected_decision_is_refused_without_reason_on_the_page(team, client):
    case = nominate(team, "Nadia Farouk")
    admin = team["admin"]
    enable_mfa(admin)
    sign_in(client, admin)
    response = client.post(reverse("vetting:case_decide", args=[case.pk]), {"decision": "rejected"})
    assert response.status_code == 400
    assert response.context["decision_form"].errors["reason"] == ["This field is required."]
    case.refresh_from_db()
    assert case.status == S.PENDING


def test_everyone_active_is_screened_but_not_the_rejected(team):
    kept = nominate(team, "Nadia Farouk")
    gone = nominate(team, "Yusuf Karimov")
    vetting_case_decide(case=gone, decision=S.REJECTED, reason="Withdrawn.", by=team["admin"])
    assert [c.pk for c in cases_to_screen()] == [kept.pk]


def test_opening_twice_keeps_one_case(team):
    case = nominate(team, "Nadia Farouk")
    assert vetting_case_open(membership=case.membership) == case
    assert VettingCase.objects.filter(membership=case.membership).count() == 1


@pytest.mark.parametrize("size", [2, 25])
def test_queue_query_count_does_not_grow(team, client, django_assert_num_queries, size):
    designation_entry(reference="QDi.907", name="Yusuf Karimov")
    for n in range(size):
        screen(nominate(team, f"Yusuf Karimov {n}"))
    admin = team["admin"]
    enable_mfa(admin)
    sign_in(client, admin)
    client.get(reverse("vetting:queue"))
    # One more than before the queue had pages (issue 16): the paginator's count.
    with django_assert_num_queries(6):
        response = client.get(reverse("vetting:queue"))
    assert len(response.context["cases"]) == size


@pytest.mark.parametrize("size", [1, 12])
def test_case_page_query_count_does_not_grow(team, client, django_assert_num_queries, size):
    for n in range(size):
        designation_entry(reference=f"QDi.{n}", name="Yusuf Karimov", aliases=[f"Y. Karimov {n}"])
    case = nominate(team, "Yusuf Karimov")
    screen(case)
    admin = team["admin"]
    enable_mfa(admin)
    sign_in(client, admin)
    client.get(reverse("vetting:case", args=[case.pk]))
    with django_assert_num_queries(7):
        response = client.get(reverse("vetting:case", args=[case.pk]))
    assert len(response.context["matches"]) == size


def test_nominating_queues_screening_once_committed(team, django_capture_on_commit_callbacks):
    designation_entry(reference="QDi.908", name="Omar Khalil al-Haddad", birth_years=[1962])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = nominate(team, "Omar Haddad", date_of_birth=datetime.date(1962, 2, 2))
    assert len(callbacks) == 1
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW
    assert list(case.matches.values_list("entry__reference", flat=True)) == ["QDi.908"]


def test_an_import_rescreens_everyone_active(team, django_capture_on_commit_callbacks, tmp_path):
    import io

    from django.core.management import call_command

    case = nominate(team, "Viktor Belov")
    listed = tmp_path / "own.csv"
    listed.write_text(
        "name,aliases,date_of_birth,nationality,reference,note\n"
        "Viktor Belov,,1955,,OWN-3,arms broker\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "import_designations",
            "--format",
            "csv",
            "--list",
            "Own",
            str(listed),
            stdout=io.StringIO(),
        )
    assert list(case.matches.values_list("entry__reference", flat=True)) == ["OWN-3"]


def test_screening_runs_nightly():
    from trackii.celery import app

    assert app.conf.beat_schedule["screening-nightly"]["task"] == "participants.screen_all"


def test_the_name_check_page_for_admins(team, client):
    designation_entry(reference="QDi.909", name="Viktor Belov", birth_years=[1955])
    admin = team["admin"]
    enable_mfa(admin)
    sign_in(client, admin)
    page = client.get(reverse("vetting:check"), {"name": "Belov Viktor", "dob": "1955"})
    assert [hit.entry.reference for hit in page.context["hits"]] == ["QDi.909"]
    bad = client.get(reverse("vetting:check"), {"name": "X", "dob": "55"})
    assert bad.context["form"].errors["dob"] == ["Write the year (1970) or the date (1970-03-12)."]


def test_a_member_found_on_a_list_later_can_be_rejected(team):
    from participants.services import membership_transition

    case = nominate(team, "Viktor Belov")
    vetting_case_decide(case=case, decision=S.CLEARED, reason="Nothing found.", by=team["admin"])
    membership = Membership.objects.get(pk=case.membership_id)
    membership_transition(membership=membership, to=Membership.State.INVITED)
    membership_transition(membership=membership, to=Membership.State.ACCEPTED)
    designation_entry(reference="NEW-1", name="Viktor Belov")
    assert screen(case) == 1
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW  # back with the admins
    vetting_case_decide(case=case, decision=S.REJECTED, reason="Listed since.", by=team["admin"])
    membership.refresh_from_db()
    assert membership.state == Membership.State.REJECTED
