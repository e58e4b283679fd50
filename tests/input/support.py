"""What the bad-input tests share: hostile values, a small world built through the services, and
a snapshot of every table the forms could write to.

The world is built once per test class (``setUpTestData``) and each example runs in its own
transaction that is rolled back (``hypothesis.extra.django.TestCase``), so every example starts
from the same rows. Only primary keys and the invitation's token are kept: objects are fetched
again where needed, so nothing held in memory outlives a rollback.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.contrib import messages
from hypothesis import strategies as st

from dialogues.models import BriefingPack, Outcome, Transfer
from dialogues.transfers.services import transfer_log
from participants.models import Membership
from participants.vetting.services import membership_nominate
from tests import world as blocks
from tests.conftest import enable_mfa

# -- hostile values --------------------------------------------------------------------------------

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"

HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "ש" * 10_000,  # 10k characters, 20k bytes
    "e\u0301" * 2_000,  # combining marks
    "\u202e\u200fgpj.exe",  # right-to-left override and mark
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width characters only
    "\ufffe\uffff\U0010ffff\U000e0001",  # noncharacters, a tag character
    "\x01\x08\x1b[31m\x7f",  # control characters, an ANSI escape
    "Title\r\nATTENDEE:mailto:evil@example.org",
    "Subject\r\nBcc: evil@example.org",
    "'; DROP TABLE dialogues_dialogue; --",
    "' OR '1'='1",
    "%s%s%n{0}{{ request }}{% debug %}",
    XSS,
    "javascript:alert(1)",
    "../../../../etc/passwd",
    "-1",
    "0",
    "2147483648",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "1.5",
    "٣",  # an Arabic-Indic digit
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "10000-01-01T00:00",
    "2027-02-30T10:00",
    "0000-00-00",
    "on",
    "true",
]

hostile_scalars = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    # Any text Python can encode (no lone surrogates: they cannot go on the wire).
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


@st.composite
def mutated(draw, base: dict, ids: list[str], extra_keys: tuple[str, ...] = ()) -> dict:
    """A form's valid data, each field kept, replaced by a hostile value or by another
    dialogue's id, left out, or sent twice; plus fields the form does not have."""
    values = st.one_of(hostile_scalars, st.sampled_from(ids)) if ids else hostile_scalars
    data = {}
    for key, value in base.items():
        how = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "missing", "twice"]))
        if how == "keep":
            data[key] = value
        elif how == "hostile":
            data[key] = draw(values)
        elif how == "twice":
            data[key] = [draw(values), draw(values)]
    for key in extra_keys:
        if draw(st.booleans()):
            data[key] = draw(values)
    return data


# -- a small world ---------------------------------------------------------------------------------


def build_world() -> dict:
    """A dialogue with every kind of thing a form acts on, and a second dialogue whose ids the
    forms are fed. Returns primary keys (and the open invitation's token)."""
    dialogue = blocks.dialogue(
        title="Salt River", cover_name="Lakeside meetings", ground_rules="Listen first."
    )
    side_a, side_b = blocks.sides(dialogue, "Side A", "Side B")
    convenor = blocks.member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    facilitator = blocks.member_with_account(
        dialogue=dialogue, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    participant = blocks.member_with_account(
        dialogue=dialogue, clearance="Participants", side=side_a
    )
    staff = blocks.account(email="admin@example.org", is_staff=True)
    for user in (convenor.person.user, facilitator.person.user, staff):
        enable_mfa(user)

    session = blocks.session(dialogue, title="Round 1", level="Public", attendees=[participant])
    first = blocks.agenda_item(session, title="Opening", level="Public")
    second = blocks.agenda_item(session, title="Water", level="Participants")
    blocks.publish(session)
    outcome = blocks.outcome(session, summary="A joint commission", level="Public")

    cleared = blocks.membership(
        person=blocks.person(email="cleared@example.org"),
        dialogue=dialogue,
        state=Membership.State.CLEARED,
    )
    invited = blocks.membership(
        person=blocks.person(email="invited@example.org"),
        dialogue=dialogue,
        state=Membership.State.CLEARED,
    )
    invitation, token = blocks.invite(invited, by=convenor.person.user)

    nominee = membership_nominate(
        person=blocks.person(full_name="Nadia Farouk"),
        dialogue=dialogue,
        role=Membership.Role.PARTICIPANT,
        clearance=blocks.level("Participants"),
        nominated_by=convenor.person.user,
    )
    case = nominee.vetting_case
    match = blocks.possible_match(
        case=case, reference="QDi.1", listed="Nadia Farouq", nominee="Nadia Farouk", score=0.9
    )
    entry = match.entry

    pack = blocks.pack(
        of=dialogue,
        by=convenor.person.user,
        recipients=[blocks.recipient("Amal", "amal@example.org", "Public")],
    )
    BriefingPack.objects.filter(pk=pack.pk).update(guard=BriefingPack.Guard.HELD)

    elsewhere = blocks.dialogue(title="Coastal Fisheries")
    (far_side,) = blocks.sides(elsewhere, "Harbour side")
    outsider = blocks.member_with_account(dialogue=elsewhere, clearance="Restricted", side=far_side)
    far_session = blocks.session(elsewhere, title="Harbour", level="Public")
    far_item = blocks.agenda_item(far_session, title="Nets", level="Public")
    far_outcome = blocks.outcome(far_session, kind=Outcome.Kind.IDEA, level="Public")
    far_official = blocks.official(elsewhere, "Harbour envoy", "envoy@harbour.example", "Public")
    ben = blocks.official(dialogue, "Ben", "ben@ministry.example", "Programme")

    # An idea that reached Ben (and one of the other dialogue's that reached its envoy).
    idea = blocks.idea(dialogue, sources=[outcome], level="Public", title="A joint commission")
    transfer = transfer_log(
        idea=idea,
        official=ben,
        means=Transfer.Means.MEETING,
        occurred_on=date(2027, 1, 4),
        level=blocks.level("Facilitators"),
        by=convenor.person.user,
    )
    far_idea = blocks.idea(elsewhere, sources=[far_outcome], level="Public", title="Nets")
    far_transfer = transfer_log(
        idea=far_idea,
        official=far_official,
        means=Transfer.Means.CALL,
        occurred_on=date(2027, 1, 4),
        level=blocks.level("Facilitators"),
    )

    return {
        "dialogue": dialogue.pk,
        "side_a": side_a.pk,
        "side_b": side_b.pk,
        "convenor": convenor.pk,
        "convenor_user": convenor.person.user_id,
        "convenor_person": convenor.person_id,
        "facilitator_user": facilitator.person.user_id,
        "participant": participant.pk,
        "participant_user": participant.person.user_id,
        "participant_person": participant.person_id,
        "staff_user": staff.pk,
        "session": session.pk,
        "items": [first.pk, second.pk],
        "outcome": outcome.pk,
        "cleared": cleared.pk,
        "invitation": invitation.pk,
        "token": token,
        "case": case.pk,
        "match": match.pk,
        "designation_list": entry.version.designation_list_id,
        "pack": pack.pk,
        "officials": [pack.copies.get().official_id, ben.pk],
        "idea": idea.pk,
        "transfer": transfer.pk,
        "levels": {name: lv.pk for name, lv in blocks.levels().items()},
        "elsewhere": elsewhere.pk,
        "far_ids": [
            str(pk)
            for pk in (
                elsewhere.pk,
                far_side.pk,
                outsider.pk,
                outsider.person_id,
                outsider.person.user_id,
                far_session.pk,
                far_item.pk,
                far_outcome.pk,
                far_official.pk,
                far_idea.pk,
                far_transfer.pk,
            )
        ],
        "far": {
            "dialogue": elsewhere.pk,
            "side": far_side.pk,
            "membership": outsider.pk,
            "person": outsider.person_id,
            "session": far_session.pk,
            "item": far_item.pk,
            "outcome": far_outcome.pk,
            "official": far_official.pk,
            "idea": far_idea.pk,
            "transfer": far_transfer.pk,
        },
    }


# -- what changed ----------------------------------------------------------------------------------

SNAPSHOT_APPS = ("dialogues", "participants", "audit")
READS = ("viewed", "downloaded")


def snapshot(ignore: dict[str, set[str]] | None = None) -> dict[str, list[dict]]:
    """Every row of every table of the apps the forms write to (many-to-many tables included),
    less the columns named in ``ignore`` (model label -> column names, ``"*"`` for all) and the
    audit trail's reads."""
    ignore = ignore or {}
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in SNAPSHOT_APPS:
            continue
        label = model._meta.label
        skip = ignore.get(label, set())
        if "*" in skip:
            continue
        found = model._base_manager.order_by("pk")
        if label == "audit.AuditEntry":
            # A form shown again with its errors is a read, which the trail records
            # (trackii.audit.reads); only what a form wrote counts as a change.
            found = found.exclude(action__in=READS)
        rows[label] = [{k: v for k, v in row.items() if k not in skip} for row in found.values()]
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def succeeded(response) -> bool:
    """The form was accepted: the view said so with a success message."""
    if response.wsgi_request is None or not hasattr(response.wsgi_request, "_messages"):
        return False
    return any(m.level == messages.SUCCESS for m in messages.get_messages(response.wsgi_request))


__all__ = [
    "HOSTILE_STRINGS",
    "XSS",
    "build_world",
    "changed_tables",
    "hostile_scalars",
    "mutated",
    "snapshot",
    "succeeded",
]
