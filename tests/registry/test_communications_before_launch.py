"""Under 458 the Community Relations Office sees every page before it launches, whichever way the
page enters the registry; pages already live that it never saw are listed for it to see."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance import obligations
from registry import selectors, services
from registry.models import AccountStatus
from registry.services import Designation
from tests.factories import SocialAccountFactory, platform
from tests.registry.conftest import address, details, use_policy

pytestmark = pytest.mark.django_db


def register(world, *, launched_on=None):
    return services.account_register(
        acting_user=world.director,
        district=world.district,
        platform=platform("instagram"),
        address=address("@north.band"),
        details=details(world.school),
        administrators=[Designation(world.staff, "primary")],
        launched_on=launched_on,
    )


def test_a_page_the_director_registers_before_launch_waits_for_the_communications_office(world, today):
    use_policy(world.district, "458")

    account = register(world)

    assert account.status == AccountStatus.AWAITING_COMMUNICATIONS
    account = services.account_confirm_communications(acting_user=world.communications, account=account)
    assert services.account_activate(acting_user=world.director, account=account).status == AccountStatus.ACTIVE


def test_no_page_launches_without_the_communications_office_under_458(world, today):
    use_policy(world.district, "458")
    approved = SocialAccountFactory(school=world.school, status=AccountStatus.APPROVED, launched_on=None)

    with pytest.raises(ValidationError, match="communications office"):
        services.account_activate(acting_user=world.director, account=approved)


def test_live_pages_the_communications_office_never_saw_are_listed_until_it_sees_them(world, today):
    use_policy(world.district, "458")
    live = register(world, launched_on=datetime.date(2026, 9, 1))
    assert live.status == AccountStatus.ACTIVE

    assert list(selectors.live_unseen_by_communications(world.district)) == [live]
    [item] = obligations.pages_before_launch(world.district)
    assert item.key == "live_pages_unseen_by_communications"
    assert item.url == reverse("registry:account_list") + "?attention=unseen_by_communications"

    services.account_confirm_communications(acting_user=world.communications, account=live)

    assert not selectors.live_unseen_by_communications(world.district).exists()
    assert obligations.pages_before_launch(world.district) == []


def test_nothing_is_listed_where_the_policy_asks_no_communications_review(world, today):
    use_policy(world.district, "547")
    register(world, launched_on=datetime.date(2026, 9, 1))

    assert not selectors.live_unseen_by_communications(world.district).exists()
