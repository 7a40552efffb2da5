"""The whole OpenID Connect authorization-code flow against a real provider process on loopback
(tests/real_services.OidcProvider): the redirect with its state and PKCE challenge, the provider's
form, the code sent back, its exchange at the token endpoint, and the ID token's signature and
claims checked against the provider's keys. Then what goes wrong: a tampered state, a replayed code,
an expired ID token, the provider's own refusal: a clear page, no session, nothing written."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import SignInEvent

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

LOGIN = "/account/oidc/district/login/"


@pytest.fixture
def provider(oidc_provider, settings, world):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "district",
                    "name": "North Sign-in",
                    "client_id": "registry",
                    "secret": "registry-secret",
                    "settings": {"server_url": oidc_provider.url, "oauth_pkce_enabled": True},
                }
            ]
        }
    }
    world.district.sign_in_domains = "north.example.org"
    world.district.save()
    oidc_provider.person("teacher@north.example.org", email="teacher@north.example.org", email_verified=True)
    return oidc_provider


def start(client) -> str:
    """The sign-in button: our site sends the browser to the provider's authorization page."""
    response = client.post(LOGIN, {"next": "/"})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def consent(authorize_url: str, sub: str, action: str = "allow") -> str:
    """The person at the provider's form; the provider sends the browser back with a code."""
    response = requests.post(authorize_url, data={"sub": sub, "action": action}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def back(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def signed_in(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_teacher_signs_in_with_the_districts_provider_and_is_linked_once(client, world, provider):
    authorize_url = start(client)
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["code_challenge"]

    response = back(client, consent(authorize_url, "teacher@north.example.org"))

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client) == str(world.staff.pk)
    assert SocialAccount.objects.get(provider="district").user == world.staff
    client.logout()
    back(client, consent(start(client), "teacher@north.example.org"))  # a second sign-in
    assert signed_in(client) == str(world.staff.pk)
    assert SignInEvent.objects.filter(outcome="linked").count() == 1


def test_an_address_nobody_has_is_refused_and_nothing_is_created(client, world, provider):
    provider.person("new.hire@north.example.org", email="new.hire@north.example.org", email_verified=True)
    users = type(world.staff).objects.count()

    response = back(client, consent(start(client), "new.hire@north.example.org"))

    assert response.status_code == 403
    assert "nobody in North District" in response.content.decode()
    assert signed_in(client) is None
    assert type(world.staff).objects.count() == users and not SocialAccount.objects.exists()
    assert SignInEvent.objects.get().refusal == "unknown"


def test_an_unverified_address_is_refused(client, world, provider):
    provider.person("teacher@north.example.org", email="teacher@north.example.org", email_verified=False)

    response = back(client, consent(start(client), "teacher@north.example.org"))

    assert response.status_code == 403
    assert signed_in(client) is None and not SocialAccount.objects.exists()


def tampered(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def assert_refused_cleanly(client, response) -> None:
    assert response.status_code in (400, 401)
    assert signed_in(client) is None
    assert not SocialAccount.objects.exists() and not SignInEvent.objects.exists()


def test_a_tampered_state_signs_nobody_in(client, world, provider):
    callback = consent(start(client), "teacher@north.example.org")

    response = back(client, tampered(callback, state="forged-state"))

    assert_refused_cleanly(client, response)


def test_a_replayed_code_signs_nobody_in(client, world, provider):
    callback = consent(start(client), "teacher@north.example.org")
    back(client, callback)
    client.logout()
    SocialAccount.objects.all().delete()
    SignInEvent.objects.all().delete()

    response = back(client, callback)

    assert_refused_cleanly(client, response)


def test_an_expired_id_token_signs_nobody_in(client, world, provider):
    callback = consent(start(client), "teacher@north.example.org")

    # The provider's tokens live an hour; the page is answered two hours later by our clock.
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=2)):
        response = back(client, callback)

    assert_refused_cleanly(client, response)
    assert "could not be used" in response.content.decode()


def test_the_providers_refusal_is_a_plain_page(client, world, provider):
    callback = consent(start(client), "teacher@north.example.org", action="deny")

    response = back(client, callback)

    if response.status_code == 302:  # allauth's "you cancelled" page
        response = client.get(response["Location"])
    assert response.status_code in (200, 400, 401)
    assert signed_in(client) is None and not SocialAccount.objects.exists()


def test_the_sign_in_page_offers_the_districts_provider(client, provider):
    response = client.get(reverse("account_login"))

    assert "Sign in with North Sign-in" in response.content.decode()
