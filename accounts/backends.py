"""allauth's sign-in backend (the only one: e-mail and password, or the district's provider), with
the person's district read in the same query that reads the person on every request: the navigation
names it on every page."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from accounts.models import User


class AuthenticationBackend(AllauthBackend):  # type: ignore[misc]  # allauth ships no type information
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("district").get(pk=user_id)
        except (User.DoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None
