"""A briefing pack's copies as files: the HTML of a group's base and of its copies' marks
(rendered to PDF by ``services.render_group_pdfs`` through ``dialogues.pdf``, which fetches
nothing but an allow-list of our own static files, and merged by ``stamping``), and each copy's
file name, which leaves our control and so carries the cover name and the copy number only.

A group is the copies of one pack at one clearance and in one language: they print the same
text and differ only in their marks (the cover's recipient and copy number, and the recipient
and "Copy k of n" in every page's margins)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..pdf import static_url

BRIEFING_PDF_TEMPLATE = "dialogues/briefing/pack_pdf.html"
BRIEFING_MARKS_TEMPLATE = "dialogues/briefing/pack_marks_pdf.html"
BRIEFING_PDF_STYLESHEET = "css/briefing_pdf.css"
BRIEFING_BASE_STYLESHEET = "css/briefing_pdf_base.css"
BRIEFING_MARKS_STYLESHEET = "css/briefing_pdf_marks.css"
BRIEFING_PDF_LOGO = "img/trackii-mark.svg"


def briefing_pack_filename(copy) -> str:
    """The cover name and the copy number only: no title, no recipient."""
    slug = slugify(copy.pack.dialogue.cover_name, allow_unicode=True) or "briefing"
    return f"{slug}-copy-{copy.number}-of-{copy.total}.pdf"


def copy_pdf_title(copy) -> str:
    """The PDF title of a copy: the cover name and the copy number (set on each copy's file)."""
    return _("%(cover)s: copy %(number)s of %(total)s") % {
        "cover": copy.pack.dialogue.cover_label,
        "number": copy.number,
        "total": copy.total,
    }


def _context(*, contents, copies, group, layer: str) -> dict:
    clearance = copies[0].clearance
    return {
        "contents": contents,
        "dialogue": contents.dialogue,
        "pack": copies[0].pack,
        "copies": copies,
        "group": group,
        "classification": clearance.label,
        "classification_description": clearance.label_description,
        "pdf_title": contents.dialogue.cover_label,
        "stylesheet_url": static_url(BRIEFING_PDF_STYLESHEET),
        "layer_stylesheet_url": static_url(layer),
        "logo_url": static_url(BRIEFING_PDF_LOGO),
    }


def briefing_pack_html(*, contents, group) -> str:
    """The HTML of a group's base, in the active language (the recipients': ``services.
    render_group_pdfs``). ``contents`` is what the group's recipients may see
    (``selectors.pack_contents`` at their clearance); nothing else reaches the template. The
    ``group`` (every copy of one pack at one clearance and in one language) only reserves the
    cover's space for their marks, which are hidden."""
    return render_to_string(
        BRIEFING_PDF_TEMPLATE,
        _context(contents=contents, copies=group, group=group, layer=BRIEFING_BASE_STYLESHEET),
    )


def briefing_marks_html(*, contents, copies, group) -> str:
    """The HTML of the marks of ``copies`` (of the ``group``, whose recipients' space the cover
    reserves as in the base): two pages a copy (its cover, and its running marks for every
    other page), in the active language."""
    return render_to_string(
        BRIEFING_MARKS_TEMPLATE,
        _context(contents=contents, copies=copies, group=group, layer=BRIEFING_MARKS_STYLESHEET),
    )
