"""Who sets districts up: the installation's operators create them; each district's technology
directors work through its checklist (another district's checklist does not exist for them)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import scope_for
from accounts.models import District, Role, User


def is_operator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def checklist_districts(user: User) -> QuerySet[District]:
    if is_operator(user):
        return District.objects.all()
    return District.objects.filter(pk__in=scope_for(user).district_ids({Role.DIRECTOR}))
