"""The figures follow the policy: an opt-out district counts the opt-outs recorded and chases no
answers; a school year without the cycle the policy requires counts as nobody filed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compliance import measures, notions
from consent import services as consent_services
from tests.conftest import TODAY
from tests.factories import ConsentRecordFactory, StudentFactory

pytestmark = pytest.mark.django_db


def school_figures(world):
    cycle = notions.cycle_today(world.district, TODAY)
    scope = measures.main_scope(world.district)
    return measures.school_measures(world.school, TODAY, cycle=cycle, scope=scope)


@pytest.fixture
def opt_out(world, today):
    """Bloomington's way: posting allowed unless the family opted out; one of three has."""
    world.district.photo_model = "opt_out"
    world.district.disclosure_required = False
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    students = StudentFactory.create_batch(3, school=world.school)
    ConsentRecordFactory(student=students[0], scope=measures.main_scope(world.district), decision="refused")


def test_an_opt_out_district_counts_opt_outs_and_leaves_answers_out_of_the_score(world, opt_out):
    figures = school_figures(world)
    assert (figures.consent_opt_outs, figures.consent_no_answer) == (1, 2)
    assert figures.consent_forms_asked is False and figures.consent_percent is None
    assert "consent" not in [part.key for part in figures.parts]


def test_the_district_table_of_an_opt_out_district_shows_opt_outs_not_answers(client, world, opt_out):
    client.force_login(world.director)
    response = client.get(reverse("dashboards:district", args=[world.district.slug]))
    page = response.content.decode()
    assert "Opted out" in page and "families have opted out" in page
    assert "Families answered" not in page and "families have answered" not in page
    assert "consent_forms_to_collect" not in [item.key for item in response.context["steps"]]
    table = page[page.index('<table class="table table-sm table-hover') : page.index("</table>")]
    headings = table.split("</thead>")[0].split("<tr>")[-1].count("<th ")
    rows = [row for row in table.split("<tr") if "fw-normal" in row or "Whole district" in row]
    assert rows and all(row.count("<td") + row.count("<th") == headings for row in rows)  # each cell under its heading
    csv_header = client.get(reverse("dashboards:district_export", args=[world.district.slug]))
    assert "Opt-outs recorded" in b"".join(csv_header.streaming_content).decode("utf-8-sig").splitlines()[0]


def test_under_written_consent_missing_answers_count_against_the_score(world, today):
    world.district.photo_model = "written_consent"
    world.district.disclosure_required = False
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    StudentFactory.create_batch(2, school=world.school)
    figures = school_figures(world)
    assert figures.consent_forms_asked and figures.consent_percent == 0
    assert ("consent", 0, 2) in [(part.key, part.done, part.total) for part in figures.parts]


def test_a_year_without_the_required_cycle_counts_every_staff_member_as_not_filed(world, today):
    """North requires disclosures and never set up 2026-27: the part is there, at zero."""
    figures = school_figures(world)
    staff_here = notions.staff_of_school(world.school).count()
    assert figures.disclosure_cycle_missing and figures.disclosures_asked
    assert ("disclosures", 0, staff_here) in [(part.key, part.done, part.total) for part in figures.parts]
    world.district.disclosure_required = False
    world.district.save()
    assert "disclosures" not in [part.key for part in school_figures(world).parts]
