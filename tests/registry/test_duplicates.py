"""One page, one record: the same platform and handle are refused, with a link to the existing one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import SocialAccount
from registry.services import DuplicateAccount
from tests.factories import SocialAccountFactory


def form_data(**overrides) -> dict:
    return {
        "platform": "",
        "profile_url": "",
        "handle": "",
        "display_name": "North High Band",
        "owner_kind": "school",
        "purpose": "Concert dates.",
        "audience": "families",
        "primary_administrator": "teacher@north.example.org",
        **overrides,
    }


def test_the_same_handle_written_differently_is_refused(world, request_account):
    existing = request_account(handle="@North.Band")

    with pytest.raises(DuplicateAccount) as refused:
        request_account(handle="https://www.instagram.com/north.band/?hl=en")

    assert refused.value.existing == existing
    assert SocialAccount.objects.count() == 1


def test_the_same_handle_on_another_platform_is_a_different_account(world, request_account):
    from registry import services
    from tests.factories import platform
    from tests.registry.conftest import address, details

    request_account(handle="@northband")
    services.account_request(
        acting_user=world.staff,
        platform=platform("x"),
        address=address("@northband", "x"),
        details=details(world.school),
        administrators=[],
    )

    assert SocialAccount.objects.count() == 2


def test_the_form_links_to_the_existing_record(client, world):
    existing = SocialAccountFactory(school=world.school, handle="@north.band", handle_key="north.band")
    client.force_login(world.principal)
    instagram = existing.platform.pk

    response = client.post(
        reverse("registry:account_request"),
        form_data(platform=instagram, school=world.school.pk, profile_url="instagram.com/NORTH.BAND"),
    )

    assert response.status_code == 200
    assert "already registered" in response.text
    assert existing.get_absolute_url() in response.text
    assert SocialAccount.objects.count() == 1


def test_an_account_of_another_district_is_refused_without_revealing_it(client, world):
    existing = SocialAccountFactory(school=world.foreign_school, handle="@south.band", handle_key="south.band")
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_request"),
        form_data(platform=existing.platform.pk, school=world.school.pk, handle="@south.band"),
    )

    assert "already registered by another organization" in response.text
    assert existing.get_absolute_url() not in response.text
    assert existing.display_name not in response.text
