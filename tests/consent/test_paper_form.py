"""The clerk's entry of one whole paper form: every consent on it in one save, for the school year
the form is for, and straight back to the search box for the next one."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from consent import selectors, services
from consent.models import ConsentRecord, form_school_year
from tests.factories import ConsentScopeFactory, StudentFactory, staff_at
from tests.pages import fetch, queries_for


@pytest.fixture
def pupil(world):
    return StudentFactory(school=world.school, first_name="Ana", last_name="Lindqvist")


def paper(scopes, **answers: str) -> dict[str, str]:
    """The form as posted: an answer per scope kind named, every other scope left "not on this form"."""
    data = {f"scope_{scope.pk}": answers.get(kind, "") for kind, scope in scopes.items() if kind != "participation"}
    return {"received_on": "2026-11-20", "school_year": "2026", "guardian_name": "Eva Lindqvist", "note": "", **data}


def test_it_records_every_answered_scope_of_the_form_in_one_save(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:paper_form", args=[pupil.pk]),
        paper(scopes, social_media="granted", yearbook="refused", website="withdrawn"),
    )

    assert response.status_code == 302 and response["Location"] == reverse("consent:record_entry")
    recorded = {r.scope.kind: r.decision for r in ConsentRecord.objects.filter(student=pupil).select_related("scope")}
    assert recorded == {"social_media": "granted", "yearbook": "refused", "website": "withdrawn"}
    assert set(ConsentRecord.objects.values_list("received_on", "school_year", "guardian_name", "received_by")) == {
        (datetime.date(2026, 11, 20), 2026, "Eva Lindqvist", "paper")
    }
    page = client.get(response["Location"]).content.decode()
    assert "Recorded 3 answers for Ana Lindqvist." in page
    assert 'id="id_q" name="q" maxlength="100" autocomplete="off" autofocus' in page  # back to the search box


def test_it_records_nothing_for_a_scope_marked_not_on_this_form(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    client.post(reverse("consent:paper_form", args=[pupil.pk]), paper(scopes, yearbook="granted"))

    assert list(ConsentRecord.objects.values_list("scope__kind", flat=True)) == ["yearbook"]


def test_it_refuses_a_form_with_no_answer_at_all(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    response = client.post(reverse("consent:paper_form", args=[pupil.pk]), paper(scopes))

    assert response.status_code == 200
    assert "at least one consent" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_it_records_nothing_at_all_when_the_date_is_bad(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:paper_form", args=[pupil.pk]),
        {**paper(scopes, social_media="granted", yearbook="granted"), "received_on": "2026-12-25"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page and "cannot be in the future" in page
    assert 'aria-describedby="id_received_on_error"' in page and 'id="id_received_on_error"' in page
    assert not ConsentRecord.objects.exists()


def test_it_records_nothing_when_one_answer_of_the_form_is_refused(world, pupil, scopes, today):
    with pytest.raises(ValidationError):
        services.consent_form_record(
            acting_user=world.clerk,
            student=pupil,
            answers={scopes["social_media"]: "granted", scopes["yearbook"]: "maybe"},
            received_on=today,
            school_year=2026,
            guardian_name="",
            note="",
        )

    assert not ConsentRecord.objects.exists()


def test_it_ties_an_unknown_answer_to_its_scope(client, world, pupil, scopes, today):
    client.force_login(world.clerk)
    yearbook = scopes["yearbook"]

    response = client.post(reverse("consent:paper_form", args=[pupil.pk]), paper(scopes, yearbook="perhaps"))

    page = response.content.decode()
    assert f'aria-describedby="id_scope_{yearbook.pk}_error"' in page
    assert f'href="#id_scope_{yearbook.pk}_0"' in page
    assert not ConsentRecord.objects.exists()


@pytest.fixture
def renewing(world, scopes):
    """North collects written consent again each school year, which starts on July 1."""
    world.district.school_year_start_month = 7
    world.district.consent_renewed_each_school_year = True
    world.district.save()
    social = scopes["social_media"]
    social.renewed_each_school_year = True
    social.save()
    return social


def test_it_counts_a_form_received_in_june_for_next_year(client, world, pupil, scopes, renewing, on):
    client.force_login(world.clerk)
    url = reverse("consent:paper_form", args=[pupil.pk])
    with on(datetime.date(2026, 6, 20)):
        form = client.get(url).content.decode()
        response = client.post(
            url, {**paper(scopes, social_media="granted"), "received_on": "2026-06-20", "school_year": "2026"}
        )

    assert '<option value="2026" selected>2026–27</option>' in form  # the coming year, by default
    assert '<option value="2025">2025–26</option>' in form
    assert response.status_code == 302
    assert ConsentRecord.objects.get(student=pupil).school_year == 2026
    with on(datetime.date(2026, 7, 1)):
        listed = selectors.do_not_post_list(
            selectors.school_students(world.school), renewing, datetime.date(2026, 7, 1)
        )
        assert pupil not in listed


def test_it_defaults_to_the_year_the_form_was_received_in_outside_the_last_two_months():
    assert form_school_year(datetime.date(2026, 4, 30), 7).start_year == 2025
    assert form_school_year(datetime.date(2026, 5, 1), 7).start_year == 2026
    assert form_school_year(datetime.date(2026, 9, 3), 7).start_year == 2026
    assert form_school_year(datetime.date(2026, 11, 15), 1).start_year == 2027


def test_it_offers_the_school_years_of_the_date_typed(client, world, pupil, scopes, today):
    client.force_login(world.clerk)

    part = client.get(
        reverse("consent:paper_form", args=[pupil.pk]), {"received_on": "2025-03-02"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "<html" not in part
    assert "2024–25" in part and "2025–26" in part and "2026–27" not in part


def test_it_shows_every_active_picture_scope_but_not_participation_or_retired_ones(client, world, pupil, scopes, today):
    ConsentScopeFactory(district=world.district, kind="participation", name="Taking part in Kahoot")
    ConsentScopeFactory(district=world.district, name="Retired scope", active=False)
    client.force_login(world.clerk)

    page = client.get(reverse("consent:paper_form", args=[pupil.pk])).content.decode()

    for scope in scopes.values():
        assert f'<legend class="h6 mb-1">{scope.name}</legend>' in page
    assert "Kahoot" not in page and "Retired scope" not in page
    assert page.count('value="" ') == len(scopes)  # "not on this form", one per scope
    assert "Not on this form" in page


@pytest.mark.parametrize("who", ["other_clerk", "staff", "foreign_principal"])
def test_it_lets_only_a_clerk_of_the_students_school_record(client, world, pupil, scopes, today, who):
    user = {
        "other_clerk": staff_at(world.other_school, Role.CLERK, email="clerk2@north.example.org"),
        "staff": world.staff,
        "foreign_principal": world.foreign_principal,
    }[who]
    client.force_login(user)
    url = reverse("consent:paper_form", args=[pupil.pk])

    assert client.get(url).status_code in (403, 404)
    assert client.post(url, paper(scopes, social_media="granted")).status_code in (403, 404)
    assert not ConsentRecord.objects.exists()


def test_it_opens_the_paper_form_from_the_search_results(client, world, pupil, scopes):
    client.force_login(world.clerk)

    results = client.get(reverse("consent:record_entry"), {"q": "lindq"}, HTTP_HX_REQUEST="true").content.decode()
    form = client.get(reverse("consent:paper_form", args=[pupil.pk]), HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="{reverse("consent:paper_form", args=[pupil.pk])}"' in results
    assert "<html" not in form and "Paper form of Ana Lindqvist" in form
    assert 'for="id_guardian_name"' in form and 'for="id_received_on"' in form


def test_it_costs_the_same_queries_for_a_form_of_five_scopes_or_fifteen(
    client, world, pupil, scopes, django_assert_num_queries
):
    client.force_login(world.clerk)
    url = reverse("consent:paper_form", args=[pupil.pk])
    few = queries_for(client, url)
    ConsentScopeFactory.create_batch(10, district=world.district)

    with django_assert_num_queries(few):
        assert fetch(client, url).status_code == 200


@pytest.mark.parametrize("received_on", ["9999-12-31", "0001-01-01", "nonsense", "2026-02-30"])
def test_it_answers_any_date_typed_without_an_error(client, world, pupil, scopes, today, received_on):
    client.force_login(world.clerk)
    url = reverse("consent:paper_form", args=[pupil.pk])

    assert client.get(url, {"received_on": received_on}, HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(url, {**paper(scopes, yearbook="granted"), "received_on": received_on})

    assert response.status_code == 200
    assert not ConsentRecord.objects.exists()
