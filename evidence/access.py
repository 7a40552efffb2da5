"""Who may build and download a district's evidence packs: its technology director and its superintendent."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_district_for_user, scope_for
from accounts.models import District, Role, User
from evidence.models import EvidencePack

PACK_READERS = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT})


def can_use_evidence_packs(user: User, district: District) -> bool:
    return scope_for(user).has_district_role(district.pk, PACK_READERS)


def get_evidence_district_for_user(user: User, slug: str) -> District:
    """The district whose packs are asked for: 404 outside the user's districts, 403 for other roles."""
    district = get_district_for_user(user, slug)
    if not can_use_evidence_packs(user, district):
        raise PermissionDenied
    return district


def get_pack_for_user(user: User, pk: int) -> EvidencePack:
    """A pack of one of the user's districts (404 otherwise); 403 for the district's other roles."""
    pack = (
        EvidencePack.objects.filter(district_id__in=scope_for(user).district_ids())
        .select_related("district", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if pack is None:
        raise Http404
    if not can_use_evidence_packs(user, pack.district):
        raise PermissionDenied
    return pack
