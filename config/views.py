from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: the application answers (it touches nothing else)."""
    return HttpResponse("ok", content_type="text/plain")
