"""The policy itself is in the product: each district keeps its policy documents (number, title,
adopted and last reviewed on, the text or a link, a version), shown wherever staff acknowledge or
attest to them; an acknowledgement names the version; a policy past its review date is the director's."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import selectors, services
from accounts.models import PolicyDocument
from compliance import obligations
from registry import services as registry_services
from tests.factories import AdministratorFactory, SocialAccountFactory


def record(world, **values):
    fields = {
        "number": "458",
        "title": "Employee Use of Social Media",
        "version": "2023-06-26",
        "adopted_on": datetime.date(2021, 11, 22),
        "last_reviewed_on": datetime.date(2026, 6, 26),
        "url": "https://example.org/policies/458.pdf",
        **values,
    }
    return services.policy_document_record(acting_user=world.director, district=world.district, values=fields)


def test_a_new_version_replaces_the_current_one_and_keeps_the_old(world, today):
    first = record(world, version="2021-11-22")
    second = record(world, version="2023-06-26")

    assert list(selectors.current_policy_documents(world.district)) == [second]
    first.refresh_from_db()
    assert not first.current
    assert second.history.first().history_user == world.director


def test_a_policy_document_needs_its_text_or_a_link(world, today):
    with pytest.raises(ValidationError):
        record(world, url="", text="")


def test_only_those_who_edit_the_policy_record_it(world, today):
    with pytest.raises(PermissionDenied):
        services.policy_document_record(
            acting_user=world.staff, district=world.district, values={"number": "458", "title": "x", "version": "1"}
        )


def test_an_administrators_acknowledgement_names_the_version_they_read(world, today):
    record(world)
    administrator = AdministratorFactory(account=SocialAccountFactory(school=world.school), user=world.staff)

    administrator = registry_services.administrator_acknowledge_policy(
        acting_user=world.staff, administrator=administrator
    )

    assert administrator.policy_acknowledged_version == "Policy 458, version 2023-06-26"


def test_the_policy_is_shown_where_an_administrator_acknowledges_it(client, world, today):
    record(world)
    account = SocialAccountFactory(school=world.school)
    AdministratorFactory(account=account, user=world.staff)
    client.force_login(world.staff)

    page = client.get(reverse("registry:account_detail", args=[account.pk])).content.decode()

    assert "Policy 458 Employee Use of Social Media" in page
    assert "https://example.org/policies/458.pdf" in page


def test_a_policy_past_its_review_date_is_an_item_for_the_director(world, today):
    world.district.policy_review_interval_months = 12  # 547: at least annually
    world.district.save()
    record(world, last_reviewed_on=datetime.date(2025, 6, 26))

    [item] = obligations.policy_items(world.district, today)

    assert item.key == "policy_review_overdue"
    assert "458" in item.title


def test_a_policy_reviewed_within_its_interval_is_not_an_item(world, today):
    world.district.policy_review_interval_months = 12
    world.district.save()
    record(world, last_reviewed_on=datetime.date(2026, 6, 26))

    assert obligations.policy_items(world.district, today) == []


def test_every_staff_member_reads_the_districts_policies(client, world, today, django_assert_max_num_queries):
    for number in ("458", "459", "460"):
        record(world, number=number)
    client.force_login(world.staff)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("policy_document_list", args=[world.district.slug])).content.decode()

    assert page.count("Employee Use of Social Media") == 3
    assert PolicyDocument.objects.count() == 3


def test_a_new_version_is_in_the_districts_audit_log(client, world, today):
    record(world, version="2023-06-26")
    client.force_login(world.director)

    page = client.get(reverse("audit:log", args=[world.district.slug])).content.decode()

    assert "Policy 458, version 2023-06-26" in page
