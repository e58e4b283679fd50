"""View as (issue 17): the convening team sees a dialogue's pages as one of its members would,
showing only what both may see; GET only, nothing written, downloaded or accepted, no secret,
every page audited under the real person with the member viewed as.

The world holds material that would leak: a Restricted session, item, paper and outcome named
on the convenor alone; a Restricted item named on the participant alone and one named on both;
Facilitators material; a draft session; and a second dialogue where the convenor and the
participant are members too."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dialogues import selectors
from dialogues.confidentiality import (
    Viewer,
    assignable_roles,
    can_change_membership,
    can_plan,
    can_read_copy,
    can_record,
    can_see_attendees,
    can_see_roster,
    grantable_levels,
    published_to_compare,
    readable_levels,
    rule_key,
    viewer_as,
    viewer_for_user,
    visible,
    visible_in_session,
    visible_session,
)
from dialogues.models import (
    BriefingPack,
    BriefingPackCopy,
    Dialogue,
    Document,
    Outcome,
    PublishedAgendaItem,
    Session,
)
from dialogues.viewas.middleware import READING_PAGES
from dialogues.viewas.selectors import SESSION_KEY
from participants.models import Membership
from participants.services import membership_update
from tests.world import (
    agenda_item,
    attend,
    dialogue,
    ground_rules_accepted,
    level,
    member_with_account,
    membership,
    outcome,
    paper,
    publish,
    session,
)
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

R = Membership.Role
RULES = "Ground rules of Salt River: what is said here is used, never attributed."


def soon(days: int) -> dict:
    start = timezone.now() + timedelta(days=days)
    return {"start": start, "end": start + timedelta(hours=8)}


@pytest.fixture
def w(db):
    salt = dialogue(title="Salt River", ground_rules=RULES)
    convenor = member_with_account(dialogue=salt, role=R.CONVENOR, clearance="Restricted")
    cofac = member_with_account(dialogue=salt, role=R.FACILITATOR, clearance="Facilitators")
    participant = member_with_account(dialogue=salt, clearance="Participants")
    pending = member_with_account(dialogue=salt, clearance="Participants")  # rules not accepted
    nominee = member_with_account(
        dialogue=salt, clearance="Restricted", state=Membership.State.NOMINATED
    )
    ground_rules_accepted(participant)
    you, them = convenor.person, participant.person

    # The convenor alone is named on the Restricted session: and it is the next one.
    back = session(salt, title="SNT-BACK-CHANNEL", level="Restricted", readers=[you], **soon(3))
    agenda_item(back, title="SNT-BACK-ITEM", level="Restricted", readers=[you])
    publish(back)
    round_1 = session(salt, title="Round 1", level="Public", attendees=[participant], **soon(10))
    agenda_item(round_1, title="Open item", level="Public")
    agenda_item(round_1, title="SNT-FAC-ITEM", level="Facilitators")
    agenda_item(round_1, title="SNT-YOURS-ITEM", level="Restricted", readers=[you])
    agenda_item(round_1, title="SNT-THEIRS-ITEM", level="Restricted", readers=[them])
    agenda_item(round_1, title="Ours item", level="Restricted", readers=[you, them])
    publish(round_1)
    draft = session(salt, title="SNT-DRAFT", level="Public", status="draft", **soon(20))
    attend([participant], [draft])

    paper(salt, title="Open paper", level="Programme")
    paper(salt, title="SNT-FAC-PAPER", level="Facilitators")
    paper(salt, title="SNT-YOURS-PAPER", level="Restricted", readers=[you])
    paper(salt, title="SNT-THEIRS-PAPER", level="Restricted", readers=[them])
    paper(salt, title="SNT-BACK-PAPER", level="Public", session=back)
    paper(salt, title="Round paper", level="Participants", session=round_1)

    outcome(round_1, summary="Open outcome", level="Public", speakers=[them])
    outcome(round_1, summary="SNT-FAC-OUTCOME", level="Facilitators")
    outcome(round_1, summary="SNT-YOURS-OUTCOME", level="Restricted", readers=[you])
    outcome(back, summary="SNT-BACK-OUTCOME", level="Public")

    # Another dialogue both the convenor and the participant are members of.
    coast = dialogue(title="SNT-COASTAL")
    membership(person=you, dialogue=coast, role=R.CONVENOR, clearance="Restricted")
    membership(person=them, dialogue=coast, clearance="Restricted")
    session(coast, title="SNT-HARBOUR", level="Public", **soon(5))
    paper(coast, title="SNT-COAST-PAPER", level="Public")
    return {
        "salt": salt,
        "coast": coast,
        "convenor": convenor,
        "cofac": cofac,
        "participant": participant,
        "pending": pending,
        "nominee": nominee,
        "back": back,
        "round_1": round_1,
        "draft": draft,
    }


def url(name: str, *args) -> str:
    return reverse(f"dialogues:{name}", args=args)


def start(client, member: Membership):
    """Start viewing the member's dialogue as them (the confirmation page, then its POST)."""
    start_url = url("view_as_start", member.dialogue_id, member.pk)
    assert client.get(start_url).status_code == 200
    return client.post(start_url)


def user_of(member: Membership):
    return member.person.user


def reading_pages(w) -> dict[str, str]:
    salt = w["salt"].pk
    return {
        "overview": url("dialogue_detail", salt),
        "sessions": url("sessions", salt),
        "round 1": url("session_detail", salt, w["round_1"].pk),
        "papers": url("documents", salt),
        "outcomes": url("outcomes", salt),
    }


def leaks(content: bytes) -> set[str]:
    """The sentinels a page holds (SNT-... strings)."""
    return set(re.findall(r"SNT-[A-Z-]+[A-Z]", content.decode()))


def titles(rows) -> list[str]:
    return sorted(getattr(row, "title", None) or row.summary for row in rows)


# -- the done-when tests --------------------------------------------------------------------------


def test_a_cofacilitator_viewing_as_the_convenor_sees_nothing_above_their_own_clearance(w, login):
    # The convenor's own pages hold every sentinel: the data to leak is there.
    own = login(w["convenor"])
    seen = set().union(*(leaks(own.get(page).content) for page in reading_pages(w).values()))
    assert {
        "SNT-BACK-CHANNEL",
        "SNT-FAC-ITEM",
        "SNT-YOURS-ITEM",
        "SNT-FAC-PAPER",
        "SNT-YOURS-PAPER",
        "SNT-FAC-OUTCOME",
        "SNT-YOURS-OUTCOME",
        "SNT-BACK-OUTCOME",
        "SNT-DRAFT",
    } <= seen
    client = login(w["cofac"])
    assert start(client, w["convenor"]).status_code == 302
    pages = reading_pages(w)
    answers = {name: client.get(page) for name, page in pages.items()}
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(pages, 200)
    # The co-facilitator is cleared to Facilitators: nothing Restricted, whoever it names. The
    # convening team's own (the draft, Facilitators material) both may see.
    assert {name: leaks(r.content) for name, r in answers.items()} == {
        "overview": set(),
        "sessions": {"SNT-DRAFT"},
        "round 1": {"SNT-FAC-ITEM", "SNT-FAC-OUTCOME"},
        "papers": {"SNT-FAC-PAPER", "SNT-DRAFT"},  # the draft among the sessions to filter by
        "outcomes": {"SNT-FAC-OUTCOME"},
    }
    # The overview's next session is the one both may see, not the convenor's Restricted one.
    assert answers["overview"].context["next_session"] == w["round_1"]
    assert titles(answers["sessions"].context["sessions"]) == ["Round 1", "SNT-DRAFT"]
    assert titles(answers["round 1"].context["published_items"]) == ["Open item", "SNT-FAC-ITEM"]
    assert titles(answers["papers"].context["documents"]) == [
        "Open paper",
        "Round paper",
        "SNT-FAC-PAPER",
    ]
    assert titles(answers["outcomes"].context["outcomes"]) == ["Open outcome", "SNT-FAC-OUTCOME"]
    back = client.get(url("session_detail", w["salt"].pk, w["back"].pk))
    assert back.status_code == 404


def test_viewing_as_a_participant_never_shows_restricted_material_not_naming_both(w, login):
    client = login(w["convenor"])
    assert start(client, w["participant"]).status_code == 302
    pages = reading_pages(w)
    answers = {name: client.get(page) for name, page in pages.items()}
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(pages, 200)
    # Restricted material named on the convenor alone, or on the participant alone: neither.
    # Named on both: shown. Facilitators material and the draft: the participant's no.
    assert {name: leaks(r.content) for name, r in answers.items()} == {key: set() for key in pages}
    assert titles(answers["sessions"].context["sessions"]) == ["Round 1"]
    assert titles(answers["round 1"].context["published_items"]) == ["Open item", "Ours item"]
    assert titles(answers["papers"].context["documents"]) == ["Open paper", "Round paper"]
    assert titles(answers["outcomes"].context["outcomes"]) == ["Open outcome"]
    # The participant is no recorder: no attributed record, no speaker.
    assert answers["round 1"].context["can_record"] is False
    assert answers["overview"].context["todos"] is None
    # The convening team's pages are not theirs: 404, as for the participant.
    salt = w["salt"].pk
    assert [client.get(url(name, salt)).status_code for name in ("roster", "pack_list")] == [
        404,
        404,
    ]
    # Planning pages are forms: refused in this mode, whoever is viewed as.
    for page in (
        url("agenda_edit", salt, w["round_1"].pk),
        url("session_edit", salt, w["round_1"].pk),
        url("session_create", salt),
        url("dialogue_edit", salt),
    ):
        refused = client.get(page)
        assert (refused.status_code, leaks(refused.content)) == (403, set()), page
    # A session the participant may not see: 404, as for them.
    assert client.get(url("session_detail", salt, w["back"].pk)).status_code == 404
    assert client.get(url("session_detail", salt, w["draft"].pk)).status_code == 404


def test_the_members_other_dialogues_are_invisible(w, login):
    client = login(w["convenor"])
    start(client, w["participant"])
    coast = w["coast"].pk
    for page in (url("dialogue_detail", coast), url("sessions", coast), url("documents", coast)):
        answer = client.get(page)
        assert (answer.status_code, leaks(answer.content)) == (403, set())
    # The home page leads to the dialogue viewed: no list of anyone's dialogues.
    home = client.get(reverse("home"))
    assert (home.status_code, home["Location"]) == (302, url("dialogue_detail", w["salt"].pk))
    # As the rules see it: one dialogue, its sessions both see, nothing of the other's.
    real = viewer_for_user(user_of(w["convenor"]))
    both = viewer_as(real, dialogue_id=w["salt"].pk, membership_id=w["participant"].pk)
    assert list(visible(both, Dialogue)) == [w["salt"]]
    assert titles(visible(both, Session)) == ["Round 1"]
    assert titles(visible(both, Document, dialogue_id=coast)) == []
    assert sorted(both.grants) == [w["salt"].pk]
    assert not can_plan(both, coast)


# -- the rules of the viewer ----------------------------------------------------------------------


def test_every_rule_answers_for_both(w):
    cofac = viewer_for_user(user_of(w["cofac"]))
    convenor = viewer_for_user(user_of(w["convenor"]))
    salt = w["salt"]
    as_convenor = viewer_as(cofac, dialogue_id=salt.pk, membership_id=w["convenor"].pk)
    as_participant = viewer_as(convenor, dialogue_id=salt.pk, membership_id=w["participant"].pk)
    assert as_convenor is not None
    assert as_participant is not None
    # The stricter grant, for code that reads one, names nobody.
    meet = as_convenor.grant(salt.pk)
    assert (meet.clearance_rank, meet.convening, meet.convenor, meet.person_id) == (
        level("Facilitators").rank,
        True,
        False,
        None,
    )
    assert [lv.name for lv in readable_levels(as_convenor, salt.pk)] == [
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
        "Restricted",  # the co-facilitator may be named, and so may the convenor
    ]
    assert [lv.name for lv in readable_levels(as_participant, salt.pk)] == [
        "Public",
        "Programme",
        "Participants",
        "Restricted",
    ]
    assert [lv.name for lv in grantable_levels(as_convenor, salt.pk)] == [
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
    ]
    assert list(grantable_levels(as_participant, salt.pk)) == []
    # The convenor's roles are not the co-facilitator's: only what both may give.
    assert assignable_roles(as_convenor, salt.pk) == assignable_roles(cofac, salt.pk)
    assert assignable_roles(as_participant, salt.pk) == []
    assert not can_change_membership(as_convenor, w["cofac"])  # the co-facilitator's own
    assert can_change_membership(as_convenor, w["participant"])
    assert (can_plan(as_convenor, salt.pk), can_plan(as_participant, salt.pk)) == (True, False)
    assert (can_record(as_convenor, salt.pk), can_record(as_participant, salt.pk)) == (True, False)
    assert (can_see_roster(as_convenor, salt), can_see_roster(as_participant, salt)) == (
        True,
        False,
    )
    round_1 = Session.objects.select_related("dialogue").get(pk=w["round_1"].pk)
    assert can_see_attendees(as_participant, round_1)  # the participant attends it
    back = Session.objects.select_related("dialogue").get(pk=w["back"].pk)
    assert can_see_attendees(convenor, back)
    assert not can_see_attendees(as_participant, back)  # the participant does not attend it
    pack = BriefingPack.objects.create(dialogue=salt, requested_by=user_of(w["convenor"]))
    copy = BriefingPackCopy(pack=pack, clearance=level("Restricted"))
    assert can_read_copy(convenor, copy)
    as_cofac = viewer_as(convenor, dialogue_id=salt.pk, membership_id=w["cofac"].pk)
    assert not can_read_copy(as_cofac, copy)


def test_the_rule_key_of_a_view_as_is_nobody_elses(w):
    salt = w["salt"].pk
    cofac = viewer_for_user(user_of(w["cofac"]))
    convenor = viewer_for_user(user_of(w["convenor"]))
    as_convenor = viewer_as(cofac, dialogue_id=salt, membership_id=w["convenor"].pk)
    as_cofac = viewer_as(convenor, dialogue_id=salt, membership_id=w["cofac"].pk)
    keys = [rule_key(v, salt) for v in (cofac, convenor, as_convenor, as_cofac)]
    assert len(set(keys)) == 4
    # The same two people, the same key (so a query built once is shared only by them).
    again = viewer_as(
        viewer_for_user(user_of(w["cofac"])), dialogue_id=salt, membership_id=w["convenor"].pk
    )
    assert rule_key(again, salt) == rule_key(as_convenor, salt)
    # A query the convenor built once is never handed to the co-facilitator viewing as them.
    dialogue_row = Dialogue.objects.get(pk=salt)
    assert selectors.next_session_for(viewer=convenor, dialogue=dialogue_row) == w["back"]
    assert selectors.next_session_for(viewer=as_convenor, dialogue=dialogue_row) == w["round_1"]
    assert selectors.next_session_for(viewer=convenor, dialogue=dialogue_row) == w["back"]


def test_a_session_decided_for_one_person_is_asked_again_for_both(w):
    salt = w["salt"].pk
    convenor = viewer_for_user(user_of(w["convenor"]))
    both = viewer_as(convenor, dialogue_id=salt, membership_id=w["participant"].pk)
    back_for_convenor = visible_session(convenor, Session.objects.all(), session_id=w["back"].pk)
    items = PublishedAgendaItem.objects.all()
    assert titles(
        visible_in_session(convenor, items, dialogue_id=salt, session=back_for_convenor)
    ) == ["SNT-BACK-ITEM"]
    # Decided for the convenor, not for the two: the participant's rules are asked again.
    assert list(visible_in_session(both, items, dialogue_id=salt, session=back_for_convenor)) == []
    assert list(published_to_compare(both, items, session=back_for_convenor)) == []
    with pytest.raises(Session.DoesNotExist):
        visible_session(both, Session.objects.all(), session_id=w["back"].pk)
    # Decided for the two: each one's rules below the session still apply.
    round_1 = visible_session(both, Session.objects.all(), session_id=w["round_1"].pk)
    assert titles(visible_in_session(both, items, dialogue_id=salt, session=round_1)) == [
        "Open item",
        "Ours item",
    ]
    outcomes = visible_in_session(both, Outcome.objects.all(), dialogue_id=salt, session=round_1)
    assert titles(outcomes) == ["Open outcome"]


def test_nobody_views_as_themselves_someone_not_accepted_or_from_another_dialogue(w):
    salt = w["salt"].pk
    convenor = viewer_for_user(user_of(w["convenor"]))
    participant = viewer_for_user(user_of(w["participant"]))
    assert viewer_as(convenor, dialogue_id=salt, membership_id=w["convenor"].pk) is None
    assert viewer_as(convenor, dialogue_id=salt, membership_id=w["nominee"].pk) is None
    assert viewer_as(participant, dialogue_id=salt, membership_id=w["cofac"].pk) is None
    other = Membership.objects.get(dialogue=w["coast"], person=w["participant"].person)
    assert viewer_as(convenor, dialogue_id=salt, membership_id=other.pk) is None
    both = viewer_as(convenor, dialogue_id=salt, membership_id=w["participant"].pk)
    assert viewer_as(both, dialogue_id=salt, membership_id=w["cofac"].pk) is None  # no nesting
    assert isinstance(both, Viewer)
    assert both.viewing_as is not None


# -- entering, leaving ----------------------------------------------------------------------------


def test_only_the_convening_team_starts_it_and_only_for_an_accepted_member(w, login):
    salt = w["salt"].pk

    def answers(who, member) -> tuple[int, int]:
        client = login(who)
        target = url("view_as_start", salt, member.pk)
        return client.get(target).status_code, client.post(target).status_code

    assert answers(w["participant"], w["cofac"]) == (404, 404)
    outsider = member_with_account(dialogue=w["coast"], clearance="Restricted")
    assert answers(outsider, w["participant"]) == (404, 404)
    assert answers(w["cofac"], w["cofac"]) == (404, 404)  # not as oneself
    assert answers(w["cofac"], w["nominee"]) == (404, 404)
    coast_member = Membership.objects.get(dialogue=w["coast"], person=w["participant"].person)
    assert answers(w["convenor"], coast_member) == (404, 404)  # another dialogue's, through this
    assert AuditEntry.objects.filter(detail__view_as="started").count() == 0


def test_the_roster_offers_it_for_accepted_members_other_than_oneself(w, login):
    client = login(w["cofac"])
    roster = client.get(url("roster", w["salt"].pk))
    offered = {m.pk for m in roster.context["members"] if m.viewable_as}
    assert offered == {w["convenor"].pk, w["participant"].pk, w["pending"].pk}
    salt = w["salt"].pk
    for member in (w["convenor"], w["participant"], w["pending"]):
        assert url("view_as_start", salt, member.pk).encode() in roster.content
    assert url("view_as_start", salt, w["nominee"].pk).encode() not in roster.content


def test_starting_and_stopping_are_audited_and_the_banner_stays_until_stopped(w, login):
    client = login(w["cofac"])
    confirm = client.get(url("view_as_start", w["salt"].pk, w["convenor"].pk))
    assert b"Start viewing as" in confirm.content
    assert b"has not accepted" not in confirm.content
    started = client.post(url("view_as_start", w["salt"].pk, w["convenor"].pk))
    assert started["Location"] == url("dialogue_detail", w["salt"].pk)
    assert client.session[SESSION_KEY] == {
        "dialogue": w["salt"].pk,
        "membership": w["convenor"].pk,
    }
    page = client.get(url("dialogue_detail", w["salt"].pk)).content.decode()
    name = w["convenor"].person.full_name
    banner = re.search(r'<div class="view-as" role="status">.*?</div>\s*</div>', page, re.S)
    assert banner is not None
    assert (
        f"Viewing Trackii as <strong><bdi>{name}</bdi></strong> in "
        "<strong><bdi>Salt River</bdi></strong>" in page
    )
    # The forms of a page in this mode: signing out (the account menu) and the banner's.
    assert re.findall(r'<form method="post" action="([^"]+)"', page) == [
        reverse("account_logout"),
        url("view_as_stop"),
    ]
    stopped = client.post(url("view_as_stop"))
    assert stopped["Location"] == url("roster", w["salt"].pk)
    assert SESSION_KEY not in client.session
    back = client.get(url("session_detail", w["salt"].pk, w["round_1"].pk))
    assert b'class="view-as"' not in back.content
    decided = AuditEntry.objects.filter(detail__has_key="view_as").order_by("pk")
    assert [(e.actor, e.object_id, e.dialogue_id, e.detail) for e in decided] == [
        (user_of(w["cofac"]), str(w["convenor"].pk), w["salt"].pk, {"view_as": "started"}),
        (user_of(w["cofac"]), str(w["convenor"].pk), w["salt"].pk, {"view_as": "stopped"}),
    ]
    # Not in the mode: stopping does nothing.
    assert client.post(url("view_as_stop"))["Location"] == reverse("home")


def test_it_ends_when_no_longer_allowed(w, login):
    client = login(w["cofac"])
    start(client, w["participant"])
    # Through the service (a queryset's update() would pass the viewers kept in the cache by).
    cofac = Membership.objects.get(pk=w["cofac"].pk)
    membership_update(
        membership=cofac, side=cofac.side, role=R.PARTICIPANT, clearance=cofac.clearance
    )
    answer = client.get(url("dialogue_detail", w["salt"].pk))
    assert (answer.status_code, answer["Location"]) == (302, reverse("home"))
    assert SESSION_KEY not in client.session
    ended = AuditEntry.objects.filter(detail__has_key="view_as").latest("pk")
    assert ended.detail == {"view_as": "ended: no longer allowed"}


def test_signing_out_ends_it_and_says_so(w, login):
    client = login(w["cofac"])
    start(client, w["participant"])
    assert client.post(reverse("account_logout")).status_code == 302
    assert SESSION_KEY not in client.session
    ended = AuditEntry.objects.filter(detail__has_key="view_as").latest("pk")
    assert (ended.actor, ended.object_id, ended.detail) == (
        user_of(w["cofac"]),
        str(w["participant"].pk),
        {"view_as": "ended: signed out"},
    )


# -- nothing but reading --------------------------------------------------------------------------


def test_every_write_is_refused_and_nothing_is_written(w, login):
    client = login(w["convenor"])
    start(client, w["cofac"])
    salt, round_1 = w["salt"].pk, w["round_1"].pk
    doc = Document.objects.get(title="Open paper")
    out = Outcome.objects.get(summary="Open outcome")
    before = AuditEntry.objects.count()
    writes = [
        (url("session_status", salt, round_1), {"action": "cancel"}),
        (url("agenda_publish", salt, round_1), {}),
        (url("document_delete", salt, doc.pk), {}),
        (url("outcome_delete", salt, round_1, out.pk), {}),
        (url("dialogue_edit", salt), {"title": "Renamed"}),
        (url("roster", salt), {"action": "bulk", "bulk_action": "invite"}),
        (url("ground_rules", salt), {"version": "1"}),
        (url("view_as_start", salt, w["participant"].pk), {}),
        (url("dialogue_detail", salt), {}),
        (reverse("calendar_address_renew"), {}),
    ]
    for target, data in writes:
        answer = client.post(target, data)
        assert answer.status_code == 403, target
        assert b"Nothing can be changed" in answer.content
    assert AuditEntry.objects.count() == before
    assert Session.objects.get(pk=round_1).status == "published"
    assert Document.objects.filter(pk=doc.pk).exists()
    assert Outcome.objects.filter(pk=out.pk).exists()
    assert Dialogue.objects.get(pk=salt).title == "Salt River"
    assert client.session[SESSION_KEY]["membership"] == w["cofac"].pk  # still viewing as them


def test_downloads_and_secrets_are_refused(w, login):
    convenor = w["convenor"]
    user = user_of(convenor)
    user.calendar_secret = "SNT-SECRET-FEED"
    user.save(update_fields=["calendar_secret"])
    client = login(convenor)
    start(client, w["cofac"])
    salt = w["salt"].pk
    doc = Document.objects.get(title="Open paper")
    doc.file.save("open.txt", ContentFile(b"open"), save=True)
    for target in (
        url("document_download", salt, doc.pk),
        url("agenda_pdf", salt, w["round_1"].pk),
        reverse("calendar_feed", args=[user.calendar_secret]),
    ):
        answer = client.get(target)
        assert (answer.status_code, b"Nothing can be downloaded" in answer.content) == (403, True)
    for target in (
        reverse("profile"),
        reverse("mfa_index"),
        reverse("account_change_password"),
        reverse("vetting:queue"),
    ):
        answer = client.get(target)
        assert answer.status_code == 403, target
        assert b"SNT-SECRET-FEED" not in answer.content
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).exists()
    for page in reading_pages(w).values():
        assert b"SNT-SECRET-FEED" not in client.get(page).content


def test_a_member_who_has_not_accepted_the_ground_rules_shows_them_and_nothing_else(w, login):
    client = login(w["convenor"])
    confirm = client.get(url("view_as_start", w["salt"].pk, w["pending"].pk))
    assert b"has not accepted the dialogue's current ground rules" in confirm.content
    started = start(client, w["pending"])
    rules = url("ground_rules", w["salt"].pk)
    assert started["Location"] == rules
    page = client.get(rules)
    assert page.status_code == 200
    assert RULES.encode() in page.content
    assert b"I accept these ground rules" not in page.content
    assert page.context["accepted"] is None
    assert [client.get(p).status_code for p in reading_pages(w).values()] == [404] * 5
    assert client.get(reverse("home"))["Location"] == rules
    assert client.post(rules, {"version": "1"}).status_code == 403
    assert not w["pending"].ground_rules_acceptances.exists()


# -- the audit trail ------------------------------------------------------------------------------


def test_every_page_read_names_the_real_person_and_the_member_viewed_as(w, login):
    client = login(w["cofac"])
    start(client, w["convenor"])
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    client.get(url("session_detail", w["salt"].pk, w["round_1"].pk))
    client.get(url("outcomes", w["salt"].pk))
    entries = list(AuditEntry.objects.filter(pk__gt=since).order_by("pk"))
    assert {e.actor for e in entries} == {user_of(w["cofac"])}
    assert {(e.detail["viewed_as"], e.detail["viewed_as_person"]) for e in entries} == {
        (w["convenor"].pk, w["convenor"].person.pk)
    }
    assert [(e.content_type.model, e.detail["page"]) for e in entries] == [
        ("session", "session_detail"),
        ("outcome", "session_detail"),
        ("outcome", "session_detail"),
        ("dialogue", "outcomes"),
        ("outcome", "outcomes"),
        ("outcome", "outcomes"),
    ]
    # Refusals leave nothing.
    before = AuditEntry.objects.count()
    client.get(url("session_detail", w["coast"].pk, Session.objects.get(title="SNT-HARBOUR").pk))
    assert AuditEntry.objects.count() == before


def test_reading_pages_are_the_ones_named():
    assert {
        "dialogues:dialogue_detail",
        "dialogues:sessions",
        "dialogues:session_detail",
        "dialogues:ground_rules",
        "dialogues:documents",
        "dialogues:outcomes",
        "dialogues:ideas",
        "dialogues:idea_detail",
        "dialogues:non_papers",
        "dialogues:non_paper_detail",
        "dialogues:non_paper_version",
        "dialogues:non_paper_compare",
        "dialogues:path",
        "dialogues:transfer_detail",
        "dialogues:changes",
        "dialogues:change_detail",
        "dialogues:roster",
        "dialogues:pack_list",
        "dialogues:pack_detail",
    } == READING_PAGES
