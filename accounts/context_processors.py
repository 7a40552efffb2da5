from typing import Any

from django.http import HttpRequest

from accounts import access
from accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar offers this user (read lazily: anonymous pages pay nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = access.scope_for(user)
    return {
        "nav": {
            "roles": [role.label for role in Role if role in scope.roles()],
            "schools": access.can_read_staff_directory(user) or bool(scope.school_ids({"clerk"})),
            "staff": access.can_read_staff_directory(user),
            "students": access.can_read_students(user),
            "managed_districts": list(access.managed_districts(user).values("slug", "name")),
            "district": user.district,
        }
    }
