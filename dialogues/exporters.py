"""Exports that leave Trackii as files: the agenda on paper (a PDF).

An exporter knows its content type and its file name, and reads only through the selectors, so a
PDF holds what the reader sees on the session page and nothing above their clearance. The file
name and the PDF's metadata leave our control: they carry the outbound title only (see
``confidentiality.outbound_title``). WeasyPrint is imported lazily (a heavy import), and it
fetches nothing but our own stylesheet.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.text import slugify

from . import selectors
from .confidentiality import Viewer, outbound_title
from .models import Session

AGENDA_PDF_CONTENT_TYPE = "application/pdf"
AGENDA_PDF_TEMPLATE = "dialogues/agenda_pdf.html"
AGENDA_PDF_STYLESHEET = "css/agenda_pdf.css"

# The document's base URL. ``.invalid`` never resolves (RFC 2606), and the fetcher below answers
# only the stylesheet's URL under it, from our static folder, so nothing goes to the network.
PDF_BASE_URL = "https://trackii.invalid/"
PDF_STYLESHEET_URL = f"{PDF_BASE_URL}static/{AGENDA_PDF_STYLESHEET}"


class RefusedFetch(ValueError):
    """WeasyPrint asked for something other than our stylesheet."""


def _stylesheet_bytes() -> bytes:
    path = finders.find(AGENDA_PDF_STYLESHEET)
    if not path:
        raise RefusedFetch(f"{AGENDA_PDF_STYLESHEET} is missing from the static folders")
    return Path(path).read_bytes()


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnStylesheetOnly(URLFetcher):
        """Answers our one stylesheet from disk and refuses every other URL (files, the
        network, data: URLs), whatever a template or a user's text might name."""

        def fetch(self, url, headers=None):
            if url != PDF_STYLESHEET_URL:
                raise RefusedFetch(f"refused to fetch {url[:80]!r}")
            return URLFetcherResponse(
                url, _stylesheet_bytes(), {"Content-Type": "text/css; charset=utf-8"}
            )

    return OwnStylesheetOnly


def pdf_url_fetcher():
    """A fresh fetcher for one rendering."""
    return _fetcher_class()()


def reader_name(user) -> str:
    """The name printed on every page: the person's full name, or the account's e-mail."""
    person = getattr(user, "person", None)
    return (person.full_name if person is not None else "") or user.email


def agenda_pdf_filename(session: Session) -> str:
    slug = slugify(outbound_title(session.dialogue, session), allow_unicode=True)
    return f"{slug}-agenda.pdf" if slug else "agenda.pdf"


def agenda_pdf(*, viewer: Viewer, user, session: Session) -> tuple[bytes, str]:
    """The session's published agenda as ``viewer`` may read it, as a PDF carrying the reader's
    name, the session's level and "page x of y" on every page; and the file name."""
    from weasyprint import HTML

    items = selectors.published_agenda_visible_to(viewer=viewer, session=session)
    html = render_to_string(
        AGENDA_PDF_TEMPLATE,
        {
            "session": session,
            "dialogue": session.dialogue,
            "items": list(items),
            "reader": reader_name(user),
            "outbound_title": outbound_title(session.dialogue, session),
            "stylesheet_url": PDF_STYLESHEET_URL,
        },
    )
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=pdf_url_fetcher())
    return document.write_pdf(), agenda_pdf_filename(session)
