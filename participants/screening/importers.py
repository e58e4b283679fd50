"""Importing designation lists: the UN Security Council consolidated list (XML), the OFAC SDN list
(``sdn.csv`` + ``alt.csv``) and our own CSV.

Two halves. The ``parse_*`` functions read bytes into plain dataclasses and touch no database;
they raise ``ImportFailed`` naming the line or element that could not be read. The services
(``import_designations``, ``import_designations_into_new_list``) parse everything first and only
then, in one transaction, write a new version and make it current: a file that fails leaves the
version in force as it was. Screening is not started here; whoever calls an import queues it.

Decisions a reader would otherwise have to guess:

- UN "APPROXIMATELY" years (and OFAC "circa") become a range of one year either side; an
  approximate full date keeps only that range, not the date.
- OFAC puts weak aliases in the Remarks (``a.k.a. 'NAME'``); ``alt.csv`` rows are strong unless
  their alt_remarks say "weak". Dates of birth and nationalities in the Remarks are read with
  patterns; Remarks we cannot read stay in the remarks, never guessed at.
- Country names become ISO alpha-2 codes through pycountry plus the publishers' own spellings
  below; a name neither knows is left out rather than guessed.
- Text must be UTF-8 (a byte-order mark is allowed). OFAC documents its files as ASCII, so there
  is no fallback to another encoding: a stray byte fails with its line number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

import pycountry
from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trackii.audit.services import Action, audit_record

from ..models import DesignationAlias, DesignationEntry, DesignationList, DesignationListVersion

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # only the type: parsing goes through defusedxml

STRONG = DesignationAlias.Quality.STRONG.value
WEAK = DesignationAlias.Quality.WEAK.value
INDIVIDUAL = DesignationEntry.Kind.INDIVIDUAL.value
ENTITY = DesignationEntry.Kind.ENTITY.value

# Birth years outside this span are typing errors, not people.
_YEARS = range(1850, 2101)


class ImportFailed(Exception):
    """A file could not be imported. ``message`` names the file's line or element, in the active
    language (the admin's page; English for a command)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- What a parse returns -------------------------------------------------------------------


@dataclass(frozen=True)
class BirthDate:
    year_from: int
    year_to: int
    date: str = ""  # "YYYY-MM-DD" when the day is known

    def as_dict(self) -> dict:
        return {"year_from": self.year_from, "year_to": self.year_to, "date": self.date}


@dataclass(frozen=True)
class ParsedAlias:
    name: str
    quality: str = STRONG


@dataclass(frozen=True)
class ParsedEntry:
    reference: str
    kind: str
    name: str
    name_original_script: str = ""
    aliases: tuple[ParsedAlias, ...] = ()
    birth_dates: tuple[BirthDate, ...] = ()
    nationalities: tuple[str, ...] = ()
    listed_on: str = ""
    programme: str = ""
    remarks: str = ""
    # Where the entry was read ("line 7", "INDIVIDUAL #3 (DATAID 6908047)"), for messages only.
    source: str = field(default="", compare=False)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the content, in an order that does not depend on how the publisher
        happened to sort aliases, dates or nationalities this time."""
        content = {
            "reference": self.reference,
            "kind": self.kind,
            "name": self.name,
            "name_original_script": self.name_original_script,
            "aliases": sorted([a.name, a.quality] for a in self.aliases),
            "birth_dates": sorted([b.year_from, b.year_to, b.date] for b in self.birth_dates),
            "nationalities": sorted(self.nationalities),
            "listed_on": self.listed_on,
            "programme": self.programme,
            "remarks": self.remarks,
        }
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ParsedList:
    entries: tuple[ParsedEntry, ...]
    generated_on: str = ""


# --- Small helpers shared by the formats ----------------------------------------------------


def _clean(text: str | None) -> str:
    """NFC, one space between words, none around."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _unique(items: Sequence) -> tuple:
    return tuple(dict.fromkeys(items))


def _split_names(text: str | None) -> list[str]:
    return [name for name in (_clean(part) for part in (text or "").split(";")) if name]


# The spellings the UN and OFAC use that pycountry does not know.
_COUNTRY_SPELLINGS = {
    "russia": "RU",
    "turkey": "TR",
    "burma": "MM",
    "palestine": "PS",
    "state of palestine": "PS",
    "republic of korea": "KR",
    "korea, north": "KP",
    "korea, south": "KR",
    "democratic republic of the congo": "CD",
    "congo, democratic republic of the": "CD",
    "the former yugoslav republic of macedonia": "MK",
    "macedonia": "MK",
    "vietnam": "VN",
    "laos": "LA",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "ivory coast": "CI",
}


@lru_cache(maxsize=1024)
def country_code(name: str) -> str:
    """The ISO alpha-2 code of a country name as the lists write it, or "" if unknown."""
    text = _clean(name)
    if not text:
        return ""
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
        return country.alpha_2 if country else ""
    if text.lower() in _COUNTRY_SPELLINGS:
        return _COUNTRY_SPELLINGS[text.lower()]
    # The UN writes "Iran (Islamic Republic of)" where ISO has "Iran, Islamic Republic of".
    inverted = re.sub(r"^(.*?)\s*\((.+)\)$", r"\1, \2", text)
    for candidate in dict.fromkeys((text, inverted)):
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            continue
    return ""


def _failed(where: str, problem: str) -> ImportFailed:
    """The refusal of what is at ``where`` (a line, an element), saying what is wrong there."""
    return ImportFailed(f"{where}: {problem}")


def _line(line: int, file: str = "") -> str:
    """Where a problem is: "line 7", or "sdn.csv line 7" in an import of several files."""
    if file:
        return _("%(file)s line %(line)s") % {"file": file, "line": line}
    return _("line %(line)s") % {"line": line}


def _missing(where: str, field: str) -> ImportFailed:
    return _failed(where, _("%(field)s missing") % {"field": field})


def _fields_counted(where: str, expected: int, found: int) -> ImportFailed:
    return _failed(
        where,
        _("expected %(expected)s fields, found %(found)s") % {"expected": expected, "found": found},
    )


def _year(text: str, where: str, element: str) -> int:
    if not re.fullmatch(r"\d{4}", text):
        raise _failed(
            where, _("%(element)s '%(text)s' is not a year") % {"element": element, "text": text}
        )
    year = int(text)
    if year not in _YEARS:
        raise _failed(
            where,
            _("%(element)s %(year)s is not a plausible year of birth")
            % {"element": element, "year": year},
        )
    return year


def _iso_date(text: str, where: str, element: str) -> str:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise _failed(
            where,
            _("%(element)s '%(text)s' is not a date (YYYY-MM-DD)")
            % {"element": element, "text": text},
        ) from None
    if value.year not in _YEARS:
        raise _failed(
            where,
            _("%(element)s %(text)s is not a plausible date of birth")
            % {"element": element, "text": text},
        )
    return value.isoformat()


def _decode(data: bytes, file: str) -> str:
    """UTF-8 text, with or without a byte-order mark; the message names the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _failed(_line(line, file), _("the file is not UTF-8 text")) from None


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, fields) for each non-blank record. Quoted fields
    may hold line breaks, so the number comes from the reader, not from counting rows."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _failed(
                _line(line, file), _("badly quoted field (%(error)s)") % {"error": error}
            ) from None
        start, line = line, reader.line_num + 1
        if any(cell.strip() for cell in row):
            yield start, row


def _finish(entries: list[ParsedEntry], generated_on: str = "") -> ParsedList:
    """Checks every format shares: something was read, references are unique, and every value
    fits its column."""
    if not entries:
        raise ImportFailed(_("the file lists no individuals or entities"))
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.reference in seen:
            raise _failed(
                entry.source,
                _("reference %(reference)s is already used by %(other)s")
                % {"reference": entry.reference, "other": seen[entry.reference]},
            )
        seen[entry.reference] = entry.source
        _check_lengths(entry)
    return ParsedList(entries=tuple(entries), generated_on=generated_on)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_lengths(entry: ParsedEntry) -> None:
    values = [
        (name, getattr(entry, name))
        for name in ("reference", "name", "name_original_script", "listed_on", "programme")
    ]
    for name, value in values:
        limit = _max_length(DesignationEntry, name)
        if len(value) > limit:
            raise _failed(
                entry.source,
                ngettext(
                    "%(field)s is longer than %(limit)s character",
                    "%(field)s is longer than %(limit)s characters",
                    limit,
                )
                % {"field": name, "limit": limit},
            )
    limit = _max_length(DesignationAlias, "name")
    for alias in entry.aliases:
        if len(alias.name) > limit:
            raise _failed(
                entry.source,
                ngettext(
                    "an alias is longer than %(limit)s character",
                    "an alias is longer than %(limit)s characters",
                    limit,
                )
                % {"limit": limit},
            )


# --- UN Security Council consolidated list (XML) --------------------------------------------

_UN_SECTIONS = (
    ("INDIVIDUALS", "INDIVIDUAL", INDIVIDUAL, "INDIVIDUAL_ALIAS"),
    ("ENTITIES", "ENTITY", ENTITY, "ENTITY_ALIAS"),
)
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(element: Element, path: str) -> str:
    found = element.find(path)
    return _clean(found.text) if found is not None else ""


def _parse_xml(data: bytes) -> Element:
    try:
        return SafeElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DTDForbidden:
        raise ImportFailed(
            _(
                "the file declares a document type (<!DOCTYPE ...>), which the UN list never "
                "does; it is refused because a DTD can read other files or expand entities "
                "without limit"
            )
        ) from None
    except EntitiesForbidden:
        raise ImportFailed(_("the file declares XML entities; they are refused")) from None
    except ExternalReferenceForbidden:
        raise ImportFailed(_("the file refers to an external resource; it is refused")) from None
    except DefusedXmlException as error:
        raise ImportFailed(
            _("the file uses an XML feature that is refused (%(error)s)") % {"error": error}
        ) from None
    except SafeElementTree.ParseError as error:
        line, column = error.position
        reason = str(error).split(":", 1)[0]
        raise ImportFailed(
            _("line %(line)s, column %(column)s: not well-formed XML (%(reason)s)")
            % {"line": line, "column": column + 1, "reason": reason}
        ) from None


def _un_birth_date(element: Element, where: str) -> BirthDate | None:
    kind = _text(element, "TYPE_OF_DATE").upper()
    day, year = _text(element, "DATE"), _text(element, "YEAR")
    start, end = _text(element, "FROM_YEAR"), _text(element, "TO_YEAR")
    where = f"{where}, INDIVIDUAL_DATE_OF_BIRTH"
    if kind not in ("", "EXACT", "APPROXIMATELY", "BETWEEN"):
        raise _failed(
            where,
            _("TYPE_OF_DATE '%(kind)s' is not EXACT, APPROXIMATELY or BETWEEN") % {"kind": kind},
        )
    if kind == "BETWEEN" or start or end:
        if not (start and end):
            raise _failed(where, _("BETWEEN needs both FROM_YEAR and TO_YEAR"))
        first, last = _year(start, where, "FROM_YEAR"), _year(end, where, "TO_YEAR")
        if first > last:
            raise _failed(
                where,
                _("FROM_YEAR %(first)s is after TO_YEAR %(last)s") % {"first": first, "last": last},
            )
        return BirthDate(first, last)
    if day:
        # The UN writes xs:date, which may carry a time zone after the day.
        iso = _iso_date(day[:10], where, "DATE")
        year_of = int(iso[:4])
        if kind == "APPROXIMATELY":
            return BirthDate(year_of - 1, year_of + 1)
        return BirthDate(year_of, year_of, iso)
    if year:
        value = _year(year, where, "YEAR")
        if kind == "APPROXIMATELY":
            return BirthDate(value - 1, value + 1)
        return BirthDate(value, value)
    if kind:
        raise _failed(where, _("TYPE_OF_DATE %(kind)s without a DATE or YEAR") % {"kind": kind})
    return None  # an empty element: the UN writes these for unknown dates


def _un_entry(element: Element, *, tag: str, number: int, kind: str, alias_tag: str):
    data_id = _text(element, "DATAID")
    where = f"{tag} #{number}" + (f" (DATAID {data_id})" if data_id else "")
    if not _text(element, "FIRST_NAME"):
        raise _missing(where, "FIRST_NAME")
    reference = _text(element, "REFERENCE_NUMBER")
    if not reference:
        raise _missing(where, "REFERENCE_NUMBER")
    aliases = []
    for alias in element.findall(alias_tag):
        quality = WEAK if _text(alias, "QUALITY").lower() == "low" else STRONG
        aliases += [ParsedAlias(name, quality) for name in _split_names(_text(alias, "ALIAS_NAME"))]
    births = [_un_birth_date(b, where) for b in element.findall("INDIVIDUAL_DATE_OF_BIRTH")]
    nationalities = [country_code(v.text or "") for v in element.findall("NATIONALITY/VALUE")]
    return ParsedEntry(
        reference=reference,
        kind=kind,
        name=" ".join(filter(None, (_text(element, part) for part in _NAME_PARTS))),
        name_original_script=_text(element, "NAME_ORIGINAL_SCRIPT"),
        aliases=_unique(aliases),
        birth_dates=_unique([b for b in births if b is not None]),
        nationalities=_unique([code for code in nationalities if code]),
        listed_on=_text(element, "LISTED_ON"),
        programme=_text(element, "UN_LIST_TYPE"),
        remarks=_text(element, "COMMENTS1"),
        source=where,
    )


def parse_un_xml(data: bytes) -> ParsedList:
    """The UN consolidated list: CONSOLIDATED_LIST / INDIVIDUALS / INDIVIDUAL and
    CONSOLIDATED_LIST / ENTITIES / ENTITY."""
    root = _parse_xml(data)
    if root.tag != "CONSOLIDATED_LIST":
        raise ImportFailed(
            _("the root element is <%(tag)s>, not <%(expected)s>")
            % {"tag": root.tag, "expected": "CONSOLIDATED_LIST"}
        )
    entries = []
    for section_tag, tag, kind, alias_tag in _UN_SECTIONS:
        if root.find(tag) is not None:
            raise ImportFailed(
                _("%(tag)s outside %(section)s: the file is not nested as expected")
                % {"tag": tag, "section": section_tag}
            )
        number = 0
        for section in root.findall(section_tag):
            for element in section:
                if element.tag != tag:
                    raise ImportFailed(
                        _("%(section)s holds <%(tag)s>, expected <%(expected)s>")
                        % {"section": section_tag, "tag": element.tag, "expected": tag}
                    )
                number += 1
                entries.append(
                    _un_entry(element, tag=tag, number=number, kind=kind, alias_tag=alias_tag)
                )
    return _finish(entries, generated_on=_clean(root.get("dateGenerated")))


# --- OFAC SDN (sdn.csv + alt.csv) -----------------------------------------------------------

_SDN_FIELDS = 12  # ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
#                   GRT, Vess_flag, Vess_owner, Remarks
_ALT_FIELDS = 5  # ent_num, alt_num, alt_type, alt_name, alt_remarks
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAY_MONTH = r"(?:\d{1,2}\s+)?(?:[A-Za-z]{3}\s+)?"
_OFAC_DOB = re.compile(r"(?:alt\.\s+)?DOB\s+(?P<value>.+)", re.IGNORECASE)
_OFAC_NATIONALITY = re.compile(r"(?:alt\.\s+)?(?:nationality|citizen)\s+(?P<value>.+)", re.I)
_OFAC_WEAK_AKA = re.compile(r"a\.k\.a\.\s+['\"](?P<value>.+)['\"]", re.IGNORECASE)


def _null(value: str) -> str:
    # OFAC writes null as "-0-", often with a trailing space.
    value = _clean(value)
    return "" if value == "-0-" else value


def _ofac_name(name: str, kind: str) -> str:
    """OFAC writes people "LAST, First"; we store "First LAST". Entity names keep their commas."""
    if kind != INDIVIDUAL or "," not in name:
        return name
    last, first = (part.strip() for part in name.split(",", 1))
    return f"{first} {last}".strip()


def _ofac_birth_date(text: str) -> BirthDate | None:
    value = text.strip().rstrip(".")
    if match := re.fullmatch(r"(?:circa|approximately|about)\s+(\d{4})", value, re.I):
        year = int(match[1])
        return BirthDate(year - 1, year + 1)
    if match := re.fullmatch(rf"{_DAY_MONTH}(\d{{4}})\s+to\s+{_DAY_MONTH}(\d{{4}})", value):
        first, last = int(match[1]), int(match[2])
        return BirthDate(first, last) if first <= last else None
    if match := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})", value):
        month = _MONTHS.get(match[2].lower())
        try:
            day = date(int(match[3]), month or 0, int(match[1]))
        except ValueError:
            return None
        return BirthDate(day.year, day.year, day.isoformat())
    if match := re.fullmatch(r"(?:[A-Za-z]{3}\s+)?(\d{4})", value):
        return BirthDate(int(match[1]), int(match[1]))
    return None  # free text we do not read; it stays in the remarks


def _ofac_remarks(remarks: str, kind: str):
    births, nationalities, weak = [], [], []
    for part in (p.strip() for p in remarks.split(";")):
        if match := _OFAC_DOB.fullmatch(part):
            birth = _ofac_birth_date(match["value"])
            if birth is not None and birth.year_from in _YEARS and birth.year_to in _YEARS:
                births.append(birth)
        elif match := _OFAC_NATIONALITY.fullmatch(part):
            code = country_code(match["value"].strip().rstrip("."))
            if code:
                nationalities.append(code)
        elif match := _OFAC_WEAK_AKA.fullmatch(part.rstrip(".")):
            weak.append(ParsedAlias(_ofac_name(_clean(match["value"]), kind), WEAK))
    return births, nationalities, weak


def _is_end_of_file_mark(row: list[str]) -> bool:
    # OFAC's files end with a DOS end-of-file character (Ctrl-Z) on a line of its own.
    return "".join(row).strip() == "\x1a"


def _ofac_programme(program: str) -> str:
    # Several programmes are written "SDGT] [IRGC".
    return "; ".join(p.strip(" []") for p in program.split("] [") if p.strip(" []"))


def parse_ofac(sdn: bytes, alt: bytes | None = None) -> ParsedList:
    """OFAC's legacy CSV files: no header row, ``-0-`` for null."""
    entries: dict[str, dict] = {}
    for line, row in _csv_rows(_decode(sdn, "sdn.csv"), "sdn.csv"):
        if _is_end_of_file_mark(row):
            continue
        where = _line(line, "sdn.csv")
        if len(row) != _SDN_FIELDS:
            raise _fields_counted(where, _SDN_FIELDS, len(row))
        ent_num, name, sdn_type, program, remarks = (
            _null(row[0]),
            _null(row[1]),
            _null(row[2]),
            _null(row[3]),
            _null(row[11]),
        )
        if not (ent_num.isascii() and ent_num.isdigit()):
            raise _failed(where, _("ent_num '%(value)s' is not a number") % {"value": ent_num})
        if not name:
            raise _missing(where, "SDN_Name")
        if ent_num in entries:
            raise _failed(
                where,
                _("ent_num %(value)s is already on line %(line)s")
                % {"value": ent_num, "line": entries[ent_num]["line"]},
            )
        kind = INDIVIDUAL if sdn_type.lower() == "individual" else ENTITY
        births, nationalities, weak = _ofac_remarks(remarks, kind)
        entries[ent_num] = {
            "line": line,
            "kind": kind,
            "name": _ofac_name(name, kind),
            "programme": _ofac_programme(program),
            "remarks": remarks,
            "births": births,
            "nationalities": nationalities,
            "aliases": [],
            "weak": weak,
        }
    if alt is not None:
        for line, row in _csv_rows(_decode(alt, "alt.csv"), "alt.csv"):
            if _is_end_of_file_mark(row):
                continue
            where = _line(line, "alt.csv")
            if len(row) != _ALT_FIELDS:
                raise _fields_counted(where, _ALT_FIELDS, len(row))
            ent_num, alt_name, alt_remarks = _null(row[0]), _null(row[3]), _null(row[4])
            if ent_num not in entries:
                raise _failed(
                    where, _("ent_num '%(value)s' is not in sdn.csv") % {"value": ent_num}
                )
            if not alt_name:
                raise _missing(where, "alt_name")
            entry = entries[ent_num]
            quality = WEAK if "weak" in alt_remarks.lower() else STRONG
            entry["aliases"].append(ParsedAlias(_ofac_name(alt_name, entry["kind"]), quality))
    return _finish(
        [
            ParsedEntry(
                reference=ent_num,
                kind=entry["kind"],
                name=entry["name"],
                aliases=_unique(entry["aliases"] + entry["weak"]),
                birth_dates=_unique(entry["births"]),
                nationalities=_unique(entry["nationalities"]),
                programme=entry["programme"],
                remarks=entry["remarks"],
                source=_line(entry["line"], "sdn.csv"),
            )
            for ent_num, entry in entries.items()
        ]
    )


# --- Our own list (CSV with a header) -------------------------------------------------------

OWN_CSV_COLUMNS = ("name", "aliases", "date_of_birth", "nationality", "reference", "note")
_OWN_REQUIRED = ("name", "reference")
# Optional: "individual" (the default) or "entity", for organisations we list ourselves.
_OWN_OPTIONAL = ("kind",)


def _own_birth_dates(text: str, where: str) -> list[BirthDate]:
    births = []
    for value in _split_names(text):
        if re.fullmatch(r"\d{4}", value):
            year = _year(value, where, "date_of_birth")
            births.append(BirthDate(year, year))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            iso = _iso_date(value, where, "date_of_birth")
            births.append(BirthDate(int(iso[:4]), int(iso[:4]), iso))
        else:
            raise _failed(
                where,
                _("date_of_birth '%(value)s' is not YYYY or YYYY-MM-DD") % {"value": value},
            )
    return births


def _own_nationalities(text: str, where: str) -> list[str]:
    codes = []
    for value in _split_names(text):
        country = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
        if country is None:
            raise _failed(
                where,
                _("nationality '%(value)s' is not an ISO 3166 alpha-2 code (e.g. FR)")
                % {"value": value},
            )
        codes.append(country.alpha_2)
    return codes


def parse_own_csv(data: bytes) -> ParsedList:
    """Our own list: a header row naming the columns (any order) and one person per row.
    ``aliases``, ``date_of_birth`` and ``nationality`` may hold several values split by ";"."""
    rows = _csv_rows(_decode(data, ""), "")
    first = next(rows, None)
    if first is None:
        raise _failed(_line(1), _("the file is empty; it needs a header row"))
    header_line, header = first
    columns = [_clean(name).lower().replace(" ", "_") for name in header]
    known = OWN_CSV_COLUMNS + _OWN_OPTIONAL
    unknown = [name for name in columns if name not in known]
    if unknown:
        raise _failed(
            _line(header_line),
            _("unknown column(s) %(unknown)s; the columns are %(columns)s")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(OWN_CSV_COLUMNS)},
        )
    missing = [name for name in _OWN_REQUIRED if name not in columns]
    if len(missing) == 1:
        raise _failed(
            _line(header_line),
            _("the header has no %(column)s column") % {"column": missing[0]},
        )
    if missing:  # both of the two required columns
        raise _failed(
            _line(header_line),
            _("the header has no %(first)s or %(second)s column")
            % {"first": missing[0], "second": missing[1]},
        )
    if len(set(columns)) != len(columns):
        raise _failed(_line(header_line), _("a column is named twice"))
    entries = []
    for line, row in rows:
        where = _line(line)
        if len(row) != len(columns):
            raise _fields_counted(where, len(columns), len(row))
        values = dict(zip(columns, (_clean(cell) for cell in row), strict=True))
        for name in _OWN_REQUIRED:
            if not values[name]:
                raise _missing(where, name)
        kind = (values.get("kind") or INDIVIDUAL).lower()
        if kind not in (INDIVIDUAL, ENTITY):
            raise _failed(where, _("kind '%(kind)s' is not individual or entity") % {"kind": kind})
        entries.append(
            ParsedEntry(
                reference=values["reference"],
                kind=kind,
                name=values["name"],
                aliases=_unique([ParsedAlias(n) for n in _split_names(values.get("aliases"))]),
                birth_dates=_unique(_own_birth_dates(values.get("date_of_birth", ""), where)),
                nationalities=_unique(_own_nationalities(values.get("nationality", ""), where)),
                remarks=values.get("note", ""),
                source=where,
            )
        )
    return _finish(entries)


# --- Files in, a new version out ------------------------------------------------------------


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(size)s MB") % {"size": number_format(round(size / (1024 * 1024), 1), 1)}
    if size >= 1024:
        return _("%(size)s KB") % {"size": number_format(round(size / 1024, 1), 1)}
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}


def designation_file_size_check(*, name: str, size: int) -> None:
    """Refuse a file over ``DESIGNATION_MAX_UPLOAD_BYTES`` before anyone reads it."""
    limit = settings.DESIGNATION_MAX_UPLOAD_BYTES
    if size > limit:
        raise _failed(
            name,
            _("%(size)s is over the limit of %(limit)s")
            % {"size": _size_text(size), "limit": _size_text(limit)},
        )


def parse_designation_files(*, format: str, files: Sequence[tuple[str, bytes]]) -> ParsedList:
    """Parse the files of one import in the list's format. OFAC's files are told apart by
    name (``sdn.csv``, and optionally ``alt.csv``); the other formats take one file."""
    if not files:
        raise ImportFailed(_("no file was given"))
    for name, data in files:
        designation_file_size_check(name=name, size=len(data))
    if format == DesignationList.Format.OFAC:
        by_name: dict[str, bytes] = {}
        for name, data in files:
            key = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
            if key not in ("sdn.csv", "alt.csv"):
                raise _failed(name, _("an OFAC import takes sdn.csv and alt.csv only"))
            if key in by_name:
                raise _failed(name, _("given twice"))
            by_name[key] = data
        if "sdn.csv" not in by_name:
            raise ImportFailed(_("an OFAC import needs sdn.csv (alt.csv is optional)"))
        return parse_ofac(by_name["sdn.csv"], by_name.get("alt.csv"))
    parsers = {DesignationList.Format.UN: parse_un_xml, DesignationList.Format.CSV: parse_own_csv}
    if format not in parsers:
        raise ImportFailed(_("unknown format '%(format)s'") % {"format": format})
    if len(files) != 1:
        raise ImportFailed(_("this format takes exactly one file"))
    name, data = files[0]
    try:
        return parsers[format](data)
    except ImportFailed as error:
        raise _failed(name, error.message) from None


def _files_sha256(files: Sequence[tuple[str, bytes]]) -> str:
    # One file: its own SHA-256, which an admin can compare with the publisher's download.
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(f"{name}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


def _store(
    *, designation_list: DesignationList, files, parsed: ParsedList, by
) -> DesignationListVersion:
    locked = DesignationList.objects.select_for_update().get(pk=designation_list.pk)
    previous = locked.versions.aggregate(last=Max("number"))["last"] or 0
    source_limit = _max_length(DesignationListVersion, "source_names")
    version = DesignationListVersion(
        designation_list=locked,
        number=previous + 1,
        imported_by=by,
        source_names=", ".join(name for name, _ in files)[:source_limit],
        sha256=_files_sha256(files),
        generated_on=parsed.generated_on[: _max_length(DesignationListVersion, "generated_on")],
        entry_count=len(parsed.entries),
    )
    version.full_clean()
    version.save()
    rows = DesignationEntry.objects.bulk_create(
        [
            DesignationEntry(
                version=version,
                reference=entry.reference,
                kind=entry.kind,
                name=entry.name,
                name_original_script=entry.name_original_script,
                birth_dates=[birth.as_dict() for birth in entry.birth_dates],
                nationalities=list(entry.nationalities),
                listed_on=entry.listed_on,
                programme=entry.programme,
                remarks=entry.remarks,
                fingerprint=entry.fingerprint,
            )
            for entry in parsed.entries
        ],
        batch_size=500,
    )
    DesignationAlias.objects.bulk_create(
        [
            DesignationAlias(entry=row, name=alias.name, quality=alias.quality)
            for row, entry in zip(rows, parsed.entries, strict=True)
            for alias in entry.aliases
        ],
        batch_size=500,
    )
    locked.current_version = version
    locked.save(update_fields=["current_version"])
    designation_list.current_version = version
    audit_record(
        action=Action.CREATED,
        obj=version,
        actor=by,
        detail={
            "designation_list_id": locked.pk,
            "number": version.number,
            "entry_count": version.entry_count,
        },
    )
    return version


def import_designations(
    *, designation_list: DesignationList, files: Sequence[tuple[str, bytes]], by=None
) -> DesignationListVersion:
    """Import ``files`` (name, content) as the next version of ``designation_list`` and make it
    current. All or nothing: every file is read before the database is touched, and a failure
    (``ImportFailed``) leaves the version in force. Does not start screening."""
    parsed = parse_designation_files(format=designation_list.format, files=files)
    with transaction.atomic():
        return _store(designation_list=designation_list, files=files, parsed=parsed, by=by)


def import_designations_into_new_list(
    *, name: str, format: str, files: Sequence[tuple[str, bytes]], by=None
) -> DesignationListVersion:
    """Create the list ``name`` with its first version, or neither if the files fail."""
    parsed = parse_designation_files(format=format, files=files)
    with transaction.atomic():
        designation_list = DesignationList(name=name, format=format)
        designation_list.full_clean()
        designation_list.save()
        audit_record(
            action=Action.CREATED,
            obj=designation_list,
            actor=by,
            detail={"format": format},
        )
        return _store(designation_list=designation_list, files=files, parsed=parsed, by=by)
