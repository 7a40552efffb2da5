"""Who may sign in with which identity: the one place the rule lives.

Sign-in never creates people: the roster does. A verified identity from Google, Microsoft or the
district's OpenID Connect provider signs in the active staff member whose e-mail matches (case
ignored), when their district lists the address's domain and, for Microsoft, the tenant; for Google
the Workspace domain (`hd`) the account belongs to must be one the district lists, so a personal
Google account under the same address never passes. Anything else is refused, with the reason, and
the person is told whom to ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import District, SignInRefusal, User

GOOGLE, MICROSOFT = "google", "microsoft"


@dataclass(frozen=True)
class Identity:
    """What a provider vouches for, read from its claims."""

    provider: str  # "google", "microsoft", or the district's OpenID Connect provider id
    email: str
    email_verified: bool
    hosted_domain: str = ""  # Google's `hd`: the Workspace the account belongs to
    tenant: str = ""  # Microsoft's `tid`: the Entra tenant that signed the person in

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


@dataclass(frozen=True)
class Decision:
    user: User | None  # who signs in; None when refused
    refusal: str = ""  # a SignInRefusal when refused
    district: District | None = None  # whose director to ask (or whose sign-in it was)

    @property
    def allowed(self) -> bool:
        return self.user is not None


def district_for_domain(domain: str) -> District | None:
    """The district that lists `domain` for sign-in, to say whom to ask."""
    for district in District.objects.filter(sign_in_domains__icontains=domain):
        if domain in district.sign_in_domain_list:
            return district
    return None


def decide(identity: Identity) -> Decision:
    """Whether `identity` signs someone in, and who."""
    email = identity.email.strip().lower()
    if not email or "@" not in email:
        return Decision(None, SignInRefusal.NO_EMAIL)
    user = User.objects.filter(email__iexact=email).select_related("district").first()
    district = user.district if user is not None and user.district is not None else district_for_domain(identity.domain)
    refused = _refusal(identity, user, district)
    if refused:
        return Decision(None, refused, district)
    return Decision(user, "", district)


def _refusal(identity: Identity, user: User | None, district: District | None) -> str:
    if user is None or user.district is None or district is None:
        return SignInRefusal.UNKNOWN  # nobody with this address; operators sign in with a password
    if not user.is_active:
        return SignInRefusal.LEFT
    if identity.domain not in district.sign_in_domain_list:
        return SignInRefusal.DOMAIN
    if identity.provider == MICROSOFT:
        # The tenant vouches for its own addresses: a tenant the district lists is the verification.
        if identity.tenant.lower() not in district.microsoft_tenant_list:
            return SignInRefusal.TENANT
        return ""
    if identity.provider == GOOGLE and identity.hosted_domain.lower() not in district.sign_in_domain_list:
        return SignInRefusal.HOSTED_DOMAIN
    if not identity.email_verified:
        return SignInRefusal.UNVERIFIED
    return ""


def password_allowed(user: User) -> bool:
    """Staff of a district that signs in only with Google or Microsoft have no password way in; the
    site's operators always do (break-glass access)."""
    return user.is_superuser or user.district is None or user.district.password_sign_in
