"""Designated administrators: active district staff only, and a leaver flags every account at once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services as directory_services
from accounts.models import User
from accounts.roster import import_roster
from registry import selectors, services
from registry.models import AccountAdministrator, AdministratorRole
from tests.accounts.bundles import standard_files, write_bundle
from tests.factories import AdministratorFactory, DistrictFactory, SocialAccountFactory, UserFactory, staff_at


@pytest.fixture
def account(world, today):
    """An active account of North High with one primary administrator (policy: 1 required, 2 preferred)."""
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    return account


def flags(account) -> tuple[int, bool, bool]:
    row = selectors.with_attention(type(account).objects.filter(pk=account.pk)).get()
    return row.administrator_count, row.is_below_minimum, row.is_below_preferred


def test_one_administrator_meets_the_minimum_but_shows_the_preferred_warning(account):
    assert flags(account) == (1, False, True)


def test_a_second_administrator_clears_the_warning(world, account, colleague):
    services.administrator_add(acting_user=world.director, account=account, user=colleague)

    assert flags(account) == (2, False, False)


@pytest.mark.parametrize("who", ["foreign_principal", "inactive"])
def test_only_active_staff_of_the_district_can_be_designated(world, account, who):
    user = UserFactory(district=world.district, is_active=False) if who == "inactive" else world.persona(who)

    with pytest.raises(ValidationError, match="active staff of the district"):
        services.administrator_add(acting_user=world.director, account=account, user=user)


def test_someone_already_designated_is_not_added_twice(world, account):
    with pytest.raises(ValidationError, match="already an administrator"):
        services.administrator_add(acting_user=world.director, account=account, user=world.staff)


def test_a_new_primary_moves_the_previous_one_to_backup(world, account, colleague):
    services.administrator_add(acting_user=world.director, account=account, user=colleague, role="primary")

    roles = dict(account.administrators.filter(ends_on__isnull=True).values_list("user__email", "role"))
    assert roles == {world.staff.email: AdministratorRole.BACKUP, colleague.email: AdministratorRole.PRIMARY}


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("director", True), ("principal", True), ("other_principal", False), ("staff", False), ("communications", False)],
)
def test_who_may_designate_administrators(world, account, colleague, persona, allowed):
    if allowed:
        services.administrator_add(acting_user=world.persona(persona), account=account, user=colleague)
    else:
        with pytest.raises(PermissionDenied):
            services.administrator_add(acting_user=world.persona(persona), account=account, user=colleague)


def test_deactivating_a_staff_member_by_hand_flags_every_account_they_administer(world, account, today):
    second = SocialAccountFactory(school=world.other_school)
    AdministratorFactory(account=second, user=world.staff, role="primary")
    untouched = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=untouched, role="primary")

    directory_services.staff_deactivate(acting_user=world.director, user=world.staff)

    flagged = set(selectors.below_minimum(type(account).objects.all()).values_list("pk", flat=True))
    assert flagged == {account.pk, second.pk}
    assert list(selectors.departed_administrators(type(account).objects.all()).values_list("account", flat=True)) in (
        [account.pk, second.pk],
        [second.pk, account.pk],
    )


def test_deactivating_by_roster_import_flags_the_account_too(db, tmp_path, today):
    district = DistrictFactory(slug="north")
    import_roster(district, write_bundle(tmp_path / "a"), today=today)
    grace = User.objects.get(roster_sourced_id="t2")
    account = SocialAccountFactory(school=grace.memberships.first().school)
    AdministratorFactory(account=account, user=grace, role="primary")
    assert flags(account)[1] is False
    files = standard_files()
    files["users.csv"][1]["status"] = "tobedeleted"

    import_roster(district, write_bundle(tmp_path / "b", files), today=today, confirm_departures=True)

    assert flags(account) == (0, True, True)


def test_replacing_the_leaver_clears_the_flag(world, account, colleague):
    directory_services.staff_deactivate(acting_user=world.director, user=world.staff)
    assert flags(account)[1] is True

    services.administrator_add(acting_user=world.principal, account=account, user=colleague, role="primary")

    assert flags(account) == (1, False, True)


def test_an_ended_designation_no_longer_counts(world, account, today):
    administrator = account.administrators.get()

    services.administrator_end(acting_user=world.director, administrator=administrator)

    assert flags(account) == (0, True, True)
    assert AccountAdministrator.objects.get(pk=administrator.pk).ends_on == today


def test_a_designation_that_starts_later_does_not_count_yet(world, account, colleague, today):
    AdministratorFactory(account=account, user=colleague, starts_on=today + datetime.timedelta(days=3))

    assert flags(account)[0] == 1


def test_only_the_administrator_acknowledges_the_policy_for_themselves(world, account, today):
    administrator = account.administrators.get()
    with pytest.raises(PermissionDenied):
        services.administrator_acknowledge_policy(acting_user=world.director, administrator=administrator)

    services.administrator_acknowledge_policy(acting_user=world.staff, administrator=administrator)

    administrator.refresh_from_db()
    assert administrator.policy_acknowledged_on == today


def test_staff_of_another_school_can_administer_a_district_account(world, today):
    teacher = staff_at(world.other_school)
    account = SocialAccountFactory(school=None, owner_kind="district", district=world.district)

    services.administrator_add(acting_user=world.director, account=account, user=teacher)

    assert flags(account)[0] == 1


def test_someone_designated_from_a_later_date_cannot_act_as_administrator_yet(world, account, colleague, today):
    from registry.models import ReviewOutcome

    AdministratorFactory(account=account, user=colleague, starts_on=today + datetime.timedelta(days=3))

    with pytest.raises(PermissionDenied):
        services.account_review_record(acting_user=colleague, account=account, outcome=ReviewOutcome.CHANGES_NEEDED)
