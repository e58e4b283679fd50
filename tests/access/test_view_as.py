"""Viewing Trackii as a member (issue 17), against the access matrix's world and its independent
statement of the rules: each member of A's convening team views A as each other accepted member
of it, and every page they read holds nothing but what *both* may read (``readable`` of each,
intersected), answers 404 exactly where either would be refused, lists exactly what both may
see, and is recorded under the real person with the member viewed as. Downloads, other
dialogues, account pages and writes are refused."""

from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in
from trackii.audit.models import AuditEntry

from . import world as W
from .world import DOCUMENT_SPECS, OUTCOME_SPECS, PERSONS, SESSIONS, readable, sentinels_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# The convening team of A (the facilitator and the convenor cleared Restricted, the
# co-facilitator Facilitators), and A's accepted members.
TEAM = ("cof", "fac", "conv")
MEMBERS = tuple(p.key for p in W.PEOPLE if p.dialogue == "A" and p.state == "accepted")


def pairs() -> list[tuple[str, str]]:
    return [(real, member) for real in TEAM for member in MEMBERS if member != real]


def _pages(w, real: W.Reader, member: W.Reader) -> list[tuple[str, str, bool]]:
    """(label, address, whether both may see it) for every reading page of A."""

    def both(rule, *args) -> bool:
        return rule(real, *args) and rule(member, *args)

    a = w.dialogues["A"].pk
    team = both(W.convenes, "A")
    pages = [
        (name, reverse(f"dialogues:{name}", args=[a]), True)
        for name in ("dialogue_detail", "sessions", "documents", "outcomes", "ground_rules", "path")
    ]
    # The Sessions tab as a month (the timeline): March 2027, where the world's first sessions are.
    month = reverse("dialogues:sessions", args=[a]) + "?view=month&month=2027-03"
    pages.append(("sessions in March 2027", month, True))
    pages += [
        ("roster", reverse("dialogues:roster", args=[a]), team),
        ("pack_list", reverse("dialogues:pack_list", args=[a]), team),
        ("pack_detail", reverse("dialogues:pack_detail", args=[a, w.packs["A"].pk]), team),
    ]
    pages += [
        (
            f"session {s.key}",
            reverse("dialogues:session_detail", args=[a, w.sessions[s.key].pk]),
            both(W.sees_session, s.key),
        )
        for s in SESSIONS
        if s.dialogue == "A"
    ]
    # Ideas, where they went and what changed after (rule 10); the Changes tab is the team's.
    pages.append(("changes", reverse("dialogues:changes", args=[a]), team))
    for rows, specs, name, rule in (
        (w.ideas, W.IDEA_SPECS, "idea_detail", W.sees_idea),
        (w.transfers, W.TRANSFER_SPECS, "transfer_detail", W.sees_transfer),
        (w.changes, W.CHANGE_SPECS, "change_detail", W.sees_change),
    ):
        pages += [
            (f"{name} {key}", reverse(f"dialogues:{name}", args=[a, rows[key].pk]), both(rule, key))
            for key, spec in specs.items()
            if spec.dialogue == "A"
        ]
    # Non-papers (rule 12): the tab, and the page of each one's first version with the comments
    # on it (and of the internal and working versions of one).
    pages.append(("non_papers", reverse("dialogues:non_papers", args=[a]), True))
    pages += [
        (
            f"non_paper_version {key} {n}",
            reverse("dialogues:non_paper_version", args=[a, w.non_papers[key].pk, n]),
            both(W.sees_version, key, n),
        )
        for key, spec in W.NON_PAPER_SPECS.items()
        if spec.dialogue == "A"
        for n in spec.numbers
        if n == 1 or key == "NPPRG"
    ]
    return pages


def _titles(texts: set[str], kind: str, field: str) -> set[str]:
    return {t for t in texts if W.SENTINELS[t].kind == kind and W.SENTINELS[t].field == field}


@pytest.mark.parametrize(("real_key", "member_key"), pairs())
def test_viewing_as_shows_exactly_what_both_may_see(world, real_key, member_key):
    real, member = W.reader_of_person(real_key), W.reader_of_person(member_key)
    # What both may read; and the real person's own name (the account menu: who is signed in).
    allowed = readable(real) & readable(member) | {PERSONS[real_key].name}
    client = sign_in(Client(), world.users[real_key])
    membership = world.memberships[member_key]
    problems: list[str] = []
    with transaction.atomic():
        try:
            start = reverse(
                "dialogues:view_as_start", args=[world.dialogues["A"].pk, membership.pk]
            )
            assert client.post(start).status_code == 302
            since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
            for label, address, sees in _pages(world, real, member):
                answer = client.get(address)
                if answer.status_code != (200 if sees else 404):
                    problems.append(
                        f"{label}: {answer.status_code}, expected {200 if sees else 404}"
                    )
                    continue
                found = sentinels_in(answer.content.decode())
                if found - allowed:
                    problems.append(f"{label} shows {sorted(found - allowed)}")
                if not sees:
                    continue
                expected = _expected_lists(label, real, member)
                for (kind, field), wanted in expected.items():
                    got = _titles(found, kind, field)
                    if got != wanted:
                        problems.append(
                            f"{label}: {kind} {field}s {sorted(got)} != {sorted(wanted)}"
                        )
                if label.startswith("session "):
                    session = label.removeprefix("session ")
                    must = {
                        W.ITEM_SPECS[i].sentinels["title"]
                        for i in W.ITEM_SPECS
                        if W.ITEM_SPECS[i].session == session
                        and W.ITEM_SPECS[i].published  # the page shows the published agenda
                        and W.sees_item(real, i)
                        and W.sees_item(member, i)
                    } | {W.SESSION_SPECS[session].sentinels["title"]}
                    if must - found:
                        problems.append(f"{label} misses {sorted(must - found)}")
            entries = AuditEntry.objects.filter(pk__gt=since or 0)
            named = {
                (e.actor_id, e.detail.get("viewed_as"), e.detail.get("viewed_as_person"))
                for e in entries
            }
            if named != {(world.users[real_key].pk, membership.pk, membership.person_id)}:
                problems.append(f"the trail names {named}")
            problems += _refusals(world, client)
        finally:
            transaction.set_rollback(True)
    assert problems == []


def _expected_lists(label: str, real: W.Reader, member: W.Reader) -> dict:
    """The lists a tab shows whole: exactly what both may see."""

    def both(rule, key) -> bool:
        return rule(real, key) and rule(member, key)

    if label.startswith("sessions"):
        # The month shows the sessions starting by 31 March (day 16 from the 15th); the list all.
        last_day = 16 if label == "sessions in March 2027" else max(s.day for s in SESSIONS)
        return {
            ("session", "title"): {
                s.sentinels["title"]
                for s in SESSIONS
                if s.dialogue == "A" and both(W.sees_session, s.key) and s.day <= last_day
            }
        }
    if label == "documents":
        return {
            ("paper", "title"): {
                spec.sentinels["title"]
                for key, spec in DOCUMENT_SPECS.items()
                if spec.dialogue == "A" and both(W.sees_document, key)
            }
        }
    if label == "path":
        return {
            ("idea", "title"): {
                spec.sentinels["title"]
                for key, spec in W.IDEA_SPECS.items()
                if spec.dialogue == "A" and both(W.sees_idea, key)
            }
        }
    if label == "changes":
        return {
            ("change", "what"): {
                spec.sentinels["what"]
                for key, spec in W.CHANGE_SPECS.items()
                if spec.dialogue == "A" and both(W.sees_change, key)
            }
        }
    if label.startswith("idea_detail "):
        idea = label.removeprefix("idea_detail ")
        return {
            ("transfer", "reaction"): {
                text
                for key, spec in W.TRANSFER_SPECS.items()
                if spec.idea == idea and both(W.sees_transfer, key)
                for text in spec.sentinels.values()
            }
        }
    if label == "non_papers":
        return {
            ("non-paper", "title"): {
                spec.title
                for key, spec in W.NON_PAPER_SPECS.items()
                if spec.dialogue == "A"
                and any(
                    W.sees_version(real, key, n) and W.sees_version(member, key, n)
                    for n in spec.numbers
                )
            }
        }
    if label.startswith("non_paper_version "):
        key, number = label.split()[1:]
        return {
            ("comment", "body"): {
                c.body
                for c in W.COMMENTS
                if c.non_paper == key and c.version <= int(number) and both(W.sees_comment, c.key)
            }
        }
    if label == "outcomes":
        return {
            ("outcome", "summary"): {
                spec.sentinels["summary"]
                for key, spec in OUTCOME_SPECS.items()
                if W.SESSION_SPECS[spec.session].dialogue == "A" and both(W.sees_outcome, key)
            }
        }
    return {}


def _refusals(world, client) -> list[str]:
    """In the mode: B's pages, downloads, the account's page and a write are refused (403),
    showing nothing of what they would."""
    a, b = world.dialogues["A"].pk, world.dialogues["B"].pk
    refused = [
        ("GET", reverse("dialogues:dialogue_detail", args=[b])),
        ("GET", reverse("dialogues:document_download", args=[a, world.documents["DPUB"].pk])),
        ("GET", reverse("dialogues:agenda_pdf", args=[a, world.sessions["SPUB"].pk])),
        ("GET", reverse("calendar_feed", args=[world.users["part"].calendar_secret])),
        ("GET", reverse("profile")),
        ("GET", reverse("dialogues:agenda_edit", args=[a, world.sessions["SPUB"].pk])),
        ("POST", reverse("dialogues:ground_rules", args=[a])),
        ("POST", reverse("dialogues:session_status", args=[a, world.sessions["SPUB"].pk])),
    ]
    problems = []
    before = AuditEntry.objects.count()
    for method, address in refused:
        answer = client.post(address, {}) if method == "POST" else client.get(address)
        shown = (
            sentinels_in(answer.content.decode())
            - {PERSONS[k].name for k in PERSONS}
            - {W.DIALOGUE_SPECS["A"].title}
        )  # the banner: whom, where
        if answer.status_code != 403 or shown:
            problems.append(f"{method} {urlsplit(address).path}: {answer.status_code} {shown}")
    if AuditEntry.objects.count() != before:
        problems.append("a refusal left an entry in the trail")
    return problems
