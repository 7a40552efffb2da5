"""Hostile input to the account form: always a message on the form, never an error page, nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import SocialAccount
from tests.factories import ProgramFactory, platform


def good(world) -> dict:
    return {
        "platform": platform("website").pk,
        "profile_url": "https://north.example.org/band",
        "display_name": "Band",
        "owner_kind": "school",
        "school": world.school.pk,
        "purpose": "Concerts.",
        "audience": "families",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"profile_url": "https://north.example.org/" + "a" * 470},  # longer than a handle may be
        {"profile_url": "https://north.example.org/" + "a" * 600},
        {"profile_url": "https://north.example.org/\x00band"},
        {"profile_url": "https://xn--80ak6aa92e.com:99999/"},
        {"handle": "@" + "b" * 5000, "profile_url": ""},
        {"display_name": "x" * 5000},
        {"purpose": ""},
        {"owner_kind": "everyone"},
        {"school": "999999999"},
        {"school": "abc"},
        {"platform": "-1"},
        {"owner_kind": "program", "program": "12345"},
        {"owner_kind": "staff", "owner_staff_email": "not-an-email"},
        {"login_email": "band@gmail.com"},
        {"primary_administrator": "ghost@north.example.org"},
        {"audience": "aliens"},
    ],
)
def test_bad_input_is_answered_on_the_form_and_saves_nothing(client, world, bad):
    client.force_login(world.staff)

    response = client.post(reverse("registry:account_request"), {**good(world), **bad})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not SocialAccount.objects.exists()


def test_a_program_of_another_district_cannot_own_an_account(client, world):
    foreign_team = ProgramFactory(school=world.foreign_school)
    client.force_login(world.staff)

    response = client.post(
        reverse("registry:account_request"), {**good(world), "owner_kind": "program", "program": foreign_team.pk}
    )

    assert response.status_code == 200
    assert not SocialAccount.objects.exists()


def test_the_good_input_used_above_is_accepted(client, world):
    client.force_login(world.staff)

    response = client.post(reverse("registry:account_request"), good(world))

    assert response.status_code == 302
    assert SocialAccount.objects.count() == 1


@pytest.mark.parametrize("page", ["registry:account_list", "registry:account_export", "public_directory"])
def test_searches_with_control_characters_are_not_an_error(client, world, page):
    client.force_login(world.director)
    if page == "public_directory":
        url = reverse("registry:public_directory", args=[world.district.slug])
    else:
        url = reverse(page)

    response = client.get(url, {"q": "band\x00", "school": "\x00", "attention": "\x00"})

    assert response.status_code == 200
