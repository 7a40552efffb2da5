"""A director records when someone started in the district and who supervises them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services
from accounts.forms import EmploymentForm
from accounts.models import User
from tests.factories import staff_at

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 10, 5)


def post(client, member: User, started_on: object = "", supervisor: object = ""):
    return client.post(
        reverse("staff_employment", args=[member.pk]), {"started_on": started_on, "supervisor": supervisor}
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_lets_a_director_set_the_start_date_and_the_supervisor(client, world):
    client.force_login(world.director)

    response = post(client, world.staff, "2026-10-05", world.principal.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_detail", args=[world.staff.pk])
    world.staff.refresh_from_db()
    assert (world.staff.started_on, world.staff.supervisor) == (START, world.principal)
    assert "start date and supervisor were saved" in " ".join(messages_of(client.get(response["Location"])))


def test_it_clears_both_when_the_fields_are_left_empty(client, world):
    world.staff.started_on, world.staff.supervisor = START, world.principal
    world.staff.save()
    client.force_login(world.director)

    post(client, world.staff)

    world.staff.refresh_from_db()
    assert (world.staff.started_on, world.staff.supervisor) == (None, None)


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        ("principal", "staff", 403),  # sees the staff of their school, may not change them
        ("superintendent", "staff", 403),
        ("communications", "staff", 403),
        ("staff", "staff", 403),  # their own page: visible, not theirs to change
        ("staff", "principal", 404),  # a colleague they cannot see
        ("clerk", "staff", 404),
        ("foreign_director", "staff", 404),  # another district
    ],
)
def test_it_refuses_everyone_but_the_director_as_the_other_staff_pages_do(client, world, persona, target, expected):
    client.force_login(world.persona(persona))

    response = post(client, world.persona(target), "2026-10-05", world.director.email)

    assert response.status_code == expected
    world.persona(target).refresh_from_db()
    assert (world.persona(target).started_on, world.persona(target).supervisor) == (None, None)


def test_it_asks_anonymous_visitors_to_sign_in(client, world):
    response = post(client, world.staff, "2026-10-05")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_only_accepts_posts(client, world):
    client.force_login(world.director)

    assert client.get(reverse("staff_employment", args=[world.staff.pk])).status_code == 405


def test_it_refuses_a_supervisor_from_another_district(client, world):
    client.force_login(world.director)

    response = post(client, world.staff, "2026-10-05", world.foreign_principal.email)

    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert (world.staff.started_on, world.staff.supervisor) == (None, None)
    assert "no other active staff member of the district has this e-mail" in " ".join(
        messages_of(client.get(response["Location"]))
    )
    with pytest.raises(ValidationError, match="active staff member of the district"):
        services.staff_employment_update(
            acting_user=world.director, user=world.staff, started_on=None, supervisor=world.foreign_principal
        )


def test_it_refuses_a_supervisor_who_has_left(world):
    world.principal.is_active = False
    world.principal.save()

    with pytest.raises(ValidationError, match="active staff member of the district"):
        services.staff_employment_update(
            acting_user=world.director, user=world.staff, started_on=None, supervisor=world.principal
        )


def test_it_refuses_self_supervision(client, world):
    client.force_login(world.director)

    post(client, world.staff, "", world.staff.email)

    world.staff.refresh_from_db()
    assert world.staff.supervisor is None
    with pytest.raises(ValidationError, match="their own supervisor"):
        services.staff_employment_update(
            acting_user=world.director, user=world.staff, started_on=None, supervisor=world.staff
        )


def test_it_refuses_a_supervision_loop(client, world):
    services.staff_employment_update(
        acting_user=world.director, user=world.staff, started_on=None, supervisor=world.principal
    )
    client.force_login(world.director)

    response = post(client, world.principal, "", world.staff.email)

    world.principal.refresh_from_db()
    assert world.principal.supervisor is None
    assert "is supervised by" in " ".join(messages_of(client.get(response["Location"])))


def test_it_refuses_a_longer_supervision_loop(world):
    # staff <- principal <- superintendent: the superintendent cannot report to the staff member.
    for user, supervisor in [(world.staff, world.principal), (world.principal, world.superintendent)]:
        services.staff_employment_update(acting_user=world.director, user=user, started_on=None, supervisor=supervisor)

    with pytest.raises(ValidationError, match="is supervised by"):
        services.staff_employment_update(
            acting_user=world.director, user=world.superintendent, started_on=None, supervisor=world.staff
        )


def test_it_refuses_a_principal_in_the_service_too(world):
    with pytest.raises(PermissionDenied):
        services.staff_employment_update(
            acting_user=world.principal, user=world.staff, started_on=START, supervisor=None
        )


@pytest.mark.parametrize(
    ("started_on", "supervisor"),
    [("next tuesday", ""), ("", "abc"), ("", "99999999999999999999"), ("", "x@elsewhere.example.org")],
)
def test_it_reports_bad_input_without_failing(client, world, started_on, supervisor):
    client.force_login(world.director)

    response = post(client, world.staff, started_on, supervisor)

    assert response.status_code == 302
    assert messages_of(client.get(response["Location"]))
    world.staff.refresh_from_db()
    assert (world.staff.started_on, world.staff.supervisor) == (None, None)


def test_it_answers_404_for_a_staff_member_that_does_not_exist(client, world):
    client.force_login(world.director)

    assert client.post(reverse("staff_employment", args=[2**40]), {}).status_code == 404


def test_it_records_who_changed_the_employment_details(world):
    services.staff_employment_update(
        acting_user=world.director, user=world.staff, started_on=START, supervisor=world.principal
    )

    record = world.staff.history.latest()
    assert (record.history_user, record.history_change_reason) == (world.director, "Employment details changed")
    assert (record.started_on, record.supervisor_id) == (START, world.principal.pk)


def test_it_shows_the_start_date_and_a_linked_supervisor_on_the_staff_page(client, world):
    services.staff_employment_update(
        acting_user=world.director, user=world.staff, started_on=START, supervisor=world.principal
    )
    client.force_login(world.director)

    page = client.get(reverse("staff_detail", args=[world.staff.pk])).content.decode()

    assert "Started in the district on" in page
    assert "Oct. 5, 2026" in page
    assert f'<a href="{reverse("staff_detail", args=[world.principal.pk])}">{world.principal}</a>' in page


def test_it_offers_the_form_to_the_director_and_accepts_only_active_staff_of_the_district(client, world):
    leaver = staff_at(world.school, email="leaver@north.example.org", is_active=False)
    client.force_login(world.director)

    response = client.get(reverse("staff_detail", args=[world.staff.pk]))

    assert reverse("staff_employment", args=[world.staff.pk]) in response.content.decode()
    for refused in (leaver, world.staff, world.foreign_director):
        form = EmploymentForm({"started_on": "", "supervisor": refused.email}, member=world.staff)
        assert not form.is_valid(), refused
    form = EmploymentForm({"started_on": "", "supervisor": world.principal.email.upper()}, member=world.staff)
    assert form.is_valid() and form.cleaned_data["supervisor"] == world.principal


def test_it_shows_the_details_but_no_form_to_a_principal(client, world):
    services.staff_employment_update(
        acting_user=world.director, user=world.staff, started_on=START, supervisor=world.other_principal
    )
    client.force_login(world.principal)

    response = client.get(reverse("staff_detail", args=[world.staff.pk]))

    page = response.content.decode()
    assert response.context["employment_form"] is None
    assert reverse("staff_employment", args=[world.staff.pk]) not in page
    assert "Oct. 5, 2026" in page
    # The principal cannot open the other school's principal's page: the name is not a link to a 404.
    assert str(world.other_principal) in page
    assert reverse("staff_detail", args=[world.other_principal.pk]) not in page
