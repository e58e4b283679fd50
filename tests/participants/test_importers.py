"""Importing designation lists: what each format parses to, the messages that name the failing
line or element, the refused XML tricks, all-or-nothing versions, fingerprints, the command and
the staff pages (with their 404s and query counts)."""

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from participants.management.commands.import_designations import Command
from participants.models import (
    DesignationAlias,
    DesignationEntry,
    DesignationList,
    DesignationListVersion,
    Membership,
)
from participants.screening.importers import (
    BirthDate,
    ImportFailed,
    ParsedAlias,
    ParsedEntry,
    import_designations,
    import_designations_into_new_list,
    parse_ofac,
    parse_own_csv,
    parse_un_xml,
)
from tests.factories import DialogueFactory, UserFactory
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

DATA = Path(__file__).resolve().parent / "data"
URLS = "tests.participants.urls_for_lists"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def failure(parse, *args) -> str:
    with pytest.raises(ImportFailed) as caught:
        parse(*args)
    return caught.value.message


def own_list(**kwargs):
    return import_designations_into_new_list(
        name="Own list", format="csv", files=[("own.csv", data("own.csv"))], **kwargs
    )


def csv_of(rows: int, *, prefix="Person") -> bytes:
    lines = ["name,aliases,date_of_birth,nationality,reference,note"]
    lines += [f"{prefix} {n},Alias {n}; Other {n},1970,FR,R-{n:04},note {n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


# --- UN consolidated list ------------------------------------------------------------------

UN_EXPECTED = [
    ParsedEntry(
        reference="QDi.901",
        kind="individual",
        name="ABD AL-RAHIM MUHAMMAD AL-WARDANI",
        name_original_script="عبد الرحيم محمد الورداني",
        aliases=(
            ParsedAlias("Abu Salim", "strong"),
            ParsedAlias("Abd al-Rahim al-Wardani", "strong"),
            ParsedAlias("Abu Hafs", "weak"),
        ),
        # EXACT with a DATE; APPROXIMATELY 1971 is read as 1970 to 1972.
        birth_dates=(BirthDate(1970, 1970, "1970-03-12"), BirthDate(1970, 1972)),
        nationalities=("SY", "IQ"),
        listed_on="2011-03-14",
        programme="Al-Qaida",
        remarks="Made-up entry for tests. Not a real person.",
    ),
    ParsedEntry(
        reference="KPi.902",
        kind="individual",
        name="IVAN PETROVICH SOKOLOVSKY",
        name_original_script="Иван Петрович Соколовский",
        aliases=(ParsedAlias("Vanya", "weak"), ParsedAlias("Sokol", "weak")),
        birth_dates=(BirthDate(1962, 1965),),
        nationalities=("RU",),
        listed_on="2017-08-05",
        programme="DPRK",
    ),
    ParsedEntry(
        reference="IRi.903",
        kind="individual",
        name="REZA KARIMZADEH",
        # A plain YEAR; the empty date element is no date; "Atlantis" is no country.
        birth_dates=(BirthDate(1958, 1958),),
        nationalities=("IR",),
        listed_on="2008-03-03",
        programme="Iran",
    ),
    ParsedEntry(
        reference="QDe.904",
        kind="entity",
        name="AL-NUR CHARITABLE FOUNDATION",
        name_original_script="مؤسسة النور الخيرية",
        aliases=(
            ParsedAlias("Nur Foundation", "strong"),
            ParsedAlias("Foundation of Light", "strong"),
            ParsedAlias("Al-Nur", "weak"),
        ),
        listed_on="2012-06-01",
        programme="Al-Qaida",
        remarks="Made-up entity.",
    ),
    ParsedEntry(
        reference="KPe.905",
        kind="entity",
        name="NORTHERN TRADING HOUSE",
        name_original_script="Северный торговый дом",
        listed_on="2018-02-23",
        programme="DPRK",
    ),
]


def test_un_xml_parses_individuals_and_entities_to_exact_values():
    parsed = parse_un_xml(data("un_consolidated.xml"))
    assert parsed.generated_on == "2026-10-01T09:00:00.000Z"
    assert list(parsed.entries) == UN_EXPECTED
    assert [e.source for e in parsed.entries] == [
        "INDIVIDUAL #1 (DATAID 6908047)",
        "INDIVIDUAL #2 (DATAID 6908048)",
        "INDIVIDUAL #3 (DATAID 6908049)",
        "ENTITY #1 (DATAID 6908050)",
        "ENTITY #2 (DATAID 6908051)",
    ]


def test_un_xml_missing_first_name_names_the_element():
    message = failure(parse_un_xml, data("un_missing_element.xml"))
    assert message == "INDIVIDUAL #2 (DATAID 6908052): FIRST_NAME missing"


def test_un_xml_bad_nesting_names_the_line():
    message = failure(parse_un_xml, data("un_bad_nesting.xml"))
    assert message == "line 8, column 7: not well-formed XML (mismatched tag)"


@pytest.mark.parametrize("name", ["un_xxe.xml", "un_bomb.xml"])
def test_un_xml_with_a_dtd_is_refused_before_any_entity_is_read(name):
    message = failure(parse_un_xml, data(name))
    assert message.startswith("the file declares a document type (<!DOCTYPE ...>)")
    assert "root:" not in message
    assert "lol" not in message


def un_xml(individual: str, *, extra: str = "") -> bytes:
    return (
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>77</DATAID>"
        f"{individual}</INDIVIDUAL></INDIVIDUALS>{extra}</CONSOLIDATED_LIST>"
    ).encode()


NAMED = "<FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>"


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            b"<LIST/>",
            "the root element is <LIST>, not <CONSOLIDATED_LIST>",
        ),
        (
            b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>",
            "the file lists no individuals or entities",
        ),
        (
            un_xml("<FIRST_NAME>A</FIRST_NAME>"),
            "INDIVIDUAL #1 (DATAID 77): REFERENCE_NUMBER missing",
        ),
        (
            un_xml(
                NAMED + "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>"
                "<FROM_YEAR>1960</FROM_YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
            ),
            "INDIVIDUAL #1 (DATAID 77), INDIVIDUAL_DATE_OF_BIRTH: BETWEEN needs both FROM_YEAR "
            "and TO_YEAR",
        ),
        (
            un_xml(
                NAMED + "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>"
                "<DATE>1970-13-01</DATE></INDIVIDUAL_DATE_OF_BIRTH>"
            ),
            "INDIVIDUAL #1 (DATAID 77), INDIVIDUAL_DATE_OF_BIRTH: DATE '1970-13-01' is not a "
            "date (YYYY-MM-DD)",
        ),
        (
            un_xml(
                NAMED + "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>ROUGHLY</TYPE_OF_DATE>"
                "<YEAR>1970</YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
            ),
            "INDIVIDUAL #1 (DATAID 77), INDIVIDUAL_DATE_OF_BIRTH: TYPE_OF_DATE 'ROUGHLY' is not "
            "EXACT, APPROXIMATELY or BETWEEN",
        ),
        (
            un_xml(NAMED, extra="<ENTITIES><ENTITY>" + NAMED + "</ENTITY></ENTITIES>"),
            "ENTITY #1: reference QDi.1 is already used by INDIVIDUAL #1 (DATAID 77)",
        ),
        (
            b"<CONSOLIDATED_LIST><INDIVIDUAL>" + NAMED.encode() + b"</INDIVIDUAL>"
            b"</CONSOLIDATED_LIST>",
            "INDIVIDUAL outside INDIVIDUALS: the file is not nested as expected",
        ),
        (
            b"<CONSOLIDATED_LIST><INDIVIDUALS><ENTITY>" + NAMED.encode() + b"</ENTITY>"
            b"</INDIVIDUALS></CONSOLIDATED_LIST>",
            "INDIVIDUALS holds <ENTITY>, expected <INDIVIDUAL>",
        ),
    ],
)
def test_un_xml_errors_name_the_element(xml, message):
    assert failure(parse_un_xml, xml) == message


# --- OFAC SDN --------------------------------------------------------------------------------

OFAC_EXPECTED = [
    ParsedEntry(
        reference="9001",
        kind="individual",
        name="Abd al-Rahim Muhammad WARDANI",
        aliases=(
            ParsedAlias("Abd al-Rahim AL-WARDANI", "strong"),
            ParsedAlias("Abu SALIM", "weak"),  # alt_remarks say weak
            ParsedAlias("ABU HAFS", "weak"),  # a weak a.k.a. in the Remarks
        ),
        birth_dates=(BirthDate(1970, 1970, "1970-03-12"), BirthDate(1971, 1971)),
        nationalities=("SY", "IQ"),
        programme="SDGT; IRGC",
        remarks="DOB 12 Mar 1970; alt. DOB 1971; POB Aleppo, Syria; nationality Syria; alt. "
        "nationality Iraq; a.k.a. 'ABU HAFS'; Linked To: AL-NUR CHARITABLE FOUNDATION.",
    ),
    ParsedEntry(
        reference="9002",
        kind="individual",
        name="Ivan Petrovich SOKOLOVSKY",
        aliases=(ParsedAlias("Ivan SOKOLOVSKI", "strong"),),
        birth_dates=(BirthDate(1963, 1965),),
        nationalities=("RU",),
        programme="RUSSIA-EO14024",
        remarks="DOB circa 1964; nationality Russia; Gender Male.",
    ),
    ParsedEntry(
        reference="9003",
        kind="individual",
        name="Reza KARIMZADEH",
        birth_dates=(BirthDate(1962, 1965),),
        nationalities=("IR",),
        programme="IRAN",
        remarks="DOB 1962 to 1965; citizen Iran; alt. citizen Atlantis.",
    ),
    ParsedEntry(
        reference="9004",
        kind="entity",
        name="AL-NUR CHARITABLE FOUNDATION, INC.",
        aliases=(
            ParsedAlias("NUR FOUNDATION", "strong"),
            ParsedAlias("FOUNDATION OF LIGHT, THE", "strong"),
        ),
        programme="SDGT",
        remarks="Website www.example.org.",
    ),
    ParsedEntry(
        reference="9005",
        kind="entity",
        name="NORTHERN STAR",
        programme="DPRK3",
        remarks="IMO 9999999; Linked To: NORTHERN TRADING HOUSE.",
    ),
]


def test_ofac_parses_sdn_and_alt_to_exact_values():
    parsed = parse_ofac(data("sdn.csv"), data("alt.csv"))
    assert parsed.generated_on == ""
    assert list(parsed.entries) == OFAC_EXPECTED


def test_ofac_without_alt_has_only_the_weak_aliases_of_the_remarks():
    parsed = parse_ofac(data("sdn.csv"), None)
    assert [[a.name for a in e.aliases] for e in parsed.entries] == [["ABU HAFS"], [], [], [], []]


def test_ofac_reads_the_same_with_a_bom_and_unix_line_endings():
    sdn = b"\xef\xbb\xbf" + data("sdn.csv").replace(b"\r\n", b"\n")
    alt = data("alt.csv").replace(b"\r\n", b"\n")
    assert list(parse_ofac(sdn, alt).entries) == OFAC_EXPECTED


def test_ofac_wrong_column_count_names_the_line():
    message = failure(parse_ofac, data("malformed/sdn.csv"), None)
    assert message == "sdn.csv line 3: expected 12 fields, found 11"


SDN_ROW = '"X, Y","individual","SDGT","-0-","-0-","-0-","-0-","-0-","-0-","-0-","-0-"'


@pytest.mark.parametrize(
    ("sdn", "alt", "message"),
    [
        (f"1,{SDN_ROW}\nx2,{SDN_ROW}\n", None, "sdn.csv line 2: ent_num 'x2' is not a number"),
        (f"1,{SDN_ROW}\n1,{SDN_ROW}\n", None, "sdn.csv line 2: ent_num 1 is already on line 1"),
        (
            f"1,{SDN_ROW}\n",
            '1,10,"aka","A","-0-"\n7,11,"aka","B","-0-"\n',
            "alt.csv line 2: ent_num '7' is not in sdn.csv",
        ),
        (f"1,{SDN_ROW}\n", '1,10,"aka","A"\n', "alt.csv line 1: expected 5 fields, found 4"),
        ("\x1a\n", None, "the file lists no individuals or entities"),
        (
            f'1,{SDN_ROW}\n2,"bad "quote",x\n',
            None,
            "sdn.csv line 2: badly quoted field (',' expected after '\"')",
        ),
    ],
)
def test_ofac_errors_name_the_file_and_line(sdn, alt, message):
    args = (sdn.encode(), alt.encode() if alt else None)
    assert failure(parse_ofac, *args) == message


def test_ofac_bytes_that_are_not_utf8_name_the_line():
    sdn = f"1,{SDN_ROW}\n".encode() + f"2,{SDN_ROW}\n".encode().replace(b"X", b"\xe9")
    assert failure(parse_ofac, sdn, None) == "sdn.csv line 2: the file is not UTF-8 text"


@pytest.mark.parametrize(
    ("remarks", "births"),
    [
        ("DOB 12 Mar 1970.", [BirthDate(1970, 1970, "1970-03-12")]),
        ("DOB 1970", [BirthDate(1970, 1970)]),
        ("DOB Mar 1970", [BirthDate(1970, 1970)]),
        ("DOB circa 1965", [BirthDate(1964, 1966)]),
        ("DOB 1962 to 1965", [BirthDate(1962, 1965)]),
        ("DOB 01 Jan 1960 to 31 Dec 1962", [BirthDate(1960, 1962)]),
        (
            "DOB 12 Mar 1970; alt. DOB 13 Mar 1970",
            [
                BirthDate(1970, 1970, "1970-03-12"),
                BirthDate(1970, 1970, "1970-03-13"),
            ],
        ),
        ("DOB 31 Feb 1970", []),  # no such day: left in the remarks, not guessed
        ("DOB unknown; POB Aleppo", []),
    ],
)
def test_ofac_dates_of_birth_are_read_from_the_remarks(remarks, births):
    row = f'1,"X, Y","individual","SDGT","-0-","-0-","-0-","-0-","-0-","-0-","-0-","{remarks}"'
    (entry,) = parse_ofac(row.encode(), None).entries
    assert list(entry.birth_dates) == births
    assert entry.remarks == remarks


# --- Our own CSV -----------------------------------------------------------------------------

OWN_EXPECTED = [
    ParsedEntry(
        reference="OWN-1",
        kind="individual",
        name="Marta Quiroga Vidal",
        aliases=(ParsedAlias("Marta Quiroga"), ParsedAlias("M. Q. Vidal")),
        birth_dates=(BirthDate(1968, 1968, "1968-05-02"),),
        nationalities=("AR", "ES"),
        remarks="Declined a previous invitation.",
    ),
    ParsedEntry(
        reference="OWN-2",
        kind="individual",
        name="Jonas Feld",
        birth_dates=(BirthDate(1975, 1975),),
        nationalities=("DE",),
    ),
    ParsedEntry(
        reference="OWN-3",
        kind="individual",
        name="Leila Haddad",
        aliases=(ParsedAlias("Leïla Haddad"),),
        nationalities=("LB",),
        remarks="Flagged by a partner, unconfirmed.",
    ),
]


def test_own_csv_parses_to_exact_values():
    assert list(parse_own_csv(data("own.csv")).entries) == OWN_EXPECTED


def test_own_csv_reads_the_same_with_a_bom_and_windows_line_endings():
    windows = b"\xef\xbb\xbf" + data("own.csv").replace(b"\n", b"\r\n")
    assert list(parse_own_csv(windows).entries) == OWN_EXPECTED


def test_own_csv_malformed_names_the_line():
    message = failure(parse_own_csv, data("own_malformed.csv"))
    assert message == "line 3: date_of_birth '12/03/1975' is not YYYY or YYYY-MM-DD"


HEADER = "name,aliases,date_of_birth,nationality,reference,note\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty; it needs a header row"),
        (HEADER, "the file lists no individuals or entities"),
        ("name,aliases,reference\nA,,R1\n", None),
        (
            "name,alias,reference\n",
            "line 1: unknown column(s) alias; the columns are name, "
            "aliases, date_of_birth, nationality, reference, note",
        ),
        ("name,aliases\n", "line 1: the header has no reference column"),
        (HEADER + "A,,,,R1,\n,,,,R2,\n", "line 3: name missing"),
        (HEADER + "A,,,,R1,\nB,,,,,\n", "line 3: reference missing"),
        (HEADER + "A,,,,R1,\n\nB,,,,R1,\n", "line 4: reference R1 is already used by line 2"),
        (
            HEADER + "A,,,XX,R1,\n",
            "line 2: nationality 'XX' is not an ISO 3166 alpha-2 code (e.g. FR)",
        ),
        (
            HEADER + "A,,,France,R1,\n",
            "line 2: nationality 'France' is not an ISO 3166 alpha-2 code (e.g. FR)",
        ),
        (HEADER + "A,,,,R1\n", "line 2: expected 6 fields, found 5"),
        (
            HEADER + "A,,1970-02-30,,R1,\n",
            "line 2: date_of_birth '1970-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            HEADER + 'A,"unclosed,,,R1,\nB,,,,R2,\n',
            "line 2: badly quoted field (unexpected end of data)",
        ),
        (
            HEADER + "A,,,,R1,\n" + "B" * 501 + ",,,,R2,\n",
            "line 3: name is longer than 500 characters",
        ),
    ],
)
def test_own_csv_errors_name_the_line(text, message):
    if message is None:
        assert [e.reference for e in parse_own_csv(text.encode()).entries] == ["R1"]
    else:
        assert failure(parse_own_csv, text.encode()) == message


def test_own_csv_that_is_not_utf8_names_the_line():
    text = (HEADER + "A,,,,R1,\nJos\xe9,,,,R2,\n").encode("latin-1")
    assert failure(parse_own_csv, text) == "line 3: the file is not UTF-8 text"


# --- Imports into the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_the_first_version_and_makes_it_current():
    admin = UserFactory(is_staff=True)
    version = import_designations_into_new_list(
        name="UN", format="un", files=[("consolidated.xml", data("un_consolidated.xml"))], by=admin
    )
    designation_list = DesignationList.objects.get(name="UN")
    assert designation_list.current_version == version
    assert (version.number, version.entry_count, version.source_names, version.imported_by) == (
        1,
        5,
        "consolidated.xml",
        admin,
    )
    assert version.sha256 == hashlib.sha256(data("un_consolidated.xml")).hexdigest()
    assert version.generated_on == "2026-10-01T09:00:00.000Z"
    entry = DesignationEntry.objects.get(version=version, reference="QDi.901")
    assert entry.birth_dates == [
        {"year_from": 1970, "year_to": 1970, "date": "1970-03-12"},
        {"year_from": 1970, "year_to": 1972, "date": ""},
    ]
    assert entry.nationalities == ["SY", "IQ"]
    assert entry.fingerprint == UN_EXPECTED[0].fingerprint
    assert list(entry.aliases.values_list("name", "quality")) == [
        ("Abu Salim", "strong"),
        ("Abd al-Rahim al-Wardani", "strong"),
        ("Abu Hafs", "weak"),
    ]
    assert DesignationAlias.objects.filter(entry__version=version).count() == 8
    audit = list(
        AuditEntry.objects.order_by("id").values_list(
            "actor", "action", "content_type", "object_id", "detail"
        )
    )
    assert audit == [
        (
            admin.pk,
            "created",
            ContentType.objects.get_for_model(DesignationList).pk,
            str(designation_list.pk),
            {"format": "un"},
        ),
        (
            admin.pk,
            "created",
            ContentType.objects.get_for_model(DesignationListVersion).pk,
            str(version.pk),
            {"designation_list_id": designation_list.pk, "number": 1, "entry_count": 5},
        ),
    ]


@pytest.mark.django_db
def test_ofac_import_takes_sdn_and_alt_by_name_in_any_order():
    version = import_designations_into_new_list(
        name="OFAC",
        format="ofac",
        files=[("ALT.CSV", data("alt.csv")), ("sdn.csv", data("sdn.csv"))],
    )
    assert version.entry_count == 5
    assert DesignationAlias.objects.filter(entry__version=version).count() == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("alt.csv", b"")], "an OFAC import needs sdn.csv (alt.csv is optional)"),
        ([("sdn (1).csv", b"")], "sdn (1).csv: an OFAC import takes sdn.csv and alt.csv only"),
        ([], "no file was given"),
    ],
)
def test_ofac_import_needs_files_it_recognises(files, message):
    with pytest.raises(ImportFailed) as caught:
        import_designations_into_new_list(name="OFAC", format="ofac", files=files)
    assert caught.value.message == message
    assert not DesignationList.objects.exists()


@pytest.mark.django_db
def test_failed_import_leaves_the_version_in_force_and_its_entries():
    first = own_list()
    designation_list = first.designation_list
    before = list(
        DesignationEntry.objects.filter(version=first).values_list("reference", "fingerprint")
    )
    with pytest.raises(ImportFailed) as caught:
        import_designations(
            designation_list=designation_list,
            files=[("own.csv", data("own_malformed.csv"))],
        )
    assert caught.value.message == (
        "own.csv: line 3: date_of_birth '12/03/1975' is not YYYY or YYYY-MM-DD"
    )
    designation_list.refresh_from_db()
    assert designation_list.current_version_id == first.pk
    assert list(designation_list.versions.values_list("number", flat=True)) == [1]
    assert (
        list(DesignationEntry.objects.filter(version=first).values_list("reference", "fingerprint"))
        == before
    )
    assert DesignationEntry.objects.count() == 3


@pytest.mark.django_db
def test_failed_first_import_creates_no_list():
    with pytest.raises(ImportFailed):
        import_designations_into_new_list(
            name="UN", format="un", files=[("x.xml", data("un_bad_nesting.xml"))]
        )
    assert not DesignationList.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_fingerprints_are_stable_across_identical_imports_and_change_with_the_entry():
    first = own_list()
    designation_list = first.designation_list
    second = import_designations(
        designation_list=designation_list, files=[("own.csv", data("own.csv"))]
    )
    changed = data("own.csv").replace(b"1975,DE,OWN-2,", b"1975,DE;AT,OWN-2,")
    # The same entries with their aliases in another order: not a change.
    reordered = changed.replace(b"Marta Quiroga; M. Q. Vidal", b"M. Q. Vidal; Marta Quiroga")
    third = import_designations(designation_list=designation_list, files=[("own.csv", reordered)])

    def prints(version):
        return dict(version.entries.values_list("reference", "fingerprint"))

    assert second.number == 2
    assert third.number == 3
    assert prints(first) == prints(second)
    assert {ref for ref, fp in prints(third).items() if fp != prints(second)[ref]} == {"OWN-2"}
    designation_list.refresh_from_db()
    assert designation_list.current_version == third


@pytest.mark.django_db
@override_settings(DESIGNATION_MAX_UPLOAD_BYTES=100)
def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ImportFailed) as caught:
        own_list()
    assert caught.value.message == "own.csv: 257 bytes is over the limit of 100 bytes"
    assert not DesignationList.objects.exists()


# --- The command -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_creates_the_list_and_prints_the_version():
    out = StringIO()
    call_command(
        "import_designations", "--format", "un", str(DATA / "un_consolidated.xml"), stdout=out
    )
    assert out.getvalue() == (
        "UN Security Council consolidated list: version 1 imported with 5 entries.\n"
    )
    call_command(
        "import_designations",
        "--format",
        "ofac",
        "--list",
        "US Treasury SDN",
        str(DATA / "sdn.csv"),
        str(DATA / "alt.csv"),
        stdout=out,
    )
    call_command(
        "import_designations", "--format", "un", str(DATA / "un_consolidated.xml"), stdout=out
    )
    assert out.getvalue().splitlines()[1:] == [
        "US Treasury SDN: version 1 imported with 5 entries.",
        "UN Security Council consolidated list: version 2 imported with 5 entries.",
    ]
    assert list(
        DesignationList.objects.values_list("name", "format", "current_version__number")
    ) == [
        ("UN Security Council consolidated list", "un", 2),
        ("US Treasury SDN", "ofac", 1),
    ]


@pytest.mark.django_db
def test_command_failure_keeps_the_version_in_force(tmp_path):
    own = str(DATA / "own.csv")
    call_command(
        "import_designations", "--format", "ofac", str(DATA / "sdn.csv"), stdout=StringIO()
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_designations", "--format", "ofac", str(DATA / "malformed" / "sdn.csv"))
    assert str(caught.value) == (
        "sdn.csv line 3: expected 12 fields, found 11\n"
        "Nothing was imported; the version in force is unchanged."
    )
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_designations", "--format", "csv", "--list", "OFAC SDN", str(DATA / "own.csv")
        )
    assert str(caught.value) == "The list “OFAC SDN” is in the ofac format, not csv."
    with pytest.raises(CommandError) as caught:
        call_command("import_designations", "--format", "csv", str(tmp_path / "none.csv"))
    assert str(caught.value) == f"{tmp_path / 'none.csv'}: no such file"
    with pytest.raises(CommandError) as caught:
        call_command("import_designations", "--format", "csv", "--list", "L" * 201, own)
    assert str(caught.value) == ("Ensure this value has at most 200 characters (it has 201).")
    with override_settings(DESIGNATION_MAX_UPLOAD_BYTES=100), pytest.raises(CommandError) as caught:
        call_command("import_designations", "--format", "csv", own)
    assert str(caught.value) == (
        "own.csv: 257 bytes is over the limit of 100 bytes\n"
        "Nothing was imported; the version in force is unchanged."
    )
    assert list(DesignationListVersion.objects.values_list("designation_list__name", "number")) == [
        ("OFAC SDN", 1)
    ]


def test_command_exits_non_zero_with_the_message_on_stderr(reference_data, capsys):
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(
            [
                "manage.py",
                "import_designations",
                "--skip-checks",
                "--format",
                "csv",
                str(DATA / "own_malformed.csv"),
            ]
        )
    assert caught.value.code == 1
    assert capsys.readouterr().err == (
        "CommandError: own_malformed.csv: line 3: date_of_birth '12/03/1975' is not YYYY or "
        "YYYY-MM-DD\nNothing was imported; the version in force is unchanged.\n"
    )
    assert not DesignationList.objects.exists()


# --- The pages -------------------------------------------------------------------------------


def lists_url():
    return reverse("vetting:designation_lists")


def detail_url(designation_list, **query):
    url = reverse("vetting:designation_list_detail", args=[designation_list.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, email="admin@example.org")


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_pages_send_anonymous_visitors_to_sign_in(client):
    designation_list = own_list().designation_list
    for url in (lists_url(), detail_url(designation_list)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_pages_are_404_for_anyone_not_staff(login):
    designation_list = own_list().designation_list
    dialogue = DialogueFactory()
    facilitator = member_with_account(dialogue=dialogue, role=Membership.Role.FACILITATOR)
    convenor = member_with_account(dialogue=dialogue, role=Membership.Role.CONVENOR)
    participant = member_with_account(dialogue=dialogue)
    for member in (facilitator, convenor, participant):
        client = login(member)
        for url in (lists_url(), detail_url(designation_list)):
            response = client.get(url)
            assert response.status_code == 404
            assert b"Marta Quiroga" not in response.content
            assert b"Own list" not in response.content
        response = client.post(lists_url(), {"new_name": "Mine", "format": "csv"})
        assert response.status_code == 404
    assert list(DesignationList.objects.values_list("name", flat=True)) == ["Own list"]
    assert DesignationListVersion.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_lists_page_shows_each_list_with_its_version_in_force(login, staff):
    own_list(by=staff)
    import_designations_into_new_list(
        name="UN", format="un", files=[("consolidated.xml", data("un_consolidated.xml"))]
    )
    response = login(staff).get(lists_url())
    assert response.status_code == 200
    rows = [
        (item.name, item.current_version.number, item.current_version.entry_count)
        for item in response.context["lists"]
    ]
    assert rows == [("Own list", 1, 3), ("UN", 1, 5)]
    content = response.content.decode()
    assert "by <bdi>admin@example.org</bdi>" in content
    assert "by the system" in content


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_upload_imports_a_new_list_and_then_a_new_version(login, staff):
    client = login(staff)
    with open(DATA / "sdn.csv", "rb") as sdn, open(DATA / "alt.csv", "rb") as alt:
        response = client.post(
            lists_url(), {"new_name": "OFAC SDN", "format": "ofac", "files": [sdn, alt]}
        )
    assert response.status_code == 302
    assert response["Location"] == lists_url()
    designation_list = DesignationList.objects.get()
    assert (designation_list.name, designation_list.format) == ("OFAC SDN", "ofac")
    version = designation_list.current_version
    assert (version.number, version.entry_count, version.imported_by) == (1, 5, staff)
    assert version.source_names == "sdn.csv, alt.csv"
    with open(DATA / "sdn.csv", "rb") as sdn:
        response = client.post(lists_url(), {"designation_list": designation_list.pk, "files": sdn})
    assert response.status_code == 302
    designation_list.refresh_from_db()
    assert designation_list.current_version.number == 2
    assert designation_list.current_version.entry_count == 5
    page = client.get(lists_url())
    assert [str(m) for m in page.context["messages"]] == [
        "Imported version 1 with 5 entries; everyone active is being screened again.",
        "Imported version 2 with 5 entries; everyone active is being screened again.",
    ]


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_upload_failure_shows_the_message_and_keeps_the_version_in_force(login, staff):
    first = own_list()
    client = login(staff)
    with open(DATA / "own_malformed.csv", "rb") as upload:
        response = client.post(
            lists_url(), {"designation_list": first.designation_list.pk, "files": upload}
        )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Nothing was imported; the version in force is unchanged. own_malformed.csv: line 3: "
        "date_of_birth '12/03/1975' is not YYYY or YYYY-MM-DD"
    ]
    assert "line 3: date_of_birth" in response.content.decode()
    first.designation_list.refresh_from_db()
    assert first.designation_list.current_version == first
    assert DesignationListVersion.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_upload_form_errors_are_shown_on_their_fields(login, staff):
    first = own_list()
    client = login(staff)
    response = client.post(lists_url(), {})
    assert response.context["form"].errors == {
        "new_name": ["Name the new list, or choose an existing one."],
        "format": ["Choose the format of the new list."],
        "files": ["This field is required."],
    }
    with open(DATA / "own.csv", "rb") as upload:
        response = client.post(
            lists_url(),
            {"designation_list": first.designation_list.pk, "format": "un", "files": upload},
        )
    assert response.context["form"].errors == {
        "format": ["“Own list” is a list in the Our own list (CSV) format."]
    }
    with open(DATA / "own.csv", "rb") as upload:
        response = client.post(
            lists_url(), {"new_name": "own LIST", "format": "csv", "files": upload}
        )
    assert response.context["form"].errors == {
        "new_name": ["A list with this name exists: choose it above."]
    }
    with override_settings(DESIGNATION_MAX_UPLOAD_BYTES=100), open(DATA / "own.csv", "rb") as f:
        response = client.post(lists_url(), {"new_name": "New", "format": "csv", "files": f})
    assert response.context["form"].errors == {
        "files": ["own.csv: 257 bytes is over the limit of 100 bytes"]
    }
    assert DesignationListVersion.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_detail_page_searches_names_aliases_and_original_script(login, staff):
    version = import_designations_into_new_list(
        name="UN", format="un", files=[("consolidated.xml", data("un_consolidated.xml"))]
    )
    client = login(staff)

    def found(query):
        response = client.get(detail_url(version.designation_list, q=query))
        assert response.status_code == 200
        return [entry.reference for entry in response.context["page"].object_list]

    assert found("") == ["IRi.903", "KPe.905", "KPi.902", "QDe.904", "QDi.901"]
    assert found("wardani") == ["QDi.901"]  # the name, and an alias: listed once
    assert found("Sokol") == ["KPi.902"]
    assert found("Foundation") == ["QDe.904"]
    assert found("Северный") == ["KPe.905"]
    assert found("nobody") == []


@pytest.mark.django_db
@pytest.mark.urls(URLS)
def test_detail_page_shows_the_version_in_force_100_entries_a_page(login, staff):
    designation_list = import_designations_into_new_list(
        name="Big", format="csv", files=[("old.csv", csv_of(3, prefix="Old"))]
    ).designation_list
    import_designations(designation_list=designation_list, files=[("big.csv", csv_of(130))])
    client = login(staff)
    first = client.get(detail_url(designation_list))
    assert len(first.context["page"].object_list) == 100
    assert b"Old 0" not in first.content
    second = client.get(detail_url(designation_list, page=2))
    assert [e.reference for e in second.context["page"].object_list] == [
        f"R-{n:04}" for n in range(100, 130)
    ]
    assert [v.number for v in second.context["versions"]] == [2, 1]


@pytest.mark.django_db
@pytest.mark.urls(URLS)
@pytest.mark.parametrize("size", [1, 12])
def test_lists_page_query_count_does_not_grow(login, staff, django_assert_num_queries, size):
    for n in range(size):
        import_designations_into_new_list(
            name=f"List {n}", format="csv", files=[("own.csv", csv_of(2))], by=staff
        )
    client = login(staff)
    client.get(lists_url())
    with django_assert_num_queries(5):
        response = client.get(lists_url())
    assert len(response.context["lists"]) == size


@pytest.mark.django_db
@pytest.mark.urls(URLS)
@pytest.mark.parametrize("size", [3, 120])
def test_detail_page_query_count_does_not_grow(login, staff, django_assert_num_queries, size):
    version = import_designations_into_new_list(
        name="Own", format="csv", files=[("own.csv", csv_of(size))], by=staff
    )
    client = login(staff)
    client.get(detail_url(version.designation_list))
    with django_assert_num_queries(8):
        response = client.get(detail_url(version.designation_list))
    assert len(response.context["page"].object_list) == min(size, 100)
