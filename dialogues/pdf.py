"""Rendering HTML to PDF with WeasyPrint, fetching nothing but our own files.

WeasyPrint would otherwise follow any URL in the HTML it is given: ``file:`` (files of the
server), ``http(s):`` (the network, and a way to tell someone a pack was opened), ``data:``.
User-entered text is escaped by the templates, but the fetcher is the second wall: it answers a
fixed allow-list of the project's own static files under a base URL that never resolves
(``.invalid``, RFC 2606), from disk, and refuses every other URL. It never follows redirects,
since it never asks the network anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

PDF_BASE_URL = "https://trackii.invalid/"

# The only files a PDF may load: path under static/ -> content type.
ALLOWED_STATIC = {
    "css/agenda_pdf.css": "text/css; charset=utf-8",
    "css/briefing_pdf.css": "text/css; charset=utf-8",
    "css/briefing_pdf_base.css": "text/css; charset=utf-8",
    "css/briefing_pdf_marks.css": "text/css; charset=utf-8",
    "css/funder_report_pdf.css": "text/css; charset=utf-8",
    "img/trackii-mark.svg": "image/svg+xml",
}


class RefusedFetch(ValueError):
    """WeasyPrint asked for something that is not on the allow-list."""


def static_url(path: str) -> str:
    """The URL a template uses for an allow-listed static file."""
    if path not in ALLOWED_STATIC:
        raise RefusedFetch(f"{path} is not on the PDF allow-list")
    return f"{PDF_BASE_URL}static/{path}"


def _allowed_urls() -> dict[str, str]:
    return {static_url(path): path for path in ALLOWED_STATIC}


def _read_static(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        raise RefusedFetch(f"{path} is missing from the static folders")
    return Path(found).read_bytes()


@dataclass
class FetchLog:
    """What a rendering asked for: answered (allow-listed) and refused URLs, for tests and
    logs."""

    answered: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AllowListFetcher(URLFetcher):
        """Answers the allow-listed static files from disk; refuses everything else."""

        def __init__(self, log: FetchLog):
            super().__init__(allowed_protocols=[], allow_redirects=False)
            self.log = log

        def fetch(self, url, headers=None):
            path = _allowed_urls().get(url)
            if path is None:
                self.log.refused.append(url[:200])
                raise RefusedFetch(f"refused to fetch {url[:80]!r}")
            self.log.answered.append(url)
            return URLFetcherResponse(
                url, _read_static(path), {"Content-Type": ALLOWED_STATIC[path]}
            )

    return AllowListFetcher


def url_fetcher(log: FetchLog | None = None):
    """A fresh fetcher for one rendering."""
    return _fetcher_class()(log if log is not None else FetchLog())


def render_pdf(html: str, *, log: FetchLog | None = None) -> tuple[bytes, int]:
    """The PDF of ``html`` and its number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=url_fetcher(log)).render()
    return document.write_pdf(), len(document.pages)
