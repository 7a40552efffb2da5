"""Who holds the Superintendent's reserved powers (tools, instructional use, the logo) is changed by the
Superintendent alone, announced to them, and kept in the audit log: a director cannot hand the powers to
the School Board and then use them in its name."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Approver, District
from audit.selectors import audit_entries, default_period

pytestmark = pytest.mark.django_db


def profile_form(client, slug="north"):
    form = client.get(reverse("district_edit", args=[slug])).context["form"]
    return {name: value for name, value in form.initial.items() if value is not None}


def test_a_director_cannot_give_the_superintendents_powers_to_the_school_board(client, world):
    client.force_login(world.director)
    data = profile_form(client) | {"tool_approver": Approver.SCHOOL_BOARD, "logo_use_approver": Approver.SCHOOL_BOARD}

    client.post(reverse("district_edit", args=["north"]), data)

    district = District.objects.get(slug="north")
    assert (district.tool_approver, district.logo_use_approver) == (
        Approver.SUPERINTENDENT_OR_DESIGNEE,
        Approver.SUPERINTENDENT_OR_DESIGNEE,
    )


def test_the_director_sees_who_decides_but_cannot_change_it(client, world):
    client.force_login(world.director)

    form = client.get(reverse("district_edit", args=["north"])).context["form"]

    assert all(
        form.fields[name].disabled for name in ("tool_approver", "instructional_use_approver", "logo_use_approver")
    )
    assert not form.fields["photo_model"].disabled


def test_the_service_refuses_a_director_even_without_the_form(world):
    from django.core.exceptions import ValidationError

    from accounts.services import district_policy_save

    with pytest.raises(ValidationError) as refused:
        district_policy_save(
            acting_user=world.director, district=world.district, values={"tool_approver": Approver.SCHOOL_BOARD}
        )

    assert "tool_approver" in refused.value.message_dict
    assert District.objects.get(pk=world.district.pk).tool_approver == Approver.SUPERINTENDENT_OR_DESIGNEE


def test_the_director_still_saves_the_rest_of_the_profile(client, world):
    client.force_login(world.director)
    data = profile_form(client) | {"photo_model": "opt_out", "tool_approver": Approver.SCHOOL_BOARD}

    response = client.post(reverse("district_edit", args=["north"]), data)

    assert response.status_code == 302
    district = District.objects.get(slug="north")
    assert (district.photo_model, district.tool_approver) == ("opt_out", Approver.SUPERINTENDENT_OR_DESIGNEE)


def test_the_superintendent_changes_who_decides_and_is_told_and_it_is_in_the_audit_log(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.superintendent)
    data = profile_form(client) | {"tool_approver": Approver.SCHOOL_BOARD}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("district_edit", args=["north"]), data)

    assert response.status_code == 302
    assert District.objects.get(slug="north").tool_approver == Approver.SCHOOL_BOARD
    [announcement] = mail.outbox
    assert announcement.to == [world.superintendent.email]
    assert "North District" in announcement.subject
    assert "The Superintendent or designee -> The School Board" in announcement.body
    entries = [e for e in audit_entries(world.district, default_period()) if e.kind == "District policy"]
    assert entries[0].who_email == world.superintendent.email
    assert "School Board" in entries[0].changes_text()


def test_an_operator_changing_who_decides_is_announced_to_the_superintendent(
    client, world, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    data = profile_form(client) | {"instructional_use_approver": Approver.SCHOOL_BOARD}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("district_edit", args=["north"]), data)

    [announcement] = mail.outbox
    assert announcement.to == [world.superintendent.email]
    assert superuser.full_name in announcement.body
