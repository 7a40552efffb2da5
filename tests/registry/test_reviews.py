"""Annual re-certification: due = last review + the policy's interval; overdue accounts are listed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import District
from registry import selectors, services
from registry.models import ReviewOutcome, SocialAccount
from tests.factories import AdministratorFactory, SocialAccountFactory

CONFIRMED = {"administrators_confirmed": True, "purpose_confirmed": True, "follows_policy": True}


@pytest.fixture
def account(world, today):
    account = SocialAccountFactory(school=world.school, next_review_on=datetime.date(2026, 11, 1))
    AdministratorFactory(account=account, user=world.staff, role="primary")
    return account


def test_an_administrator_recertifies_and_the_next_review_is_a_year_on(world, account, today):
    services.account_review_record(
        acting_user=world.staff, account=account, outcome=ReviewOutcome.RECERTIFIED, **CONFIRMED
    )

    account.refresh_from_db()
    assert account.next_review_on == datetime.date(2027, 11, 21)
    latest = selectors.with_last_recertification(SocialAccount.objects.filter(pk=account.pk)).get()
    assert latest.last_recertified_on == today


def test_the_interval_comes_from_the_district_policy(world, account, today):
    world.district.account_review_interval_months = 6
    world.district.save()

    services.account_review_record(
        acting_user=world.staff, account=account, outcome=ReviewOutcome.RECERTIFIED, **CONFIRMED
    )

    account.refresh_from_db()
    assert account.next_review_on == datetime.date(2027, 5, 21)


def test_the_end_of_a_month_rolls_to_the_shorter_months_last_day():
    account = SocialAccount(district=District(account_review_interval_months=1))

    assert account.review_due_after(datetime.date(2027, 1, 31)) == datetime.date(2027, 2, 28)


def test_changes_needed_keeps_the_account_due(world, account, today):
    services.account_review_record(
        acting_user=world.staff, account=account, outcome=ReviewOutcome.CHANGES_NEEDED, notes="Add a backup."
    )

    account.refresh_from_db()
    assert account.next_review_on == datetime.date(2026, 11, 1)
    assert account.reviews.get().outcome == ReviewOutcome.CHANGES_NEEDED
    latest = selectors.with_last_recertification(SocialAccount.objects.filter(pk=account.pk)).get()
    assert latest.last_recertified_on is None  # a review asking for changes is not a re-certification


def test_recertifying_needs_all_three_confirmations(world, account, today):
    with pytest.raises(ValidationError, match="all three"):
        services.account_review_record(
            acting_user=world.staff,
            account=account,
            outcome=ReviewOutcome.RECERTIFIED,
            administrators_confirmed=True,
            purpose_confirmed=True,
            follows_policy=False,
        )


def test_an_account_below_its_minimum_cannot_be_recertified(world, account, today):
    account.administrators.update(ends_on=datetime.date(2026, 11, 2))

    with pytest.raises(ValidationError, match="at least 1"):
        services.account_review_record(
            acting_user=world.director, account=account, outcome=ReviewOutcome.RECERTIFIED, **CONFIRMED
        )
    assert not account.reviews.exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff", True),
        ("director", True),
        ("principal", True),
        ("other_principal", False),
        ("clerk", False),
        ("communications", False),
    ],
)
def test_who_may_review(world, account, persona, allowed):
    def review():
        return services.account_review_record(
            acting_user=world.persona(persona), account=account, outcome=ReviewOutcome.RECERTIFIED, **CONFIRMED
        )

    if allowed:
        review()
    else:
        with pytest.raises(PermissionDenied):
            review()


def test_overdue_and_due_soon_accounts_are_listed(world, today):
    overdue = SocialAccountFactory(school=world.school, next_review_on=datetime.date(2026, 11, 20))
    due_today = SocialAccountFactory(school=world.school, next_review_on=today)
    due_soon = SocialAccountFactory(school=world.school, next_review_on=datetime.date(2026, 12, 10))
    SocialAccountFactory(school=world.school, next_review_on=datetime.date(2027, 3, 1))
    SocialAccountFactory(school=world.school, next_review_on=datetime.date(2025, 1, 1), status="retired")
    accounts = SocialAccount.objects.all()

    assert list(selectors.review_overdue(accounts)) == [overdue]
    assert set(selectors.review_due_within(accounts, 30)) == {due_today, due_soon}
    assert set(selectors.review_due_within(accounts, 0)) == {due_today}


def test_an_account_becomes_overdue_the_day_after_its_due_date(world):
    account = SocialAccountFactory(school=world.school, next_review_on=datetime.date(2027, 1, 15))
    with time_machine.travel(datetime.datetime(2027, 1, 15, 18, tzinfo=datetime.UTC)):
        assert not selectors.review_overdue(SocialAccount.objects.all()).exists()
    with time_machine.travel(datetime.datetime(2027, 1, 16, 18, tzinfo=datetime.UTC)):
        assert list(selectors.review_overdue(SocialAccount.objects.all())) == [account]
