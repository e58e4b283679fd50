"""The translation catalogues are code (issue 20; docs/i18n.md): every shipped language is
complete, each translation keeps its source's markup, entities and placeholders (a
``blocktranslate`` is not escaped, so a translation could otherwise break a page or inject
markup), nothing is left in English but a short allow-list, and the field's vocabulary follows
docs/glossary.md."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
GLOSSARY = ROOT / "docs" / "glossary.md"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
GLOSSARY_COLUMNS = {"fr": 1, "es": 2, "ru": 3, "ar": 4}
PLURAL_FORMS = {"fr": 2, "es": 2, "ru": 3, "ar": 6}

# Messages a translation may leave as they are: names, abbreviations and codes read alike in
# every language written in Latin script. In Russian and Arabic nothing is allowed but what has
# no word in it.
SAME_IN_LATIN_SCRIPTS = frozenset(
    {
        "Trackii",
        "PDF",
        "CSV",
        "ICS",
        "UTC",
        "TOTP",
        "OK",
        "ID",
        "Chatham House",
        # Place names spelt alike (time-zone regions).
        "Europe",
        "Asia",
        "Australia",
    }
)

TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#x[0-9a-fA-F]+);")
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]|%[sdif]|\{\{\s*[^}]+\}\}|\{[a-z_0-9]*\}"
)
WORD = re.compile(r"[^\W\d_]{2,}")


def _catalogue(language: str) -> polib.POFile:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{language}: no catalogue at {path.relative_to(ROOT)}"
    return polib.pofile(str(path))


def _entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in _catalogue(language) if not entry.obsolete]


def _where(entry: polib.POEntry) -> str:
    places = ", ".join(sorted({path for path, _line in entry.occurrences})[:2])
    return f"{entry.msgid!r} ({places})"


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: the singular, or each plural form against the source form it
    stands for (form 0 of a two-form language against the singular, the others the plural)."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    forms = sorted(entry.msgstr_plural.items())
    return [
        (entry.msgid if index == 0 and len(forms) == 2 else entry.msgid_plural, text)
        for index, text in forms
    ]


@pytest.mark.parametrize("language", SHIPPED)
def test_a_catalogue_compiles_with_its_formats_checked(language, tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is on the package list (system-packages.txt)"
    source = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # "N translated messages." and nothing fuzzy or untranslated.
    assert re.fullmatch(r"\d+ translated messages?\.\n", result.stderr), result.stderr


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = _catalogue(language)
    assert not po.metadata_is_fuzzy, f"{language}: the header is fuzzy (plural forms are lost)"
    entries = _entries(language)
    assert len(entries) > 0
    untranslated = [_where(e) for e in entries if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [_where(e) for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], f"{language}: {len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{language}: {len(fuzzy)} fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_forms_are_the_languages_own(language):
    po = _catalogue(language)
    forms = re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", ""))
    assert forms is not None
    assert int(forms.group(1)) == PLURAL_FORMS[language]
    for entry in _entries(language):
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(PLURAL_FORMS[language])), _where(entry)


def _markup_problems(entry: polib.POEntry) -> list[str]:
    problems = []
    for source, text in _translations(entry):
        if not text:
            continue
        if Counter(TAG.findall(source)) != Counter(TAG.findall(text)):
            problems.append(f"markup {_where(entry)}: {text!r}")
        if Counter(ENTITY.findall(source)) != Counter(ENTITY.findall(text)):
            problems.append(f"entities {_where(entry)}: {text!r}")
        wanted = set(PLACEHOLDER.findall(source))
        found = set(PLACEHOLDER.findall(text))
        # A plural form that stands for one number only (Arabic's one and two, say) may write
        # the number as a word instead of its placeholder; nothing else may differ.
        if found - wanted or (not entry.msgid_plural and wanted - found):
            problems.append(f"placeholders {_where(entry)}: {text!r}")
    return problems


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_their_sources_markup_entities_and_placeholders(language):
    problems = [p for entry in _entries(language) for p in _markup_problems(entry)]
    assert problems == [], f"{language}:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize(
    ("msgid", "msgstr", "kind"),
    [
        ("Signed in as <strong>%(name)s</strong>", "Connecté : %(name)s", "markup"),
        ("Signed in as <strong>%(name)s</strong>", "<script>x</script>%(name)s", "markup"),
        (
            "Signed in as <strong>%(name)s</strong>",
            '<strong onclick="x()">%(name)s</strong>',
            "markup",
        ),
        ("Fish &amp; chips", "Poisson & frites", "entities"),
        ("Removed %(title)s.", "Supprimé.", "placeholders"),
        ("Removed %(title)s.", "Supprimé %(titre)s.", "placeholders"),
    ],
)
def test_the_markup_check_catches_a_translation_that_differs(msgid, msgstr, kind):
    entry = polib.POEntry(msgid=msgid, msgstr=msgstr)
    assert [p.split(" ")[0] for p in _markup_problems(entry)] == [kind]


def test_the_markup_check_lets_a_faithful_translation_pass():
    entry = polib.POEntry(
        msgid="Signed in as <strong>%(name)s</strong> &amp; more",
        msgstr="Connecté en tant que <strong>%(name)s</strong> &amp; plus",
    )
    assert _markup_problems(entry) == []
    plural = polib.POEntry(
        msgid="%(counter)s paper",
        msgid_plural="%(counter)s papers",
        msgstr_plural={0: "لا أوراق", 1: "ورقة واحدة", 2: "ورقتان", 3: "%(counter)s أوراق"},
    )
    assert _markup_problems(plural) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_no_message_is_left_in_english(language):
    latin = language in {"fr", "es"}
    same = []
    for entry in _entries(language):
        for source, text in _translations(entry):
            if text != source or not WORD.search(PLACEHOLDER.sub("", source)):
                continue
            if latin and source in SAME_IN_LATIN_SCRIPTS:
                continue
            same.append(_where(entry))
    assert same == [], f"{language}: left as the English: {same[:30]}"


def _glossary_rows() -> list[tuple[re.Pattern[str], dict[str, list[str]]]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| English", "|---")):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if "not checked" in cells[-1]:
            continue
        english = re.sub(r"\s*\(.*\)$", "", cells[0])
        pattern = re.compile(r"\b" + re.escape(english) + r"s?\b", re.IGNORECASE)
        stems = {}
        for language, column in GLOSSARY_COLUMNS.items():
            found = re.search(r"\[([^\]]+)\]", cells[column])
            assert found, f"glossary: no stems for {english!r} in {language}"
            stems[language] = [s.strip().lower() for s in found.group(1).split("|")]
        rows.append((pattern, stems))
    return rows


def test_the_glossary_is_read():
    rows = _glossary_rows()
    assert len(rows) >= 25
    english = {pattern.pattern for pattern, _stems in rows}
    assert r"\bclearance" + "s?\\b" in english


@pytest.mark.parametrize("language", SHIPPED)
def test_the_vocabulary_follows_the_glossary(language):
    rows = _glossary_rows()
    problems = []
    for entry in _entries(language):
        for source, text in _translations(entry):
            if not text:
                continue
            for pattern, stems in rows:
                if pattern.search(source) and not any(s in text.lower() for s in stems[language]):
                    problems.append(
                        f"{pattern.pattern} -> {stems[language]}: {_where(entry)}: {text!r}"
                    )
    assert problems == [], f"{language}:\n" + "\n".join(problems[:40])
