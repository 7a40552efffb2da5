"""A long list sorted by a visible column as the address asks (core/sorting.py), its accessible
headers (templates/_sort_header.html), and pagination links that keep the sort and the filters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.paginator import Paginator
from django.db.models import F
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import School
from core.sorting import Sorting
from tests.factories import SchoolFactory

COLUMNS = {"name": ["name"], "code": [F("code").asc(nulls_first=True), "name"]}


def asked(query: str = "") -> Sorting:
    return Sorting(RequestFactory().get(f"/list/{query}"), COLUMNS, default="name")


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_it_reads_a_column_and_its_direction_from_the_address():
    assert (asked().key, asked().descending, asked().asked) == ("name", False, False)
    assert (asked("?sort=code").key, asked("?sort=code").descending) == ("code", False)
    assert (asked("?sort=-code").key, asked("?sort=-code").descending) == ("code", True)
    assert asked("?sort=-code").value == "-code"


@pytest.mark.parametrize(
    "query", ["?sort=password", "?sort=-password", "?sort=name;drop", "?sort=--name", "?sort=", "?sort=__class__"]
)
def test_it_ignores_a_key_it_does_not_know(query):
    sorting = asked(query)
    assert (sorting.key, sorting.descending, sorting.asked) == ("name", False, False)
    assert sorting.order == ["name", "pk"]


def test_it_ends_every_order_with_the_primary_key_in_the_same_direction():
    assert asked("?sort=name").order == ["name", "pk"]
    descending = asked("?sort=-code").order
    assert [str(term) for term in descending[:2]] == [
        str(F("code").desc(nulls_last=True)),
        str(F("name").desc()),
    ]
    assert descending[-1] == "-pk"


def test_its_default_may_be_descending_or_the_lists_own_order():
    assert Sorting(RequestFactory().get("/"), COLUMNS, default="-code").value == "-code"
    own = Sorting(RequestFactory().get("/"), COLUMNS, default=None)
    assert own.key is None and own.order == []
    with pytest.raises(ValueError, match="not one of the columns"):
        Sorting(RequestFactory().get("/"), COLUMNS, default="password")


@pytest.mark.django_db
def test_it_sorts_the_rows_both_ways_with_ties_in_a_stable_order(world):
    for name, code in [("Bravo", "2"), ("Alpha", "2"), ("Charlie", "1")]:
        SchoolFactory(district=world.district, name=name, code=code)
    schools = School.objects.filter(name__in=["Alpha", "Bravo", "Charlie"])

    assert [s.name for s in asked("?sort=name").apply(schools)] == ["Alpha", "Bravo", "Charlie"]
    assert [s.name for s in asked("?sort=-name").apply(schools)] == ["Charlie", "Bravo", "Alpha"]
    assert [s.name for s in asked("?sort=code").apply(schools)] == ["Charlie", "Alpha", "Bravo"]
    assert [s.name for s in asked("?sort=-code").apply(schools)] == ["Bravo", "Alpha", "Charlie"]


def test_a_header_sorts_by_its_column_then_reverses_it_keeping_the_filters_and_leaving_the_page():
    sorting = asked("?q=north&school=4&page=3&sort=name")

    name, code = sorting.headers["name"], sorting.headers["code"]

    assert name.state == "ascending" and code.state == ""
    assert params(name.href) == {"q": ["north"], "school": ["4"], "sort": ["-name"]}
    assert params(code.href) == {"q": ["north"], "school": ["4"], "sort": ["code"]}
    assert params(asked("?sort=-name").headers["name"].href)["sort"] == ["name"]
    assert asked("?sort=-name").headers["name"].state == "descending"


def test_a_page_with_several_lists_sorts_each_under_its_own_names():
    request = RequestFactory().get("/list/?mine_page=2&closed_page=4&closed_sort=-name")
    sorting = Sorting(
        request, COLUMNS, default=None, parameter="closed_sort", page_parameter="closed_page", anchor="closed"
    )

    header = sorting.headers["code"]

    assert sorting.value == "-name"
    assert header.href.endswith("#closed")
    assert params(header.href) == {"mine_page": ["2"], "closed_sort": ["code"]}


def test_the_header_is_a_link_with_aria_sort_an_arrow_and_words_for_screen_readers():
    sorting = asked("?sort=-code")

    sorted_cell = render_to_string("_sort_header.html", {"header": sorting.headers["code"], "label": "Code"})
    other_cell = render_to_string("_sort_header.html", {"header": sorting.headers["name"], "label": "Name"})
    plain_cell = render_to_string("_sort_header.html", {"header": None, "label": "Name"})

    assert 'aria-sort="descending"' in sorted_cell
    assert "bi-caret-down-fill" in sorted_cell and "(sorted descending)" in sorted_cell
    assert 'href="?sort=code"' in sorted_cell
    assert "aria-sort" not in other_cell and 'href="?sort=name"' in other_cell
    assert "<a" not in plain_cell and ">Name</th>" in plain_cell
    ascending = render_to_string("_sort_header.html", {"header": asked().headers["name"], "label": "Name"})
    assert 'aria-sort="ascending"' in ascending and "(sorted ascending)" in ascending


def test_the_pagination_links_keep_the_sort_and_every_filter():
    request = RequestFactory().get("/list/?q=a+b&sort=-email&school=4&school=5&page=2")
    page = Paginator(list(range(200)), 50).get_page(2)

    html = render_to_string("_pagination.html", {"page": page, "request": request})

    assert 'href="?q=a+b&amp;sort=-email&amp;school=4&amp;school=5&amp;page=1"' in html
    assert 'href="?q=a+b&amp;sort=-email&amp;school=4&amp;school=5&amp;page=3"' in html
