"""Translated words in PDF margins (trackii.templatetags.pdf_css): the reader's language, escaped
so that a translation can neither end the style sheet nor add markup."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source: str) -> str:
    return Template("{% load pdf_css %}" + source).render(Context())


def test_a_message_becomes_strings_and_counters_in_the_translations_order():
    out = render(
        '{% css_content "Page %(page)s of %(pages)s" page="counter(page)" pages="counter(pages)" %}'
    )
    assert out == '"Page " counter(page) " of " counter(pages)'
    out = render(
        '{% css_content "%(pages)s: %(page)s" page="counter(page)" pages="counter(pages)" %}'
    )
    assert out == 'counter(pages) ": " counter(page)'


def test_quotes_markup_and_line_ends_are_escaped():
    out = render('{% css_content "For \\"x\\" </style><b>&" %}')
    assert out == '"For \\22 x\\22  \\3C /style\\3E \\3C b\\3E \\26 "'


def test_only_counters_and_strings_may_stand_for_a_placeholder():
    with pytest.raises(TemplateSyntaxError):
        render('{% css_content "For %(reader)s" reader="url(https://example.invalid/)" %}')
