import datetime

import pytest
import time_machine

from accounts.models import SchoolYear, school_year_for
from tests.factories import DistrictFactory


@pytest.mark.parametrize(
    ("day", "start_month", "label", "starts", "ends"),
    [
        (datetime.date(2026, 6, 30), 7, "2025–26", datetime.date(2025, 7, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 7, 1), 7, "2026–27", datetime.date(2026, 7, 1), datetime.date(2027, 6, 30)),
        (datetime.date(2026, 8, 31), 9, "2025–26", datetime.date(2025, 9, 1), datetime.date(2026, 8, 31)),
        (datetime.date(2026, 1, 1), 1, "2026", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2028, 2, 29), 8, "2027–28", datetime.date(2027, 8, 1), datetime.date(2028, 7, 31)),
    ],
)
def test_it_places_a_date_in_the_districts_school_year(day, start_month, label, starts, ends):
    year = school_year_for(day, start_month)

    assert (year.label, year.starts_on, year.ends_on) == (label, starts, ends)
    assert year.contains(day)
    assert not year.next().contains(day)
    assert year.next().previous() == year


@pytest.mark.django_db
def test_a_districts_current_school_year_follows_its_start_month():
    district = DistrictFactory(school_year_start_month=8)

    with time_machine.travel(datetime.datetime(2026, 7, 31, 12, tzinfo=datetime.UTC)):
        assert district.current_school_year == SchoolYear(2025, 8)
    with time_machine.travel(datetime.datetime(2026, 8, 1, 12, tzinfo=datetime.UTC)):
        assert district.current_school_year == SchoolYear(2026, 8)
