"""Response headers every page of the site carries."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

# Nothing in the product uses these browser features; a page (or an injected script) may not either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivatePagesMiddleware:
    """Signed-in pages show children's data: the browser must not keep them (on a shared school
    computer the back button would show a do-not-post list after sign-out). Every page also refuses
    the browser features the product does not use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A sign-in button posts to our own page, which redirects to the provider: the content security
        # policy's form-action covers that redirect, so the providers' origins are allowed too.
        if origins := sign_in_origins():
            update = getattr(response, "_csp_update", None) or {}
            response._csp_update = {**update, "form-action": [*update.get("form-action", []), *origins]}  # type: ignore[attr-defined]
        # Only a request carrying a session can be signed in; checking the cookie first keeps
        # anonymous requests (health checks, public pages) from loading a session at all.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and _signed_in(request):
            add_never_cache_headers(response)
            response["Cache-Control"] = "private, no-store, no-cache, must-revalidate, max-age=0"
        return response


def sign_in_origins() -> list[str]:
    """Where a sign-in with Google, Microsoft or the district's provider takes the browser."""
    providers = settings.SOCIALACCOUNT_PROVIDERS
    origins = []
    if "google" in providers:
        origins.append("https://accounts.google.com")
    if "microsoft" in providers:
        origins.append("https://login.microsoftonline.com")
    for app in providers.get("openid_connect", {}).get("APPS", []):
        parts = urlsplit(app.get("settings", {}).get("server_url", ""))
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class DistrictTimeZoneMiddleware:
    """Dates and times on a signed-in person's pages are their district's (accounts.District.time_zone).
    The user is loaded with their district already (accounts.backends), so this costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        district = getattr(user, "district", None) if user is not None and user.is_authenticated else None
        zone = getattr(district, "time_zone", "")
        if zone and zone != settings.TIME_ZONE:
            with timezone.override(zoneinfo.ZoneInfo(zone)):
                return self.get_response(request)
        return self.get_response(request)
