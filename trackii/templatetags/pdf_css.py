"""Translated words in a PDF's page margins (``{% load pdf_css %}``): WeasyPrint writes "Page 2 of
5" and "For Nadia Farouk" in the margin boxes through CSS ``content``, which a stylesheet cannot
translate.

    {% css_content _("Page %(page)s of %(pages)s") page="counter(page)" pages="counter(pages)" %}

writes the message in the reader's language as such a value: its words as CSS strings, escaped
(a translation can hold no markup nor end the style sheet), each placeholder as the CSS function
given for it, in the order the translation puts them."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Hex escapes for what could end a CSS string or the <style> element, or start markup.
ESCAPES = {
    "\\": "\\5C ",
    '"': "\\22 ",
    "'": "\\27 ",
    "<": "\\3C ",
    ">": "\\3E ",
    "&": "\\26 ",
    "\n": "\\A ",
    "\r": "",
}
# What a placeholder may stand for: a counter or a named string of the page, nothing else.
FUNCTION = re.compile(r"(?:counter|counters|string)\([a-z-]+\)")


def css_string(text: str) -> str:
    return '"' + "".join(ESCAPES.get(c, c) for c in text) + '"'


@register.simple_tag
def css_content(message: str, **functions: str) -> SafeString:
    for value in functions.values():
        if not FUNCTION.fullmatch(value):
            raise template.TemplateSyntaxError(f"css_content: {value!r} is not a CSS counter")
    parts = []
    last = 0
    for found in PLACEHOLDER.finditer(str(message)):
        if found.start() > last:
            parts.append(css_string(str(message)[last : found.start()]))
        parts.append(functions[found.group(1)])
        last = found.end()
    if last < len(str(message)):
        parts.append(css_string(str(message)[last:]))
    return mark_safe(" ".join(parts) or '""')  # noqa: S308 - every piece escaped above
