"""The request a signed-in page receives, as the type checker should see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a view behind `login_required`: its user is a signed-in `User`, never
    `AnonymousUser`. Every request also carries `htmx` (django_htmx's middleware runs on all).
    Only an annotation: views still receive Django's own `HttpRequest`."""

    user: User
    htmx: HtmxDetails
