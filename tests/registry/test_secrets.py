"""Never a password: forms say so, and refuse text that looks like one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry.models import SocialAccount, refuse_secrets

SECRETS = [
    "password: Hunter2!",
    "Password is lakeshore2026",
    "pw=band123",
    "PIN: 4821",
    "backup codes - 1234 5678 9012",
    "recovery code: ABCD-EFGH",
    "login is band@north.org / Xk9$mP2q!vL",
    "Tr0ub4dor&3xyz",
]
NOT_SECRETS = [
    "In the technology office's password manager, vault “Social media”.",
    "Recovery codes are printed and kept in the principal's safe.",
    "The district phone (555-0100) receives verification texts.",
    "https://www.instagram.com/north.band/?igsh=AbC123xyz",
    "socialmedia@north.example.org",
    "Ask the Director of Technology for access.",
    "",
]


@pytest.mark.parametrize("text", SECRETS)
def test_it_refuses_text_that_looks_like_a_password(text):
    with pytest.raises(ValidationError, match="password or a recovery code"):
        refuse_secrets(text)


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_it_accepts_saying_where_the_login_is_kept(text):
    refuse_secrets(text)


def test_the_request_form_warns_and_refuses_a_password_in_the_notes(client, world):
    client.force_login(world.staff)
    url = reverse("registry:account_request")

    page = client.get(url)
    response = client.post(
        url,
        {
            "platform": SocialAccount._meta.get_field("platform").related_model.objects.get(slug="instagram").pk,
            "handle": "@north.band",
            "display_name": "Band",
            "owner_kind": "school",
            "school": world.school.pk,
            "purpose": "Concerts.",
            "audience": "families",
            "recovery_notes": "password: Hunter2!",
        },
    )

    assert "Never enter a password" in page.text
    assert response.status_code == 200
    assert "looks like a password" in response.text
    assert "Hunter2!" not in response.text  # the refused secret is not sent back in the page
    assert not SocialAccount.objects.exists()
