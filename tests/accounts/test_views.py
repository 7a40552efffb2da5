"""Directory pages: what they show, and that they cost the same number of queries at any size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import District, Membership, Role
from tests.factories import SchoolFactory, StudentFactory, staff_at


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["school_list", "staff_list", "student_list"])
def test_it_issues_the_same_number_of_queries_at_any_size(client, world, django_assert_num_queries, page):
    client.force_login(world.director)
    url = reverse(page)
    StudentFactory(school=world.school)  # an empty page skips the row query; compare full ones
    small = queries_for(client, url)
    for _ in range(15):
        school = SchoolFactory(district=world.district)
        staff_at(school)
        StudentFactory.create_batch(4, school=school)

    with django_assert_num_queries(small):
        client.get(url)


def test_the_roster_import_page_costs_the_same_with_many_imports(client, world, django_assert_num_queries):
    from accounts.models import RosterImport

    client.force_login(world.director)
    url = reverse("roster_import_list", args=[world.district.slug])
    RosterImport.objects.create(district=world.district, uploaded_by=world.director, file_name="a.zip")
    small = queries_for(client, url)
    for n in range(20):
        RosterImport.objects.create(district=world.district, uploaded_by=world.director, file_name=f"{n}.zip")

    with django_assert_num_queries(small):
        client.get(url)


def test_a_director_edits_the_policy_profile_and_the_change_is_recorded(client, world):
    client.force_login(world.director)
    form = client.get(reverse("district_edit", args=["north"])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(photo_model="opt_out", min_account_administrators=2, preferred_account_administrators=3)

    response = client.post(reverse("district_edit", args=["north"]), data)

    assert response.status_code == 302
    district = District.objects.get(slug="north")
    assert (district.photo_model, district.min_account_administrators) == ("opt_out", 2)
    latest = district.history.latest()
    assert latest.history_user == world.director


def test_the_policy_profile_refuses_a_preferred_number_below_the_minimum(client, world):
    client.force_login(world.director)
    form = client.get(reverse("district_edit", args=["north"])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(min_account_administrators=3, preferred_account_administrators=2)

    response = client.post(reverse("district_edit", args=["north"]), data)

    assert response.status_code == 200
    assert "cannot be below the minimum" in response.content.decode()
    assert District.objects.get(slug="north").min_account_administrators == 1


@pytest.mark.parametrize(("value", "saved"), [("25", True), ("0", False), ("101", False), ("", False)])
def test_it_keeps_the_roster_deactivation_limit_between_1_and_100_percent(client, world, value, saved):
    client.force_login(world.director)
    form = client.get(reverse("district_edit", args=["north"])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["roster_deactivation_limit_percent"] = value

    response = client.post(reverse("district_edit", args=["north"]), data)

    assert (response.status_code == 302) is saved
    assert District.objects.get(slug="north").roster_deactivation_limit_percent == (25 if saved else 10)
    if saved:
        page = client.get(response["Location"]).content.decode()
        assert "Most people one roster import may deactivate (%)" in page
        assert "25% of the active staff, or of the active students" in page


def test_the_database_refuses_a_roster_deactivation_limit_outside_1_to_100_percent(world):
    from django.db import IntegrityError, transaction

    for value in (0, 101):
        with pytest.raises(IntegrityError), transaction.atomic():
            District.objects.filter(pk=world.district.pk).update(roster_deactivation_limit_percent=value)


def test_a_director_gives_and_ends_a_role(client, world):
    client.force_login(world.director)

    client.post(reverse("staff_grant_role", args=[world.staff.pk]), {"role": "clerk", "school": world.school.pk})

    membership = Membership.objects.get(user=world.staff, role=Role.CLERK)
    assert membership.school == world.school
    client.post(reverse("membership_end", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.ended_on is not None


def test_a_principal_cannot_give_roles(client, world):
    client.force_login(world.principal)

    response = client.post(reverse("staff_grant_role", args=[world.staff.pk]), {"role": "director"})

    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.staff, role=Role.DIRECTOR).exists()


def test_a_clerk_role_needs_a_school(client, world):
    client.force_login(world.director)

    client.post(reverse("staff_grant_role", args=[world.staff.pk]), {"role": "clerk"})

    assert not Membership.objects.filter(user=world.staff, role=Role.CLERK).exists()


def test_marking_someone_as_left_ends_every_role_and_blocks_sign_in(client, world):
    client.force_login(world.director)

    client.post(reverse("staff_set_active", args=[world.principal.pk]), {"active": "false"})

    world.principal.refresh_from_db()
    assert not world.principal.is_active
    assert world.principal.left_on is not None
    assert not world.principal.memberships.filter(ended_on__isnull=True).exists()


def test_a_director_cannot_deactivate_themselves(client, world):
    client.force_login(world.director)

    client.post(reverse("staff_set_active", args=[world.director.pk]), {"active": "false"})

    world.director.refresh_from_db()
    assert world.director.is_active


def test_sign_in_uses_the_email_address(client, world):
    from tests.factories import TEST_PASSWORD

    response = client.post(reverse("account_login"), {"login": world.staff.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_sign_up_is_closed(client, db):
    response = client.get(reverse("account_signup"))

    assert "Accounts come from your district" in response.content.decode()


def test_password_reset_mails_a_link(client, world, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": world.staff.email})

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [world.staff.email]


def test_pages_send_a_content_security_policy_without_inline_scripts(client, world):
    client.force_login(world.director)

    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("query", ["%00", "North%00High", "x" * 300])
def test_the_school_search_answers_any_text(client, world, query):
    client.force_login(world.staff)

    response = client.get(reverse("school_list") + f"?q={query}")

    assert response.status_code == 200
