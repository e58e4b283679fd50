"""``manage.py screen_name``: the ad-hoc check, as text and as JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.world import designation_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(db):
    return designation_entry(
        list_name="Own list",
        reference="OWN-7",
        name="Mohammed Abdullah Al-Tikriti",
        aliases=["Abu Layla"],
        birth_years=[1968],
        nationalities=["IQ"],
    )


def run(*args) -> str:
    out = io.StringIO()
    call_command("screen_name", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_match_with_its_explanation(listed):
    rows = json.loads(run("Muhammad Abdallah al Tikriti", "--dob", "1968", "--json"))
    assert [(r["list"], r["reference"], r["matched_name"]) for r in rows] == [
        ("Own list", "OWN-7", "Mohammed Abdullah Al-Tikriti")
    ]
    assert rows[0]["score"] >= 0.70
    assert rows[0]["explanation"]
    assert set(rows[0]) == {"list", "reference", "matched_name", "score", "explanation"}


def test_text_output_and_nothing_found(listed):
    assert "OWN-7" in run("Muhammad Abdallah al Tikriti")
    assert run("Hannah Okafor").strip() == "No possible match at or above the threshold."
    assert json.loads(run("Hannah Okafor", "--json")) == []


def test_a_disjoint_birth_year_drops_the_match_below_the_threshold(listed):
    same = json.loads(run("Muhammad Abdallah al Tikriti", "--dob", "1968", "--json"))
    other = json.loads(run("Muhammad Abdallah al Tikriti", "--dob", "1995", "--json"))
    assert [row["reference"] for row in same] == ["OWN-7"]
    assert other == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--dob", "68"], "--dob takes a year (1970) or a date (1970-03-12)."),
        (["X", "--nationality", "IRQ"], "--nationality takes a two-letter country code (e.g. IQ)."),
    ],
)
def test_bad_arguments_are_refused_clearly(listed, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)
