"""Transfers and observed changes on the idea pages, against the access matrix's world (rule 10):
each member's idea pages, taken together, show exactly the transfers' reactions and the
observed changes written down below for them, which the independent statement
(``world.sees_transfer``, ``world.sees_change``) agrees with. With data present that could
leak: a transfer naming the participant, one naming the convenor on an idea they may not see,
one of an idea from a pre-consultation, a change behind a hidden transfer."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in

from . import world as W
from .world import sentinels_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Person -> the transfers and changes their idea pages of A show, written out by hand.
SHOWN = {
    "fac": (
        {"TRPUB", "TRPRG", "TRRES", "TRSPARX", "TRIDRES"},
        {"CHPUB", "CHRES", "CHSPARX", "CHMIX"},
    ),
    "conv": ({"TRPUB", "TRPRG", "TRSPARX"}, {"CHPUB", "CHSPARX"}),
    "cof": ({"TRPUB", "TRPRG", "TRSPARX"}, {"CHPUB", "CHSPARX"}),
    "part": ({"TRRES"}, {"CHRES"}),
    "other": (set(), set()),
    "obs": (set(), set()),
    "out": (set(), set()),
    "ofac": (set(), set()),
}


def _kinds(found: set[str], kind: str) -> set[str]:
    return {W.SENTINELS[t].key for t in found if W.SENTINELS[t].kind == kind}


@pytest.mark.parametrize("person", sorted(SHOWN))
def test_the_idea_pages_show_exactly_the_transfers_and_changes_the_reader_may_see(world, person):
    reader = W.reader_of_person(person)
    transfers, changes = SHOWN[person]
    assert {t.key for t in W.TRANSFERS if W.sees_transfer(reader, t.key)} - {"TRB"} == transfers
    assert {k for k in W.CHANGE_SPECS if W.sees_change(reader, k)} - {"CHB"} == changes
    client = sign_in(Client(), world.users[person])
    found: set[str] = set()
    for key, spec in W.IDEA_SPECS.items():
        if spec.dialogue != "A":
            continue
        page = client.get(
            reverse("dialogues:idea_detail", args=[world.dialogues["A"].pk, world.ideas[key].pk])
        )
        assert page.status_code == (200 if W.sees_idea(reader, key) else 404), key
        on_page = sentinels_in(page.content.decode())
        assert on_page <= W.readable(reader), key
        # Each transfer on the idea's own page only.
        assert {W.TRANSFER_SPECS[t].idea for t in _kinds(on_page, "transfer")} <= {key}
        found |= on_page
    assert (_kinds(found, "transfer"), _kinds(found, "change")) == (transfers, changes)


def test_no_official_ever_reads_a_transfer_or_a_change():
    for copy in W.COPY_SPECS:
        reader = W.reader_of_copy(copy)
        assert not any(W.sees_transfer(reader, k) for k in W.TRANSFER_SPECS), copy
        assert not any(W.sees_change(reader, k) for k in W.CHANGE_SPECS), copy


def test_the_copies_of_a_released_pack_log_the_ideas_they_carry_and_no_more():
    """What the world's statement says A's released copies logged (checked against the
    database when the world is built): each idea its official may see, none from an
    off-the-record outcome, none for named readers."""
    assert {t.key for t in W.CARRIED} == {
        "TC-OFFPRG-IDPUB",
        "TC-OFFPRG-IDPRG",
        "TC-OFFFAC-IDPUB",
        "TC-OFFFAC-IDPRG",
        "TC-OFFFAC-IDPAR",
        "TC-OFFFAC-IDSPARX",
        "TC-OFFFAC-IDFACPUB",
    }
    assert {t.level for t in W.CARRIED} == {"Facilitators"}
    # The convening team sees each whose idea they see; nobody else sees any.
    for person in ("part", "obs", "other", "out", "ofac"):
        reader = W.reader_of_person(person)
        assert not any(W.sees_transfer(reader, t.key) for t in W.CARRIED), person
    cof = W.reader_of_person("cof")
    assert all(W.sees_transfer(cof, t.key) for t in W.CARRIED)
