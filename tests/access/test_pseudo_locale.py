"""Nothing a person reads is left unmarked (issue 20): every page of the access matrix (which
requests every URL of Trackii, each by the roles that may see it) rendered in a pseudo-locale
whose every message is written in accented look-alike letters. A word in plain Latin letters on
such a page did not come from a catalogue, unless people wrote it (names, titles, notes: every
free-text value in the database is taken out first) or it is an address, a code or the product's
name."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.i18n import pseudo

from . import matrix
from .world import ROLES

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# One reader among those who may see a page, the one who sees most of it first (the team sees
# the forms), and the least privileged who may (a participant's page is written otherwise).
PREFERENCE = (
    "facilitator",
    "admin",
    "co_facilitator",
    "participant",
    "third_party",
    "observer",
    "outsider",
    "anonymous",
    "official",
)


@pytest.fixture(scope="module")
def pseudo_locale(tmp_path_factory):
    return pseudo.build(tmp_path_factory.mktemp("pseudo-locale"))


def _readers(target: matrix.Target) -> list[str]:
    allowed = [
        role
        for role in PREFERENCE
        if role in target.roles_to_run() and target.expect(role) == matrix.OK
    ]
    return list(dict.fromkeys(allowed[:1] + allowed[-1:]))


def _left_out(target: matrix.Target) -> bool:
    """Django's admin (the operators' back office, in English: its model names are not marked)
    and the staff's forensic pages (audit trail, who saw it, change history), which name records
    and pages by their codes (``dialogues.session 1``, ``pack link``) as the logs do, so that
    they can be matched: docs/i18n.md."""
    forensic = ("audit trail", "who saw", "change history")
    return target.url.startswith("/admin/") or target.label.startswith(forensic)


def _in_pseudo(client: Client) -> Client:
    client.cookies["django_language"] = pseudo.CODE
    session = client.session
    if "_auth_user_id" in session:
        from trackii.i18n import SESSION_KEY

        session[SESSION_KEY] = pseudo.CODE
        session.save()
    return client


def test_the_pseudo_locale_replaces_every_letter_and_keeps_markup():
    assert pseudo.pseudo("Signed in as <strong>%(name)s</strong> &amp; more") == (
        "Šíĝñéđ íñ áš <strong>%(name)s</strong> &amp; ɱóŕé"
    )
    assert pseudo.unmarked_words(["Šíĝñéđ íñ áš Nadia Osman"], ["Nadia Osman"]) == []
    assert pseudo.unmarked_words(["Šíĝñéđ Save"], []) == ["Save (in 'Šíĝñéđ Save')"]


def test_every_page_shows_only_marked_text_and_peoples_content(world, pseudo_locale):
    with override_settings(**pseudo.language_settings(pseudo_locale)):
        clients = {role: _in_pseudo(c) for role, c in matrix.clients_for(world, ROLES).items()}
        content = pseudo.peoples_content()
        problems: list[str] = []
        pages = 0
        for route in matrix.ROUTES:
            for target in route.targets(world):
                if target.method != "GET" or target.body != "html" or _left_out(target):
                    continue
                for role in _readers(target):
                    headers = {"HX-Request": "true"} if target.htmx else {}
                    response = clients[role].get(target.url, headers=headers)
                    if response.status_code != 200:
                        problems.append(f"{target.label} as {role}: {response.status_code}")
                        continue
                    pages += 1
                    html = response.content.decode()
                    assert f'lang="{pseudo.CODE}"' in html or target.htmx, target.label
                    words = pseudo.unmarked_words(pseudo.visible_text(html), content)
                    problems += [f"{target.label} as {role}: {w}" for w in words[:5]]
    assert pages > 150
    # Each unmarked text once, with the first page it was seen on.
    first_seen = {}
    for problem in problems:
        first_seen.setdefault(problem.split(": ", 1)[-1], problem)
    assert problems == [], f"{len(problems)} unmarked:\n" + "\n".join(
        list(first_seen.values())[:150]
    )
