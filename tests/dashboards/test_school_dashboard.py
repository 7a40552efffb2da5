"""A principal's home: the school at a glance, what to do next, and the same queries at any size."""

from __future__ import annotations

import csv
import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.items import Urgency
from consent import services as consent_services
from dashboards import selectors
from dashboards.access import disclosure_names_for
from tests.conftest import TODAY
from tests.dashboards.conftest import populate, set_up_district, social_scope
from tests.factories import SocialAccountFactory, StudentFactory, staff_at

pytestmark = pytest.mark.django_db


def school_page(client, world, persona: str = "principal"):
    client.force_login(world.persona(persona))
    return client.get(reverse("dashboards:school", args=[world.school.pk]))


def test_it_is_the_principals_home(client, world, north):
    client.force_login(world.principal)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/school.html"
    assert response.context["school"] == world.school


def test_it_counts_the_accounts_needing_attention_and_lists_them(client, world, north):
    dashboard = school_page(client, world).context["dashboard"]
    measures = dashboard.measures
    assert (measures.accounts_below_minimum, measures.accounts_review_overdue, measures.accounts_waiting) == (1, 1, 1)
    assert measures.accounts_live == 2
    assert measures.accounts_good == 0
    # Short of administrators first, then overdue, then the request.
    assert [a.is_below_minimum for a in dashboard.accounts][:1] == [True]
    assert {a.status for a in dashboard.accounts} == {"active", "requested"}


def test_it_leaves_out_other_schools_accounts(client, world, north):
    populate(world, world.other_school, 3, authorization=False)
    measures = school_page(client, world).context["dashboard"].measures
    assert measures.accounts_below_minimum == 1


def test_it_names_who_is_late_and_who_has_not_started(client, world, north):
    newcomer = staff_at(world.school, last_name="Aardvark")
    response = school_page(client, world)
    dashboard = response.context["dashboard"]
    # Due December 1: on November 21 nobody is late yet, everyone not filed is "not started".
    assert dashboard.late == []
    assert newcomer in dashboard.not_started
    assert north.staff_not_started[0] in dashboard.not_started
    assert north.staff_filed[0] not in dashboard.not_started
    assert dashboard.measures.disclosures_filed == 1


def test_it_lists_late_staff_once_the_due_date_has_passed(client, world, north):
    with time_machine.travel(datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC), tick=False):
        dashboard = school_page(client, world).context["dashboard"]
    assert north.staff_not_started[0] in dashboard.late
    assert dashboard.not_started == []
    assert dashboard.steps[0].title.startswith("Follow up")


def test_it_shows_counts_but_no_names_where_disclosures_go_to_the_district(client, world, north):
    world.district.disclosure_recipient = "district"
    world.district.save()
    response = school_page(client, world)
    dashboard = response.context["dashboard"]
    assert dashboard.names_shown is False
    assert dashboard.late == dashboard.not_started == []
    assert dashboard.measures.disclosures_filed == 1
    assert north.staff_not_started[0].last_name not in response.content.decode()
    assert "sends disclosures to the district office" in response.content.decode()
    assert not [step for step in dashboard.steps if step.key.startswith("disclosures")]
    client.force_login(world.principal)
    assert client.get(reverse("dashboards:school_export", args=[world.school.pk, "disclosures"])).status_code == 404


def test_the_director_sees_the_names_on_any_schools_dashboard(client, world, north):
    dashboard = school_page(client, world, "director").context["dashboard"]
    assert dashboard.names_shown
    assert north.staff_not_started[0] in dashboard.not_started


def test_it_counts_consent_per_scope_and_grade(client, world, north):
    dashboard = school_page(client, world).context["dashboard"]
    social = next(item for item in dashboard.coverage if item.scope == social_scope(world))
    assert [grade.label for grade in social.grades] == ["Grade 4"]  # size 1: one student of each answer in grade 4
    assert (social.granted, social.refused, social.no_answer) == (1, 1, 1)
    assert dashboard.measures.consent_no_answer == 1
    assert dashboard.measures.consent_forms_asked  # written consent: a form to collect


def test_it_orders_grades_as_a_school_does(world, north):
    for grade in ["12", "KG", "01", "PK", "10", ""]:
        StudentFactory(school=world.school, grade=grade)
    grades = selectors.coverage_by_grade(world.school.students.filter(active=True), social_scope(world), TODAY)
    assert [grade.label for grade in grades] == [
        "Pre-K", "Kindergarten", "Grade 1", "Grade 4", "Grade 10", "Grade 12", "No grade recorded"
    ]  # fmt: skip


def test_it_links_to_the_do_not_post_lists(client, world, north):
    html = school_page(client, world).content.decode()
    assert reverse("consent:school_do_not_post", args=[world.school.pk]) + f"?scope={social_scope(world).pk}" in html


def test_it_lists_authorizations_missing_consent(client, world, north):
    dashboard = school_page(client, world).context["dashboard"]
    assert dashboard.authorizations == [north.authorization]
    assert dashboard.authorizations[0].enrolled == 1
    assert dashboard.authorizations[0].covered == 0
    assert dashboard.measures.authorizations_not_ready == 1


def test_what_to_do_next_puts_the_urgent_first(client, world, north):
    steps = school_page(client, world).context["dashboard"].steps
    levels = [step.urgency for step in steps]
    assert levels == sorted(levels)
    assert steps[0].urgency == Urgency.URGENT
    titles = [step.title for step in steps]
    assert "Name administrators for 1 official account" in titles
    assert "Collect consent for 1 class tool" in titles
    assert "Collect 1 consent form" in titles


def test_it_says_nothing_needs_attention_at_a_school_in_order(client, world, today):
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    response = school_page(client, world)
    assert response.context["dashboard"].steps == []
    html = response.content.decode()
    assert "Nothing at North High needs you today" in html
    assert "No students are on" in html


def test_it_shows_the_score_and_its_formula(client, world, north):
    response = school_page(client, world)
    measures = response.context["dashboard"].measures
    # Accounts 0/2, disclosures 1/N, consent 2/3 answered, authorizations 0/1: the average of four parts.
    parts = {part.key: (part.done, part.total) for part in measures.parts}
    assert parts["accounts"] == (0, 2)
    assert parts["consent"] == (2, 3)
    assert parts["authorizations"] == (0, 1)
    assert str(selectors.SCORE_FORMULA) in response.content.decode()


def test_its_score_matches_the_schools_row_in_the_district_table(client, world, north):
    populate(world, world.other_school, 2, authorization=False)
    school_measures = school_page(client, world, "director").context["dashboard"].measures
    rows = selectors.district_figures(world.district, TODAY).rows
    row = next(row for row in rows if row.school_id == world.school.pk)
    assert row == school_measures


@pytest.mark.parametrize("table", ["accounts", "disclosures", "consent", "authorizations"])
def test_each_table_downloads_as_csv(client, world, north, table):
    client.force_login(world.principal)
    response = client.get(reverse("dashboards:school_export", args=[world.school.pk, table]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) > 1


def test_the_csv_cannot_run_a_formula(client, world, north):
    staff_at(world.school, last_name='=HYPERLINK("http://evil")')
    client.force_login(world.principal)
    response = client.get(reverse("dashboards:school_export", args=[world.school.pk, "disclosures"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_an_unknown_table_is_not_found(client, world, north):
    client.force_login(world.principal)
    assert client.get(reverse("dashboards:school_export", args=[world.school.pk, "students"])).status_code == 404


def test_the_names_rule_is_the_disclosure_apps(world, north):
    assert disclosure_names_for(world.principal, world.district) is not None
    world.district.disclosure_recipient = "district"
    world.district.save()
    assert disclosure_names_for(world.principal, world.district) is None
    assert disclosure_names_for(world.director, world.district) is not None


@pytest.mark.parametrize("persona", ["principal", "director"])
def test_it_issues_the_same_queries_for_a_school_five_times_larger(
    client, world, today, django_assert_num_queries, persona
):
    set_up_district(world)
    populate(world, world.school, 2)
    client.force_login(world.persona(persona))
    url = reverse("dashboards:school", args=[world.school.pk])
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as counting:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as kept:
        assert client.get(url).status_code == 200
    assert len(kept) < len(counting)
    populate(world, world.school, 8, authorization=False)
    cache.clear()
    with django_assert_num_queries(len(counting)):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(kept)):
        assert client.get(url).status_code == 200


def test_it_keeps_the_counted_dashboard_for_its_reader_for_a_minute(client, world, north, settings):
    school_page(client, world)
    with mock.patch.object(selectors, "school_dashboard", side_effect=AssertionError("counted again")):
        assert school_page(client, world).status_code == 200
        with pytest.raises(AssertionError, match="counted again"):
            school_page(client, world, "director")  # another reader: counted for them
    later = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC) + datetime.timedelta(
        seconds=settings.DASHBOARD_SCHOOL_MAX_AGE_SECONDS + 1
    )
    SocialAccountFactory(school=world.school, district=world.district)
    with time_machine.travel(later, tick=False):
        assert school_page(client, world).context["dashboard"].measures.accounts_below_minimum == 2


def test_it_says_when_its_figures_were_counted(client, world, north):
    assert "figures counted at 9:00" in school_page(client, world).content.decode()
