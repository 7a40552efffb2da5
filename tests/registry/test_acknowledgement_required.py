"""Where the policy requires it (458 IV.B.5, 547 IV.F), a designated administrator counts toward the
account's administrators only once they have acknowledged the district's guidelines."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from compliance import obligations
from registry import selectors, services
from registry.models import SocialAccount
from tests.factories import AdministratorFactory, SocialAccountFactory


@pytest.fixture
def requiring(world):
    world.district.administrator_acknowledgement_required = True
    world.district.min_account_administrators = 1
    world.district.preferred_account_administrators = 1
    world.district.save()
    return world.district


def attention(account):
    return selectors.with_attention(SocialAccount.objects.filter(pk=account.pk)).get()


def test_an_administrator_counts_only_after_acknowledging_where_the_policy_requires_it(world, requiring, today):
    account = SocialAccountFactory(school=world.school)
    administrator = AdministratorFactory(account=account, user=world.staff)

    assert attention(account).is_below_minimum

    services.administrator_acknowledge_policy(acting_user=world.staff, administrator=administrator)

    assert not attention(account).is_below_minimum
    assert attention(account).administrator_count == 1


def test_an_account_does_not_launch_on_administrators_who_have_not_acknowledged(world, requiring, today):
    account = SocialAccountFactory(school=world.school, status="approved", launched_on=None, next_review_on=None)
    administrator = AdministratorFactory(account=account, user=world.staff)

    with pytest.raises(ValidationError, match="acknowledged"):
        services.account_activate(acting_user=world.staff, account=account)

    services.administrator_acknowledge_policy(acting_user=world.staff, administrator=administrator)
    assert services.account_activate(acting_user=world.staff, account=account).status == "active"


def test_without_the_requirement_a_designated_administrator_counts_at_once(world, today):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff)

    assert attention(account).administrator_count == 1


def test_the_administrator_is_told_it_is_urgent_where_they_do_not_count_yet(world, requiring, today):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff)

    owed = obligations.administered_accounts(world.staff, requiring, today)

    [item] = [item for item in owed.items if item.key == "own_account_acknowledgement"]
    assert item.urgency == 0
    assert "does not count" in item.detail


def test_the_account_page_says_who_does_not_count_yet(client, world, requiring, today):
    from django.urls import reverse

    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff)
    client.force_login(world.director)

    page = client.get(reverse("registry:account_detail", args=[account.pk])).content.decode()

    assert "Not counted as an administrator until acknowledged" in page
