"""Each action through its page: the form, the service, and what the account page then says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import AccountAdministrator, AccountLogoPermission, SocialAccount
from tests.factories import AdministratorFactory, SocialAccountFactory


@pytest.fixture
def account(world, today):
    account = SocialAccountFactory(school=world.school, display_name="North High")
    AdministratorFactory(account=account, user=world.staff, role="primary")
    return account


def test_an_administrator_edits_the_purpose_and_the_history_says_what_changed(client, world, account):
    client.force_login(world.staff)
    url = reverse("registry:account_edit", args=[account.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"platform": account.platform.pk, "school": world.school.pk, "purpose": "Concerts and awards."})

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    page = client.get(reverse("registry:account_detail", args=[account.pk]))
    assert "Purpose: School news. → Concerts and awards." in page.text


def test_a_clerk_who_does_not_administer_the_account_cannot_edit_it(client, world, account):
    client.force_login(world.clerk)

    assert client.get(reverse("registry:account_edit", args=[account.pk])).status_code == 404


def test_a_principal_may_see_but_not_edit_another_schools_account(client, world, today):
    elementary = SocialAccountFactory(school=world.other_school)
    client.force_login(world.principal)

    assert client.get(reverse("registry:account_edit", args=[elementary.pk])).status_code == 404


def test_an_administrator_recertifies_through_the_review_page(client, world, account, today):
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_review", args=[account.pk]),
        {"administrators_confirmed": "on", "purpose_confirmed": "on", "follows_policy": "on", "outcome": "recertified"},
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert str(account.next_review_on) == "2027-11-21"


def test_the_review_page_asks_for_all_three_confirmations(client, world, account):
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_review", args=[account.pk]), {"purpose_confirmed": "on", "outcome": "recertified"}
    )

    assert response.status_code == 200
    assert "confirm all three statements" in response.text
    assert not account.reviews.exists()


def test_the_principal_designates_a_backup_through_the_page(client, world, account, colleague):
    client.force_login(world.principal)

    response = client.post(
        reverse("registry:administrator_add", args=[account.pk]),
        {"email": colleague.email, "role": "backup"},
        follow=True,
    )

    assert f"{colleague.full_name} is now an administrator." in response.text
    assert account.administrators.filter(user=colleague, ends_on__isnull=True).exists()


def test_designating_someone_unknown_says_so(client, world, account):
    client.force_login(world.director)

    response = client.post(
        reverse("registry:administrator_add", args=[account.pk]),
        {"email": "nobody@example.org", "role": "backup"},
        follow=True,
    )

    assert "no active staff member of the district has this e-mail address" in response.text
    assert account.administrators.count() == 1


def test_an_administrator_acknowledges_the_policy_from_my_accounts(client, world, account, today):
    client.force_login(world.staff)
    administrator = account.administrators.get()
    assert "Please confirm you have read" in client.get(reverse("registry:my_accounts")).text

    client.post(reverse("registry:administrator_acknowledge", args=[administrator.pk]))

    assert AccountAdministrator.objects.get(pk=administrator.pk).policy_acknowledged_on == today
    assert "Please confirm you have read" not in client.get(reverse("registry:my_accounts")).text


def test_the_director_ends_a_designation_and_the_account_is_flagged(client, world, account):
    client.force_login(world.director)

    response = client.post(reverse("registry:administrator_end", args=[account.administrators.get().pk]), follow=True)

    assert "Fewer administrators than the policy requires" in response.text


def test_an_approved_account_is_launched_from_its_page(client, world, account, today):
    SocialAccount.objects.filter(pk=account.pk).update(status="approved", next_review_on=None, launched_on=None)
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_transition", args=[account.pk, "activate"]), {"launched_on": "2026-11-20"}
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.status, str(account.launched_on)) == ("active", "2026-11-20")


def test_a_launch_date_in_the_future_is_refused(client, world, account, today):
    SocialAccount.objects.filter(pk=account.pk).update(status="approved")
    client.force_login(world.director)

    response = client.post(
        reverse("registry:account_transition", args=[account.pk, "activate"]),
        {"launched_on": "2030-01-01"},
        follow=True,
    )

    assert "cannot be in the future" in response.text
    account.refresh_from_db()
    assert account.status == "approved"


def test_the_superintendent_records_logo_permission_on_the_page(client, world, account, today):
    client.force_login(world.superintendent)

    response = client.post(
        reverse("registry:account_logo", args=[account.pk]),
        {
            "decided_as": "superintendent",
            "granted_by_name": "Dr. Ada Lovelace, Superintendent",
            "granted_on": "2026-10-06",
            "written_as": "letter",
            "reference": "Letter in the communications office file",
        },
        follow=True,
    )

    permission = AccountLogoPermission.objects.get(subject=account)
    assert (permission.decided_as, permission.written_as, permission.withdrawn_on) == ("superintendent", "letter", None)
    assert "The permission to use the district logo is recorded." in response.text
    assert "Permitted by Dr. Ada Lovelace, Superintendent (The Superintendent) on October 6, 2026" in response.text


@pytest.mark.parametrize("view", ["account_detail", "account_edit", "account_review"])
def test_an_id_beyond_the_databases_range_is_not_found(client, world, view):
    client.force_login(world.director)

    assert client.get(reverse(f"registry:{view}", args=[99999999999999999999])).status_code == 404
