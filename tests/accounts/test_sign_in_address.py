"""The roster (or the technology director) owns sign-in addresses: nobody switches their own, and an
address differing only in case is one person, never two."""

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_nobody_can_add_or_switch_their_sign_in_address(client, world, mailoutbox):
    client.force_login(world.staff)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "attacker@evil.example"})
    client.post(reverse("account_email"), {"action_primary": "", "email": "attacker@evil.example"})

    assert response.status_code == 405
    world.staff.refresh_from_db()
    assert world.staff.email == "teacher@north.example.org"
    assert not EmailAddress.objects.filter(email="attacker@evil.example").exists()
    assert mailoutbox == []


def test_the_address_page_says_whom_to_ask(client, world):
    client.force_login(world.staff)

    response = client.get(reverse("account_email"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "teacher@north.example.org" in body
    assert f"mailto:{world.director.email}" in body
    assert "<form" not in body.split("<main", 1)[-1]


def test_an_address_differing_only_in_case_cannot_be_a_second_person(world):
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=UserFactory(district=world.district).pk).update(email="TEACHER@north.example.org")


def test_a_new_person_is_stored_with_the_address_in_lower_case(world):
    person = User.objects.create_user("New.Hire@North.Example.org", district=world.district)

    assert person.email == "new.hire@north.example.org"


def test_sign_in_ignores_the_case_of_the_address(client, world):
    from tests.factories import TEST_PASSWORD

    response = client.post(reverse("account_login"), {"login": "Teacher@NORTH.example.org", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.staff.pk)
