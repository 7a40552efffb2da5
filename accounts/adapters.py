from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

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

    def send_password_reset_mail(self, user: AbstractBaseUser, email: str, context: dict[str, Any]) -> None:
        """The product's own e-mail, naming the person's district and the site's real address."""
        if not user.is_active:
            return  # someone who left the district cannot set a password
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
        )
        message.send()
