"""Official accounts only on networks the district approves, where its policy says so (4118.51: no
district logo or images on networks the district has not approved): account requests, registrations,
approvals, launches and logo permissions consult the tool list, and a live account on a network that
leaves the list is flagged for the director."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance import obligations
from registry import selectors, services
from registry.models import AccountStatus
from registry.services import Designation
from tests.factories import SocialAccountFactory, ToolFactory, platform
from tests.registry.conftest import address, details
from tools import services as tool_services
from tools.models import DecidedAs, ToolStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def litchfield_rule(world):
    world.district.official_accounts_on_approved_networks_only = True
    world.district.save()


@pytest.fixture
def tiktok(world):
    return ToolFactory(
        district=world.district, name="TikTok", website="https://www.tiktok.com/", status=ToolStatus.NOT_APPROVED
    )


def ask_for_tiktok(world):
    return services.account_request(
        acting_user=world.staff,
        platform=platform("tiktok"),
        address=address("@north.library", "tiktok"),
        details=details(world.school),
        administrators=[Designation(world.staff, "primary")],
    )


def test_it_refuses_an_account_on_a_network_the_tool_list_does_not_approve(world, today, litchfield_rule, tiktok):
    with pytest.raises(ValidationError, match="TikTok"):
        ask_for_tiktok(world)
    with pytest.raises(ValidationError, match="TikTok"):
        services.account_register(
            acting_user=world.director,
            district=world.district,
            platform=platform("tiktok"),
            address=address("@north.library", "tiktok"),
            details=details(world.school),
            administrators=[Designation(world.staff, "primary")],
            launched_on=datetime.date(2026, 9, 1),
        )


def test_it_refuses_a_network_missing_from_the_list(world, today, litchfield_rule):
    with pytest.raises(ValidationError, match="approved"):
        ask_for_tiktok(world)


def test_it_allows_a_network_the_list_approves(world, today, litchfield_rule):
    ToolFactory(district=world.district, name="TikTok", website="https://www.tiktok.com/")

    assert ask_for_tiktok(world).status == AccountStatus.REQUESTED


def test_it_leaves_accounts_alone_where_the_policy_does_not_tie_them_to_the_list(world, today, tiktok):
    assert ask_for_tiktok(world).status == AccountStatus.REQUESTED


def test_it_refuses_to_approve_a_request_once_the_network_left_the_list(world, today, litchfield_rule):
    tool = ToolFactory(district=world.district, name="TikTok", website="https://www.tiktok.com/")
    account = ask_for_tiktok(world)
    tool_services.tool_set_aside(acting_user=world.director, tool=tool, status=ToolStatus.RETIRED, reason="Unsafe.")

    with pytest.raises(ValidationError, match="TikTok"):
        services.account_approve(acting_user=world.director, account=account)


def test_it_refuses_logo_permission_for_an_account_on_an_unapproved_network(world, today, litchfield_rule, tiktok):
    account = SocialAccountFactory(school=world.school, platform=platform("tiktok"))

    with pytest.raises(ValidationError, match="TikTok"):
        services.account_logo_permission_grant(
            acting_user=world.superintendent,
            account=account,
            decided_as=DecidedAs.SUPERINTENDENT,
            granted_by_name="Dr. Ann Lee, Superintendent",
            granted_on=today,
            written_as="letter",
        )


def test_it_flags_live_accounts_on_a_network_that_left_the_list(world, today, litchfield_rule):
    tool = ToolFactory(district=world.district, name="TikTok", website="https://www.tiktok.com/")
    live = SocialAccountFactory(school=world.school, platform=platform("tiktok"))
    assert not obligations.accounts_on_unapproved_networks(world.district)

    tool_services.tool_set_aside(acting_user=world.director, tool=tool, status=ToolStatus.RETIRED, reason="Unsafe.")

    [item] = obligations.accounts_on_unapproved_networks(world.district)
    assert item.key == "accounts_on_unapproved_networks" and item.count == 1
    assert list(selectors.on_unapproved_networks(world.district)) == [live]


def test_the_directors_list_shows_the_accounts_on_unapproved_networks(client, world, today, litchfield_rule, tiktok):
    SocialAccountFactory(school=world.school, platform=platform("tiktok"), display_name="Library on TikTok")
    SocialAccountFactory(school=world.school, platform=platform("website"), display_name="Library website")
    client.force_login(world.director)

    page = client.get(reverse("registry:account_list") + "?attention=unapproved_network").content.decode()

    assert "Library on TikTok" in page and "Library website" not in page
