"""What ``seed_demo`` (and so ``make run``) prints: one short block whose links follow
TRACKII_BASE_URL and open what they say; the e-mails go to the configured backend after the data
is committed; a pack that cannot be rendered is left out with the reason, and the rest stays."""

import io
import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import weasyprint
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dialogues.demo import demo_summary
from dialogues.models import BriefingPack, Dialogue
from participants.models import Invitation, Membership, User

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

RULE = "-" * 78
ACCOUNTS = [
    "  admin@demo.trackii.org           the organisation's admin (staff, vetting)",
    "  compliance@demo.trackii.org      second admin: confirms the admin's change of the scale",
    "  facilitator@demo.trackii.org     convenor of the Salt River Dialogue, sees everything in it",
    "  co-facilitator@demo.trackii.org  facilitator there, cleared Facilitators: approves briefing "
    "packs",
    "  participant@demo.trackii.org     participant (Osterlan side), clearance Participants",
    "  marovian@demo.trackii.org        participant (Marovian side), clearance Participants",
    "  samir@demo.trackii.org           participant (Osterlan side) who reads Trackii in Arabic",
    "  dragan@demo.trackii.org          participant (Marovian side) who reads Trackii in Russian",
    "  observer@demo.trackii.org        observer, clearance Programme",
    "  outsider@demo.trackii.org        member of the Coastal Fisheries Dialogue only",
]
LIBRARY_ERROR = (
    "cannot load library 'libgobject-2.0-0': libgobject-2.0-0: cannot open shared object"
)


def seed(base: str, links_file) -> list[str]:
    out = io.StringIO()
    with override_settings(TRACKII_BASE_URL=base, TRACKII_DEMO_LINKS_FILE=links_file):
        call_command("seed_demo", stdout=out)
    return out.getvalue().splitlines()


def expected(base: str, invitation: list[str], pack: list[str], mail_line: str) -> list[str]:
    return [
        RULE,
        f"Trackii's demo is ready: {base}/",
        "",
        f"Sign in at {base}/accounts/login/ as any of these; password: trackii-demo",
        *ACCOUNTS,
        "",
        "An invitation under way, for Nadia Farouk (open it signed out):",
        *invitation,
        "",
        "The briefing pack of an official, Elena Marsh (no account needed):",
        *pack,
        "",
        mail_line,
        RULE,
    ]


def invitation_lines(link: str, code: str = "") -> list[str]:
    if code:
        return [
            f"  {link}",
            f"  Its one-time code: {code} (valid for 15 minutes; after that, ask the page for a",
            "  new one: it is e-mailed to her, as the newest e-mail).",
        ]
    return [
        f"  {link}",
        "  Its one-time code: ask for one on that page; it arrives as her newest e-mail.",
    ]


def code_in(lines: list[str]) -> str:
    [code] = [m.group(1) for line in lines if (m := re.search(r"one-time code: (\d{6}) ", line))]
    return code


def links(lines: list[str], base: str, kind: str) -> list[str]:
    return [line.strip() for line in lines if line.strip().startswith(f"{base}/{kind}/")]


def test_the_block_names_the_logins_and_links_that_open_nadias_invitation_and_elenas_copy(
    client, tmp_path, django_capture_on_commit_callbacks
):
    base = "http://localhost:8123"
    folder = tmp_path / "mail"
    with (
        override_settings(
            TRACKII_BASE_URL=base,
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=folder,
        ),
        django_capture_on_commit_callbacks(execute=True),  # e-mails sent once data is committed
    ):
        lines = seed(base, tmp_path / "demo-links.json")
    [invitation] = links(lines, base, "invitations")
    [pack] = links(lines, base, "packs")
    code = code_in(lines)
    assert lines == expected(
        base,
        invitation_lines(invitation, code),
        [f"  {pack}"],
        f"E-mails are not sent: they are written to files in {folder}/ (newest last).",
    )

    page = client.get(urlsplit(invitation).path)
    assert page.status_code == 200
    assert page.context["invitation"].membership.person.full_name == "Nadia Farouk"
    assert page.context["invitation"].state == Invitation.State.OPENED
    # The code shown is the one e-mailed to her, and it confirms her address on the page.
    confirmed = client.post(urlsplit(invitation).path, {"action": "verify", "code": code})
    assert confirmed.status_code == 302
    assert Invitation.objects.get(membership__person__full_name="Nadia Farouk").verified_at
    page = client.get(urlsplit(pack).path)
    assert page.status_code == 200
    assert page.context["copy"].recipient_name == "Elena Marsh"

    # The e-mails went to files (the demo's invitation and the agendas' notices sent on commit):
    # Nadia's link once, and Elena's.
    written = "".join(path.read_text() for path in sorted(folder.iterdir()))
    assert re.findall(r"http://localhost:8123/invitations/\S+/", written) == [invitation]
    assert len(re.findall(r"http://localhost:8123/packs/\S+/", written)) == 1
    assert re.findall(r"Your one-time code is (\d{6})", written) == [code]
    recipients = re.findall(r"^To: (.*)$", written, re.MULTILINE)
    assert recipients.count("nadia-farouk@people.demo.trackii.org") == 2  # the link, the code
    assert recipients.count("envoy@ministry.demo.trackii.org") == 1


def test_a_rerun_on_another_port_shows_the_same_invitation_and_a_fresh_pack_link(
    tmp_path, monkeypatch
):
    # A code is sent at most once a minute: a rerun within it sends none and says where to ask.
    monkeypatch.setattr("participants.invitations.services.CODE_RESEND_AFTER", timedelta(days=1))
    remembered = tmp_path / "demo-links.json"
    [first] = links(
        seed("http://localhost:8000", remembered), "http://localhost:8000", "invitations"
    )
    invitations = list(Invitation.objects.values_list("pk", "token_hash"))
    mail.outbox.clear()

    base = "http://localhost:8001"
    lines = seed(base, remembered)
    [pack] = links(lines, base, "packs")
    token = first.rsplit("/", 2)[1]
    assert lines == expected(
        base,
        invitation_lines(f"{base}/invitations/{token}/"),
        [f"  {pack}"],
        "E-mails are kept in memory (test settings).",
    )
    assert list(Invitation.objects.values_list("pk", "token_hash")) == invitations
    assert mail.outbox == []  # a rerun sends nothing
    assert oct(remembered.stat().st_mode & 0o777) == "0o600"


def test_a_rerun_after_the_invitation_is_answered_or_without_its_link_says_so(tmp_path):
    base = "http://localhost:8000"
    seed(base, tmp_path / "demo-links.json")
    no_link = [
        "  No link to show: it was answered, withdrawn or has expired, or its e-mail is gone. "
        "The facilitator can send a new one from the dialogue's roster."
    ]
    pack = "E-mails are kept in memory (test settings)."

    lines = seed(base, None)  # nothing remembered: the link is not in the database
    assert lines == expected(base, no_link, [f"  {links(lines, base, 'packs')[0]}"], pack)

    Invitation.objects.filter(membership__person__full_name="Nadia Farouk").update(
        revoked_at=timezone.now()
    )
    lines = seed(base, tmp_path / "demo-links.json")
    assert lines == expected(base, no_link, [f"  {links(lines, base, 'packs')[0]}"], pack)


def test_without_weasyprints_libraries_the_pack_is_left_out_with_the_reason_and_the_rest_stays(
    monkeypatch, tmp_path
):
    def unavailable(*args, **kwargs):
        raise OSError(f"{LIBRARY_ERROR} file: No such file or directory\nmore detail")

    monkeypatch.setattr(weasyprint.HTML, "render", unavailable)
    base = "http://localhost:8000"
    lines = seed(base, tmp_path / "demo-links.json")

    [invitation] = links(lines, base, "invitations")
    assert lines == expected(
        base,
        invitation_lines(invitation, code_in(lines)),
        [
            f"  Not built: OSError: {LIBRARY_ERROR} file: No such file or directory",
            "  The rest of the demo is in place. If WeasyPrint's libraries are missing, install",
            "  the run part of system-packages.txt (make run does, as root), then make run again.",
        ],
        "E-mails are kept in memory (test settings).",
    )
    assert BriefingPack.objects.count() == 0
    assert Dialogue.objects.get(title="Salt River Dialogue").sessions.count() == 3
    assert User.objects.count() == 10
    assert Membership.objects.get(person__full_name="Nadia Farouk").state == "invited"
    [sent, code] = [m for m in mail.outbox if m.to == ["nadia-farouk@people.demo.trackii.org"]]
    assert f"{invitation}\n" in sent.body
    assert f"Your one-time code is {code_in(lines)}" in code.body

    monkeypatch.undo()  # the libraries are installed: the next run builds the pack
    # (and sends no second code: one a minute at most, however slow this machine is)
    monkeypatch.setattr("participants.invitations.services.CODE_RESEND_AFTER", timedelta(days=1))
    lines = seed(base, tmp_path / "demo-links.json")
    [pack] = links(lines, base, "packs")
    assert lines == expected(
        base,
        invitation_lines(invitation),
        [f"  {pack}"],
        "E-mails are kept in memory (test settings).",
    )
    assert BriefingPack.objects.get().released_at is not None


def test_a_copy_that_fails_to_render_leaves_the_pack_out_and_the_log_says_why(
    monkeypatch, tmp_path, caplog
):
    real_render = weasyprint.HTML.render
    calls = []

    def render_once(self, *args, **kwargs):  # the check passes, the copy then fails
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("a font table is corrupt")
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", render_once)
    base = "http://localhost:8000"
    with caplog.at_level(logging.ERROR, logger="dialogues.briefing.services"):
        lines = seed(base, tmp_path / "demo-links.json")

    assert lines[-7:] == [
        "The briefing pack of an official, Elena Marsh (no account needed):",
        "  Not built: its copy could not be rendered (the error is logged above)",
        "  The rest of the demo is in place. If WeasyPrint's libraries are missing, install",
        "  the run part of system-packages.txt (make run does, as root), then make run again.",
        "",
        "E-mails are kept in memory (test settings).",
        RULE,
    ]
    [record] = [r for r in caplog.records if r.name == "dialogues.briefing.services"]
    assert re.fullmatch(
        r"briefing copy \d+: rendering failed \(RuntimeError\)", record.getMessage()
    )
    assert BriefingPack.objects.count() == 0


class SeedFailed(Exception):
    pass


def failing_seed(seen: dict) -> None:
    logger = logging.getLogger("weasyprint.progress")
    with demo_summary.seeding_quietly() as held:
        seen["info"] = logger.isEnabledFor(logging.INFO)
        seen["warning"] = logger.isEnabledFor(logging.WARNING)
        mail.send_mail("Subject", "Body", None, ["someone@example.org"])
        seen["held"] = [m.subject for m in held]
        raise SeedFailed


def test_seeding_quietly_drops_info_logs_and_sends_nothing_when_the_seed_fails():
    seen = {}
    with pytest.raises(SeedFailed):
        failing_seed(seen)
    assert seen == {"info": False, "warning": True, "held": ["Subject"]}
    assert mail.outbox == []
    assert logging.root.manager.disable == logging.NOTSET
