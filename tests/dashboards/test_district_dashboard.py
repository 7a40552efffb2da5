"""The district dashboard: every school in one sortable table, totals, the completion chart,
CSV, and figures counted in the database with the same queries at any size."""

from __future__ import annotations

import csv
import datetime
import io
import re
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import School
from dashboards import selectors, snapshots, tasks
from tests.conftest import TODAY
from tests.dashboards.conftest import populate, set_up_district
from tests.disclosures.filing import file_none
from tests.factories import SchoolFactory, SocialAccountFactory, staff_at

pytestmark = pytest.mark.django_db


def schools_listed(response) -> list[str]:
    """The schools of the table's page, in order."""
    return re.findall(
        r'<th scope="row" class="fw-normal"><a href="/dashboards/schools/\d+/">([^<]+)</a>', response.content.decode()
    )


def district_page(client, world, query: str = "", persona: str = "director"):
    client.force_login(world.persona(persona))
    return client.get(reverse("dashboards:district", args=[world.district.slug]) + query)


@pytest.fixture
def district(world, today):
    set_up_district(world)
    populate(world, world.school, 1)
    populate(world, world.other_school, 3, authorization=False)


def test_it_has_a_row_for_every_active_school(client, world, district):
    SchoolFactory(district=world.district, name="Closed School", active=False)
    figures = district_page(client, world).context["figures"]
    assert {row.school_name for row in figures.rows} == {"North High", "North Elementary"}


def test_each_row_counts_its_own_school(client, world, district):
    rows = {row.school_name: row for row in district_page(client, world).context["figures"].rows}
    assert rows["North High"].accounts_below_minimum == 1
    assert rows["North Elementary"].accounts_below_minimum == 3
    assert rows["North Elementary"].students == 9
    assert rows["North Elementary"].consent_no_answer == 3
    assert rows["North High"].authorizations_not_ready == 1
    assert rows["North Elementary"].authorizations_not_ready == 0


def test_the_totals_count_each_person_once_and_include_district_accounts(client, world, district):
    teacher = staff_at(world.school)
    staff_at(world.other_school, email="second@north.example.org")
    teacher.memberships.create(district=world.district, school=world.other_school, role="staff")
    SocialAccountFactory(school=None, district=world.district, owner_kind="district")  # no administrator
    figures = district_page(client, world).context["figures"]
    assert figures.totals.accounts_below_minimum == 5
    both = sum(row.staff_to_file for row in figures.rows)
    assert figures.totals.staff_to_file == both - 1


def test_it_sorts_by_any_column_and_keeps_schools_without_a_value_last(client, world, district):
    SchoolFactory(district=world.district, name="Empty School")
    names = schools_listed(district_page(client, world, "?sort=-accounts_below_minimum"))
    assert names == ["North Elementary", "North High", "Empty School"]
    assert schools_listed(district_page(client, world, "?sort=school")) == [
        "Empty School",
        "North Elementary",
        "North High",
    ]
    figures = district_page(client, world).context["figures"]
    scores = {row.school_name: row.score for row in figures.rows}
    assert scores["Empty School"] is None
    by_score = schools_listed(district_page(client, world))
    assert by_score[-1] == "Empty School"  # no score: last, whichever way the table is sorted
    assert [scores[name] for name in by_score[:2]] == sorted(scores[name] for name in by_score[:2])
    descending = district_page(client, world, "?sort=-score")
    assert schools_listed(descending)[-1] == "Empty School"
    assert "sorted by score, highest first" in descending.content.decode()


def test_a_bad_sort_falls_back_to_the_score(client, world, district):
    response = district_page(client, world, "?sort=password&page=abc")
    assert response.status_code == 200
    assert response.context["sort"] == "score"


def test_it_finds_a_school_by_name(client, world, district):
    assert schools_listed(district_page(client, world, "?q=elementary")) == ["North Elementary"]
    assert "No school's name contains" in district_page(client, world, "?q=zzz").content.decode()


def test_it_pages_a_district_of_many_schools(client, world, district):
    School.objects.bulk_create(School(district=world.district, name=f"School {n:03d}") for n in range(120))
    response = district_page(client, world, "?sort=school")
    assert len(schools_listed(response)) == 100
    assert "Page 1 of 2" in response.content.decode()
    assert len(schools_listed(district_page(client, world, "?sort=school&page=2"))) == 22


def test_it_shows_the_score_formula(client, world, district):
    assert str(selectors.SCORE_FORMULA) in district_page(client, world).content.decode()


def test_the_score_is_the_average_of_the_parts_that_apply(world, district):
    measures = selectors.SchoolMeasures(
        school_id=1,
        school_name="A",
        accounts_live=4,
        accounts_good=3,
        disclosures_asked=True,
        staff_to_file=10,
        disclosures_filed=5,
        students=0,
    )
    # Accounts 75%, disclosures 50%; consent is not asked and no authorization is in force.
    assert measures.score == round((75 + 50) / 2)
    assert selectors.SchoolMeasures(school_id=1, school_name="Empty").score is None


def test_the_completion_chart_climbs_week_by_week(client, world, today):
    set_up_district(world)
    people = [staff_at(world.school, last_name=f"Filer{n}") for n in range(3)]
    for days, person in zip((3, 10, 40), people, strict=True):
        with time_machine.travel(datetime.datetime(2026, 9, 1, 15, tzinfo=datetime.UTC) + datetime.timedelta(days)):
            file_none(person, world.district.disclosure_cycles.get())
    figures = selectors.district_figures(world.district, TODAY)
    staff = figures.totals.staff_to_file
    by_day = {point.day: point.disclosures for point in figures.completion}
    assert figures.completion[0].day == datetime.date(2026, 7, 1)  # the school year's first day
    assert figures.completion[-1].day == TODAY
    assert by_day[datetime.date(2026, 9, 2)] == 0
    assert by_day[datetime.date(2026, 9, 9)] == 100 * 1 // staff
    assert by_day[datetime.date(2026, 9, 16)] == 100 * 2 // staff
    assert by_day[TODAY] == 100 * 3 // staff
    values = [point.disclosures for point in figures.completion]
    assert values == sorted(values)


def test_the_chart_has_its_numbers_as_a_table(client, world, district):
    html = district_page(client, world).content.decode()
    assert 'id="completion-chart"' in html
    assert "The chart's numbers as a table" in html
    assert "vendor/chartjs/chart.umd.min.js" in html


def test_it_drills_down_to_each_school(client, world, district):
    html = district_page(client, world).content.decode()
    assert reverse("dashboards:school", args=[world.other_school.pk]) in html


def test_the_table_downloads_as_csv_with_every_school_and_the_totals(client, world, district):
    School.objects.bulk_create(School(district=world.district, name=f"=School {n:03d}") for n in range(120))
    client.force_login(world.director)
    response = client.get(reverse("dashboards:district_export", args=[world.district.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["School", "Score"]
    assert len(rows) == 1 + 122 + 1
    assert rows[-1][0] == "Whole district"
    assert all(not row[0].startswith("=") for row in rows)  # formulas neutralised


def test_it_reads_the_counted_figures_from_the_cache(client, world, district):
    district_page(client, world)
    with mock.patch.object(selectors, "district_figures", side_effect=AssertionError("counted again")):
        assert district_page(client, world).status_code == 200


def test_figures_too_old_are_shown_once_while_a_task_counts_them_again(client, world, district, settings):
    district_page(client, world)
    SocialAccountFactory(school=world.school, district=world.district)
    assert district_page(client, world).context["figures"].totals.accounts_below_minimum == 4
    later = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC) + datetime.timedelta(
        seconds=settings.DASHBOARD_FIGURES_MAX_AGE_SECONDS + 1
    )
    with (
        time_machine.travel(later, tick=False),
        mock.patch.object(snapshots, "enqueue", wraps=snapshots.enqueue) as queued,
    ):
        # No reader waits for the recount: the older figures answer, and one recount is queued.
        assert district_page(client, world).context["figures"].totals.accounts_below_minimum == 4
        assert district_page(client, world).context["figures"].totals.accounts_below_minimum == 5
    assert queued.call_count == 1


def test_figures_of_another_day_are_counted_by_the_page(client, world, district):
    district_page(client, world)
    SocialAccountFactory(school=world.school, district=world.district)
    with time_machine.travel(datetime.datetime(2026, 11, 22, 15, 0, tzinfo=datetime.UTC), tick=False):
        assert district_page(client, world).context["figures"].totals.accounts_below_minimum == 5


def test_it_still_answers_when_the_cache_cannot_be_reached(client, world, district):
    with (
        mock.patch.object(snapshots.cache, "get", side_effect=ConnectionError("cache down")),
        mock.patch.object(snapshots.cache, "set", side_effect=ConnectionError("cache down")),
    ):
        response = district_page(client, world)
    assert response.status_code == 200
    assert response.context["figures"].totals.accounts_below_minimum == 4


def test_the_periodic_task_counts_every_district_ahead_of_its_readers(client, world, district):
    assert tasks.refresh_district_dashboards() == 2
    with mock.patch.object(selectors, "district_figures", side_effect=AssertionError("counted again")):
        assert district_page(client, world).status_code == 200


def test_it_says_what_to_do_when_the_district_has_no_school(client, world, today):
    School.objects.filter(district=world.district).update(active=False)
    html = district_page(client, world).content.decode()
    assert "has no active school yet" in html


def test_it_counts_in_the_same_queries_for_a_district_several_times_larger(
    client, world, today, django_assert_num_queries
):
    set_up_district(world)
    populate(world, world.school, 1)
    client.force_login(world.director)
    url = reverse("dashboards:district", args=[world.district.slug])
    client.get(url)
    forget_figures(world)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(4):
        populate(world, SchoolFactory(district=world.district, name=f"More {n}"), 3, authorization=n == 0)
    forget_figures(world)
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(small) - len(_counting_queries(world))):
        assert client.get(url).status_code == 200


def forget_figures(world) -> None:
    """The district's counted figures leave the cache (what their expiry does), the session's copy stays."""
    snapshots.cache.delete_many([snapshots._key(world.district.pk), snapshots._summary_key(world.district.pk)])


def _counting_queries(world) -> list:
    with CaptureQueriesContext(connection) as counted:
        selectors.district_figures(world.district, TODAY)
    return counted.captured_queries
