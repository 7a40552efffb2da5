"""Views of the project itself: the health check, the accessibility statement and the server-error page."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: the application answers (it touches nothing else)."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled (so sys.exc_info() has it).

    A database that cannot be reached (PostgreSQL restarting or failing over) is answered 503 with a
    page that says so and when to come back; the broken connection is closed at the end of the
    request and the next one connects again, so pages recover by themselves. Anything else is a 500.
    Both pages are drawn without the request: its context processors would ask the database again."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the standard, how it is tested, what is known not to meet it,
    and whom to tell about a barrier (the reader's district, or the one named in the address)."""
    from accounts.models import District
    from accounts.selectors import technology_directors

    user = getattr(request, "user", None)
    district = getattr(user, "district", None) if user is not None and user.is_authenticated else None
    slug = str(request.GET.get("district", ""))[:50]
    if district is None and slug:
        district = District.objects.filter(slug=slug).first()
    contact = ""
    if district is not None:
        contact = district.accessibility_contact or district.mail_reply_to
        if not contact:
            contact = next(iter(technology_directors(district).values_list("email", flat=True)), "")
    return render(request, "accessibility.html", {"district": district, "contact": contact})
