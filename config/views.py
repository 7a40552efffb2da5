"""Views of the project itself: the health check and the server-error page."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
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
