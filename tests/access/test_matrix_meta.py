"""The matrix can fail: with the confidentiality module made to allow everything, the same
checks report wrong statuses and leaked sentinels (pages, feeds, PDFs, e-mails), each for the
reason it should, not a crash; with the audit trail's writer doing nothing, or the ledger naming
the wrong object or recording a refusal, they report the reads the trail got wrong."""

import sys
from dataclasses import replace

import pytest
from django.core import mail

import dialogues.confidentiality as confidentiality
from dialogues.planning.notifications import agenda_published_notify

from . import matrix

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _allow_everything(monkeypatch) -> None:
    """Every rule of the confidentiality module answers yes, wherever it was imported by name
    (modules import ``visible``, ``can_plan``... into their own namespace)."""

    def visible(viewer, queryset, *, dialogue_id=None):
        if isinstance(queryset, type):
            queryset = queryset._default_manager.all()
        if dialogue_id is not None:
            fields = {f.name for f in queryset.model._meta.get_fields()}
            if queryset.model._meta.model_name == "dialogue":
                field = "pk"
            elif "dialogue" in fields:
                field = "dialogue_id"
            elif "non_paper" in fields:  # a non-paper's versions
                field = "non_paper__dialogue_id"
            elif "version" in fields:  # caucus comments
                field = "version__non_paper__dialogue_id"
            else:  # a session's children (agenda items, outcomes): their session's dialogue
                field = "session__dialogue_id"
            queryset = queryset.filter(**{field: dialogue_id})
        return queryset

    # The scoped forms keep their scope (rows of one session, or outside any), and nothing else.
    def visible_in_session(viewer, queryset, *, dialogue_id, session):
        if session is None:
            return queryset.filter(session__isnull=True, dialogue_id=dialogue_id)
        return queryset.filter(session_id=session.pk)

    def visible_session(viewer, queryset, *, session_id):
        return queryset.get(pk=session_id)

    def yes(*args, **kwargs):
        return True

    def outbound_title(dialogue, *path, rank=None):
        return path[-1].title if path else dialogue.title

    def every_role(viewer, dialogue_id, *, current=None):
        from participants.models import Membership

        return [value for value, _label in Membership.Role.choices]

    replacements = {
        "visible": visible,
        "visible_in_session": visible_in_session,
        "visible_session": visible_session,
        "can_view": yes,
        "can_plan": yes,
        "can_see_roster": yes,
        "can_see_attendees": yes,
        "can_record": yes,
        "can_read_copy": yes,
        "can_change_membership": yes,
        "can_confirm_outbound_raise": yes,
        "assignable_roles": every_role,
        "may_leave": yes,
        "outbound_title": outbound_title,
    }
    originals = {name: getattr(confidentiality, name) for name in replacements}
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not namespace:
            continue
        for name, original in originals.items():
            if namespace.get(name) is original:
                monkeypatch.setattr(module, name, replacements[name])


def _subset(label: str, *, targets=None, roles=None) -> matrix.Route:
    """A route of the matrix on fewer targets or roles: the patch turns every refusal into a
    200, and rendering a PDF for each would be slow."""
    route = matrix.route_by_label(label)

    def kept(w):
        chosen = [t for t in route.targets(w) if targets is None or t.label in targets]
        return [replace(t, roles=roles) if roles else t for t in chosen]

    return matrix.Route(label, kept)


# The routes run under the patch: pages, an htmx partial, downloads, a feed, a PDF.
META_ROUTES = [
    matrix.route_by_label(label) for label in ("home", "dialogue_detail", "roster", "outcomes")
] + [
    _subset("session_detail", targets={"session SPUB", "session SFAC", "session SDRAFT"}),
    _subset("calendar_feed", targets={"feed of part", "feed of obs"}, roles=("anonymous",)),
    _subset("document_download", targets={"paper DPUB", "paper DFAC", "paper DRES"}),
    _subset("pack_detail (htmx status partial)", targets={"pack of A"}),
    _subset("agenda_pdf", targets={"session SPUB", "session SFAC"}, roles=("observer",)),
    _subset(
        "membership_edit",
        targets={"convenor of A", "facilitator of A"},
        roles=("co_facilitator", "facilitator"),
    ),
    _subset("outbound requests", targets={"confirm"}, roles=("co_facilitator",)),
]


def _keys(problems):
    return {(p.kind, p.route, p.target, p.role) for p in problems}


def test_the_matrix_fails_when_confidentiality_allows_everything(world, clients, monkeypatch):
    _allow_everything(monkeypatch)
    report = matrix.run_matrix(world, META_ROUTES, clients=clients)
    found = _keys(report.problems)

    # Wrong statuses: what was 404 answers 200.
    assert ("status", "dialogue_detail", "dialogue A", "outsider") in found
    assert ("status", "session_detail", "session SFAC", "observer") in found
    assert ("status", "roster", "dialogue A", "participant") in found
    assert ("status", "document_download", "paper DFAC", "participant") in found
    assert ("status", "pack_detail (htmx status partial)", "pack of A", "participant") in found
    # Inside the convening team: a co-facilitator reaching the convenor's membership, a
    # facilitator their own, the requester confirming their own request.
    assert ("status", "membership_edit", "convenor of A", "co_facilitator") in found
    assert ("status", "membership_edit", "facilitator of A", "facilitator") in found
    assert ("status", "outbound requests", "confirm", "co_facilitator") in found
    # Leaks in the bodies of answers that are 200 anyway.
    assert ("leak", "home", "home", "observer") in found
    assert ("leak", "session_detail", "session SPUB", "observer") in found
    assert ("leak", "calendar_feed", "feed of part", "anonymous") in found
    assert ("feed", "calendar_feed", "feed of part", "anonymous") in found
    assert ("leak", "agenda_pdf", "session SPUB", "observer") in found
    # The observer's session page names what is above Programme: an item, a paper, an outcome.
    leak = next(
        p
        for p in report.problems
        if (p.kind, p.route, p.target, p.role)
        == ("leak", "session_detail", "session SPUB", "observer")
    )
    for sentinel in ("SNT-IPAR-TITLE", "SNT-DSFAC-TITLE", "SNT-OPAR-SUMMARY"):
        assert sentinel in leak.detail
    # The outcomes tab: another dialogue's, and the attributed record to a participant.
    assert ("status", "outcomes", "dialogue A", "outsider") in found
    leak = next(
        p
        for p in report.problems
        if (p.kind, p.route, p.target, p.role) == ("leak", "outcomes", "dialogue A", "participant")
    )
    for sentinel in ("SNT-OFAC-SUMMARY", "SNT-OPUB-RECORD"):
        assert sentinel in leak.detail

    # For the right reason: most problems are statuses and leaks, not crashes.
    kinds = [p.kind for p in report.problems]
    assert kinds.count("status") > 30
    assert kinds.count("leak") > 30
    assert kinds.count("error") < kinds.count("leak") / 5, report.text()


def test_the_matrix_fails_when_a_side_reads_another_sides_caucus(world, clients, monkeypatch):
    """Rule 12's part: with confidentiality allowing everything, a version's page shows side
    one's comments to side two, comments to the observer and the third party, and an internal
    version to the sides; the Non-papers tab lists what the participant may not see."""
    _allow_everything(monkeypatch)
    roles = ("participant", "other_side", "observer", "third_party")
    routes = [
        _subset(
            "non_paper_version",
            targets={"non-paper NPPRG version 1", "non-paper NPPRG version 2"},
            roles=roles,
        ),
        _subset("non_papers", targets={"dialogue A"}, roles=roles),
    ]
    report = matrix.run_matrix(world, routes, clients=clients)
    found = _keys(report.problems)
    v1, v2 = "non-paper NPPRG version 1", "non-paper NPPRG version 2"
    for role in roles:
        assert ("status", "non_paper_version", v2, role) in found, role
        assert ("leak", "non_paper_version", v1, role) in found, role
    leaks = {
        p.role: p.detail
        for p in report.problems
        if (p.kind, p.route, p.target) == ("leak", "non_paper_version", v1)
    }
    assert "SNT-CMONE-BODY" in leaks["other_side"]
    assert "SNT-CMTWO-BODY" in leaks["participant"]
    for role in ("observer", "third_party"):
        assert "SNT-CMONE-BODY" in leaks[role], role
        assert "SNT-CMTWO-BODY" in leaks[role], role
    assert ("exact", "non_papers", "dialogue A", "participant") in found
    assert ("leak", "non_papers", "dialogue A", "participant") in found
    assert {p.kind for p in report.problems} <= {"status", "leak", "exact", "read"}


def test_the_email_check_fails_when_confidentiality_allows_everything(world, monkeypatch):
    _allow_everything(monkeypatch)
    mail.outbox = []
    # The participant attends the Facilitators session without the clearance for it.
    agenda_published_notify(session_id=world.sessions["SFAC"].pk, version=1)
    problems = matrix.check_emails(world, mail.outbox)
    assert {(p.kind, p.role) for p in problems} == {("outbound", "person part")}
    assert "SNT-SFAC-TITLE" in problems[0].detail


# -- the audit trail's part: the matrix notices reads that were not recorded ---------------------

# Pages of each kind the issue names (edit forms, the agenda editor, the roster, the pack page and
# its polled partial), a feed, a file, a PDF and an official's link.
READ_ROUTES = [
    matrix.route_by_label(label)
    for label in (
        "home",
        "dialogue_detail",
        "roster",
        "membership_edit",
        "session_edit",
        "agenda_edit (htmx partial)",
        "outcome_edit",
        "outcomes",
        "pack_detail (htmx status partial)",
    )
] + [
    _subset("agenda_item_edit", targets={"item IPUB", "item IFAC"}),
    _subset("calendar_feed", targets={"feed of part", "feed of obs"}, roles=("anonymous",)),
    _subset("document_download", targets={"paper DPUB", "paper DFAC"}),
    _subset("agenda_pdf", targets={"session SPUB"}, roles=("observer",)),
    _subset("pack_link_download", targets={"link of copy OFFPRG"}, roles=("official",)),
]


def test_the_matrix_fails_when_reads_are_not_written(world, clients, monkeypatch):
    from trackii.audit import middleware

    monkeypatch.setattr(middleware, "audit_reads", lambda **kwargs: [])
    report = matrix.run_matrix(world, READ_ROUTES, clients=clients)
    found = _keys(report.problems)

    for route, target, role in (
        ("home", "home", "participant"),
        ("dialogue_detail", "dialogue A", "participant"),
        ("roster", "dialogue A", "facilitator"),
        ("membership_edit", "participant of A", "facilitator"),
        ("session_edit", "session SFAC", "facilitator"),
        ("agenda_edit (htmx partial)", "session SPUB", "facilitator"),
        ("agenda_item_edit", "item IFAC", "facilitator"),
        ("outcome_edit", "outcome OPUB", "facilitator"),
        ("outcomes", "dialogue A", "participant"),
        ("pack_detail (htmx status partial)", "pack of A", "facilitator"),
        ("calendar_feed", "feed of part", "anonymous"),
        ("document_download", "paper DPUB", "observer"),
        ("agenda_pdf", "session SPUB", "observer"),
        ("pack_link_download", "link of copy OFFPRG", "official"),
    ):
        assert ("read", route, target, role) in found, (route, target, role)
    # Only the trail is wrong: every status and body is as the rules call for.
    assert {p.kind for p in report.problems} == {"read"}, report.text()


def test_the_matrix_fails_when_a_read_names_the_wrong_object_or_a_refusal_is_recorded(
    world, clients, monkeypatch
):
    from trackii.audit import reads

    def first_only(obj, *, dialogue_id, **detail):
        """The first object resolved (the container) instead of the page's subject."""
        ledger = reads.current()
        if ledger is not None and ledger.subject is None:
            ledger.subject = reads.Read(obj, dialogue_id, detail)

    monkeypatch.setattr(reads, "note", first_only)
    monkeypatch.setattr(reads, "SHOWING_STATUSES", frozenset({200, 404}))
    routes = [
        _subset("agenda_item_edit", targets={"item IPUB"}),
        _subset("agenda_edit", targets={"session SPUB"}),
    ]
    report = matrix.run_matrix(world, routes, clients=clients)
    found = _keys(report.problems)
    # The item's page recorded as a read of its dialogue (the first object looked up).
    assert ("read", "agenda_item_edit", "item IPUB", "facilitator") in found
    wrong = next(
        p
        for p in report.problems
        if (p.kind, p.target, p.role) == ("read", "item IPUB", "facilitator")
    )
    user = world.users["fac"].pk
    dialogue, item = world.dialogues["A"].pk, world.items["IPUB"].pk
    assert wrong.detail == (
        f"the audit trail recorded [({user}, 'dialogues.dialogue', '{dialogue}', 'viewed')], "
        f"expected [({user}, 'dialogues.agendaitem', '{item}', 'viewed')]"
    )
    # A refusal recorded as a read: the participant was answered 404 (the planner is the
    # convening team's) after the dialogue was looked up; the trail would say "viewed".
    assert ("read", "agenda_edit", "session SPUB", "participant") in found
    assert {p.kind for p in report.problems} == {"read"}, report.text()


def test_the_matrix_fails_when_a_record_shown_is_not_recorded_as_such(world, clients, monkeypatch):
    """The outcomes tab shows the attributed record to those who record: its entries must say
    ``record``. Noted without it, the matrix names each outcome."""
    from dialogues.outcomes import views

    listed = views.outcomes_of_dialogue_listed

    def without_records(*, viewer, dialogue, with_records):
        return listed(viewer=viewer, dialogue=dialogue, with_records=False)

    monkeypatch.setattr(views, "outcomes_of_dialogue_listed", without_records)
    report = matrix.run_matrix(
        world, [_subset("outcomes", roles=("participant", "facilitator"))], clients=clients
    )
    assert {(p.kind, p.target, p.role) for p in report.problems} == {
        ("read", "dialogue A", "facilitator")
    }
    # Every outcome of A the facilitator reads (those of the Participants consultation too).
    assert {p.detail for p in report.problems} == {
        f"outcome {key} recorded with record=None"
        for key in ("OPUB", "OPRG", "OPAR", "OFAC", "ORES", "OOFF", "OSPARX")
    }
