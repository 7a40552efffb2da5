"""Who may sign in with Google, Microsoft or the district's provider (accounts.sign_in), and the
adapter that applies it: Google's and Microsoft's own endpoints are the outside world, so their
providers are fed recorded claims (hd, tid, email_verified), forged ones included."""

from __future__ import annotations

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.google.provider import GoogleProvider
from django.test import RequestFactory

from accounts import sign_in
from accounts.adapters import SocialAccountAdapter
from accounts.models import SignInEvent, SignInRefusal
from accounts.sign_in import Identity
from accounts.sso.provider import MicrosoftProvider

pytestmark = pytest.mark.django_db

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def district(world):
    world.district.sign_in_domains = "north.example.org"
    world.district.microsoft_tenant_ids = TENANT
    world.district.save()
    return world.district


def google(email: str, *, hd: str = "north.example.org", verified: bool = True) -> Identity:
    return Identity(sign_in.GOOGLE, email, verified, hosted_domain=hd)


def microsoft(email: str, tenant: str = TENANT) -> Identity:
    return Identity(sign_in.MICROSOFT, email, False, tenant=tenant)


@pytest.mark.parametrize(
    ("identity", "refusal"),
    [
        (google("teacher@north.example.org"), ""),
        (google("Teacher@NORTH.example.org"), ""),  # case never matters
        (google("teacher@north.example.org", hd="evil.example"), SignInRefusal.HOSTED_DOMAIN),  # a forged hd
        (google("teacher@north.example.org", hd=""), SignInRefusal.HOSTED_DOMAIN),  # a personal Google account
        (google("teacher@north.example.org", verified=False), SignInRefusal.UNVERIFIED),
        (microsoft("teacher@north.example.org"), ""),
        (microsoft("teacher@north.example.org", OTHER_TENANT), SignInRefusal.TENANT),
        (microsoft("teacher@north.example.org", ""), SignInRefusal.TENANT),
        (Identity("district", "teacher@north.example.org", True), ""),
        (Identity("district", "teacher@north.example.org", False), SignInRefusal.UNVERIFIED),
        (google("nobody@north.example.org"), SignInRefusal.UNKNOWN),
        (google(""), SignInRefusal.NO_EMAIL),
    ],
)
def test_it_signs_in_only_a_verified_identity_of_a_listed_domain_and_tenant(world, district, identity, refusal):
    decision = sign_in.decide(identity)

    assert decision.refusal == refusal
    assert (decision.user == world.staff) is (refusal == "")


def test_it_refuses_someone_who_left(world, district):
    world.staff.is_active = False
    world.staff.save()

    assert sign_in.decide(google("teacher@north.example.org")).refusal == SignInRefusal.LEFT


def test_it_refuses_a_domain_the_district_did_not_list(world, district):
    district.sign_in_domains = "staff.north.example.org"
    district.save()

    decision = sign_in.decide(google("teacher@north.example.org"))

    assert (decision.refusal, decision.district) == (SignInRefusal.DOMAIN, district)


def test_it_names_the_district_of_an_unknown_address_so_the_page_says_whom_to_ask(world, district):
    decision = sign_in.decide(google("new.hire@north.example.org"))

    assert (decision.refusal, decision.district) == (SignInRefusal.UNKNOWN, district)


def test_a_district_cannot_sign_in_another_districts_staff(world, district):
    """South lists North's domain too: a North address still signs in only by North's own settings."""
    world.other_district.sign_in_domains = "north.example.org"
    world.other_district.microsoft_tenant_ids = OTHER_TENANT
    world.other_district.save()

    assert sign_in.decide(microsoft("teacher@north.example.org", OTHER_TENANT)).refusal == SignInRefusal.TENANT


def test_it_never_signs_in_a_platform_operator(superuser, district):
    district.sign_in_domains = "north.example.org example.org"
    district.save()

    assert sign_in.decide(google("operator@example.org", hd="example.org")).refusal == SignInRefusal.UNKNOWN


# --- The adapter, fed the claims Google's and Microsoft's endpoints return --------------------------


def sociallogin(provider_class, claims: dict):
    request = RequestFactory().get("/")
    app = SocialApp(provider=provider_class.id, name=provider_class.name, client_id="registry", secret="secret")
    provider = provider_class(request, app=app)
    return request, provider.sociallogin_from_response(request, claims)


GOOGLE_CLAIMS = {
    "iss": "https://accounts.google.com",
    "sub": "109876543210",
    "email": "teacher@north.example.org",
    "email_verified": True,
    "hd": "north.example.org",
    "given_name": "Tess",
    "family_name": "Teacher",
}
MICROSOFT_PROFILE = {
    "id": "4f1c8c2e-0000-4000-8000-000000000001",
    "mail": "teacher@north.example.org",
    "userPrincipalName": "teacher@north.example.org",
    "givenName": "Tess",
    "surname": "Teacher",
    "tid": TENANT,
}


@pytest.mark.parametrize(
    ("provider_class", "claims"),
    [(GoogleProvider, GOOGLE_CLAIMS), (MicrosoftProvider, MICROSOFT_PROFILE)],
    ids=["google", "microsoft"],
)
def test_the_first_sign_in_links_the_provider_account_to_the_person_and_records_it(
    world, district, provider_class, claims
):
    request, login = sociallogin(provider_class, claims)
    login.lookup()

    SocialAccountAdapter().pre_social_login(request, login)

    account = SocialAccount.objects.get(provider=provider_class.id)
    assert account.user == world.staff
    [event] = SignInEvent.objects.all()
    assert (event.outcome, event.user, event.district) == ("linked", world.staff, district)


@pytest.mark.parametrize(
    ("provider_class", "claims", "refusal"),
    [
        (GoogleProvider, {**GOOGLE_CLAIMS, "hd": "attacker.example"}, SignInRefusal.HOSTED_DOMAIN),
        (GoogleProvider, {**GOOGLE_CLAIMS, "email_verified": False}, SignInRefusal.UNVERIFIED),
        (MicrosoftProvider, {**MICROSOFT_PROFILE, "tid": OTHER_TENANT}, SignInRefusal.TENANT),
        (GoogleProvider, {**GOOGLE_CLAIMS, "email": "stranger@north.example.org"}, SignInRefusal.UNKNOWN),
    ],
    ids=["forged-hd", "unverified", "wrong-tenant", "unknown"],
)
def test_a_refused_sign_in_links_nothing_records_why_and_says_whom_to_ask(
    world, district, provider_class, claims, refusal
):
    request, login = sociallogin(provider_class, claims)
    login.lookup()

    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(request, login)

    page = refused.value.response
    assert page.status_code == 403
    assert f"mailto:{world.director.email}" in page.content.decode()
    assert not SocialAccount.objects.exists()
    [event] = SignInEvent.objects.all()
    assert (event.outcome, event.refusal, event.user) == ("refused", refusal, None)


def test_an_account_linked_earlier_is_refused_once_the_person_has_left(world, district):
    request, login = sociallogin(GoogleProvider, GOOGLE_CLAIMS)
    login.lookup()
    SocialAccountAdapter().pre_social_login(request, login)
    world.staff.is_active = False
    world.staff.save()
    request, again = sociallogin(GoogleProvider, GOOGLE_CLAIMS)
    again.lookup()

    with pytest.raises(ImmediateHttpResponse):
        SocialAccountAdapter().pre_social_login(request, again)

    assert SignInEvent.objects.filter(refusal=SignInRefusal.LEFT).count() == 1
