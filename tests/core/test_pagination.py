"""A page of a long list read by its ids first (core/pagination.page_by_ids)."""

from __future__ import annotations

import pytest

from accounts.models import School
from core.pagination import page_by_ids
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(world):
    for n in range(7):
        SchoolFactory(district=world.district, name=f"School {n:02d}")
    return School.objects.filter(district=world.district, name__startswith="School ").order_by("-name")


def test_it_keeps_the_lists_order(schools):
    page = page_by_ids(schools, "1", 3)
    assert [school.name for school in page.object_list] == ["School 06", "School 05", "School 04"]


def test_it_reads_the_page_asked_and_a_nonsense_page_as_the_first(schools):
    assert [school.name for school in page_by_ids(schools, "3", 3).object_list] == ["School 00"]
    assert page_by_ids(schools, "nonsense", 3).number == 1
    assert page_by_ids(schools, "99", 3).number == 3


def test_a_known_count_is_not_counted_again(schools, django_assert_num_queries):
    with django_assert_num_queries(2):  # the page's ids, then its rows
        page = page_by_ids(schools, "1", 3, count=7)
    assert page.paginator.num_pages == 3
