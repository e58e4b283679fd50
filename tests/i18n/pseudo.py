"""A pseudo-locale (issue 20): every message Trackii, Django and allauth can show, copied with its
letters replaced by accented look-alikes (placeholders, markup and entities kept), compiled into
a language of its own. A page rendered in it shows no plain Latin letter that came from a
catalogue: what remains in plain letters was never marked, or was written by people.

``visible_text`` reads a page as a person does (text, and the attributes read aloud or shown);
``unmarked_words`` is what remains once people's content is taken out."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import polib
from django.apps import apps
from django.conf import settings
from django.db import models

CODE = "zz"
NAME = "Pseudo"
LOWER = "áƀçđéƒĝĥíĵķĺɱñóþʠŕšţúṽŵẋýž"
UPPER = "ÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŢÚṼŴẊÝŽ"
ACCENTED = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", LOWER + UPPER)
# What a translation must copy as it is.
KEPT = re.compile(
    r"%\([^)]+\)[sdifr]|%[sdif%]|\{[^{}]*\}|<[^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);"
)

ROOT = Path(__file__).resolve().parents[2]


def pseudo(text: str) -> str:
    parts = []
    last = 0
    for kept in KEPT.finditer(text):
        parts.append(text[last : kept.start()].translate(ACCENTED))
        parts.append(kept.group(0))
        last = kept.end()
    parts.append(text[last:].translate(ACCENTED))
    return "".join(parts)


def _sources() -> list[Path]:
    django_root = Path(django.__file__).parent
    allauth_root = Path(allauth.__file__).parent
    ours = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))[:1]
    return [
        *ours,
        django_root / "conf/locale/en/LC_MESSAGES/django.po",
        *sorted(django_root.glob("contrib/*/locale/en/LC_MESSAGES/django.po")),
        allauth_root / "locale/en/LC_MESSAGES/django.po",
    ]


def build(directory: Path) -> Path:
    """Writes and compiles the pseudo catalogue under ``directory`` (a LOCALE_PATHS entry)."""
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": CODE,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen: set[tuple[str | None, str]] = set()
    for source in _sources():
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            copy = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
            if entry.msgid_plural:
                copy.msgid_plural = entry.msgid_plural
                copy.msgstr_plural = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
            else:
                copy.msgstr = pseudo(entry.msgid)
            catalogue.append(copy)
    target = directory / CODE / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(target / "django.po"))
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is on the package list"
    subprocess.run([msgfmt, "-o", str(target / "django.mo"), str(target / "django.po")], check=True)
    return directory


# -- reading a page ---------------------------------------------------------------------------

HIDDEN = {"script", "style", "template", "textarea"}
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "aria-description")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [part for part in (p.strip() for p in parser.parts) if part]


# -- people's content -------------------------------------------------------------------------

# Reference data the interface translates (a default level's name and description): never
# counted as people's content, so that a page showing it untranslated is caught.
NOT_CONTENT = {("dialogues", "confidentialitylevel")}
# The apps whose models hold what people wrote: dialogues and people, accounts' e-mail addresses,
# security keys' names and signed-in devices (a browser's own description of itself).
CONTENT_APPS = {"dialogues", "participants", "account", "mfa", "usersessions"}


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def peoples_content() -> list[str]:
    """Every text people wrote or were given (names, titles, notes, list entries...): the values
    of every free-text field of the project's models and the accounts', longest first. Fields
    with choices hold codes, not text, and are left out."""
    found: set[str] = set()
    for model in apps.get_models():
        label = (model._meta.app_label, model._meta.model_name)
        if model._meta.app_label not in CONTENT_APPS or label in NOT_CONTENT:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
        ]
        if not fields:
            continue
        json_fields = {
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)
        }
        for row in model.objects.values_list(*fields):
            for name, value in zip(fields, row, strict=True):
                for text in _strings(value):
                    for line in text.splitlines():
                        if len(line.strip()) >= 2:
                            found.add(line.strip())
                    if name in json_fields:
                        # Texts compared word by word (a non-paper's versions) show in pieces.
                        found.update(word for word in text.split() if len(word) >= 2)
    found |= {name for _code, name in settings.LANGUAGES}
    found.add(NAME)
    return sorted(found, key=len, reverse=True)


# Not words of a message: addresses, time-zone identifiers and abbreviations (CET, CEST: the tz
# database's), e-mail addresses, file names, codes with digits, the name of the product, and the
# names of file formats.
NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w.-]+|\S*\d\S*|\S+\.(?:pdf|ics|csv)\b"
    r"|\b(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc"
    r"|US|Canada|Mexico|Brazil|Chile)/[A-Za-z_/+ -]*[A-Za-z]"
    r"|\bTrackii\b|\bUTC\b|\b[A-Z]{1,4}S?T\b|\b(?:PDF|CSV|ICS)\b"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Text other projects' templates show without marking it for translation (allauth's list of
# security keys says "Not used." as plain text): not ours to mark.
THIRD_PARTY_UNMARKED = ("Not used.",)


def unmarked_words(parts: Iterable[str], content: list[str]) -> list[str]:
    words = []
    for part in parts:
        text = part
        for value in content:
            if value in text:
                text = text.replace(value, " ")
        for unmarked in THIRD_PARTY_UNMARKED:
            text = text.replace(unmarked, " ")
        text = NOT_WORDS.sub(" ", text)
        words += [f"{word} (in {part[:80]!r})" for word in LATIN_WORD.findall(text)]
    return words


def language_settings(directory: Path) -> dict:
    return {
        "LANGUAGES": [*settings.LANGUAGES, (CODE, NAME)],
        "LOCALE_PATHS": [directory, *settings.LOCALE_PATHS],
    }
