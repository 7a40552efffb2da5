"""Registry pages: what they show, and that they cost the same number of queries at any size."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from registry import services
from registry.models import AccountAdministrator, SocialAccount
from tests.factories import AdministratorFactory, SchoolFactory, SocialAccountFactory, UserFactory, staff_at
from tests.pages import queries_for


def add_accounts(district, schools, count: int, administrator) -> None:
    """`count` accounts spread over `schools`, inserted in bulk, each with one administrator."""
    existing = SocialAccount.objects.count()
    template = SocialAccountFactory.build(school=schools[0])
    rows = []
    for n in range(count):
        school = schools[n % len(schools)]
        rows.append(
            SocialAccount(
                district=district,
                school=school,
                platform=template.platform,
                handle=f"@bulk{existing + n}",
                handle_key=f"bulk{existing + n}",
                profile_url=f"https://www.instagram.com/bulk{existing + n}/",
                display_name=f"Page {existing + n:05d}",
                owner_kind="school",
                purpose="News.",
                status="active",
                next_review_on=template.next_review_on,
            )
        )
    created = SocialAccount.objects.bulk_create(rows)
    AccountAdministrator.objects.bulk_create(
        AccountAdministrator(account=account, user=administrator, role="primary") for account in created
    )


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("director", "registry:account_list"),
        ("principal", "registry:account_list"),
        ("director", "registry:account_export"),
        ("staff", "registry:my_accounts"),
    ],
)
def test_list_pages_cost_the_same_with_10_accounts_as_with_1000(
    client, world, django_assert_num_queries, persona, page
):
    user = world.persona(persona)
    client.force_login(user)
    url = reverse(page)
    add_accounts(world.district, [world.school], 10, user)
    small = queries_for(client, url)
    schools = [world.school, *SchoolFactory.create_batch(5, district=world.district)]
    add_accounts(world.district, schools, 990, user)

    with django_assert_num_queries(small):
        response = client.get(url)
        if page == "registry:account_export":
            assert len(b"".join(response.streaming_content).splitlines()) > 300


def test_the_public_directory_costs_the_same_at_any_size(client, world, django_assert_num_queries):
    url = reverse("registry:public_directory", args=[world.district.slug])
    add_accounts(world.district, [world.school], 10, world.staff)
    small = queries_for(client, url)
    add_accounts(world.district, [world.school], 990, world.staff)

    with django_assert_num_queries(small):
        client.get(url)


def test_the_account_page_costs_the_same_with_many_administrators_and_changes(
    client, world, django_assert_num_queries, today
):
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    client.force_login(world.director)
    url = reverse("registry:account_detail", args=[account.pk])
    small = queries_for(client, url)
    for _ in range(8):
        services.administrator_add(acting_user=world.director, account=account, user=staff_at(world.school))
    services.account_suspend(acting_user=world.director, account=account, reason="Check.")
    services.account_reinstate(acting_user=world.director, account=account)

    with django_assert_num_queries(small):
        client.get(url)


def test_the_list_filters_by_what_needs_attention(client, world, today):
    short = SocialAccountFactory(school=world.school, display_name="Orphaned page")
    fine = SocialAccountFactory(school=world.school, display_name="Well run page")
    AdministratorFactory.create_batch(2, account=fine)
    client.force_login(world.director)

    response = client.get(reverse("registry:account_list"), {"attention": "below_minimum"})

    assert [a.pk for a in response.context["page"]] == [short.pk]
    assert response.context["counts"].below_minimum == 1
    assert "1 of 1 administrators required" not in response.text  # the badge says how many are there
    assert "0 of 1 administrators required" in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "band"}, {"North Band"}),
        ({"platform": "x"}, {"North Tweets"}),
        ({"status": "suspended"}, {"North Tweets"}),
        ({"school": "other"}, {"Elementary Art"}),
        ({"attention": "nonsense"}, {"North Band", "North Tweets", "Elementary Art"}),
        ({"attention": "any", "status": "active"}, {"North Band", "Elementary Art"}),  # no administrators yet
    ],
)
def test_the_list_filters_and_searches(client, world, today, params, expected):
    from tests.factories import platform

    SocialAccountFactory(school=world.school, display_name="North Band")
    SocialAccountFactory(
        school=world.school, display_name="North Tweets", platform=platform("x"), handle="@nt", status="suspended"
    )
    SocialAccountFactory(school=world.other_school, display_name="Elementary Art")
    if params.get("platform"):
        params = {"platform": platform(params["platform"]).pk}
    if params.get("school"):
        params = {"school": world.other_school.pk}
    client.force_login(world.director)

    response = client.get(reverse("registry:account_list"), params)

    assert response.status_code == 200
    assert {a.display_name for a in response.context["page"]} == expected


def test_the_csv_export_neutralises_formulas_and_follows_the_filters(client, world, today):
    SocialAccountFactory(school=world.school, display_name='=HYPERLINK("http://evil","click")')
    SocialAccountFactory(school=world.other_school, display_name="Elementary Art")
    client.force_login(world.director)

    response = client.get(reverse("registry:account_export"), {"school": world.school.pk})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["Display name", "Platform", "Handle"]
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("http://evil","click")']


def test_the_public_directory_shows_active_accounts_without_sign_in_and_no_people(client, world, today):
    active = SocialAccountFactory(school=world.school, display_name="North High Official")
    SocialAccountFactory(school=world.school, display_name="Pending page", status="requested")
    SocialAccountFactory(school=world.foreign_school, display_name="South page")
    AdministratorFactory(account=active, user=world.staff)

    response = client.get(reverse("registry:public_directory", args=[world.district.slug]))

    assert response.status_code == 200
    assert "North High Official" in response.text
    assert "Pending page" not in response.text
    assert "South page" not in response.text
    assert world.staff.email not in response.text
    assert world.staff.last_name not in response.text


def test_a_district_can_switch_its_public_directory_off(client, world):
    world.district.public_directory_enabled = False
    world.district.save()

    assert client.get(reverse("registry:public_directory", args=[world.district.slug])).status_code == 404


def test_staff_request_an_account_through_the_form_and_see_it_in_my_accounts(client, world, colleague, today):
    from tests.factories import platform

    client.force_login(world.staff)
    response = client.post(
        reverse("registry:account_request"),
        {
            "platform": platform("instagram").pk,
            "profile_url": "https://www.instagram.com/North.Robotics/",
            "display_name": "North Robotics",
            "owner_kind": "school",
            "school": world.school.pk,
            "purpose": "Competition results.",
            "audience": "families",
            "primary_administrator": world.staff.email,
            "backup_administrator": colleague.email.upper(),
            "login_email": "robotics@north.example.org",
            "recovery_method": "district_mailbox",
        },
    )

    account = SocialAccount.objects.get()
    assert response.status_code == 302
    assert (account.handle_key, account.status, account.requested_by) == ("north.robotics", "requested", world.staff)
    assert set(account.administrators.values_list("user__email", "role")) == {
        (world.staff.email, "primary"),
        (colleague.email, "backup"),
    }
    assert "North Robotics" in client.get(reverse("registry:my_accounts")).text


def test_an_administrator_from_another_district_is_refused_on_the_form(client, world):
    from tests.factories import platform

    client.force_login(world.staff)
    response = client.post(
        reverse("registry:account_request"),
        {
            "platform": platform("instagram").pk,
            "handle": "@north.robotics",
            "display_name": "North Robotics",
            "owner_kind": "school",
            "school": world.school.pk,
            "purpose": "Results.",
            "audience": "families",
            "primary_administrator": world.foreign_principal.email,
        },
    )

    assert response.status_code == 200
    assert "no active staff member of the district has this e-mail address" in response.text
    assert not SocialAccount.objects.exists()


def test_the_account_page_shows_the_history_with_who_and_what(client, world, request_account):
    account = request_account()
    services.account_approve(acting_user=world.director, account=account)
    client.force_login(world.director)

    response = client.get(reverse("registry:account_detail", args=[account.pk]))

    timeline = response.context["history"].entries
    assert [event.summary for event in timeline][:2] == [
        "Approved",
        f"{world.staff.full_name} designated primary administrator",
    ]
    assert timeline[0].who == world.director.full_name
    assert "Status: Awaiting approval → Approved, not yet active" in [str(c) for c in timeline[0].changes]


def test_the_director_registers_an_existing_account_through_the_form(client, world, today):
    from tests.factories import platform

    client.force_login(world.director)
    url = reverse("registry:account_request") + "?existing=1"
    response = client.post(
        url,
        {
            "platform": platform("facebook").pk,
            "profile_url": "https://www.facebook.com/NorthDistrict",
            "display_name": "North District",
            "owner_kind": "district",
            "purpose": "News.",
            "audience": "community",
            "primary_administrator": world.communications.email,
            "launched_on": "2018-08-20",
        },
    )

    account = SocialAccount.objects.get()
    assert response.status_code == 302
    assert (account.status, str(account.launched_on)) == ("active", "2018-08-20")


def test_a_leaver_is_marked_on_the_account_page(client, world, today):
    account = SocialAccountFactory(school=world.school)
    leaver = UserFactory(district=world.district, is_active=False)
    AdministratorFactory(account=account, user=leaver, role="primary")
    client.force_login(world.director)

    response = client.get(reverse("registry:account_detail", args=[account.pk]))

    assert "Left the district" in response.text
    assert "Fewer administrators than the policy requires" in response.text


def test_families_can_search_the_public_directory(client, world, today):
    SocialAccountFactory(school=world.school, display_name="North High Official")
    SocialAccountFactory(school=world.school, display_name="North Robotics")

    response = client.get(reverse("registry:public_directory", args=[world.district.slug]), {"q": "robot"})

    assert [a.display_name for a in response.context["page"]] == ["North Robotics"]
