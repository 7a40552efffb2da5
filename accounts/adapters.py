from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """People come from the district's roster, never from self-service sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
