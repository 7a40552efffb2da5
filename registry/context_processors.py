from typing import Any

from django.http import HttpRequest

from accounts.access import DISTRICT_READERS, scope_for
from accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation offers the whole registry (leadership, principals) or only “My accounts”."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "registry_nav": {
            "all_accounts": scope.is_superuser
            or bool(scope.district_ids(DISTRICT_READERS))
            or bool(scope.school_ids({Role.PRINCIPAL})),
        }
    }
