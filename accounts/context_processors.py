from typing import Any

from django.http import HttpRequest

from accounts import access
from accounts.models import Role, User


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
            "managed_districts": _managed_districts(user),
            "district": user.district,
        }
    }


def _managed_districts(user: User) -> list[dict[str, str]]:
    """The districts whose directory the user runs: almost always none or their own, already loaded
    with them (accounts.backends), so the navigation costs no query for it."""
    scope = access.scope_for(user)
    managed = scope.district_ids(access.DIRECTORY_MANAGERS)
    own = user.district
    if not scope.is_superuser and own is not None and managed <= {own.pk}:
        return [{"slug": own.slug, "name": own.name}] if managed else []
    return [{"slug": slug, "name": name} for slug, name in access.managed_districts(user).values_list("slug", "name")]
