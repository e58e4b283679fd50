"""A briefing pack's copy as a file: its HTML (rendered to PDF by ``services.render_copy_pdf``
through ``dialogues.pdf``, which fetches nothing but an allow-list of our own static files) and
its file name, which leaves our control and so carries the cover name and the copy number
only."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..pdf import static_url

BRIEFING_PDF_TEMPLATE = "dialogues/briefing/pack_pdf.html"
BRIEFING_PDF_STYLESHEET = "css/briefing_pdf.css"
BRIEFING_PDF_LOGO = "img/trackii-mark.svg"


def briefing_pack_filename(copy) -> str:
    """The cover name and the copy number only: no title, no recipient."""
    slug = slugify(copy.pack.dialogue.cover_name, allow_unicode=True) or "briefing"
    return f"{slug}-copy-{copy.number}-of-{copy.total}.pdf"


def briefing_pack_html(*, contents, copy) -> str:
    """The HTML of one copy, in the active language (the recipient's: ``services.
    render_copy_pdf``). ``contents`` is what the copy's recipient may see
    (``selectors.pack_contents``); nothing else reaches the template."""
    return render_to_string(
        BRIEFING_PDF_TEMPLATE,
        {
            "contents": contents,
            "dialogue": contents.dialogue,
            "pack": copy.pack,
            "copy": copy,
            "classification": copy.clearance.label,
            "pdf_title": _("%(cover)s: copy %(number)s of %(total)s")
            % {
                "cover": contents.dialogue.cover_label,
                "number": copy.number,
                "total": copy.total,
            },
            "stylesheet_url": static_url(BRIEFING_PDF_STYLESHEET),
            "logo_url": static_url(BRIEFING_PDF_LOGO),
        },
    )
