"""Every form of the application, fed hostile values by hypothesis.

Each example starts from a form's valid data and changes some fields: a hostile value (empty,
10,000 characters, NUL bytes, odd Unicode, right-to-left and zero-width marks, SQL, HTML and
script payloads, CR/LF, negative and huge numbers, dates out of range), another dialogue's id,
the field left out or sent twice, and fields the form does not have (``dialogue``,
``created_by``, ...). For every example:

- the answer is never a server error (the test client re-raises any exception a view lets out);
- a refused form changes nothing: every row of every table of the dialogues, participants and
  audit apps is the same before and after;
- an accepted form never ties this dialogue to another dialogue's session, member, side or
  person, and never changes the other dialogue.

Actions without fields (publish, delete, invitation send and revoke, ...) are fed other
dialogues' ids and hostile numbers in their URLs instead: 404, nothing changed.

Each example runs in its own transaction, rolled back (``hypothesis.extra.django.TestCase``);
the world is built once per class. Hypothesis runs under the suite's profile (tests/conftest.py):
``ci`` by default (derandomized, bounded), ``HYPOTHESIS_PROFILE=dev`` for a longer random hunt.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from dialogues.models import (
    AgendaItem,
    BriefingPack,
    Dialogue,
    Document,
    Idea,
    ObservedChange,
    Official,
    Outcome,
    Session,
    SessionAttendance,
    Side,
    Transfer,
)
from dialogues.planning.forms import OUT_OF_RANGE
from participants.models import Membership, Person, User
from tests import world
from tests.conftest import PROFILE, sign_in
from tests.world import member_with_account

from .support import build_world, changed_tables, mutated, snapshot, succeeded

# Every form, many examples each: minutes, not seconds.
pytestmark = pytest.mark.slow

# Fields no form has: a form must ignore them, whatever they hold.
SMUGGLED = ("dialogue", "dialogue_id", "created_by", "id", "pk", "is_staff", "state", "session")


def _ids(values) -> list[str]:
    return [str(v) for v in values]


def _redirected(response) -> bool:
    return response.status_code == 302


class Fuzz(HypothesisTestCase):
    """Shared machinery: log in, draw the data, post, compare."""

    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()
        # Someone the convenor already works with in another dialogue they convene, so that
        # "add an existing person" has a valid choice besides the other dialogue's people.
        upper = world.dialogue(title="Upper Valley")
        convenor = Membership.objects.get(pk=cls.w["convenor"])
        world.membership(
            person=convenor.person,
            dialogue=upper,
            role=Membership.Role.CONVENOR,
            clearance="Restricted",
        )
        known = world.person(full_name="Known Person")
        world.membership(person=known, dialogue=upper)
        cls.w["known_person"] = known.pk

    # -- helpers -----------------------------------------------------------------------------------

    def url(self, name: str, *args) -> str:
        return reverse(name, args=args)

    def d_url(self, name: str, *args) -> str:
        return reverse(f"dialogues:{name}", args=[self.w["dialogue"], *args])

    def level(self, name: str) -> str:
        return str(self.w["levels"][name])

    def far_rows(self) -> list:
        """Everything of the other dialogue a form here could touch."""
        far = self.w["far"]
        return [
            list(Dialogue.objects.filter(pk=far["dialogue"]).values()),
            list(Side.objects.filter(dialogue_id=far["dialogue"]).values()),
            list(Session.objects.filter(dialogue_id=far["dialogue"]).values()),
            list(AgendaItem.objects.filter(session__dialogue_id=far["dialogue"]).values()),
            list(Outcome.objects.filter(session__dialogue_id=far["dialogue"]).values()),
            list(Membership.objects.filter(dialogue_id=far["dialogue"]).values()),
            list(Person.objects.filter(pk=far["person"]).values()),
            list(Official.objects.filter(dialogue_id=far["dialogue"]).values()),
            list(Idea.objects.filter(dialogue_id=far["dialogue"]).values()),
            list(Transfer.objects.filter(dialogue_id=far["dialogue"]).values()),
        ]

    def assert_no_cross_dialogue_ties(self) -> None:
        """Whatever a form saved here names only this dialogue's sides, members and people."""
        d = self.w["dialogue"]
        people = set(Membership.objects.filter(dialogue_id=d).values_list("person_id", flat=True))
        members = set(Membership.objects.filter(dialogue_id=d).values_list("pk", flat=True))
        sides = set(Side.objects.filter(dialogue_id=d).values_list("pk", flat=True))
        assert self.w["far"]["person"] not in people
        assert (
            set(
                Membership.objects.filter(dialogue_id=d, side__isnull=False).values_list(
                    "side_id", flat=True
                )
            )
            <= sides
        )
        assert (
            set(
                SessionAttendance.objects.filter(session__dialogue_id=d).values_list(
                    "membership_id", flat=True
                )
            )
            <= members
        )
        assert (
            set(
                AgendaItem.objects.filter(
                    session__dialogue_id=d, moderator__isnull=False
                ).values_list("moderator_id", flat=True)
            )
            <= members
        )
        for model, path in (
            (Session, "dialogue_id"),
            (AgendaItem, "session__dialogue_id"),
            (Outcome, "session__dialogue_id"),
            (Document, "dialogue_id"),
        ):
            named = set(model.objects.filter(**{path: d}).values_list("readers", flat=True)) - {
                None
            }
            assert named <= people, f"{model.__name__} names readers from elsewhere"
        speakers = set(
            Outcome.objects.filter(session__dialogue_id=d).values_list("speakers", flat=True)
        ) - {None}
        assert speakers <= people
        assert (
            not BriefingPack.objects.filter(dialogue_id=d)
            .filter(~Q(sessions__dialogue_id=d), sessions__isnull=False)
            .exists()
        )
        transfers = Transfer.objects.filter(dialogue_id=d)
        assert not transfers.exclude(official__dialogue_id=d, idea__dialogue_id=d).exists()
        assert set(transfers.values_list("carried_by", flat=True)) - {None} <= members
        changes = ObservedChange.objects.filter(dialogue_id=d)
        assert set(changes.values_list("ideas__dialogue_id", flat=True)) - {None} <= {d}
        assert set(changes.values_list("transfers__dialogue_id", flat=True)) - {None} <= {d}

    def check(
        self,
        data,
        *,
        who: str | None,
        url: str,
        base: dict,
        files=None,
        ignore=None,
        accepted=succeeded,
        method: str = "post",
        headers=None,
    ):
        if who is not None:
            sign_in(self.client, User.objects.get(pk=self.w[who]))
        posted = data.draw(mutated(base, self.w["far_ids"], SMUGGLED), label="data")
        if files is not None:
            posted.update(data.draw(files, label="files"))
        before, far_before = snapshot(ignore), self.far_rows()
        response = getattr(self.client, method)(url, posted, headers=headers or {})
        assert response.status_code < 500
        after = snapshot(ignore)
        assert self.far_rows() == far_before
        if accepted(response):
            self.assert_no_cross_dialogue_ties()
        else:
            assert changed_tables(before, after) == [], f"refused ({response.status_code})"
        return response

    def check_url_ids(self, data, *, who: str, urls):
        """An action's URL with another dialogue's object, or a number no row has: 404 and
        nothing changed. ``urls``: (the other dialogue's object of the right kind, URL maker)."""
        sign_in(self.client, User.objects.get(pk=self.w[who]))
        far, make = data.draw(st.sampled_from(urls), label="url")
        pk = data.draw(
            st.one_of(st.just(far), st.integers(min_value=10**6, max_value=2**70)), label="id"
        )
        url = make(pk)
        before = snapshot()
        response = self.client.post(url)
        assert response.status_code == 404, url
        assert changed_tables(before, snapshot()) == []


# -- the planner -----------------------------------------------------------------------------------


class TestPlannerForms(Fuzz):
    def session_data(self, **extra) -> dict:
        return {
            "title": "Round 2",
            "kind": "round",
            "venue": "Hotel Miramare",
            "city": "Valdera",
            "time_zone": "Europe/Rome",
            "start": "2027-05-01T09:00",
            "end": "2027-05-02T17:00",
            "level": self.level("Public"),
            "readers": _ids([self.w["participant_person"]]),
            "attending_sides": _ids([self.w["side_a"]]),
            "attendees": _ids([self.w["participant"]]),
            **extra,
        }

    def item_data(self, **extra) -> dict:
        return {
            "title": "Water sharing",
            "start": "2027-03-15T10:00",
            "end": "2027-03-15T11:30",
            "room": "Sala B",
            "kind": "plenary",
            "moderator": str(self.w["convenor"]),
            "level": self.level("Programme"),
            "readers": _ids([self.w["convenor_person"]]),
            "description": "Options for a joint commission.",
            **extra,
        }

    @settings(PROFILE)
    @given(data=st.data())
    def test_session_create(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("session_create"),
            base=self.session_data(),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_session_edit(self, data):
        revision = Session.objects.get(pk=self.w["session"]).edit_revision
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("session_edit", self.w["session"]),
            base=self.session_data(edit_revision=str(revision)),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_agenda_item_create(self, data):
        htmx = data.draw(st.booleans(), label="htmx")

        def accepted(response):
            # With htmx the editor is answered in place, without a message.
            return succeeded(response) or (
                htmx
                and response.status_code == 200
                and AgendaItem.objects.filter(session_id=self.w["session"]).count() > 2
            )

        self.check(
            data,
            who="convenor_user",
            url=self.d_url("agenda_item_create", self.w["session"]),
            base=self.item_data(),
            accepted=accepted,
            headers={"HX-Request": "true"} if htmx else None,
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_agenda_item_edit(self, data):
        item = AgendaItem.objects.get(pk=self.w["items"][0])
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("agenda_item_edit", self.w["session"], item.pk),
            base=self.item_data(edit_revision=str(item.edit_revision)),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_agenda_item_move(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("agenda_item_move", self.w["session"], self.w["items"][1]),
            base={"direction": "up"},
            accepted=_redirected,
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_actions_with_another_dialogues_ids(self, data):
        d, s, item = self.w["dialogue"], self.w["session"], self.w["items"][0]
        far = self.w["far"]

        def planner(name, args):
            return lambda pk: reverse(f"dialogues:{name}", args=args(pk))

        self.check_url_ids(
            data,
            who="convenor_user",
            urls=[
                (far["session"], planner("agenda_publish", lambda pk: (d, pk))),
                (far["dialogue"], planner("agenda_publish", lambda pk: (pk, s))),
                (far["item"], planner("agenda_item_delete", lambda pk: (d, s, pk))),
                (far["item"], planner("agenda_item_move", lambda pk: (d, s, pk))),
                (far["session"], planner("agenda_item_delete", lambda pk: (d, pk, item))),
                (far["outcome"], planner("outcome_delete", lambda pk: (d, s, pk))),
                (far["dialogue"], planner("pack_release", lambda pk: (pk, self.w["pack"]))),
                (far["dialogue"], planner("pack_render_again", lambda pk: (pk, self.w["pack"]))),
                (far["dialogue"], planner("document_delete", lambda pk: (pk, 1))),
                (far["membership"], planner("invitation_send", lambda pk: (d, pk))),
                (far["dialogue"], planner("invitation_send", lambda pk: (pk, 1))),
                (far["dialogue"], planner("invitation_revoke", lambda pk: (pk, 1, 1))),
                (far["dialogue"], planner("outbound_request_confirm", lambda pk: (pk, 1))),
            ],
        )


# -- reuse (issue 17) -----------------------------------------------------------------------------


class TestReuseForms(Fuzz):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        round_1 = Session.objects.get(pk=cls.w["session"])
        round_2 = world.session(
            round_1.dialogue,
            title="Round 2",
            level="Public",
            start=round_1.start + timedelta(days=91),
            status=Session.Status.DRAFT,
        )
        cls.w["round_2"] = round_2.pk

    @settings(PROFILE)
    @given(data=st.data())
    def test_agenda_copy(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("agenda_reuse_copy", self.w["round_2"]),
            base={"source": str(self.w["session"])},
            accepted=_redirected,
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_agenda_template_save(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("agenda_template_save", self.w["session"]),
            base={"name": "Two-day round"},
            accepted=_redirected,
        )


# -- the workspace ---------------------------------------------------------------------------------


class TestWorkspaceForms(Fuzz):
    def dialogue_data(self, **extra) -> dict:
        return {
            "title": "Lower Basin",
            "context": "Water and land.",
            "briefing_summary": "Where the talks stand.",
            "convening_organisation": "Peace Institute",
            "track": "2",
            "aim": "manage",
            "status": "active",
            "default_level": self.level("Programme"),
            "ground_rules": "Chatham House.",
            "cover_name": "Riverside meetings",
            "outbound_level": self.level("Public"),
            "attendance_visible": "on",
            **extra,
        }

    @settings(PROFILE)
    @given(data=st.data())
    def test_dialogue_create(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.url("dialogues:dialogue_create"),
            base=self.dialogue_data(),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_dialogue_edit(self, data):
        revision = Dialogue.objects.get(pk=self.w["dialogue"]).edit_revision
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("dialogue_edit"),
            base=self.dialogue_data(edit_revision=str(revision)),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_sides(self, data):
        a, b = self.w["side_a"], self.w["side_b"]
        base = data.draw(
            st.sampled_from(
                [
                    {"action": "add", "add-name": "Side C", "add-position": "3"},
                    {
                        "action": "update",
                        "side": str(a),
                        f"side-{a}-name": "Side A (north)",
                        f"side-{a}-is_third_party": "on",
                        f"side-{a}-position": "1",
                    },
                    {"action": "delete", "side": str(b)},
                ]
            ),
            label="base",
        )
        self.check(data, who="convenor_user", url=self.d_url("sides_edit"), base=base)

    @settings(PROFILE)
    @given(data=st.data())
    def test_roster_add_existing_person(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("roster"),
            base={
                "action": "existing",
                "existing-person": str(self.w["known_person"]),
                "existing-side": str(self.w["side_a"]),
                "existing-role": "participant",
                "existing-clearance": self.level("Participants"),
            },
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_roster_add_new_person(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("roster"),
            base={
                "action": "new",
                "new-full_name": "Amira Haddad",
                "new-family_name": "Haddad",
                "new-name_original_script": "أميرة حداد",
                "new-affiliation": "University of Basra",
                "new-position": "Professor",
                "new-proximity": "academic",
                "new-nationality": "IQ",
                "new-gender": "woman",
                "new-languages": "Arabic, English",
                "new-email": "amira@example.org",
                "new-side": str(self.w["side_b"]),
                "new-role": "participant",
                "new-clearance": self.level("Participants"),
            },
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_membership_edit(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("membership_edit", self.w["participant"]),
            base={
                "side": str(self.w["side_b"]),
                "role": "participant",
                "clearance": self.level("Programme"),
            },
        )


# -- papers, outcomes, briefing packs --------------------------------------------------------------

_FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "paper.txt",
            "../../etc/passwd.txt",
            "C:\\Windows\\paper.txt",
            "\u202etxt.exe",
            "a\x00b.txt",
            "x" * 400 + ".txt",
            "<script>alert(1)</script>.txt",
            "ورقة.txt",
            ".txt",
            "",
        ]
    ),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30).map(lambda s: s + ".txt"),
)
_FILE_CONTENTS = st.one_of(
    st.sampled_from(
        [b"Plain text paper.", b"", b"%PDF-1.4 not really", b"MZ\x90\x00", b"\xff\xfe\x00\x00"]
    ),
    st.binary(max_size=200),
)


@st.composite
def paper_uploads(draw):
    name, content = draw(_FILE_NAMES), draw(_FILE_CONTENTS)
    how = draw(st.sampled_from(["one", "one", "two", "none"]))
    if how == "none":
        return {}
    files = [SimpleUploadedFile(name or "paper.txt", content)]
    if how == "two":
        files.append(SimpleUploadedFile("second.txt", b"second"))
    # The test client sends an empty name as a field, not a file: keep a name.
    files[0].name = name
    return {"file": files if how == "two" else files[0]}


class TestPapersOutcomesPacks(Fuzz):
    @settings(PROFILE)
    @given(data=st.data())
    def test_paper_upload(self, data):
        place = data.draw(
            st.sampled_from(
                [
                    "",
                    f"?session={self.w['session']}",
                    f"?session={self.w['session']}&item={self.w['items'][1]}",
                ]
            ),
            label="place",
        )
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("document_upload") + place,
            base={
                "title": "Concept note",
                "kind": "concept_note",
                "level": self.level("Participants"),
                "readers": _ids([self.w["participant_person"]]),
            },
            files=paper_uploads(),
        )

    def outcome_data(self, **extra) -> dict:
        return {
            "kind": "idea",
            "attribution": "chatham_house",
            "summary": "A joint water commission.",
            "record": "Proposed by the northern side.",
            "speakers": _ids([self.w["participant_person"]]),
            "level": self.level("Programme"),
            "readers": [],
            **extra,
        }

    @settings(PROFILE)
    @given(data=st.data())
    def test_outcome_create(self, data):
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("outcome_create", self.w["session"]),
            base=self.outcome_data(),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_outcome_edit(self, data):
        outcome = Outcome.objects.get(pk=self.w["outcome"])
        self.check(
            data,
            who="convenor_user",
            url=self.d_url("outcome_edit", self.w["session"], outcome.pk),
            base=self.outcome_data(edit_revision=str(outcome.edit_revision)),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_pack_request_from_the_register(self, data):
        base = {
            "officials": _ids(self.w["officials"]),
            "sessions": _ids([self.w["session"]]),
            "note": "For Thursday's meeting.",
        }
        self.check(data, who="convenor_user", url=self.d_url("pack_request"), base=base)

    @settings(PROFILE)
    @given(data=st.data())
    def test_pack_review(self, data):
        self.check(
            data,
            who="facilitator_user",
            url=self.d_url("pack_review", self.w["pack"]),
            base={"reason": "Haddad is also the name of the town."},
        )


# -- transfers and observed changes ----------------------------------------------------------------


class TestTransferForms(Fuzz):
    @settings(PROFILE)
    @given(data=st.data())
    def test_transfer_create(self, data):
        base = {
            "official": str(self.w["officials"][1]),
            "means": "meeting",
            "occurred_on": "04/01/2027",
            "carried_by": str(self.w["convenor"]),
            "pack_copy": "",
            "reaction_kind": "receptive",
            "reaction": "Asked for the annex.",
            "level": self.level("Facilitators"),
            "readers": [],
        }
        url = self.d_url("transfer_create", self.w["idea"])
        self.check(data, who="convenor_user", url=url, base=base)

    @settings(PROFILE)
    @given(data=st.data())
    def test_transfer_reaction(self, data):
        base = {"reaction_kind": "acted", "reaction": "Raised it in cabinet.", "edit_revision": "1"}
        url = self.d_url("transfer_reaction", self.w["transfer"])
        self.check(data, who="facilitator_user", url=url, base=base)

    @settings(PROFILE)
    @given(data=st.data())
    def test_change_create(self, data):
        prefill = data.draw(st.sampled_from(["", f"?idea={self.w['idea']}", "?idea=x&idea=-1"]))
        base = {
            "kind": "policy",
            "observed_on": "10/01/2027",
            "who_changed": "The water ministry",
            "what_changed": "Adopted a joint gauge pilot.",
            "significance": "First shared data.",
            "contribution": "Through our envoy.",
            "substantiated_by": "The ministry's spokesperson.",
            "ideas": _ids([self.w["idea"]]),
            "transfers": _ids([self.w["transfer"]]),
            "level": self.level("Facilitators"),
            "readers": _ids([self.w["convenor_person"]]),
        }
        url = self.d_url("change_create") + prefill
        self.check(data, who="convenor_user", url=url, base=base)

    @settings(PROFILE)
    @given(data=st.data())
    def test_actions_with_another_dialogues_ids(self, data):
        far = self.w["far"]
        self.check_url_ids(
            data,
            who="convenor_user",
            urls=[
                (far["idea"], lambda pk: self.d_url("transfer_create", pk)),
                (far["transfer"], lambda pk: self.d_url("transfer_reaction", pk)),
            ],
        )


# -- invitations, profile, ground rules, sign-in ---------------------------------------------------


class TestParticipantForms(Fuzz):
    @settings(PROFILE)
    @given(data=st.data())
    def test_invitation_page(self, data):
        url = reverse("invitations:open", args=[self.w["token"]])
        self.client.get(url)  # the first visit marks the invitation opened
        base = data.draw(
            st.sampled_from(
                [
                    {"action": "send_code"},
                    {"action": "verify", "code": "123456"},
                    {"action": "accept", "new_password1": "a long passphrase 42"},
                    {"action": "link"},
                    {"action": "decline"},
                ]
            ),
            label="base",
        )
        base.setdefault("new_password2", base.get("new_password1", ""))

        def accepted(response):
            return succeeded(response) or response.status_code == 302

        # A wrong code is counted (and audited): the one change a refusal makes, by design.
        self.check(
            data,
            who=None,
            url=url,
            base=base,
            accepted=accepted,
            ignore={"participants.Invitation": {"code_attempts"}, "audit.AuditEntry": {"*"}},
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_invitation_links_with_hostile_tokens(self, data):
        token = data.draw(
            st.one_of(
                st.sampled_from([self.w["token"] + "\x00", "\x00" * 43, "a" * 5000, "%00"]),
                st.text(
                    st.characters(exclude_categories=["Cs"], exclude_characters="/"),
                    min_size=1,
                    max_size=80,
                ),
            ),
            label="token",
        )
        before = snapshot()
        for url in (
            reverse("invitations:open", args=[token]),
            reverse("pack_link", args=[token]),
            reverse("pack_link_download", args=[token]),
            reverse("calendar_feed", args=[token]),
        ):
            response = self.client.post(url) if "invitations" in url else self.client.get(url)
            assert response.status_code == 404, url
        assert changed_tables(before, snapshot()) == []

    @settings(PROFILE)
    @given(data=st.data())
    def test_profile_time_zone(self, data):
        self.check(
            data,
            who="participant_user",
            url=self.url("profile"),
            base={"time_zone": "Asia/Baghdad"},
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_calendar_address_renew(self, data):
        # No field to speak of; whatever is posted, a new secret is made and nothing else.
        response = self.check(
            data,
            who="participant_user",
            url=self.url("calendar_address_renew"),
            base={"secret": "chosen-by-the-client"},
        )
        secret = User.objects.get(pk=self.w["participant_user"]).calendar_secret
        assert succeeded(response)
        assert len(secret) >= 32
        assert "chosen" not in secret

    @settings(PROFILE)
    @given(data=st.data())
    def test_ground_rules_acceptance(self, data):
        self.check(
            data,
            who="participant_user",
            url=self.d_url("ground_rules"),
            base={"version": "1"},
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_sign_in(self, data):
        member = member_with_account(
            dialogue=Dialogue.objects.get(pk=self.w["dialogue"]), email="signin@example.org"
        )
        assert member.person.user.check_password("correct horse battery")
        self.check(
            data,
            who=None,
            url=reverse("account_login"),
            base={"login": "signin@example.org", "password": "correct horse battery"},
            accepted=_redirected,
        )


# -- vetting (admins) ------------------------------------------------------------------------------

_CSV = (
    "name,aliases,date_of_birth,nationality,reference,note\nOmar Haddad,Umar Hadad,1970,IQ,OWN.1,\n"
)


@st.composite
def designation_files(draw):
    how = draw(st.sampled_from(["good", "good", "hostile", "binary", "none", "two"]))
    if how == "none":
        return {}
    if how == "good":
        return {"files": SimpleUploadedFile("own.csv", _CSV.encode())}
    if how == "binary":
        return {"files": SimpleUploadedFile("own.csv", draw(st.binary(max_size=300)))}
    row = draw(st.sampled_from(["\x00", "x" * 10_000, '"unclosed', "=cmd|' /C calc'!A0", "é"]))
    content = _CSV + f"{row},,{row},{row},{row},{row}\n"
    files = [SimpleUploadedFile(draw(_FILE_NAMES).replace(".txt", ".csv"), content.encode())]
    if how == "two":
        files.append(SimpleUploadedFile("alt.csv", b"\xff\xfe"))
    return {"files": files}


class TestVettingForms(Fuzz):
    @settings(PROFILE)
    @given(data=st.data())
    def test_case_decision(self, data):
        self.check(
            data,
            who="staff_user",
            url=reverse("vetting:case_decide", args=[self.w["case"]]),
            base={
                "decision": "rejected",
                "reason": "Found on a list.",
                "conditions": "",
                "jurisdictions": "IQ, GB",
                "references": "Two colleagues.",
                "conflicts_of_interest": "None known.",
            },
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_match_dismissal(self, data):
        self.check(
            data,
            who="staff_user",
            url=reverse("vetting:match_decide", args=[self.w["case"], self.w["match"]]),
            base={"verdict": "not_same_person", "note": "Born twenty years apart."},
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_designation_list_upload(self, data):
        base = data.draw(
            st.sampled_from(
                [
                    {"designation_list": str(self.w["designation_list"])},
                    {"new_name": "Our watch list", "format": "csv"},
                ]
            ),
            label="base",
        )
        self.check(
            data,
            who="staff_user",
            url=reverse("vetting:designation_lists"),
            base=base,
            files=designation_files(),
        )

    @settings(PROFILE)
    @given(data=st.data())
    def test_name_check_and_list_search(self, data):
        # Reading forms (GET): never a server error, never a write.
        url, base = data.draw(
            st.sampled_from(
                [
                    (
                        reverse("vetting:check"),
                        {"name": "Nadia Farouq", "dob": "1970", "nationality": "IQ"},
                    ),
                    (
                        reverse(
                            "vetting:designation_list_detail", args=[self.w["designation_list"]]
                        ),
                        {"q": "Farouq", "page": "1"},
                    ),
                    (reverse("vetting:queue"), {"status": "open"}),
                    (self.d_url("roster"), {"q": "Haddad"}),
                ]
            ),
            label="page",
        )
        self.check(
            data,
            who="staff_user" if "vetting" in url else "convenor_user",
            url=url,
            base=base,
            method="get",
            accepted=lambda response: False,
            ignore={"audit.AuditEntry": {"*"}},
        )


# -- found by the properties above, kept as fixed cases --------------------------------------------


@pytest.fixture
def small_world(db):
    return build_world()


@pytest.mark.parametrize(
    ("zone", "start", "end"),
    [
        ("Asia/Tokyo", "0001-01-01T00:00", "0001-01-02T00:00"),  # UTC would be year 0
        ("America/New_York", "9999-12-30T23:59", "9999-12-31T23:59"),  # UTC: year 10000
        ("UTC", "1899-12-31T23:00", "2027-01-01T00:00"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_by_the_form(
    client, small_world, zone, start, end
):
    w = small_world
    sign_in(client, User.objects.get(pk=w["convenor_user"]))
    before = snapshot()
    session = client.post(
        reverse("dialogues:session_create", args=[w["dialogue"]]),
        {
            "title": "Round 9",
            "kind": "round",
            "time_zone": zone,
            "start": start,
            "end": end,
            "level": w["levels"]["Public"],
        },
    )
    item = client.post(
        reverse("dialogues:agenda_item_create", args=[w["dialogue"], w["session"]]),
        {
            "title": "Late item",
            "kind": "plenary",
            "start": start,
            "end": end,
            "level": w["levels"]["Public"],
        },
    )
    for response in (session, item):
        assert response.status_code == 200
        assert OUT_OF_RANGE in response.content.decode()
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize(
    "secret", ["A" * 43 + "\x00", "\x00" * 43, "A" * 40 + "%00", "A" * 40 + "\u202e" + "B" * 3]
)
def test_calendar_address_with_a_nul_byte_or_odd_characters_is_404(client, small_world, secret):
    # PostgreSQL refuses a NUL byte in a query parameter: it must never reach the database.
    assert client.get(reverse("calendar_feed", args=[secret])).status_code == 404


def test_ids_past_any_primary_key_are_refused_as_invalid_choices(client, small_world):
    w = small_world
    sign_in(client, User.objects.get(pk=w["convenor_user"]))
    response = client.post(
        reverse("dialogues:outcome_create", args=[w["dialogue"], w["session"]]),
        {
            "kind": "idea",
            "attribution": "chatham_house",
            "summary": "S",
            "level": w["levels"]["Public"],
            "speakers": [str(2**63), "-" + str(2**64)],
        },
    )
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()


def test_more_recipients_than_a_pack_allows_are_refused(client, small_world):
    w = small_world
    dialogue = Dialogue.objects.get(pk=w["dialogue"])
    many = [
        world.official(dialogue, f"Official {n}", f"o{n}@ministry.example", "Public").pk
        for n in range(24)
    ]
    sign_in(client, User.objects.get(pk=w["convenor_user"]))
    response = client.post(
        reverse("dialogues:pack_request", args=[w["dialogue"]]),
        {"officials": _ids([*w["officials"], *many])},  # 26
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "officials": ["A pack goes to at most 25 officials."]
    }
    assert BriefingPack.objects.filter(dialogue_id=w["dialogue"]).count() == 1  # the world's


def test_a_ground_rules_version_that_is_not_a_number_is_refused(client, small_world):
    w = small_world
    sign_in(client, User.objects.get(pk=w["participant_user"]))
    before = snapshot()
    for version in (" ", "abc", "1.0", "\x00"):
        response = client.post(
            reverse("dialogues:ground_rules", args=[w["dialogue"]]), {"version": version}
        )
        assert response.status_code == 200
        assert "The ground rules changed while you were reading them" in (response.content.decode())
    assert changed_tables(before, snapshot()) == []
