"""Read-side questions about evidence packs."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import District
from evidence.models import EvidencePack


def packs_of(district: District) -> QuerySet[EvidencePack]:
    """The district's packs, newest first, with who asked."""
    return EvidencePack.objects.filter(district=district).select_related("requested_by").order_by("-created_at", "-pk")
