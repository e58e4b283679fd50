"""The lists' shared reading of GET parameters (``trackii.lists``) and their tags: nothing a
visitor types into the address makes a list fail; what does not fit is read as its default."""

import pytest
from django import forms
from django.http import QueryDict
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from trackii.lists import PER_PAGE, ListForm, Sort, both_ways, page_of, search_field


class FruitForm(ListForm):
    sorts = {
        **both_ways("name", "Name, A to Z", "Name, Z to A", "name", "pk"),
        "age": Sort("Oldest first", ("created", "pk")),
    }
    reported = ("picked",)

    search = search_field("Name")
    colour = forms.ChoiceField(required=False, choices=[("", "Any"), ("red", "Red")])
    kind = forms.ChoiceField(required=False, initial="all", choices=[("all", "All"), ("x", "X")])
    picked = forms.DateField(required=False)


def values(query: str) -> dict:
    return FruitForm(QueryDict(query)).values()


def test_without_parameters_every_field_has_its_default():
    assert values("") == {
        "search": "",
        "colour": "",
        "kind": "all",
        "picked": "",
        "sort": "name",
    }


def test_values_that_fit_are_read():
    assert values("search=+pear+&colour=red&kind=x&sort=-name&picked=2027-03-01") == {
        "search": "pear",
        "colour": "red",
        "kind": "x",
        "picked": __import__("datetime").date(2027, 3, 1),
        "sort": "-name",
    }


@pytest.mark.parametrize(
    "query",
    ["sort=price", "sort=-age", "sort=", "colour=blue", "kind=", "kind=zzz", "colour=red&colour=x"],
)
def test_values_that_do_not_fit_are_read_as_the_default_without_an_error(query):
    form = FruitForm(QueryDict(query))
    assert form.values() == values("")
    assert form.errors == {}
    assert not form.filtering


def test_a_reported_field_keeps_its_error_and_points_its_input_at_it():
    form = FruitForm(QueryDict("picked=31/02/2027&sort=nonsense"))
    assert form.values()["picked"] == ""
    assert form.values()["sort"] == "name"
    assert form.errors == {"picked": ["Enter a valid date."]}
    assert 'aria-describedby="id_picked_errors"' in str(form["picked"])


def test_the_reversed_sort_flips_only_its_first_term():
    ordering = FruitForm(QueryDict("sort=-name")).ordering
    assert [str(term) for term in ordering] == [
        "OrderBy(F(name), descending=True)",
        "pk",
    ]
    assert FruitForm(QueryDict("sort=age")).ordering == ("created", "pk")


def test_filtering_says_whether_anything_but_the_order_narrows_the_list():
    assert not FruitForm(QueryDict("sort=-name")).filtering
    assert FruitForm(QueryDict("search=pear")).filtering
    assert FruitForm(QueryDict("kind=x")).filtering
    assert not FruitForm(QueryDict("kind=all")).filtering


@pytest.mark.parametrize(
    ("page", "number"),
    [
        ("", 1),
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("4", 3),  # past the end: the last
        ("99999999999999999999999999", 3),
        ("0", 1),
        ("-2", 1),
        ("two", 1),
        ("1.5", 1),
        ("%00", 1),
    ],
)
def test_a_bad_page_is_the_first_or_the_last(page, number):
    request = RequestFactory().get("/", {"page": page})
    got = page_of(request, list(range(2 * PER_PAGE + 1)))
    assert (got.number, got.paginator.num_pages) == (number, 3)


def render(template: str, query: str, **context) -> str:
    request = RequestFactory().get(f"/list/?{query}")
    return Template("{% load lists %}" + template).render(Context({"request": request, **context}))


def test_a_sort_header_links_to_the_other_direction_and_keeps_the_filters():
    html = render(
        '{% sort_header "Name" "name" sort %}', "colour=red&page=3&sort=name", sort="name"
    )
    assert html == (
        '<th scope="col" aria-sort="ascending"><a href="?colour=red&amp;sort=-name">Name'
        '<span aria-hidden="true"> ▲</span></a></th>'
    )
    html = render('{% sort_header "Name" "name" sort %}', "sort=-name", sort="-name")
    assert 'aria-sort="descending"' in html
    assert 'href="?sort=name"' in html
    html = render('{% sort_header "Age" "age" sort %}', "", sort="name")
    assert html == (
        '<th scope="col" aria-sort="none"><a href="?sort=age">Age'
        '<span aria-hidden="true"></span></a></th>'
    )


def test_the_pages_keep_the_other_parameters():
    request = RequestFactory().get("/list/", {"colour": "red", "page": "2"})
    page = page_of(request, list(range(3 * PER_PAGE)))
    html = Template('{% include "ui/_pagination.html" %}').render(
        RequestContext(request, {"page_obj": page})
    )
    assert 'href="?colour=red&amp;page=1" rel="prev"' in html
    assert 'href="?colour=red&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html
    single = page_of(RequestFactory().get("/"), [1, 2])
    assert (
        Template('{% include "ui/_pagination.html" %}')
        .render(Context({"page_obj": single}))
        .strip()
        == ""
    )
