from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import scope_for
from accounts.models import Role
from dashboards.access import DISTRICT_DASHBOARD_ROLES


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation's "Dashboard" link: the district's for its leadership, else the school's
    for a principal. Read from the roles already loaded for the request (no extra query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    if user.district_id and user.district_id in scope.district_ids(DISTRICT_DASHBOARD_ROLES):
        return {"dashboard_url": reverse("dashboards:district", args=[user.district.slug])}
    schools = sorted(scope.school_ids({Role.PRINCIPAL}))
    if schools:
        return {"dashboard_url": reverse("dashboards:school", args=[schools[0]])}
    return {}
