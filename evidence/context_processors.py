from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import scope_for
from evidence.access import PACK_READERS


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The "Evidence packs" link for the leadership of the user's own district (roles already read: no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.district_id:
        return {}
    if user.district_id not in scope_for(user).district_ids(PACK_READERS):
        return {}
    return {"evidence_url": reverse("evidence:list", args=[user.district.slug])}
