"""What ``seed_demo`` (and so ``make run``) shows when the demo is in place: one short block with
the demo logins, the invitation under way and the official's pack link, on TRACKII_BASE_URL.

Seeding itself is kept quiet: log records below WARNING are dropped meanwhile (WeasyPrint's
progress, font subsetting, screening), and the e-mails the demo sends are held back and handed to
the configured backend once the data is committed (local settings write them to var/mail/). An
invitation's token is kept only as a digest in the database, so the demo's own invitation link is
read from the e-mail that carried it, and remembered in ``TRACKII_DEMO_LINKS_FILE`` (local
settings: var/demo-links.json) for the next run's block."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test.utils import override_settings
from django.urls import reverse

RULE = "-" * 78


class HeldMail(BaseEmailBackend):
    """Holds the messages sent while the demo is seeded; ``seeding_quietly`` delivers them."""

    held: list = []

    def send_messages(self, email_messages):
        HeldMail.held.extend(email_messages)
        return len(email_messages)


@contextmanager
def seeding_quietly() -> Iterator[list]:
    """Yields the list of e-mails sent meanwhile. They reach the configured backend only if the
    block ends without an exception (a rolled-back demo sends nothing)."""
    previous = logging.root.manager.disable
    HeldMail.held = []
    logging.disable(logging.INFO)
    try:
        with override_settings(EMAIL_BACKEND=f"{__name__}.HeldMail"):
            yield HeldMail.held
    finally:
        logging.disable(previous)
    if HeldMail.held:
        mail.get_connection().send_messages(HeldMail.held)


def pdf_problem() -> str:
    """Why WeasyPrint cannot make a PDF here (its libraries missing, say), or ""."""
    from ..pdf import render_pdf

    try:
        render_pdf("<p>Trackii</p>")
    except Exception as error:  # whatever it is, the block says it and the rest is served
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"{type(error).__name__}: {first_line[:200]}".rstrip(": ")
    return ""


def _token_digest(token: str) -> str:
    # Invitation.token_hash is the SHA-256 of the link's token (participants.invitations.services).
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_tokens(messages: list, address: str) -> list[str]:
    head, _, tail = reverse("invitations:open", args=["TOKEN"]).partition("TOKEN")
    pattern = re.compile(re.escape(head) + r"([\w-]+)" + re.escape(tail))
    return [
        found
        for message in messages
        if address in message.to
        for found in pattern.findall(message.body)
    ]


def _links_file() -> Path | None:
    path = getattr(settings, "TRACKII_DEMO_LINKS_FILE", None)
    return Path(path) if path else None


def _remembered_token() -> str:
    path = _links_file()
    if path is None or not path.is_file():
        return ""
    try:
        return str(json.loads(path.read_text()).get("invitation", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def _remember_token(token: str) -> None:
    path = _links_file()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"invitation": token}) + "\n")
    path.chmod(0o600)


def invitation_link(*, person, sent: list) -> str:
    """The link of the person's open invitation: from an e-mail sent in this run, else the one
    remembered from an earlier run, if either still opens an invitation; "" otherwise."""
    from participants.models import Invitation

    open_by_digest = {
        invitation.token_hash: invitation
        for invitation in Invitation.objects.filter(membership__person=person)
        if invitation.is_open
    }
    candidates = [*_invitation_tokens(sent, (person.email or "").lower()), _remembered_token()]
    for token in candidates:
        if token and _token_digest(token) in open_by_digest:
            _remember_token(token)
            return settings.TRACKII_BASE_URL.rstrip("/") + reverse("invitations:open", args=[token])
    return ""


def fresh_code(*, person, sent: list) -> str:
    """A one-time code for the person's open invitation, sent now (it is valid for 15 minutes),
    read back from its e-mail; "" when none can be sent (no open invitation, the address already
    confirmed, or a code sent less than a minute ago: then it is the newest e-mail)."""
    from django.core.exceptions import ValidationError

    from participants.invitations.services import invitation_send_code
    from participants.models import Invitation

    invitation = next(
        (i for i in Invitation.objects.filter(membership__person=person) if i.is_open), None
    )
    if invitation is None:
        return ""
    before = len(sent)
    try:
        invitation_send_code(invitation=invitation)
    except ValidationError:
        return ""
    for message in sent[before:]:
        found = re.search(r"\b(\d{6})\b", message.body)
        if found and message.to == [invitation.email]:
            return found.group(1)
    return ""


def pack_link(pack) -> str:
    """A working link to the pack's first copy for its official, or ""."""
    from ..briefing import services as briefing

    copy = pack.copies.order_by("number").first() if pack is not None else None
    if copy is None or not copy.link_nonce:
        return ""
    token = briefing.link_token(copy)
    if briefing.copy_by_token(token) is None:
        return ""
    return settings.TRACKII_BASE_URL.rstrip("/") + reverse("pack_link", args=[token])


def _where_mail_goes() -> str:
    backend = settings.EMAIL_BACKEND
    if backend.endswith("filebased.EmailBackend"):
        folder = Path(settings.EMAIL_FILE_PATH)
        with suppress(ValueError):
            folder = folder.resolve().relative_to(Path.cwd())
        return f"E-mails are not sent: they are written to files in {folder}/ (newest last)."
    if backend.endswith("console.EmailBackend"):
        return "E-mails are not sent: they are printed on this console."
    if backend.endswith("locmem.EmailBackend"):
        return "E-mails are kept in memory (test settings)."
    return f"E-mails go out through {backend} (EMAIL_URL)."


def block(
    *,
    accounts: list[tuple[str, str]],
    password: str,
    invitee,
    invitation: str,
    code: str = "",
    official: str,
    pack: str,
    pack_problem: str,
    extra: list[str],
) -> list[str]:
    """The lines of the summary, framed by rules."""
    base = settings.TRACKII_BASE_URL.rstrip("/")
    mail_line = _where_mail_goes()
    lines = [
        RULE,
        f"Trackii's demo is ready: {base}/",
        "",
        f"Sign in at {base}{reverse('account_login')} as any of these; password: {password}",
    ]
    lines += [f"  {email:<32} {what}" for email, what in accounts]
    lines += extra
    lines += ["", f"An invitation under way, for {invitee.full_name} (open it signed out):"]
    if invitation and code:
        lines += [
            f"  {invitation}",
            f"  Its one-time code: {code} (valid for 15 minutes; after that, ask the page for a",
            "  new one: it is e-mailed to her, as the newest e-mail).",
        ]
    elif invitation:
        lines += [
            f"  {invitation}",
            "  Its one-time code: ask for one on that page; it arrives as her newest e-mail.",
        ]
    else:
        lines.append(
            "  No link to show: it was answered, withdrawn or has expired, or its e-mail is gone."
            " The facilitator can send a new one from the dialogue's roster."
        )
    lines += ["", f"The briefing pack of an official, {official} (no account needed):"]
    if pack:
        lines.append(f"  {pack}")
    elif pack_problem:
        lines += [
            f"  Not built: {pack_problem}",
            "  The rest of the demo is in place. If WeasyPrint's libraries are missing, install",
            "  the run part of system-packages.txt (make run does, as root), then make run again.",
        ]
    else:
        lines.append(
            "  Its link has expired or was withdrawn: the facilitator can send a new one from"
            " the pack's page."
        )
    lines += ["", mail_line, RULE]
    return lines
