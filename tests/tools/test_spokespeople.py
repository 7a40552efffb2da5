"""Speaking for the district: all five policies reserve it (460: the Superintendent or School Board;
the others: the Superintendent or designee). A register of spokespeople says who, for what, granted
by whom in what capacity, until when; staff see it, with its history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tools import selectors, services
from tools.models import DecidedAs, Spokesperson


def grant(world, acting_user=None, **values):
    fields = {
        "person": world.communications,
        "subject": "District news and closings, to the press and on social media",
        "decided_as": DecidedAs.SUPERINTENDENT,
        "granted_by_name": "Dr. Ada North, Superintendent",
        "granted_on": datetime.date(2026, 9, 1),
        "until": datetime.date(2027, 6, 30),
        **values,
    }
    return services.spokesperson_grant(
        acting_user=acting_user or world.superintendent, district=world.district, **fields
    )


def test_the_superintendent_authorizes_a_spokesperson_for_a_purpose_until_a_date(world, today):
    spokesperson = grant(world)

    assert list(selectors.current_spokespeople(world.district)) == [spokesperson]
    assert spokesperson.history.first().history_user == world.superintendent


def test_nobody_but_whom_the_policy_names_authorizes_a_spokesperson(world, today):
    with pytest.raises(PermissionDenied):
        grant(world, acting_user=world.director)


def test_under_460_the_school_board_authorizes_and_its_minutes_are_cited(world, today):
    world.district.spokesperson_approver = "superintendent_or_board"
    world.district.save()

    with pytest.raises(ValidationError):
        grant(world, acting_user=world.director, decided_as=DecidedAs.SCHOOL_BOARD, reference="")
    spokesperson = grant(
        world, acting_user=world.director, decided_as=DecidedAs.SCHOOL_BOARD, reference="Board minutes, Aug 12, 2026"
    )
    assert spokesperson.decided_as == DecidedAs.SCHOOL_BOARD


def test_an_authorization_past_its_date_or_withdrawn_no_longer_counts(world, today, on):
    lapsing = grant(world, until=datetime.date(2026, 12, 31))
    withdrawn = grant(world, person=world.principal, until=None)
    services.spokesperson_withdraw(acting_user=world.superintendent, spokesperson=withdrawn, reason="Left the role")

    assert list(selectors.current_spokespeople(world.district)) == [lapsing]
    with on(datetime.date(2027, 1, 1)):
        assert list(selectors.current_spokespeople(world.district)) == []
    assert Spokesperson.objects.count() == 2  # the register keeps both


def test_staff_see_who_speaks_for_the_district_with_its_history(client, world, today, django_assert_max_num_queries):
    grant(world)
    withdrawn = grant(world, person=world.principal)
    services.spokesperson_withdraw(acting_user=world.superintendent, spokesperson=withdrawn, reason="Left the role")
    client.force_login(world.staff)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("tools:spokesperson_list")).content.decode()

    assert "District news and closings" in page
    assert "Dr. Ada North, Superintendent" in page
    assert "Withdrawn" in page and "Left the role" in page


def test_an_authorization_is_in_the_districts_audit_log(client, world, today):
    grant(world)
    client.force_login(world.director)

    page = client.get(reverse("audit:log", args=[world.district.slug])).content.decode()

    assert "District news and closings" in page
