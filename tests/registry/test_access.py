"""Who sees which accounts, and who may act on them. Out of reach is 404; not allowed is 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry import access
from tests.factories import AdministratorFactory, SocialAccountFactory


@pytest.fixture
def accounts(world, today):
    """One account per place: the district, each school, and a school next door."""
    district_page = SocialAccountFactory(school=None, owner_kind="district", district=world.district)
    north_high = SocialAccountFactory(school=world.school)
    elementary = SocialAccountFactory(school=world.other_school)
    foreign = SocialAccountFactory(school=world.foreign_school)
    AdministratorFactory(account=elementary, user=world.staff, role="primary")  # the teacher runs one page
    return {"district": district_page, "school": north_high, "other_school": elementary, "foreign": foreign}


SEES = {
    "director": {"district", "school", "other_school"},
    "superintendent": {"district", "school", "other_school"},
    "communications": {"district", "school", "other_school"},
    "principal": {"school"},
    "other_principal": {"other_school"},
    "clerk": set(),
    "staff": {"other_school"},  # only the account they administer
    "foreign_director": {"foreign"},
    "foreign_principal": {"foreign"},
}


@pytest.mark.parametrize(("persona", "expected"), SEES.items())
def test_each_role_sees_only_the_accounts_it_may(world, accounts, persona, expected):
    user = world.persona(persona)

    names = {name for name, account in accounts.items() if access.visible_accounts(user).filter(pk=account.pk).exists()}

    assert names == expected


def test_a_requester_sees_their_own_request(world, request_account):
    account = request_account(by=world.clerk, admins=[])

    assert access.visible_accounts(world.clerk).filter(pk=account.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, accounts):
    response = client.get(reverse("registry:account_detail", args=[accounts["school"].pk]))

    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "place", "step", "status"),
    [
        ("staff", "other_school", "retire", 403),  # an administrator, not the director
        ("staff", "school", "retire", 404),  # not theirs: not even shown
        ("principal", "school", "retire", 403),
        ("communications", "school", "suspend", 403),
        ("foreign_director", "school", "retire", 404),
        ("director", "school", "nonsense", 404),
    ],
)
def test_actions_are_refused_to_those_who_may_not_take_them(client, world, accounts, persona, place, step, status):
    client.force_login(world.persona(persona))
    account = accounts[place]

    response = client.post(reverse("registry:account_transition", args=[account.pk, step]), {"reason": "Because."})

    assert response.status_code == status
    account.refresh_from_db()
    assert account.status == "active"


def test_the_director_suspends_through_the_page(client, world, accounts):
    client.force_login(world.director)

    response = client.post(
        reverse("registry:account_transition", args=[accounts["school"].pk, "suspend"]), {"reason": "Off-policy post."}
    )

    assert response.status_code == 302
    accounts["school"].refresh_from_db()
    assert (accounts["school"].status, accounts["school"].status_reason) == ("suspended", "Off-policy post.")


def test_a_suspension_without_a_reason_is_refused_with_a_message(client, world, accounts):
    client.force_login(world.director)

    response = client.post(
        reverse("registry:account_transition", args=[accounts["school"].pk, "suspend"]), {"reason": ""}, follow=True
    )

    accounts["school"].refresh_from_db()
    assert accounts["school"].status == "active"
    assert "This field is required" in response.text


def test_administrators_of_another_districts_account_cannot_be_ended(client, world, accounts):
    administrator = AdministratorFactory(account=accounts["foreign"], user=world.foreign_principal)
    client.force_login(world.director)

    response = client.post(reverse("registry:administrator_end", args=[administrator.pk]))

    assert response.status_code == 404
    administrator.refresh_from_db()
    assert administrator.ends_on is None


def test_only_leadership_and_principals_get_the_registry_list_in_the_navigation(client, world):
    link = f'href="{reverse("registry:account_list")}"'
    client.force_login(world.staff)
    assert link not in client.get(reverse("registry:my_accounts")).text
    client.force_login(world.principal)
    assert link in client.get(reverse("registry:my_accounts")).text
