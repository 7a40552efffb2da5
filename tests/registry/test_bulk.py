"""Approving and re-certifying several accounts from the list: each through the single service, so
each meets its rules and leaves its own history entry; refusals are listed with their reason."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from registry import services
from registry.models import AccountReview, AccountStatus, ReviewOutcome, SocialAccount
from tests.factories import AdministratorFactory, SocialAccountFactory
from tests.pages import queries_for

CONFIRMED = {"administrators_confirmed": True, "purpose_confirmed": True, "follows_policy": True}
RECERTIFY = reverse("registry:account_bulk", args=["recertify"])
APPROVE = reverse("registry:account_bulk", args=["approve"])


def live(school, administrator=None, **fields) -> SocialAccount:
    account = SocialAccountFactory(school=school, next_review_on=datetime.date(2026, 11, 1), **fields)
    if administrator is not None:
        AdministratorFactory(account=account, user=administrator, role="primary")
    return account


def requested(school, **fields) -> SocialAccount:
    return SocialAccountFactory(school=school, status=AccountStatus.REQUESTED, launched_on=None, **fields)


def reasons(result) -> dict[int, str]:
    return {failure.item.pk: failure.reason for failure in result.failed}


def history_reasons(account: SocialAccount) -> list[tuple[str, int]]:
    return list(account.history.order_by("history_id").values_list("history_change_reason", "history_user_id"))


# --- The services ------------------------------------------------------------------------------


def test_it_approves_each_account_and_records_each_approval(world, today):
    accounts = [requested(world.school), requested(world.other_school)]

    result = services.account_approve_many(acting_user=world.director, accounts=accounts)

    assert [a.pk for a in result.done] == [a.pk for a in accounts]
    for account in accounts:
        account.refresh_from_db()
        assert account.status == AccountStatus.APPROVED
        assert ("Approved", world.director.pk) in history_reasons(account)


def test_it_refuses_and_lists_an_account_the_user_may_not_approve_and_approves_the_others(world, today):
    mine = requested(world.school)
    foreign = requested(world.foreign_school)
    active = live(world.school)

    result = services.account_approve_many(acting_user=world.director, accounts=[mine, foreign, active])

    assert [a.pk for a in result.done] == [mine.pk]
    assert reasons(result) == {
        foreign.pk: "You may not approve this account.",
        active.pk: "This account is active; the page was out of date.",
    }
    foreign.refresh_from_db()
    assert foreign.status == AccountStatus.REQUESTED
    assert not result.rolled_back


def test_it_recertifies_each_account_with_its_own_review_and_history(world, today):
    accounts = [live(world.school, world.staff), live(world.other_school, world.principal)]

    result = services.account_recertify_many(
        acting_user=world.director, accounts=accounts, notes="Spring check.", **CONFIRMED
    )

    assert len(result.done) == 2
    for account in accounts:
        review = AccountReview.objects.get(account=account)
        assert (review.reviewed_by, review.outcome, review.notes) == (
            world.director,
            ReviewOutcome.RECERTIFIED,
            "Spring check.",
        )
        account.refresh_from_db()
        assert account.next_review_on == datetime.date(2027, 11, 21)
        assert ("Re-certified", world.director.pk) in history_reasons(account)


def test_it_lists_why_each_refused_account_was_not_recertified(world, today):
    ok = live(world.school, world.staff)
    short = live(world.school)  # no administrator: below the policy's minimum
    other = live(world.other_school, world.other_principal)  # North High's principal may not review it
    done_already = live(world.school, world.staff)
    services.account_review_record(
        acting_user=world.staff, account=done_already, outcome=ReviewOutcome.RECERTIFIED, **CONFIRMED
    )

    result = services.account_recertify_many(
        acting_user=world.principal, accounts=[ok, short, other, done_already], **CONFIRMED
    )

    assert [a.pk for a in result.done] == [ok.pk]
    failed = reasons(result)
    assert failed[short.pk].startswith("The policy needs at least 1 designated administrator")
    assert failed[other.pk] == "You may not review this account."
    assert failed[done_already.pk] == "Already re-certified this school year (on Nov. 21, 2026)."
    assert AccountReview.objects.filter(account__in=[short, other]).count() == 0
    assert AccountReview.objects.filter(account=done_already).count() == 1


def test_a_review_of_last_school_year_does_not_count_as_this_years(world, on):
    account = live(world.school, world.staff)
    with on(datetime.date(2026, 5, 2)):
        services.account_review_record(
            acting_user=world.staff, account=account, outcome=ReviewOutcome.RECERTIFIED, **CONFIRMED
        )
    with on(datetime.date(2026, 11, 21)):
        result = services.account_recertify_many(acting_user=world.staff, accounts=[account], **CONFIRMED)

    assert [a.pk for a in result.done] == [account.pk]


# --- The pages -----------------------------------------------------------------------------------


def test_it_offers_the_selection_bar_with_a_label_for_each_row(client, world, today):
    account = live(world.school, world.staff)
    client.force_login(world.director)

    page = client.get(reverse("registry:account_list")).content.decode()

    assert f'<label class="visually-hidden" for="pick-{account.pk}">Select {account.display_name}</label>' in page
    assert "Select all on this page" in page
    assert "Select the 1 row matching this filter" in page
    assert APPROVE in page and RECERTIFY in page


def test_only_the_director_is_offered_approval(client, world, today):
    live(world.school, world.staff)
    client.force_login(world.principal)

    page = client.get(reverse("registry:account_list")).content.decode()

    assert RECERTIFY in page and APPROVE not in page


def test_the_preview_lists_what_will_change_what_will_be_skipped_and_how(client, world, today):
    ready = live(world.school, world.staff)
    short = live(world.school)
    client.force_login(world.director)

    page = client.get(RECERTIFY, {"pk": [ready.pk, short.pk]}).content.decode()

    assert "1 will change" in page and "1 will be skipped" in page
    assert "fewer administrators than the policy&#x27;s minimum" in page
    assert "Each item on its own" in page
    assert AccountReview.objects.count() == 0  # a preview changes nothing


def test_confirming_reports_the_failures_by_item_and_reason(client, world, today):
    ready = live(world.school, world.staff)
    short = live(world.school)
    client.force_login(world.director)

    response = client.post(RECERTIFY, {"pk": [ready.pk, short.pk], **dict.fromkeys(CONFIRMED, "on")})

    page = response.content.decode()
    assert "1 item done." in page and "1 item failed" in page
    assert "The policy needs at least 1 designated administrator" in page
    assert AccountReview.objects.filter(account=ready).count() == 1


def test_recertifying_from_the_list_needs_the_three_statements(client, world, today):
    account = live(world.school, world.staff)
    client.force_login(world.director)

    client.post(RECERTIFY, {"pk": [account.pk], "administrators_confirmed": "on"})

    assert AccountReview.objects.count() == 0


def test_all_matching_is_read_again_under_the_users_access_when_confirming(client, world, today):
    """The principal asks for every account matching the filter: only their school's are in their
    reach, and one that stopped matching between preview and confirm is left alone."""
    mine = live(world.school, world.staff)
    leaving = live(world.school, world.staff)
    elsewhere = live(world.other_school, world.other_principal)
    foreign = live(world.foreign_school, world.foreign_principal)
    client.force_login(world.principal)

    preview = client.get(RECERTIFY, {"all": "1", "status": "active"}).content.decode()
    assert mine.display_name in preview and leaving.display_name in preview
    assert elsewhere.display_name not in preview and foreign.display_name not in preview

    SocialAccount.objects.filter(pk=leaving.pk).update(status=AccountStatus.SUSPENDED)
    client.post(RECERTIFY, {"all": "1", "status": "active", **dict.fromkeys(CONFIRMED, "on")})

    assert set(AccountReview.objects.values_list("account_id", flat=True)) == {mine.pk}


def test_ticked_ids_out_of_reach_are_not_touched(client, world, today):
    foreign = requested(world.foreign_school)
    client.force_login(world.director)

    page = client.post(APPROVE, {"pk": [foreign.pk]}).content.decode()

    foreign.refresh_from_db()
    assert foreign.status == AccountStatus.REQUESTED
    assert "0 items done." in page


def test_too_many_ticked_rows_are_refused(client, world, today):
    client.force_login(world.director)

    response = client.get(APPROVE, {"pk": [str(n) for n in range(1, 502)]})

    assert response.status_code == 400
    assert "At most 500 items can be changed at once" in response.content.decode()


def test_more_rows_matching_the_filter_than_one_action_takes_are_refused(client, world, today, monkeypatch):
    monkeypatch.setattr("core.bulk.LIMIT", 2)
    for _ in range(3):
        requested(world.school)
    client.force_login(world.director)

    response = client.post(APPROVE, {"all": "1"})

    assert response.status_code == 400
    assert set(SocialAccount.objects.values_list("status", flat=True)) == {AccountStatus.REQUESTED}


def test_the_director_approves_the_chosen_requests(client, world, today):
    first, second = requested(world.school), requested(world.other_school)
    client.force_login(world.director)

    preview = client.get(APPROVE, {"pk": [first.pk, second.pk]}).content.decode()
    assert "2 will change" in preview
    client.post(APPROVE, {"pk": [first.pk, second.pk]})

    assert set(SocialAccount.objects.values_list("status", flat=True)) == {AccountStatus.APPROVED}


@pytest.mark.parametrize("action", ["approve", "recertify"])
def test_the_preview_costs_the_same_for_two_accounts_as_for_forty(
    client, world, today, django_assert_num_queries, action
):
    client.force_login(world.director)

    def make(count: int) -> None:
        for _ in range(count):
            if action == "approve":
                requested(world.school)
            else:
                live(world.school, world.staff)

    make(2)
    url = reverse("registry:account_bulk", args=[action]) + "?all=1"
    small = queries_for(client, url)
    make(38)

    with django_assert_num_queries(small):
        page = client.get(url).content.decode()
    assert "40 will change" in page
