from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import scope_for
from audit.access import AUDIT_READERS


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The "Audit log" link for the leadership of the user's own district (roles already read: no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.district_id:
        return {}
    if user.district_id not in scope_for(user).district_ids(AUDIT_READERS):
        return {}
    return {"audit_url": reverse("audit:log", args=[user.district.slug])}
