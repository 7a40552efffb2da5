from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import render

from accounts import selectors, services, sign_in
from accounts.models import SignInRefusal, User
from core.mail import render_email


class AccountAdapter(DefaultAccountAdapter):
    """People come from the district's roster, never from self-service sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    # allauth counts failed sign-ins per "key" (by default the address alone, so five wrong guesses
    # from anyone lock the person out everywhere). The key here is the address *from this client*:
    # a guesser locks only themselves; the per-client rate (ACCOUNT_RATE_LIMITS) stops one client
    # trying many addresses. Password resets keep their limits per address.
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        login = str(credentials.get("email", credentials.get("username", ""))).lower()
        return f"{self.get_client_ip(request)}:{login}"

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        # Only once the password was right: a wrong one learns nothing about the district's settings.
        if isinstance(user, User) and user.district is not None and not sign_in.password_allowed(user):
            raise ValidationError(
                f"{user.district.name} signs in with its Google or Microsoft accounts: use the button below."
            )
        return user if isinstance(user, AbstractBaseUser) else None

    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        """The product's own e-mail, naming the person's district and the site's real address."""
        if not user.is_active or (isinstance(user, User) and not sign_in.password_allowed(user)):
            return  # someone who left, or whose district signs in only with Google or Microsoft
        link = urlsplit(context["password_reset_url"])
        district = getattr(user, "district", None)
        message = render_email(
            "password_reset",
            {
                "recipient": user,
                "district": district,
                "link": f"{settings.SITE_URL}{link.path}",
                "site_url": settings.SITE_URL,
                "why": "You receive this because someone asked to set or reset the password for this address. "
                "If it was not you, ignore this e-mail: your password stays as it is.",
            },
            to=[email],
            sender=district,
        )
        message.send()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Google, Microsoft and the district's OpenID Connect provider sign in people the roster knows,
    as accounts.sign_in decides; they never create anyone."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.state.get("process") == "connect":
            # Linking is signing in (the rules below), never a second account added by hand.
            raise ImmediateHttpResponse(render(request, "account/email_closed.html", status=403))
        identity = identity_of(sociallogin)
        decision = sign_in.decide(identity)
        linked = sociallogin.user if sociallogin.is_existing else None
        if decision.user is not None and linked is not None and linked.pk != decision.user.pk:
            decision = sign_in.Decision(None, SignInRefusal.RELINKED, decision.district)
        client = get_account_adapter(request).get_client_ip(request)
        if not decision.allowed:
            services.sign_in_refused(identity=identity, decision=decision, client_address=client)
            raise ImmediateHttpResponse(refusal_page(request, identity, decision))
        if linked is None and decision.user is not None:
            services.sign_in_link(sociallogin=sociallogin, user=decision.user, identity=identity, client_address=client)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A tampered or replayed answer, an expired token, the provider's own error page: one plain
        page in the product's layout, nothing signed in, nothing written."""
        raise ImmediateHttpResponse(
            render(
                request,
                "socialaccount/authentication_error.html",
                {"provider_name": getattr(provider, "name", "the sign-in service"), "error": error},
                status=400,
            )
        )


def identity_of(sociallogin: SocialLogin) -> sign_in.Identity:
    """What the provider vouched for, from the claims allauth read (the ID token or the profile)."""
    data = sociallogin.account.extra_data or {}
    provider = sociallogin.account.provider
    if provider == sign_in.MICROSOFT:
        email = data.get("mail") or data.get("userPrincipalName") or ""
        return sign_in.Identity(provider, str(email), email_verified=False, tenant=str(data.get("tid", "")))
    if "id_token" in data or "userinfo" in data:
        # OpenID Connect: the signed ID token's claims win over the userinfo endpoint's.
        data = {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}
    email = str(data.get("email", ""))
    verified = data.get("email_verified") in (True, "true", "True")
    return sign_in.Identity(provider, email, verified, hosted_domain=str(data.get("hd", "")))


def refusal_page(request: HttpRequest, identity: sign_in.Identity, decision: sign_in.Decision) -> Any:
    return render(
        request,
        "account/sign_in_refused.html",
        {
            "identity": identity,
            "refusal": SignInRefusal(decision.refusal),
            "district": decision.district,
            "directors": selectors.technology_directors(decision.district),
        },
        status=403,
    )
